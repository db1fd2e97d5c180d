from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "thidua.documents"
    verbose_name = "Văn bản"

    def ready(self) -> None:
        from thidua.documents.todo import issuing_todos
        from thidua.years.todos import register

        register(issuing_todos)
