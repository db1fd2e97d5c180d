"""Two tabs, two officers, one sheet: saves that know what they changed (issue 13, part 1).

Each test draws the page twice, as two tabs would, and posts the forms exactly as a browser sends them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client

from thidua.accounts.models import User
from thidua.assessments.models import Assessment, AssessmentStatus, Score
from thidua.assessments.tests.confirming import confirmed
from thidua.audit.models import AuditEvent
from thidua.audit.services import verify_chain

Y = "/nam-thi-dua/vusta-cum-4/2026"
SHEET = f"{Y}/cham-diem/lhh-ninh-binh/"
_INPUT = re.compile(r"<input ([^>]*)>")
_TEXTAREA = re.compile(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def form_of(page: str) -> dict[str, str]:
    """What the page's form posts when nothing is typed: every named input and textarea, unchanged
    (radio buttons: the checked one)."""
    fields: dict[str, str] = {}
    for tag in _INPUT.findall(page):
        attributes = dict(_ATTRIBUTE.findall(tag))
        name = attributes.get("name")
        if not name or name == "csrfmiddlewaretoken" or attributes.get("type") == "file":
            continue
        if attributes.get("type") in ("radio", "checkbox") and " checked" not in f" {tag}":
            continue
        fields[name] = unescape(attributes.get("value", ""))
    fields.update({name: unescape(text) for name, text in _TEXTAREA.findall(page)})
    return fields


def _ninh_binh() -> Assessment:
    return Assessment.objects.get(emulation_year__year=2026, organization__code="lhh-ninh-binh")


def _score(code: str, assessment: Assessment | None = None) -> Score:
    return (assessment or _ninh_binh()).scores.select_related("changed_by").get(criterion__code=code)


def _tab(client: Client, url: str = SHEET) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return form_of(response.content.decode())


def _value(score: Score) -> str:
    return f"value-{score.pk}"


@pytest.fixture
def two_tabs(client_for: Any, officer_ninh_binh: User) -> tuple[Client, dict[str, str], dict[str, str]]:
    client = client_for(officer_ninh_binh)
    assert _ninh_binh().status == AssessmentStatus.DRAFT
    return client, _tab(client), _tab(client)


@pytest.mark.django_db
def test_two_tabs_saving_different_rows_keep_both(two_tabs: Any) -> None:
    client, first, second = two_tabs
    one, two = _score("1.1"), _score("1.2")
    first[_value(one)] = "1"
    assert client.post(SHEET, {**first, "action": "save"}).status_code == 302
    second[_value(two)] = "0"
    response = client.post(SHEET, {**second, "action": "save"}, follow=True)
    assert "Đã lưu bảng tự chấm." in response.content.decode()
    assert (_score("1.1").self_value, _score("1.2").self_value) == (Decimal(1), Decimal(0))


@pytest.mark.django_db
def test_a_row_saved_in_another_tab_is_refused_alone_and_says_what_is_stored_by_whom(
    two_tabs: Any, officer_ninh_binh: User
) -> None:
    client, first, second = two_tabs
    one, two = _score("1.1"), _score("1.2")
    first[_value(one)] = "1"
    client.post(SHEET, {**first, "action": "save"})
    events = AuditEvent.objects.count()
    second[_value(one)] = "0"
    second[_value(two)] = "0"
    response = client.post(SHEET, {**second, "action": "save"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 dòng chưa lưu vì đã có người sửa sau khi bạn mở trang" in page
    assert re.search(
        rf"Tiêu chí 1\.1 đã được sửa bởi {re.escape(officer_ninh_binh.display_name)} lúc \d\d:\d\d ngày \d\d/\d\d/\d{{4}} "
        r"sau khi bạn mở trang; chưa lưu thay đổi của bạn\. Giá trị đang lưu: 1",
        page,
    ), page
    assert "Giữ giá trị đang lưu (1" in page and "Ghi đè bằng giá trị của tôi" in page
    # The other row of the same form was saved; the refused one still holds the first tab's value.
    assert (_score("1.1").self_value, _score("1.2").self_value) == (Decimal(1), Decimal(0))
    assert AuditEvent.objects.count() == events + 1
    # The refused row is drawn with what was typed, at the stored version.
    again = form_of(page)
    assert again[_value(one)] == "0"
    assert again[f"version-{one.pk}"] == str(_score("1.1").version)
    assert again[f"resolve-{one.pk}"] == "keep"


@pytest.mark.django_db
def test_choosing_to_overwrite_a_refused_row_saves_it_and_the_chain_says_whose_value_went(
    two_tabs: Any,
) -> None:
    client, first, second = two_tabs
    one = _score("1.1")
    first[_value(one)] = "1"
    client.post(SHEET, {**first, "action": "save"})
    second[_value(one)] = "0"
    refused = form_of(client.post(SHEET, {**second, "action": "save"}).content.decode())
    refused[f"resolve-{one.pk}"] = "overwrite"
    assert client.post(SHEET, {**refused, "action": "save"}).status_code == 302
    assert _score("1.1").self_value == Decimal(0)
    event = AuditEvent.objects.filter(verb="score.self").latest("seq")
    assert event.data["overwrote"]["value"] in ("1", "1.00", 1)
    assert verify_chain() is None


@pytest.mark.django_db
def test_choosing_to_keep_the_stored_value_writes_nothing_but_the_chain_records_what_was_kept(
    two_tabs: Any,
) -> None:
    client, first, second = two_tabs
    one = _score("1.1")
    first[_value(one)] = "1"
    client.post(SHEET, {**first, "action": "save"})
    second[_value(one)] = "0"
    refused = form_of(client.post(SHEET, {**second, "action": "save"}).content.decode())
    version = _score("1.1").version
    assert client.post(SHEET, {**refused, "action": "save"}).status_code == 302
    kept = _score("1.1")
    assert (kept.self_value, kept.version) == (Decimal(1), version)
    event = AuditEvent.objects.filter(verb="score.keep").latest("seq")
    assert event.data["criterion"] == "1.1"
    assert event.data["given_up"]["value"] in ("0", "0.00", 0)


@pytest.mark.django_db
def test_an_untouched_row_of_a_stale_tab_is_never_written_back(two_tabs: Any) -> None:
    client, first, second = two_tabs
    one, note_row = _score("1.1"), _score("1.3")
    first[_value(one)] = "1"
    first[f"note-{note_row.pk}"] = "Đã bổ sung báo cáo quý IV"
    client.post(SHEET, {**first, "action": "save"})
    version = _score("1.1").version
    response = client.post(SHEET, {**second, "action": "save"}, follow=True)
    assert "Đã lưu bảng tự chấm." in response.content.decode()
    assert (_score("1.1").self_value, _score("1.1").version) == (Decimal(1), version)
    assert _score("1.3").note == "Đã bổ sung báo cáo quý IV"


@pytest.mark.django_db
def test_saving_a_sheet_submitted_in_another_tab_says_when_and_by_whom(
    two_tabs: Any, officer_ninh_binh: User
) -> None:
    from thidua.assessments import services

    client, first, _ = two_tabs
    assessment = _ninh_binh()
    for score in assessment.scores.select_related("criterion").filter(self_points__isnull=True):
        services.save_self_score(actor=officer_ninh_binh, score=score, value=Decimal(0), note="")
    for score in assessment.scores.filter(criterion__evidence_required=True, evidence__isnull=True):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from thidua.assessments.demo import minimal_pdf

        services.add_evidence(
            actor=officer_ninh_binh,
            score=score,
            upload=SimpleUploadedFile("mc.pdf", minimal_pdf("Minh chứng"), content_type="application/pdf"),
        )
    services.submit(actor=officer_ninh_binh, assessment=assessment)
    one = _score("1.1")
    first[_value(one)] = "3" if one.self_value != Decimal(3) else "2"
    page = client.post(SHEET, {**first, "action": "save"}).content.decode()
    assert re.search(
        rf"Chưa lưu: Bản tự chấm đã nộp lúc \d\d:\d\d ngày \d\d/\d\d/\d{{4}} bởi {re.escape(officer_ninh_binh.display_name)}; "
        "cần mở lại trước khi sửa.",
        page,
    ), page
    assert "dòng đánh dấu đỏ" not in page
    assert _score("1.1").self_value == one.self_value


@pytest.mark.django_db
def test_settling_one_score_from_two_sessions_refuses_the_second_with_who_and_when(
    client_for: Any, staff: User
) -> None:
    quang_tri = User.objects.get(username="quangtri")
    score = (
        Score.objects.filter(
            assessment__emulation_year__year=2026,
            assessment__emulation_year__group__slug="vusta-cum-4",
            assessment__status=AssessmentStatus.SUBMITTED,
            final_points__isnull=True,
            criterion__max_points__gte=3,
        )
        .select_related("criterion")
        .first()
    )
    if score is None:
        pytest.skip("the demo has no unsettled score of a submitted sheet in 2026")
    url = f"{Y}/chot-diem/{score.pk}/"
    drawn = {"final_points": "3", "note": "", "version": str(score.version)}
    first = client_for(quang_tri)
    second = client_for(staff)
    confirm_first = confirmed(first.post(url, drawn))
    confirm_second = confirmed(second.post(url, {**drawn, "final_points": "2"}))
    first.post(url, confirm_first)
    response = second.post(url, confirm_second, follow=True)
    page = response.content.decode()
    assert re.search(
        rf"Điểm chốt tiêu chí {re.escape(score.criterion.code)} của .+ đã được sửa bởi "
        rf"{re.escape(quang_tri.display_name)} lúc \d\d:\d\d ngày .+ Giá trị đang lưu: 3",
        page,
    ), page
    score.refresh_from_db()
    assert score.final_points == Decimal(3)
    assert AuditEvent.objects.filter(verb="score.settle", target_id=str(score.pk)).count() == 1


@pytest.mark.django_db
def test_two_reviewer_tabs_saving_different_rows_keep_both_and_the_same_row_is_refused(
    client_for: Any, staff: User
) -> None:
    from thidua.assessments import services
    from thidua.assessments.models import ReviewAssignment

    submitted = Assessment.objects.filter(
        emulation_year__year=2026,
        emulation_year__group__slug="vusta-cum-4",
        status=AssessmentStatus.SUBMITTED,
    ).first()
    assert submitted is not None
    year = submitted.emulation_year
    services.assign_reviewers(actor=staff, emulation_year=year, assignments=services.propose_reviewers(year))
    assignment = ReviewAssignment.objects.get(emulation_year=year, reviewed=submitted.organization)
    reviewer = User.objects.filter(roles__organization=assignment.reviewer).first()
    client = client_for(reviewer)
    url = f"{Y}/cham-cheo/{submitted.organization.code}/"
    first, second = _tab(client, url), _tab(client, url)
    one, two = _score("1.1", submitted), _score("1.2", submitted)
    first[f"reviewed-{one.pk}"], first[f"reason-{one.pk}"] = "0", "Thiếu minh chứng"
    assert client.post(url, {**first, "action": "save"}).status_code == 302
    second[f"reviewed-{two.pk}"], second[f"reason-{two.pk}"] = "0", "Chưa đủ"
    second[f"reviewed-{one.pk}"], second[f"reason-{one.pk}"] = "1", "Khác"
    page = client.post(url, {**second, "action": "save"}).content.decode()
    assert "1 dòng chưa lưu vì đã có người sửa sau khi bạn mở trang" in page
    assert "Điểm chấm chéo tiêu chí 1.1 đã được sửa bởi" in page
    stored = (_score("1.1", submitted).reviewed_points, _score("1.2", submitted).reviewed_points)
    assert stored == (Decimal(0), Decimal(0))


@pytest.mark.django_db
def test_settling_the_agreed_criteria_twice_settles_once_and_says_when_it_was_done(
    client_for: Any, staff: User
) -> None:
    client = client_for(staff)
    url = f"{Y}/chot-diem/"
    first = confirmed(client.post(url))
    settled = client.post(url, first, follow=True).content.decode()
    events = AuditEvent.objects.filter(verb="score.settle").count()
    again = client.post(url, first, follow=True).content.decode()
    assert "Đã chốt" in settled
    assert re.search(r"Các tiêu chí thống nhất đã được chốt lúc \d\d:\d\d ngày .+ bởi ", again), again
    assert AuditEvent.objects.filter(verb="score.settle").count() == events


@pytest.mark.django_db
def test_a_settling_that_lost_the_race_names_the_value_the_winner_stored(staff: User) -> None:
    """Both requests read the row before either wrote: the loser's refusal names what the winner
    stored, not what the loser read."""
    from thidua.assessments import services
    from thidua.web.versioning import StaleEdit

    score = (
        Score.objects.filter(
            assessment__emulation_year__year=2026,
            assessment__emulation_year__group__slug="vusta-cum-4",
            assessment__status=AssessmentStatus.SUBMITTED,
            final_points__isnull=True,
            criterion__max_points__gte=3,
        )
        .select_related("criterion", "assessment__organization", "assessment__emulation_year__group")
        .first()
    )
    if score is None:
        pytest.skip("the demo has no unsettled score of a submitted sheet in 2026")
    read_by_the_loser = Score.objects.select_related(
        "criterion", "assessment__organization", "assessment__emulation_year__group"
    ).get(pk=score.pk)
    quang_tri = User.objects.get(username="quangtri")
    services.settle(actor=quang_tri, score=score, final_points=Decimal(3), version=score.version)
    with pytest.raises(StaleEdit) as refused:
        services.settle(
            actor=staff, score=read_by_the_loser, final_points=Decimal(2), version=read_by_the_loser.version
        )
    message = " ".join(refused.value.messages)
    assert f"đã được sửa bởi {quang_tri.display_name} lúc" in message
    assert message.endswith("Giá trị đang lưu: 3."), message


@pytest.mark.django_db
def test_a_row_kept_while_another_is_refused_again_is_redrawn_as_stored_and_never_written_back(
    two_tabs: Any,
) -> None:
    client, first, second = two_tabs
    one, two = _score("1.2"), _score("2.1")
    client.post(SHEET, {**first, _value(one): "1", _value(two): "1", "action": "save"})
    second[_value(one)], second[_value(two)] = "2", "2"
    refused = form_of(client.post(SHEET, {**second, "action": "save"}).content.decode())
    client.post(SHEET, {**_tab(client), _value(two): "3", "action": "save"})  # 2.1 moves on meanwhile
    # Keep the stored 1.2, overwrite 2.1: 2.1 is refused once more, and the page is drawn again.
    refused[f"resolve-{two.pk}"] = "overwrite"
    page = client.post(SHEET, {**refused, "action": "save"}).content.decode()
    again = form_of(page)
    assert again[_value(one)] == "1" and f"resolve-{one.pk}" not in again
    assert again[f"version-{one.pk}"] == str(_score("1.2").version)
    # Saving that page, as the user resolves 2.1, leaves the kept 1.2 alone.
    assert client.post(SHEET, {**again, "action": "save"}).status_code == 302
    assert (_score("1.2").self_value, _score("2.1").self_value) == (Decimal(1), Decimal(3))
