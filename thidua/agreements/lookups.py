"""Finding a group's year from its URL, with the permission to see it: shared by every year page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from thidua.accounts import permissions
from thidua.audit.version import versioned
from thidua.organizations.models import EmulationGroup
from thidua.years.models import EmulationYear


def group_or_404(slug: str) -> EmulationGroup:
    return get_object_or_404(EmulationGroup.objects.select_related("parent"), slug=slug)


def _year(
    request: HttpRequest,
    slug: str,
    year: int,
    allowed: Callable[[Any, EmulationGroup, int], bool],
    message: str,
) -> EmulationYear:
    # Every year page starts here: the year is kept under the data version, which every change to a
    # year or its group advances (thidua/audit/version.py).
    emulation_year = versioned(
        request,
        f"year:{slug}:{year}",
        lambda: get_object_or_404(
            EmulationYear.objects.select_related("group", "group__parent"), group__slug=slug, year=year
        ),
    )
    permissions.require(allowed(request.user, emulation_year.group, year), message)
    return emulation_year


def year_for_viewer(request: HttpRequest, slug: str, year: int) -> EmulationYear:
    """The year, if the user may see it (members' officers, secretariat, parent body); 403 otherwise."""
    return _year(
        request,
        slug,
        year,
        permissions.can_view_year,
        "Chỉ các đơn vị trong cụm, thường trực cụm và cơ quan cấp trên được xem năm thi đua này.",
    )


def year_for_runner(request: HttpRequest, slug: str, year: int) -> EmulationYear:
    return _year(
        request,
        slug,
        year,
        permissions.can_run_year,
        "Chỉ thường trực cụm hoặc cơ quan cấp trên được thực hiện thao tác này.",
    )


def year_for_drafter(request: HttpRequest, slug: str, year: int) -> EmulationYear:
    return _year(
        request,
        slug,
        year,
        permissions.can_draft_agreement,
        "Chỉ thường trực cụm (năm nay hoặc năm trước) hoặc cơ quan cấp trên được soạn giao ước.",
    )
