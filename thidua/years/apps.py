from django.apps import AppConfig


class YearsConfig(AppConfig):
    name = "thidua.years"
    verbose_name = "Năm thi đua"
