"""Writing self-scores through the API: the web form's service, messages and all-or-nothing."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from thidua.assessments.models import Score
from thidua.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SHEET = "/api/groups/vusta-cum-4/years/2026/self-scores/lhh-ninh-binh"


def _score(code: str) -> Score:
    return Score.objects.get(
        assessment__organization__code="lhh-ninh-binh",
        assessment__emulation_year__year=2026,
        criterion__code=code,
    )


def test_an_officer_writes_a_vietnamese_decimal_and_the_change_is_audited(
    api_for: Any, officer_ninh_binh: Any
) -> None:
    response = api_for(officer_ninh_binh).put(f"{SHEET}/1.2", {"value": "3,5", "note": "Đã có báo cáo"})
    assert response.status_code == 200
    assert response.json() == {
        "criterion": "1.2",
        "kind": "fixed",
        "max_points": "5.00",
        "value": "3.50",
        "points": "3.50",
        "note": "Đã có báo cáo",
    }
    score = _score("1.2")
    assert (score.self_points, score.note) == (Decimal("3.5"), "Đã có báo cáo")
    event = AuditEvent.objects.filter(verb="score.self").latest("seq")
    assert event.actor == officer_ninh_binh
    assert event.data["criterion"] == "1.2"


def test_leaving_out_the_note_keeps_the_note_already_written(api_for: Any, officer_ninh_binh: Any) -> None:
    before = _score("1.2").note
    api_for(officer_ninh_binh).put(f"{SHEET}/1.2", {"value": "2"})
    assert _score("1.2").note == before


def test_a_value_out_of_range_is_refused_naming_the_criterion_and_the_field(
    api_for: Any, officer_ninh_binh: Any
) -> None:
    before = _score("1.2").self_points
    response = api_for(officer_ninh_binh).put(f"{SHEET}/1.2", {"value": "45"})
    assert response.status_code == 422
    error = response.json()["loi"]
    assert error["ma"] == "khong_hop_le"
    assert error["truong"] == "value"
    assert error["thong_bao"] == "Tiêu chí 1.2: giá trị phải từ 0 đến 5."
    assert _score("1.2").self_points == before


def test_a_value_that_is_not_a_number_is_refused_in_vietnamese(api_for: Any, officer_ninh_binh: Any) -> None:
    error = api_for(officer_ninh_binh).put(f"{SHEET}/1.2", {"value": "bốn"}).json()["loi"]
    assert (error["truong"], error["thong_bao"]) == ("value", "Tiêu chí 1.2: Không phải số hợp lệ: «bốn»")


def test_a_missing_value_is_refused_naming_the_field(api_for: Any, officer_ninh_binh: Any) -> None:
    error = api_for(officer_ninh_binh).put(f"{SHEET}/1.2", {"note": "x"}).json()["loi"]
    assert (error["ma"], error["truong"], error["thong_bao"]) == (
        "du_lieu_khong_hop_le",
        "value",
        "Thiếu giá trị bắt buộc.",
    )


def test_a_body_that_is_not_json_is_a_400_in_the_same_shape(officer_ninh_binh: Any, token_for: Any) -> None:
    from django.test import Client

    response = Client().put(
        f"{SHEET}/1.2",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(officer_ninh_binh)}",
    )
    assert response.status_code == 400
    assert response.json()["loi"]["ma"] == "yeu_cau_khong_hop_le"


def test_a_note_with_a_control_character_is_refused(api_for: Any, officer_ninh_binh: Any) -> None:
    error = api_for(officer_ninh_binh).put(f"{SHEET}/1.2", {"value": "1", "note": "a\x00b"}).json()["loi"]
    assert (error["truong"], error["thong_bao"]) == ("note", "Có ký tự điều khiển không hợp lệ.")


def test_a_note_arrives_in_nfc(api_for: Any, officer_ninh_binh: Any) -> None:
    decomposed = "Nghe\u0302\u0323 An"  # "Nghệ" typed with combining marks
    api_for(officer_ninh_binh).put(f"{SHEET}/1.2", {"value": "1", "note": decomposed})
    assert _score("1.2").note == "Nghệ An"


def test_an_unknown_criterion_is_a_404(api_for: Any, officer_ninh_binh: Any) -> None:
    response = api_for(officer_ninh_binh).put(f"{SHEET}/9.9", {"value": "1"})
    assert response.status_code == 404
    assert "9.9" in response.json()["loi"]["thong_bao"]


@pytest.mark.parametrize("persona", ["officer_nghe_an", "staff", "editor"])
def test_nobody_but_the_members_own_officers_writes_its_scores(
    persona: str, request: Any, api_for: Any
) -> None:
    before = _score("1.2").self_points
    response = api_for(request.getfixturevalue(persona)).put(f"{SHEET}/1.2", {"value": "1"})
    assert response.status_code == 403
    assert _score("1.2").self_points == before


def test_the_secretariat_reads_but_does_not_write_a_members_sheet(api_for: Any) -> None:
    from thidua.accounts.models import User

    client = api_for(User.objects.get(username="quangtri"))
    assert client.get(SHEET).status_code == 200
    assert client.put(f"{SHEET}/1.2", {"value": "1"}).status_code == 403


def test_a_submitted_sheet_is_refused_with_the_web_forms_message(api_for: Any, officer_nghe_an: Any) -> None:
    response = api_for(officer_nghe_an).put(
        "/api/groups/vusta-cum-4/years/2026/self-scores/lhh-nghe-an/1.2", {"value": "1"}
    )
    assert response.status_code == 422
    message = response.json()["loi"]["thong_bao"]
    # What happened, when and by whom, as the web form says it.
    assert re.fullmatch(
        r"Bản tự chấm đã nộp lúc \d\d:\d\d ngày \d\d/\d\d/\d{4} bởi .+; cần mở lại trước khi sửa\.", message
    )


def test_a_batch_writes_every_row(api_for: Any, officer_ninh_binh: Any) -> None:
    response = api_for(officer_ninh_binh).post(
        SHEET, {"scores": [{"criterion": "1.2", "value": "2,5"}, {"criterion": "2.1", "value": "6"}]}
    )
    assert response.status_code == 200
    rows = {s["criterion"]: s["points"] for s in response.json()["scores"]}
    assert (rows["1.2"], rows["2.1"]) == ("2.50", "6.00")
    assert (_score("1.2").self_points, _score("2.1").self_points) == (Decimal("2.5"), Decimal(6))


def test_a_batch_with_one_bad_row_writes_nothing_and_lists_every_problem(
    api_for: Any, officer_ninh_binh: Any
) -> None:
    client = api_for(officer_ninh_binh)
    before = {code: _score(code).self_points for code in ("1.2", "2.1", "2.2")}
    events = AuditEvent.objects.count()
    response = client.post(
        SHEET,
        {
            "scores": [
                {"criterion": "1.2", "value": "1"},
                {"criterion": "2.1", "value": "99"},
                {"criterion": "2.2", "value": "-1"},
            ]
        },
    )
    assert response.status_code == 422
    error = response.json()["loi"]
    assert error["truong"] == "scores[1].value"
    assert [d["truong"] for d in error["chi_tiet"]] == ["scores[1].value", "scores[2].value"]
    assert error["chi_tiet"][0]["thong_bao"].startswith("Tiêu chí 2.1:")
    assert error["chi_tiet"][1]["thong_bao"].startswith("Tiêu chí 2.2:")
    assert {code: _score(code).self_points for code in before} == before
    assert AuditEvent.objects.count() == events


def test_a_batch_naming_an_unknown_or_repeated_criterion_writes_nothing(
    api_for: Any, officer_ninh_binh: Any
) -> None:
    before = _score("1.2").self_points
    error = (
        api_for(officer_ninh_binh)
        .post(
            SHEET,
            {
                "scores": [
                    {"criterion": "1.2", "value": "1"},
                    {"criterion": "1.2", "value": "2"},
                    {"criterion": "X.9", "value": "1"},
                ]
            },
        )
        .json()["loi"]
    )
    assert [d["truong"] for d in error["chi_tiet"]] == ["scores[1].criterion", "scores[2].criterion"]
    assert _score("1.2").self_points == before


def test_an_empty_batch_is_refused(api_for: Any, officer_ninh_binh: Any) -> None:
    error = api_for(officer_ninh_binh).post(SHEET, {"scores": []}).json()["loi"]
    assert (error["truong"], error["thong_bao"]) == ("scores", "Cần ít nhất 1 phần tử.")
