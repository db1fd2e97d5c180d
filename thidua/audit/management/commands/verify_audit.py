from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thidua.audit.models import AuditEvent
from thidua.audit.services import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit chain and name the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"Nhật ký bị sửa: sự kiện #{broken.seq} — {broken.reason}")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Nhật ký nguyên vẹn: {count} sự kiện."))
