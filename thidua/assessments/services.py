"""Self-scoring, evidence, cross-checking, answers and settling: one function per change, audited.

Who may do what: a member's officers score and answer for their own organization; the reviewer
organization's officers review the member assigned to them; the secretariat (or parent-body staff)
assigns reviewers, reopens and settles (DESIGN.md, Who uses it).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from thidua.accounts.models import User
from thidua.accounts.permissions import can_run_year, is_officer_of, require
from thidua.agreements.models import Criterion
from thidua.agreements.services import agreement_in_force
from thidua.assessments import rules
from thidua.assessments.models import (
    AmendmentEffect,
    Assessment,
    AssessmentStatus,
    Evidence,
    ReviewAssignment,
    ReviewKind,
    Score,
)
from thidua.audit.services import record
from thidua.lib import files
from thidua.lib.dates import moment
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.lib.text import clean_text
from thidua.organizations.models import Leadership, Membership, Organization
from thidua.web import rows
from thidua.web.versioning import require_version
from thidua.years.models import EmulationYear
from thidua.years.rules import Stage
from thidua.years.rules import scoring_refusal as stage_refusal
from thidua.years.services import advance_year

EVIDENCE_TYPES = (files.PDF, files.PNG, files.JPEG, files.DOCX, files.XLSX)


def spec_of(criterion: Criterion) -> rules.CriterionSpec:
    return rules.CriterionSpec(
        code=criterion.code,
        kind=rules.Kind(criterion.kind),
        max_points=criterion.max_points,
        group=str(criterion.group_id),
        target=criterion.target,
        points_per_unit=criterion.points_per_unit,
    )


def _is_runner(actor: User, emulation_year: EmulationYear) -> bool:
    return can_run_year(actor, emulation_year.group, emulation_year.year)


def _require_member_officer(actor: User, organization: Organization) -> None:
    require(is_officer_of(actor, organization), "Bạn chỉ được chấm điểm cho đơn vị mình.")


def scoring_refusal(emulation_year: EmulationYear, *, self_scoring: bool = True) -> str:
    """Why the year's sheets take no change at its stage (a closed year: none; settled scores: no
    self-score), or "" while they do. Pages read it to draw a sheet read-only and say why."""
    return stage_refusal(Stage(emulation_year.stage), emulation_year.year, self_scoring=self_scoring)


def _require_scoring_open(emulation_year: EmulationYear, *, self_scoring: bool = True) -> None:
    refusal = scoring_refusal(emulation_year, self_scoring=self_scoring)
    if refusal:
        raise ValidationError(refusal)


@transaction.atomic
def start_assessment(*, actor: User, emulation_year: EmulationYear, organization: Organization) -> Assessment:
    """The member's score sheet against the agreement in force, one empty score per criterion."""
    require(
        is_officer_of(actor, organization) or _is_runner(actor, emulation_year),
        "Bạn chỉ được chấm điểm cho đơn vị mình.",
    )
    existing = Assessment.objects.filter(emulation_year=emulation_year, organization=organization).first()
    if existing is not None:
        return existing
    _require_scoring_open(emulation_year)
    if not Membership.objects.filter(
        group=emulation_year.group, year=emulation_year.year, organization=organization
    ).exists():
        raise ValidationError(f"{organization} không phải thành viên năm {emulation_year.year}.")
    agreement = agreement_in_force(emulation_year)
    if agreement is None:
        raise ValidationError("Giao ước năm nay chưa có hiệu lực (chưa đủ các đơn vị ký).")
    assessment = Assessment.objects.create(
        emulation_year=emulation_year, organization=organization, agreement=agreement
    )
    Score.objects.bulk_create(Score(assessment=assessment, criterion=c) for c in agreement.criteria.all())
    record(
        actor=actor,
        verb="assessment.start",
        target=assessment,
        group=emulation_year.group,
        data={"organization": organization.code, "agreement_version": agreement.version},
    )
    return assessment


def submitted_words(assessment: Assessment) -> str:
    """«Bản tự chấm đã nộp lúc 15:02 ngày 04/12/2026 bởi …; cần mở lại trước khi sửa.»: the refusal a
    stale tab gets says what happened, when and by whom (issue 13)."""
    when = f" lúc {moment(assessment.submitted_at)}" if assessment.submitted_at else ""
    who = f" bởi {assessment.submitted_by}" if assessment.submitted_by_id else ""
    return f"Bản tự chấm đã nộp{when}{who}; cần mở lại trước khi sửa."


def _require_draft(assessment: Assessment) -> Assessment:
    """The sheet, locked against a submit in another tab, and still a draft."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)  # the user is read on refusal only
    if locked.status != AssessmentStatus.DRAFT:
        raise ValidationError(submitted_words(locked))
    return locked


def _number(value: Decimal | None) -> str:
    return "trống" if value is None else format_vietnamese_decimal(value)


def _write(
    score: Score,
    *,
    actor: User,
    expected: int | None,
    what: str,
    stored: Callable[[Score], str],
    while_draft: bool = False,
    **values: object,
) -> None:
    """Write `values` to the score only while it is at the version the form was drawn from (`expected`;
    None: no form, e.g. an import or the API) and that this request read: one UPDATE … WHERE version, so
    the check costs no extra query. Otherwise refused, saying what is stored now (`stored` of the row as
    it is then: a save that won the race after this request read the row is the one to name), by whom
    and when.

    `while_draft`: also only while the sheet is a draft, its row locked in the same UPDATE (a sub-select
    FOR UPDATE, as `_require_draft` would take it in a query of its own): a submit in another tab either
    waits for this save or makes it refuse. One round trip instead of two keeps the versioned save
    within 1.1× the save it replaced (docs/benchmarks.md)."""
    if expected is not None and expected != score.version:
        if while_draft:
            _require_draft(score.assessment)  # a submitted sheet is the news, not the edit before it
        require_version(score, expected, what=what, stored=stored(score))
    now = timezone.now()
    columns = {**values, "changed_by": actor.pk, "changed_at": now}
    sql = _compare_and_set_sql(tuple(columns), while_draft, connection.features.has_select_for_update)
    params: list[Any] = [_field(name).get_db_prep_save(value, connection) for name, value in columns.items()]
    params += [score.pk, score.version] + (
        [score.assessment_id, AssessmentStatus.DRAFT] if while_draft else []
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    if not written:
        if while_draft:
            _require_draft(score.assessment)  # submitted meanwhile: say so, not "someone edited it"
        current = Score.objects.select_related("changed_by").get(pk=score.pk)
        require_version(current, score.version, what=what, stored=stored(current))
    for name, value in values.items():
        setattr(score, name, value)
    score.version += 1
    score.changed_by = actor
    score.changed_at = now


@functools.cache
def _compare_and_set_sql(names: tuple[str, ...], while_draft: bool, can_lock: bool) -> str:
    """The one UPDATE of `_write`, built once per set of columns: the ORM's query building cost more
    than the query itself on this path (bench/score_save_bench.py). Only names from the models reach
    the text; every value is a parameter."""
    version = rows.column(Score, "version")
    where = [
        f"{rows.column(Score, 'id')} = %s",
        f"{version} = %s",
        f"{rows.column(Score, 'retired_by')} IS NULL",  # a retired score is history, never written
    ]
    if while_draft:
        lock = " FOR UPDATE" if can_lock else ""  # SQLite: one writer at a time anyway
        where.append(
            f"EXISTS (SELECT 1 FROM {rows.table(Assessment)} WHERE {rows.column(Assessment, 'id')} = %s"  # noqa: S608 — names from the models  # nosec B608
            f" AND {rows.column(Assessment, 'status')} = %s{lock})"
        )
    assignments = ", ".join(f"{rows.column(Score, name)} = %s" for name in names)
    return (
        f"UPDATE {rows.table(Score)} SET {assignments}, {version} = {version} + 1"  # noqa: S608 — names from the models  # nosec B608
        f" WHERE {' AND '.join(where)}"
    )


def _field(name: str) -> Field[Any, Any]:
    field = Score._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"Score.{name} has no column")
    return field


def _stale_self(score: Score) -> str:
    return f"{_number(score.self_value)}" + (f" — «{score.note}»" if score.note else "")


@transaction.atomic
def save_self_score(
    *,
    actor: User,
    score: Score,
    value: Decimal | None,
    note: str,
    version: int | None = None,
    overwrite: bool = False,
) -> Score:
    """A draft score: saved as the officer types, checked against the criterion's range. With `version`
    (the row's version when the form was drawn), refused if someone saved the row since."""
    assessment = score.assessment
    _require_member_officer(actor, assessment.organization)
    _require_scoring_open(assessment.emulation_year)
    before = (score.self_value, score.self_points, score.note)
    if value is None:
        points = None
    else:
        try:
            points = rules.points(spec_of(score.criterion), value)
        except rules.ScoreError as error:
            raise ValidationError({"value": str(error)}) from error
    note = note.strip()
    if before == (value, points, note):
        _require_draft(assessment)  # nothing to write, but a submitted sheet still says so
        return score  # what the form asks is stored already, whoever stored it: nothing to refuse
    _write(
        score,
        actor=actor,
        expected=version,
        what=f"Tiêu chí {score.criterion.code}",
        stored=_stale_self,
        while_draft=True,
        self_value=value,
        self_points=points,
        note=note,
    )
    if before != (score.self_value, score.self_points, score.note):
        record(
            actor=actor,
            verb="score.self",
            target=score,
            group=assessment.emulation_year.group,
            data={
                "organization": assessment.organization.code,
                "criterion": score.criterion.code,
                "value": [before[0], score.self_value],
                "points": [before[1], score.self_points],
                # Chosen after a refusal: the chain says whose value was replaced, on purpose.
                **({"overwrote": {"value": before[0], "note": before[2]}} if overwrite else {}),
            },
        )
    return score


@transaction.atomic
def keep_stored(*, actor: User, score: Score, refused_value: Decimal | None, refused_note: str) -> None:
    """After a refused save the officer kept the stored value: the chain records what was kept and what
    was given up, so nobody later wonders where the typed value went."""
    assessment = score.assessment
    _require_member_officer(actor, assessment.organization)
    _require_scoring_open(assessment.emulation_year)
    record(
        actor=actor,
        verb="score.keep",
        target=score,
        group=assessment.emulation_year.group,
        data={
            "organization": assessment.organization.code,
            "criterion": score.criterion.code,
            "kept": {"value": score.self_value, "note": score.note, "version": score.version},
            "given_up": {"value": refused_value, "note": refused_note.strip()},
        },
    )


@transaction.atomic
def add_evidence(*, actor: User, score: Score, upload: UploadedFile) -> Evidence:
    """Keep a file backing a score: its type checked by content, its size limited, its SHA-256 kept."""
    assessment = score.assessment
    _require_member_officer(actor, assessment.organization)
    _require_scoring_open(assessment.emulation_year)
    _require_draft(assessment)
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "file": f"Tệp «{upload.name}» lớn hơn giới hạn {format_vietnamese_decimal(Decimal(limit) / 1024 / 1024, 1)} MB."
            }
        )
    content_type = files.detect(upload.file)  # type: ignore[arg-type]
    if content_type not in EVIDENCE_TYPES:
        raise ValidationError(
            {
                "file": f"Tệp «{upload.name}» không phải PDF, ảnh PNG/JPEG, Word (.docx) hay Excel (.xlsx) (kiểm tra theo nội dung tệp)."
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        score=score,
        original_name=clean_text(upload.name or "minh-chung")[:255],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    # A random stored name: the original name is kept for display only, never as a path.
    extension = {
        files.PDF: "pdf",
        files.PNG: "png",
        files.JPEG: "jpg",
        files.DOCX: "docx",
        files.XLSX: "xlsx",
    }[content_type]
    evidence.file.save(files.random_name(extension), upload, save=False)
    evidence.save()
    record(
        actor=actor,
        verb="evidence.add",
        target=score,
        group=assessment.emulation_year.group,
        data={"criterion": score.criterion.code, "name": evidence.original_name, "sha256": evidence.sha256},
    )
    return evidence


@transaction.atomic
def remove_evidence(*, actor: User, evidence: Evidence) -> None:
    assessment = evidence.score.assessment
    _require_member_officer(actor, assessment.organization)
    _require_scoring_open(assessment.emulation_year)
    _require_draft(assessment)
    record(
        actor=actor,
        verb="evidence.remove",
        target=evidence.score,
        group=assessment.emulation_year.group,
        data={"name": evidence.original_name, "sha256": evidence.sha256},
    )
    evidence.delete()


def sheet_rows(assessment: Assessment) -> list[rules.SheetRow]:
    """The sheet's criteria in the agreement's order, as a confirmation before submitting shows them."""
    scores = assessment.scores.select_related("criterion", "criterion__group").prefetch_related("evidence")
    return [
        rules.SheetRow(
            code=s.criterion.code,
            kind=rules.Kind(s.criterion.kind),
            points=s.self_points,
            evidence=len(s.evidence.all()),
            evidence_required=s.criterion.evidence_required,
        )
        for s in sorted(scores, key=lambda s: (s.criterion.group.position, s.criterion.position))
    ]


def submission_problems(assessment: Assessment) -> list[str]:
    """Why the assessment cannot be submitted yet, criterion by criterion, in Vietnamese."""
    rows = sheet_rows(assessment)
    summary = rules.submission_summary(rows)
    problems = []
    for row in rows:
        if row.code in summary.unscored:
            problems.append(f"Tiêu chí {row.code}: chưa chấm điểm.")
        if row.code in summary.missing_evidence:
            problems.append(f"Tiêu chí {row.code}: bắt buộc có minh chứng.")
    return problems


def submission_fingerprint(assessment: Assessment) -> str:
    """What submitting would lock: every score and how much evidence backs it."""
    return rules.fingerprint(
        (s.pk, s.self_value, s.self_points, s.note, len(s.evidence.all()))
        for s in assessment.scores.prefetch_related("evidence").order_by("pk")
    )


CHANGED_SINCE_CONFIRMATION = (
    "Dữ liệu đã thay đổi sau khi bạn mở trang xác nhận (có thể ở một thẻ khác); chưa khóa gì. "
    "Hãy xem lại rồi xác nhận lần nữa."
)


def _require_unchanged(fingerprint: str | None, current: str) -> None:
    """A confirmed request locks only what its confirmation page showed (None: no page, e.g. the demo)."""
    if fingerprint is not None and fingerprint != current:
        raise ValidationError(CHANGED_SINCE_CONFIRMATION)


@transaction.atomic
def submit(*, actor: User, assessment: Assessment, fingerprint: str | None = None) -> Assessment:
    """Lock the sheet for cross-checking. With `fingerprint` (from the confirmation page), only if the
    sheet is still what that page showed."""
    _require_member_officer(actor, assessment.organization)
    _require_scoring_open(assessment.emulation_year)
    assessment = _require_draft(assessment)
    _require_unchanged(fingerprint, submission_fingerprint(assessment))
    problems = submission_problems(assessment)
    if problems:
        raise ValidationError(problems)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = actor
    assessment.save(update_fields=["status", "submitted_at", "submitted_by"])
    total = rules.total(
        [spec_of(s.criterion) for s in assessment.scores.select_related("criterion")],
        {
            s.criterion.code: s.self_points or Decimal(0)
            for s in assessment.scores.select_related("criterion")
        },
    )
    record(
        actor=actor,
        verb="assessment.submit",
        target=assessment,
        group=assessment.emulation_year.group,
        data={"organization": assessment.organization.code, "self_total": total.total},
    )
    advance_year(actor=actor, emulation_year=assessment.emulation_year)
    return assessment


@transaction.atomic
def reopen(*, actor: User, assessment: Assessment, reason: str) -> Assessment:
    """Before the self-scoring deadline the member may reopen its own submission; after it, only the
    secretariat, with a reason (the issue's rule: late changes are the secretariat's call)."""
    emulation_year = assessment.emulation_year
    late = (
        emulation_year.self_scoring_due is not None and timezone.localdate() > emulation_year.self_scoring_due
    )
    if late:
        require(_is_runner(actor, emulation_year), "Đã quá hạn tự chấm: chỉ thường trực cụm được mở lại.")
    else:
        require(
            _is_runner(actor, emulation_year) or is_officer_of(actor, assessment.organization),
            "Bạn không có quyền mở lại bản tự chấm này.",
        )
    _require_scoring_open(emulation_year)
    if not clean_text(reason):
        raise ValidationError({"reason": "Cần nêu lý do mở lại."})
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError("Bản tự chấm chưa nộp hoặc đã được mở lại.")
    assessment.status = AssessmentStatus.DRAFT
    assessment.reopened_reason = clean_text(reason)
    assessment.save(update_fields=["status", "reopened_reason"])
    record(
        actor=actor,
        verb="assessment.reopen",
        target=assessment,
        group=emulation_year.group,
        data={
            "organization": assessment.organization.code,
            "reason": assessment.reopened_reason,
            "late": late,
        },
    )
    return assessment


@transaction.atomic
def mark_effect_read(*, actor: User, effect: AmendmentEffect) -> AmendmentEffect:
    """The member's officer has read what an amendment changed on its sheet: the to-do goes."""
    organization = effect.assessment.organization
    require(is_officer_of(actor, organization), "Chỉ cán bộ của đơn vị xác nhận đã xem thay đổi này.")
    effect = AmendmentEffect.objects.select_for_update().get(pk=effect.pk)
    if effect.read_at is None:
        effect.read_at, effect.read_by = timezone.now(), actor
        effect.save(update_fields=["read_at", "read_by"])
        record(
            actor=actor,
            verb="assessment.amendment_read",
            target=effect.assessment,
            group=effect.assessment.emulation_year.group,
            data={"organization": organization.code, "version": effect.agreement.version},
        )
    return effect


@dataclass(frozen=True)
class ProposedAssignment:
    reviewed: Organization
    reviewer: Organization
    kind: str


def propose_reviewers(emulation_year: EmulationYear, *, appraisal: bool = False) -> list[ProposedAssignment]:
    """A rotation where nobody reviews itself and, from three members, no two review each other; the
    shift changes with the year so pairs change. With `appraisal`, the head appraises everyone and the
    deputy appraises the head (thẩm định)."""
    members = sorted(
        Organization.objects.filter(
            memberships__group=emulation_year.group, memberships__year=emulation_year.year
        ),
        key=lambda o: o.code,
    )
    by_code = {m.code: m for m in members}
    if appraisal:
        leaders = {
            lead.role: lead.organization
            for lead in Leadership.objects.filter(
                group=emulation_year.group, year=emulation_year.year
            ).select_related("organization")
        }
        head, deputy = leaders.get("head"), leaders.get("deputy")
        if head is None or deputy is None:
            raise ValidationError("Cần có cụm trưởng và cụm phó năm nay để thẩm định.")
        return [
            ProposedAssignment(m, deputy if m.pk == head.pk else head, ReviewKind.APPRAISAL) for m in members
        ]
    rotation = rules.reviewer_rotation(list(by_code), shift=emulation_year.year)
    return [
        ProposedAssignment(by_code[r], by_code[rv], ReviewKind.PEER) for r, rv in sorted(rotation.items())
    ]


@transaction.atomic
def assign_reviewers(
    *, actor: User, emulation_year: EmulationYear, assignments: list[ProposedAssignment]
) -> list[ReviewAssignment]:
    require(_is_runner(actor, emulation_year), "Chỉ thường trực cụm được phân công chấm chéo.")
    _require_scoring_open(emulation_year, self_scoring=False)
    if any(a.reviewer.pk == a.reviewed.pk for a in assignments):
        raise ValidationError("Không đơn vị nào tự chấm chéo cho mình.")
    if ReviewAssignment.objects.filter(emulation_year=emulation_year, completed_at__isnull=False).exists():
        raise ValidationError("Đã có đơn vị chấm chéo xong; không phân công lại được.")
    ReviewAssignment.objects.filter(emulation_year=emulation_year).delete()
    created = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(emulation_year=emulation_year, reviewed=a.reviewed, reviewer=a.reviewer, kind=a.kind)
        for a in assignments
    )
    record(
        actor=actor,
        verb="review.assign",
        target=emulation_year,
        group=emulation_year.group,
        data={"assignments": {a.reviewed.code: [a.reviewer.code, a.kind] for a in assignments}},
    )
    advance_year(actor=actor, emulation_year=emulation_year)
    return created


def require_within_maximum(score: Score, points: Decimal, field: str = "final_points") -> None:
    """A reviewed or final score lies between 0 and the criterion's maximum; checked before asking to
    confirm, and again when saving."""
    maximum = score.criterion.max_points
    if not Decimal(0) <= points <= maximum:
        raise ValidationError({field: f"Điểm phải từ 0 đến {format_vietnamese_decimal(maximum)}."})


def completed_words(assignment: ReviewAssignment) -> str:
    """«Đã hoàn thành chấm chéo lúc … bởi …; không sửa được.»"""
    when = f" lúc {moment(assignment.completed_at)}" if assignment.completed_at else ""
    who = f" bởi {assignment.completed_by}" if assignment.completed_by_id else ""
    return f"Đã hoàn thành chấm chéo{when}{who}; không sửa được."


def _assignment_for(score: Score) -> ReviewAssignment | None:
    return ReviewAssignment.objects.filter(
        emulation_year=score.assessment.emulation_year, reviewed=score.assessment.organization
    ).first()


@transaction.atomic
def save_review(
    *, actor: User, score: Score, reviewed_points: Decimal, reason: str, version: int | None = None
) -> Score:
    """The reviewer's checked score for one criterion; a different score needs a reason. With `version`
    (the row's version when the form was drawn), refused if someone saved the row since."""
    assessment = score.assessment
    assignment = _assignment_for(score)
    require(
        assignment is not None and is_officer_of(actor, assignment.reviewer),
        "Đơn vị của bạn không được phân công chấm đơn vị này.",
    )
    assert assignment is not None
    _require_scoring_open(assessment.emulation_year, self_scoring=False)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError("Đơn vị chưa nộp bản tự chấm.")
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("completed_by")
        .get(pk=assignment.pk)
    )
    if assignment.completed_at is not None:
        raise ValidationError(completed_words(assignment))
    require_within_maximum(score, reviewed_points, "reviewed_points")
    reason = reason.strip()
    if reviewed_points != score.self_points and not reason:
        raise ValidationError({"review_reason": "Chấm khác điểm tự chấm thì cần nêu lý do."})
    before = score.reviewed_points
    if (before, score.review_reason) == (reviewed_points, reason):
        return score
    _write(
        score,
        actor=actor,
        expected=version,
        what=f"Điểm chấm chéo tiêu chí {score.criterion.code}",
        stored=lambda current: (
            _number(current.reviewed_points)
            + (f" — «{current.review_reason}»" if current.review_reason else "")
        ),
        reviewed_points=reviewed_points,
        review_reason=reason,
    )
    record(
        actor=actor,
        verb="score.review",
        target=score,
        group=assessment.emulation_year.group,
        data={
            "organization": assessment.organization.code,
            "criterion": score.criterion.code,
            "self": score.self_points,
            "reviewed": [before, reviewed_points],
            "reason": reason,
        },
    )
    return score


def review_rows(assessment: Assessment) -> list[rules.ReviewRow]:
    """The criteria of a cross-check in the agreement's order, as its confirmation shows them."""
    scores = assessment.scores.select_related("criterion", "criterion__group")
    return [
        rules.ReviewRow(code=s.criterion.code, self_points=s.self_points, reviewed=s.reviewed_points)
        for s in sorted(scores, key=lambda s: (s.criterion.group.position, s.criterion.position))
    ]


def review_fingerprint(assessment: Assessment) -> str:
    """What completing a cross-check would lock: every reviewed score and its reason."""
    return rules.fingerprint(
        (s.pk, s.reviewed_points, s.review_reason) for s in assessment.scores.order_by("pk")
    )


@transaction.atomic
def complete_review(
    *, actor: User, assignment: ReviewAssignment, fingerprint: str | None = None
) -> ReviewAssignment:
    """Lock the reviewer's scores and hand the disagreements to the member. With `fingerprint` (from
    the confirmation page), only if the scores are still what that page showed."""
    require(is_officer_of(actor, assignment.reviewer), "Đơn vị của bạn không được phân công chấm đơn vị này.")
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("emulation_year__group", "completed_by")
        .get(pk=assignment.pk)
    )
    if assignment.completed_at is not None:
        raise ValidationError(completed_words(assignment))
    _require_scoring_open(assignment.emulation_year, self_scoring=False)
    assessment = Assessment.objects.filter(
        emulation_year=assignment.emulation_year, organization=assignment.reviewed
    ).first()
    if assessment is None or assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError("Đơn vị chưa nộp bản tự chấm.")
    _require_unchanged(fingerprint, review_fingerprint(assessment))
    missing = [
        s.criterion.code for s in assessment.scores.select_related("criterion") if s.reviewed_points is None
    ]
    if missing:
        raise ValidationError(f"Chưa chấm các tiêu chí: {', '.join(missing)}.")
    assignment.completed_at = timezone.now()
    assignment.completed_by = actor
    assignment.save(update_fields=["completed_at", "completed_by"])
    record(
        actor=actor,
        verb="review.complete",
        target=assessment,
        group=assignment.emulation_year.group,
        data={"reviewed": assignment.reviewed.code, "reviewer": assignment.reviewer.code},
    )
    advance_year(actor=actor, emulation_year=assignment.emulation_year)
    return assignment


@transaction.atomic
def answer(*, actor: User, score: Score, text: str, version: int | None = None) -> Score:
    """The member's explanation (giải trình) of a criterion the reviewer scored differently. With
    `version` (the row's version when the form was drawn), refused if someone saved the row since."""
    assessment = score.assessment
    _require_member_officer(actor, assessment.organization)
    _require_scoring_open(assessment.emulation_year, self_scoring=False)
    if not score.disagrees:
        raise ValidationError("Chỉ giải trình ở tiêu chí có điểm chấm chéo khác điểm tự chấm.")
    if score.final_points is not None:
        raise ValidationError("Điểm đã được chốt.")
    text = text.strip()
    if not text:
        raise ValidationError({"answer": "Nội dung giải trình không được để trống."})
    before = score.answer
    if before == text:
        return score
    _write(
        score,
        actor=actor,
        expected=version,
        what=f"Giải trình tiêu chí {score.criterion.code}",
        stored=lambda current: f"«{current.answer}»" if current.answer else "trống",
        answer=text,
    )
    record(
        actor=actor,
        verb="score.answer",
        target=score,
        group=assessment.emulation_year.group,
        data={
            "organization": assessment.organization.code,
            "criterion": score.criterion.code,
            "answer": [before, text],
        },
    )
    return score


@transaction.atomic
def settle(
    *, actor: User, score: Score, final_points: Decimal, note: str = "", version: int | None = None
) -> Score:
    """The secretariat's final score for one criterion; the last one settled moves the year on. With
    `version` (the row's version when the form was drawn), refused if someone saved the row since."""
    _settle(actor, score, final_points, note, version)
    advance_year(actor=actor, emulation_year=score.assessment.emulation_year)
    return score


def _settle(actor: User, score: Score, final_points: Decimal, note: str, version: int | None = None) -> None:
    assessment = score.assessment
    require(_is_runner(actor, assessment.emulation_year), "Chỉ thường trực cụm được chốt điểm.")
    _require_scoring_open(assessment.emulation_year, self_scoring=False)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError("Đơn vị chưa nộp bản tự chấm.")
    require_within_maximum(score, final_points, "final_points")
    before = score.final_points
    if (before, score.final_note) == (final_points, note.strip()):
        return
    _write(
        score,
        actor=actor,
        expected=version,
        what=f"Điểm chốt tiêu chí {score.criterion.code} của {assessment.organization}",
        stored=lambda current: _number(current.final_points),
        final_points=final_points,
        final_note=note.strip(),
    )
    record(
        actor=actor,
        verb="score.settle",
        target=score,
        group=assessment.emulation_year.group,
        data={
            "organization": assessment.organization.code,
            "criterion": score.criterion.code,
            "self": score.self_points,
            "reviewed": score.reviewed_points,
            "final": [before, final_points],
        },
    )


def agreed_to_settle(emulation_year: EmulationYear) -> list[tuple[Score, Decimal]]:
    """Every unsettled criterion where reviewer and member agree (or nobody reviewed), with the points it
    settles at: the reviewed score, else the self score. Disagreements wait for the secretariat."""
    scores = (
        Score.objects.filter(
            assessment__emulation_year=emulation_year,
            assessment__status=AssessmentStatus.SUBMITTED,
            final_points__isnull=True,
        )
        .select_related("criterion", "assessment__organization", "assessment__emulation_year__group")
        .order_by("assessment__organization__code", "pk")
    )
    return [
        (s, s.reviewed_points if s.reviewed_points is not None else s.self_points or Decimal(0))
        for s in scores
        if not s.disagrees
    ]


def _already_settled_words(emulation_year: EmulationYear) -> str:
    last = (
        Score.objects.filter(assessment__emulation_year=emulation_year, final_points__isnull=False)
        .select_related("changed_by")
        .order_by("-changed_at")
        .first()
    )
    if last is None or last.changed_at is None:
        return "Không còn tiêu chí thống nhất nào chờ chốt."
    who = f" bởi {last.changed_by}" if last.changed_by_id else ""
    return f"Các tiêu chí thống nhất đã được chốt lúc {moment(last.changed_at)}{who}; không còn tiêu chí nào chờ chốt."


def settling_fingerprint(agreed: list[tuple[Score, Decimal]]) -> str:
    """What settling the agreed criteria would lock: each criterion and the points it takes."""
    return rules.fingerprint((score.pk, points) for score, points in agreed)


@transaction.atomic
def settle_agreed(*, actor: User, emulation_year: EmulationYear, fingerprint: str | None = None) -> int:
    """Settle every agreed criterion (`agreed_to_settle`). With `fingerprint` (from the confirmation
    page), only if they are still the ones that page showed."""
    require(_is_runner(actor, emulation_year), "Chỉ thường trực cụm được chốt điểm.")
    _require_scoring_open(emulation_year, self_scoring=False)
    # One settling at a time per year: a second click waits, then finds nothing left, not 88 twins.
    EmulationYear.objects.select_for_update().filter(pk=emulation_year.pk).first()
    agreed = agreed_to_settle(emulation_year)
    if fingerprint is not None and not agreed:
        raise ValidationError(_already_settled_words(emulation_year))
    _require_unchanged(fingerprint, settling_fingerprint(agreed))
    for score, points in agreed:
        _settle(actor, score, points, "Thống nhất")
    advance_year(actor=actor, emulation_year=emulation_year)
    return len(agreed)


def sheet_totals(assessment: Assessment, scores: list[Score], *, reviewed: bool = False) -> rules.Total:
    """The self-scored total of a sheet (with `reviewed`, the cross-checked one), with the agreement's
    caps, from already-loaded scores."""
    agreement = assessment.agreement
    groups = {s.criterion.group_id: s.criterion.group.max_points for s in scores}
    return rules.total(
        [spec_of(s.criterion) for s in scores],
        {s.criterion.code: (s.reviewed_points if reviewed else s.self_points) or Decimal(0) for s in scores},
        {str(g): m for g, m in groups.items()},
        agreement.bonus_cap,
        agreement.penalty_cap,
    )
