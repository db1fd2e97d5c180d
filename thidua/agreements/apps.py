from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "thidua.agreements"
    verbose_name = "Năm thi đua và giao ước"

    def ready(self) -> None:
        from thidua.agreements.todo import member_todos
        from thidua.years.todos import register

        register(member_todos)
