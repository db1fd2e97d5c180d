import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.demo.loader import load_full_demo
from thidua.documents.issuing import queue_missing_pdfs


class Command(BaseCommand):
    help = (
        "Load the Cụm 4 demo (idempotent). --reset empties the database first and loads it anew. "
        "--national loads a parent body at national scale instead (issue 16)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="wipe every table, then load the demo")
        parser.add_argument(
            "--national",
            action="store_true",
            help="a national parent body: 1,200 groups, 12,000 units, 2022–2026 (issue 16)",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="with --national: a share of the full size (0.02: 24 groups), for tests",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
        if not options["national"]:
            load_full_demo()
            queued = queue_missing_pdfs()
            self.stdout.write("Dữ liệu minh họa đã sẵn sàng.")
            if queued:
                self.stdout.write(f"Bản PDF của {queued} văn bản minh họa đang được tạo ở tác vụ nền.")
            return
        self._national(options["scale"])

    def _national(self, scale: float) -> None:
        from thidua.demo.national import FULL_GROUPS, load_national_demo
        from thidua.organizations.demo import DEMO_PASSWORD

        if not 0 < scale <= 1:
            raise CommandError("--scale phải lớn hơn 0 và không quá 1 (ví dụ 0.02).")
        started = time.monotonic()
        report = load_national_demo(
            max(round(FULL_GROUPS * scale), 1),
            progress=lambda step: self.stdout.write(f"… {time.monotonic() - started:5.0f} giây: {step}"),
        )
        if report.created:
            self.stdout.write(
                f"Đã nạp dữ liệu minh họa toàn quốc trong {time.monotonic() - started:.0f} giây."
            )
        else:
            self.stdout.write("Dữ liệu minh họa toàn quốc đã có: không nạp thêm.")
        for what, count in report.counts.items():
            self.stdout.write(f"  {what}: {count:,}".replace(",", ".").replace("cụm. khối", "cụm, khối"))
        self.stdout.write(f"Tài khoản minh họa (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role in report.logins:
            self.stdout.write(f"  {username} — {role}")
