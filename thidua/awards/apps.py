from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "thidua.awards"
    verbose_name = "Khen thưởng"

    def ready(self) -> None:
        from thidua.awards import stages
        from thidua.awards.selectors import organization_awards
        from thidua.awards.todo import late_todos, member_todos, parent_todos, returned_todos
        from thidua.organizations.sections import register_section
        from thidua.years.todos import register

        stages.register()
        register(member_todos)
        register(returned_todos)
        register(parent_todos)
        register(late_todos)
        register_section(lambda organization: {"awards": organization_awards(organization=organization)})
