"""The gates of the stages assessments own: self-scoring, and cross-checking up to the settled scores
(DOMAIN.md, the year step 4)."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils import timezone

from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment, Score
from thidua.organizations.models import Organization
from thidua.organizations.selectors import members_in_year
from thidua.years.models import EmulationYear
from thidua.years.rules import Gate, Stage
from thidua.years.stages import register_gate


def _names(organizations: list[Organization], year: int) -> list[str]:
    return sorted(o.name_in_year(year) for o in organizations)


def in_force_gate(emulation_year: EmulationYear) -> Gate:
    """Self-scoring is the year's own work: an agreement adopted at the previous year's conference waits
    for 1 January (DOMAIN.md, the year step 1). A member that submits earlier has begun that work, and the
    year follows it rather than leave the secretariat without its next step."""
    if timezone.localdate().year >= emulation_year.year:
        return Gate(done=True)
    if Assessment.objects.filter(emulation_year=emulation_year, status=AssessmentStatus.SUBMITTED).exists():
        return Gate(done=True)
    return Gate(done=False, missing=(f"Năm {emulation_year.year} chưa bắt đầu.",), who="")


def self_scoring_gate(emulation_year: EmulationYear) -> Gate:
    year = emulation_year.year
    submitted = Assessment.objects.filter(emulation_year=emulation_year, status=AssessmentStatus.SUBMITTED)
    pending = list(
        members_in_year(group_id=emulation_year.group_id, year=year).exclude(
            pk__in=submitted.values("organization_id")
        )
    )
    missing = [f"{name} chưa nộp bản tự chấm." for name in _names(pending, year)]
    who = ["Cán bộ thi đua các đơn vị chưa nộp"] if pending else []
    if not ReviewAssignment.objects.filter(emulation_year=emulation_year).exists():
        missing.append("Chưa phân công chấm chéo.")
        who.append("Thường trực cụm")
    return Gate(done=not missing, missing=tuple(missing), who=", ".join(who))


def cross_checking_gate(emulation_year: EmulationYear) -> Gate:
    year = emulation_year.year
    missing: list[str] = []
    who: list[str] = []
    open_reviews = list(
        ReviewAssignment.objects.filter(emulation_year=emulation_year, completed_at__isnull=True)
        .select_related("reviewer", "reviewed")
        .prefetch_related("reviewer__names", "reviewed__names")
    )
    for assignment in open_reviews:
        missing.append(
            f"{assignment.reviewer.name_in_year(year)} chưa chấm chéo xong "
            f"{assignment.reviewed.name_in_year(year)}."
        )
    if open_reviews:
        who.append("Đơn vị chấm chéo")
    unanswered = (
        Score.objects.filter(
            assessment__emulation_year=emulation_year,
            reviewed_points__isnull=False,
            final_points__isnull=True,
            answer="",
        )
        .exclude(reviewed_points=F("self_points"))
        .count()
    )
    if unanswered:
        missing.append(f"{unanswered} tiêu chí bị chấm chéo khác điểm tự chấm chưa được giải trình.")
        who.append("Đơn vị được chấm")
    unsettled = Score.objects.filter(
        Q(assessment__emulation_year=emulation_year), final_points__isnull=True
    ).count()
    if unsettled:
        missing.append(f"{unsettled} tiêu chí chưa chốt điểm.")
        who.append("Thường trực cụm")
    return Gate(done=not missing, missing=tuple(missing), who=", ".join(who))


def register() -> None:
    register_gate(Stage.IN_FORCE, in_force_gate)
    register_gate(Stage.SELF_SCORING, self_scoring_gate)
    register_gate(Stage.CROSS_CHECKING, cross_checking_gate)
