from django.apps import AppConfig


class YearsConfig(AppConfig):
    name = "thidua.years"
    verbose_name = "Năm thi đua"

    def ready(self) -> None:
        from thidua.years.secretariat import next_year_todos, secretariat_todos
        from thidua.years.todos import register

        register(secretariat_todos)
        register(next_year_todos)
