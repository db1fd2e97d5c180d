"""A member's year from self-scoring to the final score, on the demo's Cụm 4 2026 (self-scoring open)
and 2023 (settled)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from thidua.accounts.models import User
from thidua.assessments import services
from thidua.assessments.demo import minimal_pdf
from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment, Score
from thidua.assessments.ranking import year_results
from thidua.audit.models import AuditEvent
from thidua.organizations.models import Organization
from thidua.years.models import EmulationYear


@pytest.fixture
def year_2026(db: Any) -> EmulationYear:
    return EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026)


@pytest.fixture
def thanh_hoa_sheet(year_2026: EmulationYear) -> Assessment:
    """Thanh Hóa has not started scoring 2026 in the demo."""
    officer = User.objects.get(username="thanhhoa")
    return services.start_assessment(
        actor=officer, emulation_year=year_2026, organization=Organization.objects.get(code="lhh-thanh-hoa")
    )


def _score(assessment: Assessment, code: str) -> Score:
    return assessment.scores.select_related("criterion").get(criterion__code=code)


@pytest.mark.django_db
def test_a_self_score_outside_the_criterion_range_is_refused_in_vietnamese(
    thanh_hoa_sheet: Assessment,
) -> None:
    officer = User.objects.get(username="thanhhoa")
    with pytest.raises(ValidationError, match="từ 0 đến 6"):
        services.save_self_score(
            actor=officer, score=_score(thanh_hoa_sheet, "2.1"), value=Decimal("6.5"), note=""
        )
    saved = services.save_self_score(
        actor=officer, score=_score(thanh_hoa_sheet, "2.1"), value=Decimal("5.5"), note=""
    )
    assert saved.self_points == Decimal("5.5")


@pytest.mark.django_db
def test_a_quantitative_criterion_scores_the_achieved_share_of_its_target(
    thanh_hoa_sheet: Assessment,
) -> None:
    officer = User.objects.get(username="thanhhoa")
    score = services.save_self_score(
        actor=officer, score=_score(thanh_hoa_sheet, "3.1"), value=Decimal(7), note=""
    )
    assert score.self_points == Decimal("7.00")  # 7 of 10 programmes × 10 points


@pytest.mark.django_db
def test_an_officer_of_nghe_an_can_neither_score_nor_read_thanh_hoa_into_changing(
    thanh_hoa_sheet: Assessment, officer_nghe_an: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.save_self_score(
            actor=officer_nghe_an, score=_score(thanh_hoa_sheet, "2.1"), value=Decimal(1), note=""
        )
    with pytest.raises(PermissionDenied):
        services.submit(actor=officer_nghe_an, assessment=thanh_hoa_sheet)


@pytest.mark.django_db
def test_submitting_lists_every_missing_score_and_missing_evidence(thanh_hoa_sheet: Assessment) -> None:
    officer = User.objects.get(username="thanhhoa")
    with pytest.raises(ValidationError) as error:
        services.submit(actor=officer, assessment=thanh_hoa_sheet)
    messages = error.value.messages
    assert "Tiêu chí 1.1: chưa chấm điểm." in messages
    assert "Tiêu chí 1.2: bắt buộc có minh chứng." in messages
    assert not any(m.startswith("Tiêu chí T.1") for m in messages)  # bonus may stay empty


@pytest.mark.django_db
def test_evidence_is_checked_by_content_and_its_hash_kept(
    thanh_hoa_sheet: Assessment, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    officer = User.objects.get(username="thanhhoa")
    score = _score(thanh_hoa_sheet, "1.2")
    with pytest.raises(ValidationError, match="kiểm tra theo nội dung"):
        services.add_evidence(
            actor=officer, score=score, upload=SimpleUploadedFile("bao-cao.pdf", b"MZ\x90 not a pdf")
        )
    evidence = services.add_evidence(
        actor=officer, score=score, upload=SimpleUploadedFile("báo cáo.pdf", minimal_pdf("x"))
    )
    assert evidence.content_type == "application/pdf" and len(evidence.sha256) == 64
    assert evidence.original_name == "báo cáo.pdf"
    assert "báo" not in evidence.file.name  # stored under a random name


@pytest.mark.django_db
@override_settings(EVIDENCE_MAX_BYTES=1000)
def test_an_oversized_evidence_file_is_refused_with_the_limit(thanh_hoa_sheet: Assessment) -> None:
    officer = User.objects.get(username="thanhhoa")
    with pytest.raises(ValidationError, match="lớn hơn giới hạn"):
        services.add_evidence(
            actor=officer,
            score=_score(thanh_hoa_sheet, "1.2"),
            upload=SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 2000),
        )


@pytest.mark.django_db
def test_a_submitted_assessment_is_locked_and_after_the_deadline_only_the_secretariat_reopens(
    year_2026: EmulationYear,
) -> None:
    nghe_an = Assessment.objects.get(emulation_year=year_2026, organization__code="lhh-nghe-an")
    officer = User.objects.get(username="nghean")
    assert nghe_an.status == AssessmentStatus.SUBMITTED
    with pytest.raises(ValidationError, match="đã nộp"):
        services.save_self_score(actor=officer, score=_score(nghe_an, "2.1"), value=Decimal(1), note="")
    year_2026.self_scoring_due = year_2026.self_scoring_due.replace(year=2020)  # type: ignore[union-attr]
    year_2026.save()
    nghe_an.emulation_year = year_2026
    with pytest.raises(PermissionDenied, match="quá hạn"):
        services.reopen(actor=officer, assessment=nghe_an, reason="Sửa số liệu")
    secretariat = User.objects.get(username="quangtri")  # head of Cụm 4 in 2026 (demo)
    with pytest.raises(ValidationError, match="lý do"):
        services.reopen(actor=secretariat, assessment=nghe_an, reason="  ")
    services.reopen(actor=secretariat, assessment=nghe_an, reason="Nghệ An xin bổ sung minh chứng")
    assert Assessment.objects.get(pk=nghe_an.pk).status == AssessmentStatus.DRAFT


@pytest.mark.django_db
def test_the_proposed_rotation_has_nobody_reviewing_itself_or_a_pair(year_2026: EmulationYear) -> None:
    proposal = services.propose_reviewers(year_2026)
    assert len(proposal) == 6
    pairs = {(p.reviewer.code, p.reviewed.code) for p in proposal}
    assert all(a != b for a, b in pairs)
    assert not any((b, a) in pairs for a, b in pairs)


@pytest.mark.django_db
def test_appraisal_by_head_and_deputy_gives_the_head_to_the_deputy(year_2026: EmulationYear) -> None:
    proposal = services.propose_reviewers(year_2026, appraisal=True)
    reviewer_of = {p.reviewed.code: p.reviewer.code for p in proposal}
    assert reviewer_of["lhh-quang-tri"] == "lhh-hue"  # the head is appraised by the deputy
    assert reviewer_of["lhh-nghe-an"] == "lhh-quang-tri"


@pytest.mark.django_db
def test_a_disagreement_is_answered_then_settled_and_every_step_is_audited(year_2026: EmulationYear) -> None:
    secretariat = User.objects.get(username="quangtri")
    services.assign_reviewers(
        actor=secretariat, emulation_year=year_2026, assignments=services.propose_reviewers(year_2026)
    )
    nghe_an = Assessment.objects.get(emulation_year=year_2026, organization__code="lhh-nghe-an")
    assignment = ReviewAssignment.objects.get(emulation_year=year_2026, reviewed=nghe_an.organization)
    reviewer = User.objects.get(username=assignment.reviewer.code.removeprefix("lhh-").replace("-", ""))
    score = _score(nghe_an, "2.1")
    with pytest.raises(ValidationError, match="lý do"):
        services.save_review(actor=reviewer, score=score, reviewed_points=score.self_points - 1, reason="")  # type: ignore[operator]
    with pytest.raises(PermissionDenied):
        services.save_review(
            actor=User.objects.get(username="nghean"), score=score, reviewed_points=Decimal(1), reason="x"
        )
    services.save_review(
        actor=reviewer, score=score, reviewed_points=score.self_points - 1, reason="Thiếu minh chứng"
    )  # type: ignore[operator]
    score.refresh_from_db()
    assert score.disagrees
    services.answer(actor=User.objects.get(username="nghean"), score=score, text="Đã bổ sung báo cáo")
    services.settle(
        actor=secretariat,
        score=score,
        final_points=score.self_points - Decimal("0.5"),
        note="Chấp nhận một phần",
    )  # type: ignore[operator]
    verbs = list(AuditEvent.objects.filter(target_id=str(score.pk)).values_list("verb", flat=True))
    assert verbs[-3:] == ["score.review", "score.answer", "score.settle"]
    event = AuditEvent.objects.filter(verb="score.settle").order_by("-seq").first()
    assert event is not None and event.data["final"][1] == str(score.self_points - Decimal("0.5"))


@pytest.mark.django_db
def test_the_2023_demo_year_is_settled_and_ranked_with_bands() -> None:
    results = year_results(EmulationYear.objects.get(group__slug="vusta-cum-4", year=2023))
    assert results.all_settled
    assert sorted(r.rank for r in results.members) == list(range(1, 8))  # type: ignore[type-var]
    assert all(r.band for r in results.members)
    totals = [r.final_total.total for r in results.members]  # type: ignore[union-attr]
    assert totals == sorted(totals, reverse=True)


@pytest.mark.django_db
def test_members_without_a_settled_score_are_not_ranked(year_2026: EmulationYear) -> None:
    results = year_results(year_2026)
    assert all(r.rank is None for r in results.members)
    assert {r.status for r in results.members} == {"submitted", "draft", None}
