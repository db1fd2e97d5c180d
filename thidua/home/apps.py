from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The pages that span every app: the year's page with its stages (and, over time, home with its
    to-dos and the group's page). It stands above all the apps whose data it shows."""

    name = "thidua.home"
    verbose_name = "Trang chung"
