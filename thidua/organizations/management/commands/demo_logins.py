from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from thidua.organizations.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Tài khoản minh họa (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role in demo_logins():
            self.stdout.write(f"  {username:<12} {role}")
        if not settings.TWO_FACTOR_REQUIRED:
            self.stdout.write(
                "Xác thực hai bước đang tắt cho bản minh họa; bật bằng THIDUA_TWO_FACTOR_REQUIRED=1 "
                "(ví dụ: make run THIDUA_TWO_FACTOR_REQUIRED=1)."
            )
