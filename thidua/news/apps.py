from datetime import timedelta

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
        _silence_wagtail_mail()
        # Articles scheduled for later go live within a minute of their time, through the worker.
        from thidua.news.tasks import publish_scheduled
        from thidua.years import schedule

        schedule.register(name="news.publish_scheduled", every=timedelta(minutes=1), task=publish_scheduled)


def _silence_wagtail_mail() -> None:
    """Wagtail e-mails moderators and editors itself, in English and inside the request that submits or
    approves; thidua's to-do e-mails tell them instead, from the worker and in Vietnamese. wagtail.admin
    connects its four mail handlers in its own ready(), after this app's (INSTALLED_APPS order): stop that,
    and disconnect any already connected, so the order does not matter."""
    from wagtail.admin import signal_handlers
    from wagtail.models import TaskState, WorkflowState
    from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted

    signal_handlers.register_signal_handlers = lambda: None
    task_submitted.disconnect(
        sender=TaskState, dispatch_uid="group_approval_task_submitted_email_notification"
    )
    workflow_submitted.disconnect(
        sender=WorkflowState, dispatch_uid="workflow_state_submitted_email_notification"
    )
    workflow_rejected.disconnect(
        sender=WorkflowState, dispatch_uid="workflow_state_rejected_email_notification"
    )
    workflow_approved.disconnect(
        sender=WorkflowState, dispatch_uid="workflow_state_approved_email_notification"
    )
