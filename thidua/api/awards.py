"""Reading awards: an organization's (public, as its page on the web is) and a parent body's for a year
across all its groups (its staff only, as on the web)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from thidua.accounts import permissions
from thidua.api.common import Slug, Year, caller, page_of, paged
from thidua.api.errors import ERROR_RESPONSES, not_found
from thidua.api.schemas import AwardPage, PageQuery
from thidua.awards import rules
from thidua.awards.models import Award
from thidua.organizations.models import Organization, OrganizationKind

router = Router(tags=["Khen thưởng"])


def _item(award: Award) -> dict[str, Any]:
    parent = award.organization.parent
    return {
        "organization": award.organization.code,
        "year": award.year,
        "award_form": award.award_form,
        # Named as the parent body names it: "Cờ thi đua của Liên hiệp Hội Việt Nam".
        "title": rules.parent_award_label(
            award.get_award_form_display(), parent.current_short_name if parent else "cơ quan cấp trên"
        ),
        "decision_number": award.decision_number,
        "decision_date": award.decision_date,
        "group": award.dossier.emulation_year.group.slug,
    }


def _awards() -> Any:
    return Award.objects.select_related(
        "organization__parent", "dossier__emulation_year__group"
    ).prefetch_related("organization__parent__names")


@router.get(
    "/organizations/{org_code}/awards",
    response={200: AwardPage, **ERROR_RESPONSES},
    operation_id="organization_awards",
    summary="Khen thưởng của một đơn vị qua các năm",
)
def organization_awards(request: HttpRequest, org_code: Slug, paging: Query[PageQuery]) -> dict[str, Any]:
    organization = Organization.objects.filter(code=org_code).first()
    if organization is None:
        raise not_found(f"Không có đơn vị «{org_code}».")
    count, rows = page_of(_awards().filter(organization=organization).order_by("-year", "award_form"), paging)
    return paged(count, paging, [_item(a) for a in rows])


@router.get(
    "/parents/{parent_code}/awards/{year}",
    response={200: AwardPage, **ERROR_RESPONSES},
    operation_id="parent_awards",
    summary="Khen thưởng trong năm của mọi cụm/khối thuộc cơ quan cấp trên",
)
def parent_awards(
    request: HttpRequest, parent_code: Slug, year: Year, paging: Query[PageQuery]
) -> dict[str, Any]:
    parent = Organization.objects.filter(code=parent_code, kind=OrganizationKind.PARENT_BODY).first()
    if parent is None:
        raise not_found(f"Không có cơ quan cấp trên «{parent_code}».")
    permissions.require(
        permissions.is_parent_staff(caller(request), parent),
        "Chỉ cán bộ cơ quan cấp trên xem được danh sách khen thưởng trong năm của mọi cụm/khối.",
    )
    awards = (
        _awards()
        .of_parent(parent.pk, year)
        .order_by("dossier__emulation_year__group__number", "organization__code")
    )
    count, rows = page_of(awards, paging)
    return paged(count, paging, [_item(a) for a in rows])
