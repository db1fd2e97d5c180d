"""The page shown before scoring work is locked: submitting a sheet, completing a cross-check, settling.

It works without JavaScript. A first POST shows what will be locked and what stops it; only the POST of
its own form ("confirmed", with the fingerprint of what it showed) locks, through the service, which
refuses when the rows changed since the page was drawn.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from thidua.assessments import rules, services
from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment, Score
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.years.models import EmulationYear

CONFIRMED = "confirmed"  # the field only the confirmation page's form sends
FINGERPRINT = "fingerprint"


@dataclass(frozen=True)
class Confirmation:
    emulation_year: EmulationYear
    title: str
    lead: str  # what locking means
    action: str  # where the confirmed form posts
    confirm_label: str
    back_url: str
    facts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth a look; they do not stop the lock
    blockers: list[str] = field(default_factory=list)  # the lock is refused until they are fixed
    blockers_title: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # hidden fields the confirmed form sends

    @property
    def ready(self) -> bool:
        return not self.blockers


def render_confirmation(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    return render(request, "assessments/confirm.html", {"c": confirmation, "confirmed_field": CONFIRMED})


def _points(value: Decimal | None) -> str:
    return "—" if value is None else format_vietnamese_decimal(value)


def _total(total: rules.Total) -> str:
    return (
        f"{_points(total.total)} điểm (cơ bản {_points(total.base)}, thưởng {_points(total.bonus)}, "
        f"trừ {_points(total.penalty)})"
    )


def _codes(codes: tuple[str, ...]) -> str:
    return ", ".join(codes)


def submission(assessment: Assessment, *, name: str) -> Confirmation:
    """Before «Nộp bản tự chấm»: how many criteria are scored, the total, and the rows without evidence."""
    emulation_year = assessment.emulation_year
    year, slug, code = emulation_year.year, emulation_year.group.slug, assessment.organization.code
    rows = services.sheet_rows(assessment)
    summary = rules.submission_summary(rows)
    scores = list(assessment.scores.select_related("criterion", "criterion__group"))
    notes = []
    if summary.without_evidence:
        notes.append(
            f"Tiêu chí đã chấm nhưng chưa có minh chứng (không bắt buộc): {_codes(summary.without_evidence)}."
        )
    empty_optional = tuple(r.code for r in rows if r.points is None and r.code not in summary.unscored)
    if empty_optional:
        notes.append(f"Tiêu chí điểm thưởng, điểm trừ để trống (tính 0 điểm): {_codes(empty_optional)}.")
    return Confirmation(
        emulation_year=emulation_year,
        title=f"Xác nhận nộp bản tự chấm năm {year}",
        lead=(
            "Sau khi nộp, bảng tự chấm bị khóa: không sửa được điểm, thuyết minh và minh chứng, và đơn vị "
            "chấm chéo bắt đầu chấm. Muốn sửa phải mở lại bản tự chấm (sau hạn tự chấm, chỉ thường trực "
            "cụm mở lại được)."
        ),
        action=reverse("scoring:submit", args=[slug, year, code]),
        confirm_label="Xác nhận nộp",
        back_url=reverse("scoring:sheet", args=[slug, year, code]),
        facts=[
            f"Đơn vị: {name}.",
            f"Đã chấm {summary.scored}/{summary.criteria} tiêu chí.",
            f"Tổng tự chấm: {_total(services.sheet_totals(assessment, scores))}.",
            f"Minh chứng: {sum(r.evidence for r in rows)} tệp cho {sum(1 for r in rows if r.evidence)} tiêu chí.",
        ],
        notes=notes,
        blockers=services.submission_problems(assessment),
        blockers_title="Chưa nộp được: còn thiếu",
        fields={FINGERPRINT: services.submission_fingerprint(assessment)},
    )


def review_completion(assignment: ReviewAssignment, assessment: Assessment, *, name: str) -> Confirmation:
    """Before «Hoàn thành chấm chéo»: how many rows agree, which differ, the two totals, what is missing."""
    emulation_year = assessment.emulation_year
    year, slug = emulation_year.year, emulation_year.group.slug
    summary = rules.review_summary(services.review_rows(assessment))
    scores = list(assessment.scores.select_related("criterion", "criterion__group"))
    facts = [
        f"Đơn vị được chấm: {name}.",
        f"Đồng ý với điểm tự chấm: {summary.agreed}/{summary.criteria} tiêu chí.",
        f"Chấm khác điểm tự chấm: {len(summary.disagreed)} tiêu chí"
        + (f" ({_codes(summary.disagreed)}); đơn vị được chấm sẽ giải trình." if summary.disagreed else "."),
        f"Tổng tự chấm: {_total(services.sheet_totals(assessment, scores))}.",
    ]
    if summary.ready:
        facts.append(f"Tổng chấm chéo: {_total(services.sheet_totals(assessment, scores, reviewed=True))}.")
    return Confirmation(
        emulation_year=emulation_year,
        title=f"Xác nhận hoàn thành chấm chéo năm {year}",
        lead=(
            "Sau khi hoàn thành, điểm chấm chéo và lý do bị khóa, không sửa được nữa; đơn vị được chấm "
            "giải trình các tiêu chí chấm khác, rồi thường trực cụm chốt điểm."
        ),
        action=reverse("scoring:review", args=[slug, year, assignment.reviewed.code]),
        confirm_label="Xác nhận hoàn thành",
        back_url=reverse("scoring:review", args=[slug, year, assignment.reviewed.code]),
        facts=facts,
        blockers=[f"Chưa chấm các tiêu chí: {_codes(summary.unreviewed)}."] if summary.unreviewed else [],
        blockers_title="Chưa hoàn thành được",
        fields={"action": "complete", FINGERPRINT: services.review_fingerprint(assessment)},
    )


SETTLING_LEAD = (
    "Sau khi chốt, tiêu chí rời danh sách chờ chốt và điểm chốt được tính vào tổng điểm và xếp hạng; "
    "trang chốt điểm không sửa lại được."
)


def settling(emulation_year: EmulationYear) -> Confirmation:
    """Before «Chốt các tiêu chí không có ý kiến khác»: how many criteria of which members."""
    year, slug = emulation_year.year, emulation_year.group.slug
    agreed = services.agreed_to_settle(emulation_year)
    per_member = Counter(score.assessment.organization.name_in_year(year) for score, _ in agreed)
    facts = [
        f"Sẽ chốt {len(agreed)} tiêu chí không có ý kiến khác của {len(per_member)} đơn vị: điểm chốt "
        "là điểm chấm chéo, đơn vị nào chưa được chấm chéo thì là điểm tự chấm."
    ]
    facts += [f"{member}: {count} tiêu chí." for member, count in sorted(per_member.items())]
    disputed = Score.objects.filter(
        assessment__emulation_year=emulation_year,
        final_points__isnull=True,
        assessment__status=AssessmentStatus.SUBMITTED,
    ).count() - len(agreed)
    return Confirmation(
        emulation_year=emulation_year,
        title=f"Xác nhận chốt điểm năm {year}",
        lead=SETTLING_LEAD,
        action=reverse("scoring:settle_all", args=[slug, year]),
        confirm_label="Xác nhận chốt điểm",
        back_url=reverse("scoring:settle_all", args=[slug, year]),
        facts=facts,
        notes=[f"Còn {disputed} tiêu chí có ý kiến khác: chốt từng dòng sau khi đọc giải trình."]
        if disputed
        else [],
        blockers=[] if agreed else ["Không còn tiêu chí nào không có ý kiến khác để chốt."],
        blockers_title="Không có gì để chốt",
        fields={FINGERPRINT: services.settling_fingerprint(agreed)},
    )


def settling_one(score: Score, *, final_points: Decimal, note: str, version: int | None) -> Confirmation:
    """Before «Chốt» on one disputed criterion: the three scores side by side and the note."""
    emulation_year = score.assessment.emulation_year
    year, slug = emulation_year.year, emulation_year.group.slug
    facts = [
        f"Đơn vị: {score.assessment.organization.name_in_year(year)}.",
        f"Tiêu chí {score.criterion.code}: {score.criterion.text}",
        f"Tự chấm {_points(score.self_points)} · chấm chéo {_points(score.reviewed_points)} · "
        f"điểm chốt {_points(final_points)}.",
    ]
    if note.strip():
        facts.append(f"Ghi chú: {note.strip()}")
    return Confirmation(
        emulation_year=emulation_year,
        title=f"Xác nhận chốt tiêu chí {score.criterion.code}",
        lead=SETTLING_LEAD,
        action=reverse("scoring:settle_score", args=[slug, year, score.pk]),
        confirm_label="Xác nhận chốt điểm",
        back_url=reverse("scoring:settle_all", args=[slug, year]),
        facts=facts,
        fields={
            "final_points": format_vietnamese_decimal(final_points),
            "note": note,
            # The version the settling page showed, not the one now: a change meanwhile is refused.
            **({"version": str(version)} if version is not None else {}),
        },
    )
