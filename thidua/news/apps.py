from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "thidua.news"
    verbose_name = "Trang tin"

    def ready(self) -> None:
        from thidua.news.cache import connect_signals

        connect_signals()
