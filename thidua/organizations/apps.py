from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "thidua.organizations"
    verbose_name = "Đơn vị và cụm, khối thi đua"
