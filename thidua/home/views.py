"""The pages that span every app: home with each role's to-dos and shortcuts (and, on an organization's own
hostname, its news home)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.news.sites import serve_organization_home
from thidua.organizations.models import (
    EmulationGroup,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationName,
)
from thidua.web.pagecache import cached_for_session_with
from thidua.years.todos import todos_for, todos_version


def _with_names(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    return queryset.prefetch_related(
        Prefetch("names", queryset=OrganizationName.objects.order_by("valid_from"))
    )


@cached_for_session_with(todos_version)
def home(request: HttpRequest) -> HttpResponse:
    if (news_home := serve_organization_home(request)) is not None:
        return news_home
    year = timezone.localdate().year
    my_groups: list[dict[str, Any]] = []
    if request.user.is_authenticated:
        officer_of = permissions.officer_org_ids(request.user)
        staff_of = permissions.staff_parent_ids(request.user)
        memberships = (
            Membership.objects.filter(organization_id__in=officer_of, year=year)
            .select_related("group", "group__parent")
            .order_by("group__number")
        )
        for membership in memberships:
            my_groups.append(
                {
                    "group": membership.group,
                    "secretariat": permissions.is_secretariat(request.user, membership.group, year),
                }
            )
        staff_groups = EmulationGroup.objects.filter(parent_id__in=staff_of).count()
    else:
        staff_groups = 0
    parents = Organization.objects.filter(kind=OrganizationKind.PARENT_BODY)
    return render(
        request,
        "organizations/home.html",
        {
            "year": year,
            "my_groups": my_groups,
            "staff_groups": staff_groups,
            "parents": _with_names(parents),
            "todos": todos_for(request.user) if isinstance(request.user, User) else [],
            "shortcuts": _shortcuts(request.user) if isinstance(request.user, User) else [],
        },
    )


def _shortcuts(user: User) -> list[tuple[str, str]]:
    """The pages each role comes back to, one click from home: parent-body staff to the overview of this
    year's groups and to the dossiers sent to them, editors and news managers to the news admin (where
    drafts and approvals wait)."""
    links = []
    year = timezone.localdate().year
    parents = Organization.objects.filter(pk__in=permissions.staff_parent_ids(user)).prefetch_related("names")
    for parent in parents.order_by("code"):
        short = parent.current_short_name
        links.append(
            (f"Tổng quan năm {year} — {short}", reverse("parent_awards:overview", args=[parent.code, year]))
        )
        url = reverse("parent_awards:incoming", args=[parent.code])
        links.append((f"Hồ sơ đề nghị khen thưởng gửi {short}", url))
    if permissions.editor_org_ids(user) or permissions.news_manager_org_ids(user):
        links.append(("Quản trị trang tin: tin nháp, tin chờ duyệt", reverse("wagtailadmin_home")))
    return links
