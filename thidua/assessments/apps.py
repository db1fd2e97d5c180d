from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "thidua.assessments"
    verbose_name = "Chấm điểm thi đua"

    def ready(self) -> None:
        from thidua.agreements.amendments import register_carrier
        from thidua.assessments import stages
        from thidua.assessments.carrying import carry_to_amendment
        from thidua.assessments.todo import amendment_todos, scoring_todos
        from thidua.years.todos import register

        stages.register()
        register(scoring_todos)
        register(amendment_todos)
        register_carrier(carry_to_amendment)
