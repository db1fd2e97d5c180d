from django.apps import AppConfig


class YearsConfig(AppConfig):
    name = "thidua.years"
    verbose_name = "Năm thi đua"

    def ready(self) -> None:
        from thidua.years.rules import Stage
        from thidua.years.secretariat import secretariat_todos
        from thidua.years.stages import in_force_gate, register_gate
        from thidua.years.todos import register

        register_gate(Stage.IN_FORCE, in_force_gate)
        register(secretariat_todos)
