"""Reading through the API: who sees what, what is never shown, pages and query counts."""

from __future__ import annotations

from typing import Any

import pytest

from thidua.agreements.models import Agreement, AgreementStatus
from thidua.conferences.models import Conference, Poll, PollStatus
from thidua.years.models import EmulationYear, YearStage

pytestmark = pytest.mark.django_db

Y2023 = "/api/groups/vusta-cum-4/years/2023"
Y2026 = "/api/groups/vusta-cum-4/years/2026"


def test_without_a_token_every_endpoint_answers_401_in_vietnamese(api_for: Any) -> None:
    response = api_for(None).get(f"{Y2023}/results")
    assert response.status_code == 401
    assert response.json()["loi"]["ma"] == "chua_xac_thuc"
    assert "Authorization: Bearer" in response.json()["loi"]["thong_bao"]


def test_me_names_the_tokens_owner_and_roles(api_for: Any, officer_nghe_an: Any) -> None:
    body = api_for(officer_nghe_an).get("/api/me").json()
    assert body["username"] == "nghean"
    assert body["roles"] == [{"kind": "officer", "organization": "lhh-nghe-an"}]


def test_a_parent_bodys_groups_are_listed_in_number_order(api_for: Any, editor: Any) -> None:
    body = api_for(editor).get("/api/parents/vusta/groups").json()
    assert [g["number"] for g in body["items"]] == sorted(g["number"] for g in body["items"])
    assert body["items"][0]["slug"] == "vusta-cum-4"


def test_an_unknown_parent_body_is_a_404_with_a_vietnamese_message(api_for: Any, staff: Any) -> None:
    response = api_for(staff).get("/api/parents/khong-co/groups")
    assert response.status_code == 404
    assert response.json()["loi"] == {
        "ma": "khong_tim_thay",
        "thong_bao": "Không có cơ quan cấp trên «khong-co».",
        "truong": None,
        "chi_tiet": [],
    }


def test_memberships_are_paged_in_vietnamese_name_order(api_for: Any, staff: Any) -> None:
    client = api_for(staff)
    whole = client.get(f"{Y2026}/memberships").json()
    assert whole["count"] == 6
    first = client.get(f"{Y2026}/memberships", page=1, page_size=4).json()
    second = client.get(f"{Y2026}/memberships", page=2, page_size=4).json()
    beyond = client.get(f"{Y2026}/memberships", page=3, page_size=4).json()
    assert [m["organization"] for m in first["items"] + second["items"]] == [
        m["organization"] for m in whole["items"]
    ]
    assert (len(first["items"]), len(second["items"]), beyond["items"]) == (4, 2, [])
    assert first["count"] == second["count"] == 6


def test_a_page_size_over_the_limit_is_refused_naming_the_parameter(api_for: Any, staff: Any) -> None:
    response = api_for(staff).get(f"{Y2026}/memberships", page_size=500)
    assert response.status_code == 422
    error = response.json()["loi"]
    assert (error["truong"], error["thong_bao"]) == ("page_size", "Phải nhỏ hơn hoặc bằng 200.")


def test_leadership_lists_the_head_before_the_deputy(api_for: Any, officer_nghe_an: Any) -> None:
    items = api_for(officer_nghe_an).get(f"{Y2026}/leadership").json()["items"]
    assert [(i["role"], i["organization"]) for i in items] == [
        ("head", "lhh-quang-tri"),
        ("deputy", "lhh-hue"),
    ]


def test_agreements_come_with_their_criteria_and_never_as_drafts(api_for: Any, officer_nghe_an: Any) -> None:
    year = EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026)
    Agreement.objects.create(
        emulation_year=year, version=2, status=AgreementStatus.DRAFT, title="Dự thảo sửa đổi"
    )
    body = api_for(officer_nghe_an).get(f"{Y2026}/agreements").json()
    assert [a["version"] for a in body["items"]] == [1]
    criteria = [c["code"] for g in body["items"][0]["criterion_groups"] for c in g["criteria"]]
    assert criteria[:3] == ["1.1", "1.2", "1.3"]
    assert "Dự thảo sửa đổi" not in str(body)


def test_an_editor_is_refused_a_years_agreement_as_on_the_web(api_for: Any, editor: Any) -> None:
    response = api_for(editor).get(f"{Y2026}/agreements")
    assert response.status_code == 403
    assert response.json()["loi"]["ma"] == "khong_co_quyen"


def test_the_settled_2023_results_rank_every_member_with_exact_decimal_strings(
    api_for: Any, officer_nghe_an: Any
) -> None:
    body = api_for(officer_nghe_an).get(f"{Y2023}/results").json()
    assert [m["rank"] for m in body["items"]] == list(range(1, 8))
    first = body["items"][0]
    assert (first["organization"], first["final_total"], first["base"], first["bonus"]) == (
        "lhh-ninh-binh",
        "94.00",
        "91.00",
        "3.00",
    )
    assert body["maximum"] == "100.00"


def test_an_open_years_results_are_not_given_to_anyone(api_for: Any, staff: Any) -> None:
    response = api_for(staff).get(f"{Y2026}/results")
    assert response.status_code == 404
    assert response.json()["loi"]["ma"] == "chua_chot_diem"


def test_a_year_marked_settled_still_gives_no_figure_of_a_draft_sheet(api_for: Any, staff: Any) -> None:
    EmulationYear.objects.filter(group__slug="vusta-cum-4", year=2026).update(stage=YearStage.SETTLED)
    body = api_for(staff).get(f"{Y2026}/results").json()
    listed = {m["organization"] for m in body["items"]}
    # Ninh Bình's and Quảng Trị's 2026 sheets are drafts; the others are submitted but not settled.
    assert "lhh-ninh-binh" not in listed and "lhh-quang-tri" not in listed
    assert body["items"] == [] and body["count"] == 0


def test_published_polls_are_listed_with_labelled_choices(api_for: Any, officer_nghe_an: Any) -> None:
    body = api_for(officer_nghe_an).get(f"{Y2023}/polls").json()
    assert body["count"] == 4
    election = next(p for p in body["items"] if p["title"] == "Bầu cụm trưởng năm 2024")
    assert election["elected"] == ["lhh-nghe-an"]
    assert (election["runoff"], election["second_round"]) == ([], [])
    winner = election["choices"][0]
    assert (winner["organization"], winner["votes"], winner["elected"]) == ("lhh-nghe-an", 7, True)
    assert winner["label"].startswith("Liên hiệp các Hội")


@pytest.mark.parametrize("status", [PollStatus.DRAFT, PollStatus.OPEN, PollStatus.CLOSED])
def test_an_unpublished_polls_result_never_leaks(status: str, api_for: Any, staff: Any) -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    Poll.objects.create(
        conference=conference,
        kind="motion",
        title="Biểu quyết chưa công bố",
        method="approval",
        status=status,
        result={"participants": 7, "outcome": "KẾT QUẢ BÍ MẬT", "choices": []},
    )
    response = api_for(staff).get(f"{Y2023}/polls")
    assert response.json()["count"] == 4
    assert "BÍ MẬT" not in response.content.decode()
    assert "chưa công bố" not in response.content.decode()


def test_listing_memberships_costs_the_same_queries_for_six_members_or_forty(
    api_for: Any, staff: Any, cold_queries: Any
) -> None:
    import datetime

    from thidua.organizations.models import EmulationGroup, Membership, Organization, OrganizationName

    client = api_for(staff)
    client.get("/api/me")  # the token's first use notes its time; later uses within minutes do not
    path = f"{Y2026}/memberships"
    with cold_queries() as small:
        assert client.get(path, page_size=200).json()["count"] == 6
    group = EmulationGroup.objects.get(slug="vusta-cum-4")
    for i in range(34):
        organization = Organization.objects.create(code=f"thu-{i}", kind="association")
        OrganizationName.objects.create(
            organization=organization, name=f"Hội thử {i}", valid_from=datetime.date(2000, 1, 1)
        )
        Membership.objects.create(group=group, organization=organization, year=2026)
    with cold_queries() as large:
        assert client.get(path, page_size=200).json()["count"] == 40
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
