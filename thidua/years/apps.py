from django.apps import AppConfig


class YearsConfig(AppConfig):
    name = "thidua.years"
    verbose_name = "Năm thi đua"

    def ready(self) -> None:
        from thidua.years.secretariat import secretariat_todos
        from thidua.years.todos import register

        register(secretariat_todos)
