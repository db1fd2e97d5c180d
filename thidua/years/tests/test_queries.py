"""The home page with its to-dos and the year page with its stages run the same number of queries for
Cụm 4 as it is and for a Cụm 4 twice its size: what they read does not grow with the rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from thidua.accounts.models import Role, RoleKind, User
from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment
from thidua.organizations.models import Membership, Organization, OrganizationName
from thidua.years.models import EmulationYear

YEAR_PAGE = "/nam-thi-dua/vusta-cum-4/2026/"


def _grow(cluster4: Any, extra: int) -> None:
    """`extra` more members of Cụm 4 in 2026, half of them with a submitted self-scoring, and a second
    officer for Quảng Trị's union: more rows everywhere the two pages read."""
    year = EmulationYear.objects.get(group=cluster4, year=2026)
    parent = cluster4.parent
    for number in range(extra):
        organization = Organization.objects.create(
            code=f"lhh-them-{number}", parent=parent, kind=Organization.objects.get(code="lhh-hue").kind
        )
        OrganizationName.objects.create(
            organization=organization,
            name=f"Liên hiệp Hội thêm số {number}",
            short_name=f"LHH thêm {number}",
            valid_from="2020-01-01",
        )
        Membership.objects.create(group=cluster4, year=2026, organization=organization)
        # Each extra member cross-checked by another extra member: the dashboard names every reviewer.
        if number:
            ReviewAssignment.objects.create(
                emulation_year=year,
                reviewed=organization,
                reviewer=Organization.objects.get(code=f"lhh-them-{number - 1}"),
            )
        if number % 2:
            Assessment.objects.create(
                emulation_year=year,
                organization=organization,
                agreement=year.agreements.get(status="in_force"),
                status=AssessmentStatus.SUBMITTED,
            )
    second = User.objects.create_user("quangtri2", password="x")
    Role.objects.create(
        user=second, kind=RoleKind.OFFICER, organization=Organization.objects.get(code="lhh-quang-tri")
    )


def _difference(small: list[dict[str, str]], large: list[dict[str, str]]) -> str:
    """The queries one run made and the other did not, literals masked: what grows with the rows."""
    import difflib
    import re

    def shape(query: dict[str, str]) -> str:
        return re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"])[:300]

    return "\n".join(difflib.unified_diff([shape(q) for q in small], [shape(q) for q in large], lineterm=""))


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "marker"), [("/", "Việc cần làm"), (YEAR_PAGE, "Các giai đoạn của năm")])
def test_the_page_runs_the_same_number_of_queries_for_cum_4_and_for_a_cum_4_twice_its_size(
    cluster4: Any, client_for: Callable[[Any], Client], cold_queries: Any, path: str, marker: str
) -> None:
    client = client_for(User.objects.get(username="quangtri"))
    # One cross-check assigned already: the small run reads reviewers' names too, the large one more.
    year = EmulationYear.objects.get(group=cluster4, year=2026)
    ReviewAssignment.objects.create(
        emulation_year=year,
        reviewed=Organization.objects.get(code="lhh-hue"),
        reviewer=Organization.objects.get(code="lhh-ha-tinh"),
    )
    client.get(path)  # the browser's first visit sets its CSRF cookie; both measured visits carry it
    with cold_queries() as small:
        small_response = client.get(path)
    _grow(cluster4, extra=7)
    with cold_queries() as large:
        large_response = client.get(path)
    assert small_response.status_code == large_response.status_code == 200
    assert marker in large_response.content.decode()
    assert "Liên hiệp Hội thêm số 6" in large_response.content.decode() or path == "/"
    assert len(small) == len(large), _difference(small.captured_queries, large.captured_queries)
