"""A finished year is read-only for scoring: the demo's Cụm 4 2024, archived by the parent body after a
year kept on paper (stage «Đã tổng kết», every member «Chưa chấm»)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.accounts.models import User
from thidua.assessments import services
from thidua.assessments.demo import minimal_pdf
from thidua.assessments.excel import score_sheet_workbook
from thidua.assessments.importing import apply_score_sheet
from thidua.assessments.models import Assessment, Score
from thidua.audit.models import AuditEvent
from thidua.organizations.models import Organization
from thidua.years.models import EmulationYear, YearStage

CLOSED_2024 = "Năm 2024 đã tổng kết; không chấm điểm được nữa."
SHEET_2024 = "/nam-thi-dua/vusta-cum-4/2024/cham-diem/lhh-ninh-binh/"


@pytest.fixture
def year_2024(db: Any) -> EmulationYear:
    emulation_year = EmulationYear.objects.get(group__slug="vusta-cum-4", year=2024)
    assert emulation_year.stage == YearStage.CLOSED
    return emulation_year


@pytest.fixture
def left_draft(year_2024: EmulationYear, officer_ninh_binh: User) -> Assessment:
    """A draft sheet left in the closed year, as opening the page used to start one."""
    EmulationYear.objects.filter(pk=year_2024.pk).update(stage=YearStage.SELF_SCORING)
    started = services.start_assessment(
        actor=officer_ninh_binh,
        emulation_year=EmulationYear.objects.get(pk=year_2024.pk),
        organization=Organization.objects.get(code="lhh-ninh-binh"),
    )
    EmulationYear.objects.filter(pk=year_2024.pk).update(stage=YearStage.CLOSED)
    return Assessment.objects.get(pk=started.pk)


def _first_score(assessment: Assessment) -> Score:
    return assessment.scores.select_related("criterion").order_by("pk").first()  # type: ignore[return-value]


@pytest.mark.django_db
def test_opening_a_sheet_of_a_closed_year_starts_nothing_and_says_why(
    client_for: Any, officer_ninh_binh: User, year_2024: EmulationYear
) -> None:
    events = AuditEvent.objects.count()
    response = client_for(officer_ninh_binh).get(SHEET_2024)
    assert response.status_code == 200
    assert CLOSED_2024 in response.content.decode()
    assert not Assessment.objects.filter(emulation_year=year_2024).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_downloading_the_excel_sheet_of_a_closed_year_starts_nothing(
    client_for: Any, officer_ninh_binh: User, year_2024: EmulationYear
) -> None:
    events = AuditEvent.objects.count()
    response = client_for(officer_ninh_binh).get(SHEET_2024 + "bang-diem.xlsx")
    assert response.status_code == 400
    assert CLOSED_2024 in response.content.decode()
    assert not Assessment.objects.filter(emulation_year=year_2024).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_self_scoring_cannot_start_in_a_closed_year(
    officer_ninh_binh: User, year_2024: EmulationYear
) -> None:
    with pytest.raises(ValidationError, match=CLOSED_2024):
        services.start_assessment(
            actor=officer_ninh_binh,
            emulation_year=year_2024,
            organization=Organization.objects.get(code="lhh-ninh-binh"),
        )
    assert not Assessment.objects.filter(emulation_year=year_2024).exists()


@pytest.mark.django_db
def test_a_sheet_left_in_a_closed_year_takes_no_score_evidence_submit_or_import(
    officer_ninh_binh: User, left_draft: Assessment
) -> None:
    score = _first_score(left_draft)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=CLOSED_2024):
        services.save_self_score(actor=officer_ninh_binh, score=score, value=Decimal(1), note="")
    with pytest.raises(ValidationError, match=CLOSED_2024):
        services.add_evidence(
            actor=officer_ninh_binh, score=score, upload=SimpleUploadedFile("a.pdf", minimal_pdf("x"))
        )
    with pytest.raises(ValidationError, match=CLOSED_2024):
        services.submit(actor=officer_ninh_binh, assessment=left_draft)
    with pytest.raises(ValidationError, match=CLOSED_2024):
        apply_score_sheet(
            actor=officer_ninh_binh, assessment=left_draft, data=score_sheet_workbook(left_draft)
        )
    score.refresh_from_db()
    assert score.self_value is None
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_sheet_left_in_a_closed_year_is_shown_read_only_and_a_save_stores_nothing(
    client_for: Any, officer_ninh_binh: User, left_draft: Assessment
) -> None:
    score = _first_score(left_draft)
    client = client_for(officer_ninh_binh)
    page = client.get(SHEET_2024).content.decode()
    assert CLOSED_2024 in page
    assert f'name="value-{score.pk}"' not in page and 'value="save"' not in page
    response = client.post(SHEET_2024, {"action": "save", f"value-{score.pk}": "1"})
    assert CLOSED_2024 in response.content.decode()
    score.refresh_from_db()
    assert score.self_value is None


@pytest.mark.django_db
def test_once_the_scores_are_settled_a_member_can_no_longer_self_score(
    officer_ninh_binh: User,
) -> None:
    """Cụm 4 2026 moved on to «Đã chốt điểm» while Ninh Bình's sheet is still a draft."""
    sheet = Assessment.objects.get(emulation_year__year=2026, organization__code="lhh-ninh-binh")
    EmulationYear.objects.filter(pk=sheet.emulation_year_id).update(stage=YearStage.SETTLED)
    sheet = Assessment.objects.get(pk=sheet.pk)
    with pytest.raises(ValidationError, match="Điểm năm 2026 đã chốt; không tự chấm được nữa"):
        services.save_self_score(
            actor=officer_ninh_binh, score=_first_score(sheet), value=Decimal(1), note=""
        )
