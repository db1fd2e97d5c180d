"""Awards through the API: an organization's for anyone with a token, a year's across groups for staff."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

FLAG = "Cờ thi đua của Liên hiệp Hội Việt Nam"


def test_the_flag_of_2023_is_on_ninh_binhs_awards_named_as_the_parent_body_names_it(
    api_for: Any, editor: Any
) -> None:
    body = api_for(editor).get("/api/organizations/lhh-ninh-binh/awards").json()
    assert body["count"] == 1
    award = body["items"][0]
    assert award["year"] == 2023 and award["title"] == FLAG and award["group"] == "vusta-cum-4"
    assert award["decision_number"] == "123/QĐ-LHHVN" and award["decision_date"] == "2023-12-28"


def test_an_organization_without_awards_has_an_empty_list_and_an_unknown_one_a_404(
    api_for: Any, officer_nghe_an: Any
) -> None:
    client = api_for(officer_nghe_an)
    assert client.get("/api/organizations/lhh-nghe-an/awards").json()["count"] == 0
    missing = client.get("/api/organizations/khong-co/awards")
    assert missing.status_code == 404 and "khong-co" in missing.json()["loi"]["thong_bao"]


def test_a_years_awards_across_groups_are_for_the_parent_bodys_staff_only(
    api_for: Any, staff: Any, officer_ninh_binh: Any
) -> None:
    assert [
        a["organization"] for a in api_for(staff).get("/api/parents/vusta/awards/2023").json()["items"]
    ] == ["lhh-ninh-binh"]
    refused = api_for(officer_ninh_binh).get("/api/parents/vusta/awards/2023")
    assert refused.status_code == 403 and "cơ quan cấp trên" in refused.json()["loi"]["thong_bao"]


def test_listing_a_years_awards_costs_the_same_queries_for_one_award_or_many(
    api_for: Any, staff: Any, cold_queries: Any
) -> None:
    from thidua.awards.models import Award
    from thidua.organizations.models import AwardForm, Organization

    client = api_for(staff)
    client.get("/api/me")  # the token's first use notes its time
    path = "/api/parents/vusta/awards/2023"
    with cold_queries() as small:
        assert client.get(path).json()["count"] == 1
    flag = Award.objects.get(year=2023)
    for member in Organization.objects.filter(memberships__group__slug="vusta-cum-4", memberships__year=2023):
        Award.objects.get_or_create(
            organization=member,
            year=2023,
            award_form=AwardForm.PARENT_MERIT,
            defaults={
                "decision_number": "124/QĐ-LHHVN",
                "decision_date": datetime.date(2023, 12, 28),
                "dossier": flag.dossier,
            },
        )
    with cold_queries() as large:
        assert client.get(path).json()["count"] == 8
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
