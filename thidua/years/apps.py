from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class YearsConfig(AppConfig):
    name = "thidua.years"
    verbose_name = "Năm thi đua"

    def ready(self) -> None:
        from thidua.years.secretariat import next_year_todos, secretariat_todos
        from thidua.years.todos import register

        register(secretariat_todos)
        register(next_year_todos)

        from thidua.years import schedule
        from thidua.years.tasks import advance_years, purge_submit_keys, sweep_notice_part, sweep_notices

        schedule.register(
            name="years.sweep_notices",
            every=timedelta(seconds=settings.NOTICE_SWEEP_SECONDS),
            task=sweep_notices,
            parts=(sweep_notice_part,),
        )
        # Hourly: a day's change is caught within the hour, and an idle year costs one gate query.
        schedule.register(name="years.advance_years", every=timedelta(hours=1), task=advance_years)
        # The one-time keys of forms (thidua/audit/submits.py) live a day; the worker sweeps them hourly.
        schedule.register(name="audit.purge_submit_keys", every=timedelta(hours=1), task=purge_submit_keys)
