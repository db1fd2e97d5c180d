from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "thidua.agreements"
    verbose_name = "Giao ước thi đua"

    def ready(self) -> None:
        from thidua.agreements import stages
        from thidua.agreements.todo import signing_todos
        from thidua.years.todos import register

        stages.register()
        register(signing_todos)
