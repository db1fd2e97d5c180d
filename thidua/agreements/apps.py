from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "thidua.agreements"
    verbose_name = "Năm thi đua và giao ước"
