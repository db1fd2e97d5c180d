from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from thidua.accounts.models import User
from thidua.demo.national import national_exists, national_logins
from thidua.organizations.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Print the demo logins that this database holds: the cluster demo's, the national demo's."

    def handle(self, *args: Any, **options: Any) -> None:
        cluster = demo_logins()
        present = set(
            User.objects.filter(username__in=[u for u, _ in cluster]).values_list("username", flat=True)
        )
        rows = [(username, role) for username, role in cluster if username in present]
        if national_exists():
            rows += national_logins()
        if not rows:
            self.stdout.write(
                "Cơ sở dữ liệu chưa có dữ liệu minh họa: chạy `manage.py load_demo` (hoặc make run)."
            )
            return
        self.stdout.write(f"Tài khoản minh họa (mật khẩu chung: {DEMO_PASSWORD}):")
        width = max(12, *(len(username) for username, _ in rows))
        for username, role in rows:
            self.stdout.write(f"  {username:<{width}} {role}")
        if not settings.TWO_FACTOR_REQUIRED:
            self.stdout.write(
                "Xác thực hai bước đang tắt cho bản minh họa; bật bằng THIDUA_TWO_FACTOR_REQUIRED=1 "
                "(ví dụ: make run THIDUA_TWO_FACTOR_REQUIRED=1)."
            )
