from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.backups import archive


class Command(BaseCommand):
    help = (
        "Replace the database and the media files with a backup archive's, after checking every file's "
        "SHA-256; then check the row counts and the audit chain. Stop the app processes first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the data")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["archive"]
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}")
        try:
            manifest = archive.check(path)
        except archive.BackupError as error:
            raise CommandError(f"Bản sao lưu không dùng được: {error}") from error
        self.stdout.write(
            f"Bản sao lưu {manifest['created_at']} ({manifest['database']['vendor']}): "
            f"{len(manifest['files'])} tệp, SHA-256 đều khớp."
        )
        if not options["yes"]:
            answer = input("Toàn bộ dữ liệu và tệp hiện có sẽ bị thay thế. Gõ «khôi phục» để tiếp tục: ")
            if answer.strip() != "khôi phục":
                raise CommandError("Đã hủy, không thay đổi gì.")
        try:
            summary = archive.restore(path)
        except archive.BackupError as error:
            raise CommandError(f"Khôi phục chưa trọn: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục: {summary.rows} bản ghi, {summary.files} tệp; nhật ký nguyên vẹn "
                f"({summary.audit_events} sự kiện). Hãy khởi động lại các tiến trình ứng dụng."
            )
        )
