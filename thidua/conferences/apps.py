from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "thidua.conferences"
    verbose_name = "Hội nghị và bỏ phiếu"
