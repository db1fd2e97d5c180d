from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "thidua.assessments"
    verbose_name = "Chấm điểm thi đua"

    def ready(self) -> None:
        from thidua.assessments import stages

        stages.register()
