from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo loader (`manage.py load_demo`) and the sample documents (`make samples`)."""

    name = "thidua.demo"
    verbose_name = "Dữ liệu minh họa"
