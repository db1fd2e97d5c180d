"""Reading the registry: the caller, a parent body's groups, a year's members and leadership.

The web shows groups, members and leadership to everyone (organizations' group pages are public), so
any valid token reads them here too.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from thidua.accounts.models import Role
from thidua.api.common import Slug, Year, caller, group_or_404, page_of, paged
from thidua.api.errors import ERROR_RESPONSES, not_found
from thidua.api.schemas import GroupPage, LeadershipPage, MemberPage, MeOut, PageQuery
from thidua.lib.text import vietnamese_sort_key
from thidua.organizations.models import EmulationGroup, Leadership, Organization, OrganizationKind

router = Router(tags=["Đơn vị, cụm/khối"])


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES}, operation_id="me", summary="Người gọi API")
def me(request: HttpRequest) -> dict[str, Any]:
    """The token's owner and their roles, each bound to one organization."""
    user = caller(request)
    roles = (
        Role.objects.filter(user=user).select_related("organization").order_by("kind", "organization__code")
    )
    return {
        "username": user.username,
        "full_name": user.full_name,
        "roles": [{"kind": r.kind, "organization": r.organization.code} for r in roles],
    }


@router.get(
    "/parents/{parent_code}/groups",
    response={200: GroupPage, **ERROR_RESPONSES},
    operation_id="list_groups",
    summary="Các cụm/khối của cơ quan cấp trên",
)
def list_groups(request: HttpRequest, parent_code: Slug, paging: Query[PageQuery]) -> dict[str, Any]:
    parent = Organization.objects.filter(code=parent_code, kind=OrganizationKind.PARENT_BODY).first()
    if parent is None:
        raise not_found(f"Không có cơ quan cấp trên «{parent_code}».")
    groups = EmulationGroup.objects.filter(parent=parent).order_by("kind", "number")
    count, rows = page_of(groups, paging)
    items = [
        {"slug": g.slug, "kind": g.kind, "number": g.number, "title": g.title, "parent": parent.code}
        for g in rows
    ]
    return paged(count, paging, items)


@router.get(
    "/groups/{slug}/years/{year}/memberships",
    response={200: MemberPage, **ERROR_RESPONSES},
    operation_id="list_memberships",
    summary="Thành viên của cụm/khối trong năm",
)
def list_memberships(
    request: HttpRequest, slug: Slug, year: Year, paging: Query[PageQuery]
) -> dict[str, Any]:
    group = group_or_404(slug)
    members = Organization.objects.filter(memberships__group=group, memberships__year=year).prefetch_related(
        "names"
    )
    # Names are valid on dates, so the order is the Vietnamese order of the names borne that year.
    rows = sorted(
        (
            {
                "organization": m.code,
                "name": m.name_in_year(year),
                "short_name": m.short_name_in_year(year),
                "kind": m.kind,
            }
            for m in members
        ),
        key=lambda row: vietnamese_sort_key(row["name"]),
    )
    count, items = page_of(rows, paging)
    return paged(count, paging, items)


@router.get(
    "/groups/{slug}/years/{year}/leadership",
    response={200: LeadershipPage, **ERROR_RESPONSES},
    operation_id="list_leadership",
    summary="Cụm trưởng, cụm phó trong năm",
)
def list_leadership(request: HttpRequest, slug: Slug, year: Year, paging: Query[PageQuery]) -> dict[str, Any]:
    group = group_or_404(slug)
    leads = (
        Leadership.objects.filter(group=group, year=year)
        .select_related("group")
        .prefetch_related("organization__names")
        .order_by("-role")  # "head" before "deputy"
    )
    count, rows = page_of(leads, paging)
    items = [
        {
            "role": lead.role,
            "title": lead.role_title(),
            "organization": lead.organization.code,
            "name": lead.organization.name_in_year(year),
            "source": lead.source,
        }
        for lead in rows
    ]
    return paged(count, paging, items)
