from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "thidua.assessments"
    verbose_name = "Chấm điểm thi đua"
