from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thidua.backups import archive


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump) and every media file into one archive "
        "with a SHA-256 manifest. Default folder: THIDUA_BACKUP_DIR, else var/backups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "destination", nargs="?", type=Path, help="a folder, or a file name ending .tar.gz"
        )

    def handle(self, *args: Any, destination: Path | None = None, **options: Any) -> None:
        try:
            summary = archive.create(destination)
        except archive.BackupError as error:
            raise CommandError(f"Không sao lưu được: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu ({summary.vendor}): {summary.rows} bản ghi, {summary.audit_events} sự kiện nhật ký, "
                f"{summary.files} tệp vào {summary.path}"
            )
        )
