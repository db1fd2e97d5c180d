"""Wagtail's own moderation e-mails are off: they would go out in English, from inside the request. The
editors' and managers' to-dos reach them by thidua's to-do e-mails, from the worker (docs/decisions.md)."""

from __future__ import annotations

from typing import Any

from django.core import mail

from thidua.accounts.models import User
from thidua.news.tests.helpers import draft, post_edit


def test_submitting_and_approving_an_article_sends_no_email_from_the_request(
    editor: User, client_for: Any
) -> None:
    manager = User.objects.get(username="duyettin")
    assert editor.email and manager.email  # Wagtail would have someone to write to
    article = draft(editor)
    post_edit(client_for(editor), article, "action-submit")
    article.refresh_from_db()
    task_state = article.current_workflow_state.current_task_state  # type: ignore[union-attr]
    task_state.approve(user=manager)
    article.refresh_from_db()
    assert article.live
    assert mail.outbox == []
