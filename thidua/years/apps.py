from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings


class YearsConfig(AppConfig):
    name = "thidua.years"
    verbose_name = "Năm thi đua"

    def ready(self) -> None:
        from thidua.years import schedule
        from thidua.years.tasks import sweep_notices

        schedule.register(
            name="years.sweep_notices",
            every=timedelta(seconds=settings.NOTICE_SWEEP_SECONDS),
            task=sweep_notices,
        )
