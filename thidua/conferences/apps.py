from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "thidua.conferences"
    verbose_name = "Hội nghị và bỏ phiếu"

    def ready(self) -> None:
        from thidua.conferences import stages
        from thidua.conferences.todo import closing_todos
        from thidua.years.todos import register

        stages.register()
        register(closing_todos)
