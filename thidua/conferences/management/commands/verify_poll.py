"""Check a poll's published record as anyone could, with no key and no database: the product of the
encrypted ballots, every ballot's proofs, the decryption proofs and the totals (issue 14)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.lib import elgamal


class Command(BaseCommand):
    help = "Kiểm tra hồ sơ phiếu của một cuộc bỏ phiếu (tệp JSON tải từ trang hồ sơ phiếu)."
    requires_system_checks: list[str] = []  # reads a file only: no database, no settings to check

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="tệp hồ sơ phiếu (.json)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Không đọc được tệp {path}: {error.strerror}.") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CommandError(f"Tệp {path} không phải hồ sơ phiếu (JSON).") from None
        problems = elgamal.check_record(data)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"Hồ sơ phiếu KHÔNG hợp lệ: {len(problems)} lỗi.")
        ballots = len(data.get("ballots", []))
        self.stdout.write(
            self.style.SUCCESS(
                f"Hồ sơ phiếu hợp lệ: {ballots} phiếu, mọi bằng chứng đúng, tổng số khớp với phiếu mã hóa."
            )
        )
