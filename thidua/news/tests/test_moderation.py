"""Editors write and submit, a manager of the organization approves, and approval publishes: the
moderation workflow of Ninh Bình's news site, through Wagtail's admin as the editors use it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, Revision, WorkflowPage, WorkflowState

from thidua.accounts.models import Role, RoleKind, User
from thidua.news import services
from thidua.news.models import ArticlePage
from thidua.news.tests.helpers import category, draft, home, post_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db: Any) -> User:
    """The demo manager of Ninh Bình's news site: approves what its editors submit."""
    return User.objects.get(username="duyettin")


def test_the_site_has_a_workflow_whose_only_step_is_its_managers_approval() -> None:
    workflow = services.moderation_workflow(home())
    assert workflow is not None and workflow.active
    assert workflow.name == "Duyệt tin Liên hiệp hội tỉnh Ninh Bình"
    assert home().get_workflow() == workflow
    assert category().get_workflow() == workflow
    (task,) = [task.specific for task in workflow.tasks]
    assert [group.name for group in task.groups.all()] == ["Lãnh đạo duyệt tin — lhh-ninh-binh"]
    assert list(task.groups.get().user_set.values_list("username", flat=True)) == ["duyettin"]


def test_an_editor_may_write_but_not_publish_and_a_manager_may_publish(editor: User, manager: User) -> None:
    article = draft(editor)
    assert article.permissions_for_user(editor).can_edit()
    assert not article.permissions_for_user(editor).can_publish()
    assert article.permissions_for_user(manager).can_publish()


def test_an_editor_pressing_publish_in_the_admin_leaves_the_article_unpublished(
    editor: User, client_for: Any
) -> None:
    article = draft(editor)
    post_edit(client_for(editor), article, "action-publish")
    article.refresh_from_db()
    assert not article.live
    assert article.first_published_at is None


def test_a_submitted_draft_is_in_moderation_and_not_live_until_the_manager_approves(
    editor: User, manager: User, client_for: Any
) -> None:
    article = draft(editor)
    post_edit(client_for(editor), article, "action-submit")
    article.refresh_from_db()
    state = article.current_workflow_state
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == editor
    assert not article.live
    assert client_for(None).get(article.url, HTTP_HOST="ninhbinh.localhost").status_code == 404

    task_state = state.current_task_state
    response = client_for(manager).post(
        reverse("wagtailadmin_pages:workflow_action", args=[article.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    assert response.status_code in {200, 302}
    article.refresh_from_db()
    assert article.live
    assert article.current_workflow_state is None
    assert client_for(None).get(article.url, HTTP_HOST="ninhbinh.localhost").status_code == 200


def test_an_editor_cannot_approve_their_own_submission(editor: User, client_for: Any) -> None:
    article = draft(editor)
    services.moderation_workflow(home()).start(article, editor)  # type: ignore[union-attr]
    task_state = article.current_workflow_state.current_task_state  # type: ignore[union-attr]
    response = client_for(editor).post(
        reverse("wagtailadmin_pages:workflow_action", args=[article.pk, "approve", task_state.pk])
    )
    assert response.status_code in {302, 403}
    article.refresh_from_db()
    assert not article.live


def test_an_approved_article_scheduled_for_later_goes_live_only_when_its_time_comes(
    editor: User, manager: User, client_for: Any, monkeypatch: Any
) -> None:
    article = draft(editor)
    later = timezone.localtime() + datetime.timedelta(days=2)
    post_edit(client_for(editor), article, "action-submit", go_live_at=later.strftime("%Y-%m-%d %H:%M"))
    article.refresh_from_db()
    task_state = article.current_workflow_state.current_task_state  # type: ignore[union-attr]
    task_state.approve(user=manager)
    article.refresh_from_db()
    assert not article.live
    scheduled = Revision.page_revisions.get(object_id=str(article.pk), approved_go_live_at__isnull=False)
    assert scheduled.approved_go_live_at > timezone.now()

    call_command("publish_scheduled")  # what cron runs; nothing is due yet
    article.refresh_from_db()
    assert not article.live

    # Three days on: Django's clock moved, as cron would run the command then.
    moment = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    call_command("publish_scheduled")
    article.refresh_from_db()
    assert article.live


def test_every_save_keeps_a_revision(editor: User, client_for: Any) -> None:
    article = draft(editor)
    client = client_for(editor)
    before = article.revisions.count()
    post_edit(client, article, "action-save", lead="Bản thứ hai.")
    post_edit(client, article, "action-submit", lead="Bản thứ ba.")
    assert article.revisions.count() == before + 2
    assert article.revisions.order_by("-created_at", "-pk").first().content["lead"] == "Bản thứ ba."  # type: ignore[union-attr]


def test_a_manager_role_given_later_joins_the_managers_group(org: Any) -> None:
    newcomer = User.objects.create(username="lanhdao2", full_name="Lãnh đạo mới")
    role = Role.objects.create(user=newcomer, kind=RoleKind.NEWS_MANAGER, organization=org("ninh-binh"))
    group = services.managers_group(org("ninh-binh"))
    assert group.user_set.filter(pk=newcomer.pk).exists()
    role.delete()
    assert not group.user_set.filter(pk=newcomer.pk).exists()


def test_the_demo_holds_an_article_waiting_for_approval(manager: User) -> None:
    waiting = ArticlePage.objects.get(slug="hoi-nghi-so-ket-quy-i-nam-2024")
    assert not waiting.live
    assert waiting.current_workflow_task is not None
    assert waiting.current_workflow_task.specific.user_can_access_editor(waiting, manager)


def test_a_site_opened_before_moderation_is_brought_up_to_date_when_opened_again(
    editor: User, org: Any
) -> None:
    ninh_binh = org("ninh-binh")
    group = services.editors_group(ninh_binh)
    GroupPagePermission.objects.create(
        group=group, page=home(), permission=Permission.objects.get(codename="publish_page")
    )
    WorkflowPage.objects.filter(page=home()).delete()
    services.open_news_site(actor=User.objects.get(username="quantri"), organization=ninh_binh)
    assert not category().permissions_for_user(User.objects.get(pk=editor.pk)).can_publish()
    assert services.moderation_workflow(home()) is not None
