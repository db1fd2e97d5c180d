from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class NewsConfig(AppConfig):
    name = "thidua.news"
    verbose_name = "Trang tin"

    def ready(self) -> None:
        from thidua.accounts.models import Role
        from thidua.news.cache import connect_signals, desk_version
        from thidua.news.signals import role_changed
        from thidua.news.todo import article_todos, news_todos
        from thidua.years.todos import register, register_version

        register(news_todos)
        register(article_todos)
        register_version(desk_version)

        # Editors' and managers' Wagtail groups follow their roles.
        post_save.connect(role_changed, sender=Role, dispatch_uid="news-role-saved")
        post_delete.connect(role_changed, sender=Role, dispatch_uid="news-role-deleted")
        # Readers' cached pages are dropped by whatever changes what they show.
        connect_signals()
