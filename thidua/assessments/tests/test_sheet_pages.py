"""The score pages as an officer, a reviewer and the secretariat use them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.accounts.models import User
from thidua.assessments.demo import minimal_pdf
from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment, Score
from thidua.assessments.tests.confirming import confirmed
from thidua.audit.models import AuditEvent

Y = "/nam-thi-dua/vusta-cum-4/2026"


def _ninh_binh() -> Assessment:
    return Assessment.objects.get(emulation_year__year=2026, organization__code="lhh-ninh-binh")


def _score(assessment: Assessment, code: str) -> Score:
    return assessment.scores.get(criterion__code=code)


@pytest.mark.django_db
def test_a_bad_value_on_the_sheet_saves_nothing_and_keeps_what_was_typed(
    client_for: Any, officer_ninh_binh: User
) -> None:
    assessment = _ninh_binh()
    good, bad = _score(assessment, "2.1"), _score(assessment, "2.2")
    before = (good.self_value, bad.self_value, AuditEvent.objects.count())
    response = client_for(officer_ninh_binh).post(
        f"{Y}/cham-diem/lhh-ninh-binh/",
        {
            "action": "save",
            f"value-{good.pk}": "4,5",
            f"value-{bad.pk}": "9",
            f"note-{good.pk}": "",
            f"note-{bad.pk}": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tiêu chí 2.2: giá trị phải từ 0 đến 4." in page
    assert 'value="4,5"' in page and 'value="9"' in page
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.self_value, bad.self_value, AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_a_vietnamese_decimal_is_saved_from_the_sheet(client_for: Any, officer_ninh_binh: User) -> None:
    score = _score(_ninh_binh(), "2.1")
    response = client_for(officer_ninh_binh).post(
        f"{Y}/cham-diem/lhh-ninh-binh/", {"action": "save", f"value-{score.pk}": "4,5"}
    )
    assert response.status_code == 302
    score.refresh_from_db()
    assert score.self_points == Decimal("4.5")


@pytest.mark.django_db
def test_a_disguised_evidence_file_is_refused_with_a_clear_message(
    client_for: Any, officer_ninh_binh: User
) -> None:
    score = _score(_ninh_binh(), "3.1")
    before = score.evidence.count()
    client = client_for(officer_ninh_binh)
    response = client.post(
        f"{Y}/cham-diem/lhh-ninh-binh/minh-chung/{score.pk}/them/",
        {"file": SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 an executable")},
        follow=True,
    )
    assert "không phải PDF" in response.content.decode()
    assert score.evidence.count() == before


@pytest.mark.django_db
def test_an_officer_cannot_post_scores_to_another_members_sheet(
    client_for: Any, officer_nghe_an: User
) -> None:
    score = _score(_ninh_binh(), "2.1")
    response = client_for(officer_nghe_an).post(
        f"{Y}/cham-diem/lhh-ninh-binh/", {"action": "save", f"value-{score.pk}": "1"}
    )
    assert response.status_code == 403
    response = client_for(officer_nghe_an).post(
        f"{Y}/cham-diem/lhh-ninh-binh/minh-chung/{score.pk}/them/",
        {"file": SimpleUploadedFile("a.pdf", minimal_pdf("x"))},
    )
    assert response.status_code == 403
    response = client_for(officer_nghe_an).post(f"{Y}/cham-diem/lhh-ninh-binh/nop/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_submitting_an_incomplete_sheet_says_which_criteria_are_missing(
    client_for: Any, officer_ninh_binh: User
) -> None:
    response = client_for(officer_ninh_binh).post(f"{Y}/cham-diem/lhh-ninh-binh/nop/", follow=True)
    assert "Chưa nộp được" in response.content.decode()
    assert _ninh_binh().status == AssessmentStatus.DRAFT


@pytest.mark.django_db
def test_the_whole_review_round_through_the_pages(client_for: Any, staff: User) -> None:
    secretariat = User.objects.get(username="quangtri")
    page = client_for(secretariat).get(f"{Y}/phan-cong-cham-cheo/").content.decode()
    assert "không có hai đơn vị chấm lẫn nhau" in page
    from thidua.assessments import services
    from thidua.years.models import EmulationYear

    year = EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026)
    proposal = services.propose_reviewers(year)
    data = {f"reviewer-{p.reviewed.pk}": str(p.reviewer.pk) for p in proposal}
    assert (
        client_for(secretariat).post(f"{Y}/phan-cong-cham-cheo/", {**data, "kind": "peer"}).status_code == 302
    )
    assignment = ReviewAssignment.objects.get(emulation_year=year, reviewed__code="lhh-nghe-an")
    reviewer = User.objects.get(username=assignment.reviewer.code.removeprefix("lhh-").replace("-", ""))
    nghe_an = Assessment.objects.get(emulation_year=year, organization__code="lhh-nghe-an")
    scores = list(nghe_an.scores.select_related("criterion"))
    form = {"action": "save"}
    for s in scores:
        form[f"reviewed-{s.pk}"] = str(s.self_points or 0)
    target = next(s for s in scores if s.criterion.code == "2.1")
    form[f"reviewed-{target.pk}"] = str((target.self_points or Decimal(0)) - 1).replace(".", ",")
    form[f"reason-{target.pk}"] = "Thiếu kế hoạch triển khai"
    client = client_for(reviewer)
    assert client.post(f"{Y}/cham-cheo/lhh-nghe-an/", form).status_code == 302
    confirmation = client.post(f"{Y}/cham-cheo/lhh-nghe-an/", {"action": "complete"})
    assert "Xác nhận hoàn thành chấm chéo" in confirmation.content.decode()
    assert ReviewAssignment.objects.get(pk=assignment.pk).completed_at is None
    assert client.post(f"{Y}/cham-cheo/lhh-nghe-an/", confirmed(confirmation)).status_code == 302
    assert ReviewAssignment.objects.get(pk=assignment.pk).completed_at is not None
    nghean = User.objects.get(username="nghean")
    page = client_for(nghean).get(f"{Y}/cham-diem/lhh-nghe-an/").content.decode()
    assert "Thiếu kế hoạch triển khai" in page
    assert (
        client_for(nghean)
        .post(f"{Y}/cham-diem/lhh-nghe-an/", {"action": "answer", f"answer-{target.pk}": "Kế hoạch số 12/KH"})
        .status_code
        == 302
    )
    settling = client_for(secretariat).post(f"{Y}/chot-diem/")
    assert client_for(secretariat).post(f"{Y}/chot-diem/", confirmed(settling)).status_code == 302
    target.refresh_from_db()
    assert target.final_points is None and target.answer == "Kế hoạch số 12/KH"
    response = client_for(secretariat).post(
        f"{Y}/chot-diem/{target.pk}/", {"final_points": "5", "note": "Chấp nhận giải trình", "confirmed": "1"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.final_points == Decimal(5)
    page = client_for(nghean).get(f"{Y}/cham-diem/lhh-nghe-an/").content.decode()
    assert "Điểm chốt" in page and "Xếp hạng" in page
