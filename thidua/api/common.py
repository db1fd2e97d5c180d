"""What every endpoint shares: the caller, the year from the path with the permission to see it,
path parameter types, pagination and number formatting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import P, PathEx

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.api.errors import ApiProblem, not_found
from thidua.api.schemas import CODE_PATTERN, SLUG_PATTERN, PageQuery
from thidua.organizations.models import EmulationGroup, Organization
from thidua.years.models import EmulationYear

Slug = PathEx[str, P(pattern=SLUG_PATTERN, description="Mã (slug) của cụm/khối hoặc đơn vị.")]
Code = PathEx[str, P(pattern=CODE_PATTERN, description="Mã tiêu chí, ví dụ 1.1.")]
Year = PathEx[int, P(ge=1900, le=2200, description="Năm thi đua.")]

T = TypeVar("T")

VIEWERS_ONLY = "Chỉ các đơn vị trong cụm, thường trực cụm và cơ quan cấp trên được xem năm thi đua này."


def caller(request: HttpRequest) -> User:
    """The token's owner: the auth class put them on the request."""
    user = request.user
    assert isinstance(user, User)
    return user


CENTS = Decimal("0.01")


def points(value: Decimal | None) -> str | None:
    """Two decimals, as every score and amount is stored ("0" → "0.00"); "f" never writes an exponent
    ("1E+1") a client would have to read. Totals are sums of stored values, so nothing is rounded."""
    return None if value is None else format(value.quantize(CENTS), "f")


def group_or_404(slug: str) -> EmulationGroup:
    group = EmulationGroup.objects.select_related("parent").filter(slug=slug).first()
    if group is None:
        raise not_found(f"Không có cụm/khối thi đua «{slug}».")
    return group


def year_or_404(
    request: HttpRequest,
    slug: str,
    year: int,
    allowed: Callable[[Any, EmulationGroup, int], bool] = permissions.can_view_year,
    message: str = VIEWERS_ONLY,
) -> EmulationYear:
    """The group's year, if it exists (404) and the caller may see it (403): as the web's year pages."""
    emulation_year = (
        EmulationYear.objects.select_related("group", "group__parent")
        .filter(group__slug=slug, year=year)
        .first()
    )
    if emulation_year is None:
        raise not_found(f"Cụm/khối «{slug}» không có năm thi đua {year}.")
    permissions.require(allowed(request.user, emulation_year.group, year), message)
    return emulation_year


def member_or_404(emulation_year: EmulationYear, code: str) -> Organization:
    organization = (
        Organization.objects.prefetch_related("names")
        .filter(
            code=code,
            memberships__group=emulation_year.group,
            memberships__year=emulation_year.year,
        )
        .first()
    )
    if organization is None:
        raise not_found(f"Đơn vị «{code}» không phải thành viên năm {emulation_year.year}.")
    return organization


def page_of(items: QuerySet[Any] | Sequence[T], paging: PageQuery) -> tuple[int, list[Any]]:
    """(total count, the items of the requested page). A page past the end is empty, not an error."""
    count = items.count() if isinstance(items, QuerySet) else len(items)
    start = (paging.page - 1) * paging.page_size
    if start >= count:
        return count, []
    return count, list(items[start : start + paging.page_size])


def paged(count: int, paging: PageQuery, items: list[Any], **extra: Any) -> dict[str, Any]:
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "items": items, **extra}


__all__ = ["ApiProblem", "Code", "Slug", "Year"]
