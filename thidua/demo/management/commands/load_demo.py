from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from thidua.demo.loader import load_full_demo


class Command(BaseCommand):
    help = "Load the Cụm 4 demo (idempotent). --reset empties the database first and loads it anew."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="wipe every table, then load the demo")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
        load_full_demo()
        self.stdout.write("Dữ liệu minh họa đã sẵn sàng.")
