"""The news desk's to-dos: an editor's drafts not yet sent for approval, and for the organization's news
managers the articles waiting for their approval (Wagtail's moderation workflow)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from wagtail.models import Page, WorkflowState

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.news.models import ArticlePage, HomePage
from thidua.years.todos import Todo, todo


def _in_moderation() -> set[int]:
    """Pages with a moderation workflow in progress (Wagtail keeps the page's id as text)."""
    return {int(pk) for pk in WorkflowState.objects.active().values_list("object_id", flat=True)}


def _homes(organization_ids: set[int]) -> list[HomePage]:
    return list(HomePage.objects.filter(organization_id__in=organization_ids))


def news_todos(user: User, today: date) -> list[Todo]:
    editor_of = permissions.editor_org_ids(user)
    manager_of = permissions.news_manager_org_ids(user)
    items: list[Todo] = []
    if editor_of:
        for home in _homes(editor_of):
            drafts = (
                ArticlePage.objects.descendant_of(home)
                .filter(live=False, owner=user)
                .exclude(pk__in=_in_moderation())
            )
            for draft in drafts.only("pk", "title")[:20]:
                items.append(
                    todo(
                        key=f"news-draft:{draft.pk}",
                        text=f"Tin nháp chưa gửi duyệt: {draft.title}",
                        url=reverse("wagtailadmin_pages:edit", args=[draft.pk]),
                        due=None,
                        today=today,
                    )
                )
    if manager_of:
        for home in _homes(manager_of):
            waiting = Page.objects.descendant_of(home).filter(pk__in=_in_moderation())
            for page in waiting.only("pk", "title")[:20]:
                items.append(
                    todo(
                        key=f"news-approve:{page.pk}",
                        text=f"Tin chờ duyệt: {page.title}",
                        url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
                        due=None,
                        today=today,
                    )
                )
    return items
