from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "thidua.news"
    verbose_name = "Trang tin"
