from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "thidua.awards"
    verbose_name = "Khen thưởng"

    def ready(self) -> None:
        from thidua.awards import stages

        stages.register()
