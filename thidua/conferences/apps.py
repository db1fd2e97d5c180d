from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "thidua.conferences"
    verbose_name = "Hội nghị và bỏ phiếu"

    def ready(self) -> None:
        from thidua.conferences import stages

        stages.register()
