from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "thidua.assessments"
    verbose_name = "Chấm điểm thi đua"

    def ready(self) -> None:
        from thidua.assessments import stages
        from thidua.assessments.todo import scoring_todos
        from thidua.years.todos import register

        stages.register()
        register(scoring_todos)
