"""The news desk's to-dos: an editor's drafts not yet sent for approval, and for the organization's news
managers the articles waiting for their approval (Wagtail's moderation workflow)."""

from __future__ import annotations

from datetime import date

from django.db.models import F, Q
from django.urls import reverse
from wagtail.models import Page, WorkflowState

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.conferences.models import Conference, ConferenceKind
from thidua.news.models import ArticlePage, HomePage
from thidua.news.services import edited_sites
from thidua.years.models import YearStage
from thidua.years.todos import Todo, todo


def _in_moderation() -> set[int]:
    """Pages with a moderation workflow in progress (Wagtail keeps the page's id as text)."""
    return {int(pk) for pk in WorkflowState.objects.active().values_list("object_id", flat=True)}


def _homes(organization_ids: set[int]) -> list[HomePage]:
    return list(HomePage.objects.filter(organization_id__in=organization_ids))


def article_todos(user: User, today: date) -> list[Todo]:
    """ "Soạn tin" about a year-end conference that has ended and has no article yet: for the host's news
    editors, and for the secretariat where the host has no news site (it picks one)."""
    editor_of = permissions.editor_org_ids(user)
    officer_of = permissions.officer_org_ids(user)
    if not editor_of and not officer_of:
        return []
    written = ArticlePage.objects.filter(source_conference__isnull=False).values("source_conference_id")
    # A host's site that nobody edits counts as none: the secretariat chooses another (news.services).
    sites = edited_sites().values("organization_id")
    conferences = (
        Conference.objects.filter(kind=ConferenceKind.YEAR_END, closed_at__isnull=False)
        .exclude(pk__in=written)
        # A closed year asks nothing more of anyone (its article may predate thidua, as 2023's seed does).
        .exclude(emulation_year__stage=YearStage.CLOSED)
        .filter(
            Q(host_id__in=editor_of)
            | (
                ~Q(host_id__in=sites)
                & Q(
                    emulation_year__group__leaderships__role=permissions.HEAD,
                    emulation_year__group__leaderships__year=F("emulation_year__year"),
                    emulation_year__group__leaderships__organization_id__in=officer_of,
                )
            )
        )
        .select_related("emulation_year__group")
        .distinct()
    )
    items = []
    for conference in conferences[:20]:
        emulation_year = conference.emulation_year
        url = reverse(
            "conferences:detail", args=[emulation_year.group.slug, emulation_year.year, conference.pk]
        )
        items.append(
            todo(
                key=f"news-conference:{conference.pk}",
                text=f"Soạn tin về {conference.title}",
                url=f"{url}#soan-tin",
                due=None,
                today=today,
                emulation_year_id=emulation_year.pk,
            )
        )
    return items


def news_todos(user: User, today: date) -> list[Todo]:
    editor_of = permissions.editor_org_ids(user)
    manager_of = permissions.news_manager_org_ids(user)
    items: list[Todo] = []
    in_moderation = _in_moderation() if editor_of or manager_of else set()
    if editor_of:
        for home in _homes(editor_of):
            drafts = (
                ArticlePage.objects.descendant_of(home)
                # Whoever drafted it (the secretariat's "Soạn tin" drafts on a member's site too).
                .filter(live=False)
                .exclude(pk__in=in_moderation)
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
            waiting = Page.objects.descendant_of(home).filter(pk__in=in_moderation)
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
