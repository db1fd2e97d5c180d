"""Score sheets: self-scoring with evidence, the reviewer's cross-check, the member's answers, and the
secretariat's settling. Thin views: permission → form → service → response.

Who sees a sheet: the member's own officers always; the secretariat and the parent body always; the
assigned reviewer once it is submitted. Nobody else, so no member reads another's draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.agreements.lookups import year_for_runner, year_for_viewer
from thidua.assessments import confirmations, rules, services
from thidua.assessments.confirmations import CONFIRMED, FINGERPRINT, render_confirmation
from thidua.assessments.forms import EvidenceForm, ReasonForm
from thidua.assessments.models import (
    AmendmentEffect,
    Assessment,
    AssessmentStatus,
    Evidence,
    ReviewAssignment,
    ReviewKind,
    Score,
)
from thidua.assessments.ranking import year_results
from thidua.lib.decimals import format_vietnamese_decimal, parse_vietnamese_decimal
from thidua.lib.text import vietnamese_sort_key
from thidua.organizations.models import Organization
from thidua.web.pagecache import cached_for_session
from thidua.web.versioning import StaleEdit, parse_version
from thidua.years.models import EmulationYear


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _assignment(emulation_year: EmulationYear, organization: Organization) -> ReviewAssignment | None:
    return (
        ReviewAssignment.objects.filter(emulation_year=emulation_year, reviewed=organization)
        .select_related("reviewer")
        .first()
    )


def _can_read_sheet(
    user: Any, emulation_year: EmulationYear, organization: Organization, assessment: Assessment | None
) -> bool:
    if permissions.is_officer_of(user, organization):
        return True
    if permissions.can_run_year(user, emulation_year.group, emulation_year.year):
        return True
    assignment = _assignment(emulation_year, organization)
    submitted = assessment is not None and assessment.status == AssessmentStatus.SUBMITTED
    return submitted and assignment is not None and permissions.is_officer_of(user, assignment.reviewer)


def _sheet_scores(assessment: Assessment) -> list[Score]:
    return list(
        assessment.scores.select_related("criterion", "criterion__group")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")))
        .order_by("criterion__group__position", "criterion__position")
    )


@dataclass
class Row:
    score: Score
    typed: str  # what the officer typed, kept when the form is refused
    error: str
    note: str  # the note as typed, kept likewise
    version: int  # the version the form carries for the row
    shown: str  # the digest of the row as first drawn: posted back unchanged, the row is left alone
    conflict: bool = False  # refused because someone saved the row after this form was drawn


def shown_digest(value: Decimal | None, note: str) -> str:
    return rules.fingerprint([(value, note.strip())])


def _rows(scores: list[Score], saved: SheetSave | None = None) -> list[Row]:
    """The sheet's rows as stored, but for the rows a refused save touched: those keep what was typed
    and the version their form was drawn from, so saving again cannot overwrite unseen changes. A row
    refused for a conflict is drawn at the stored version: saving it is a deliberate overwrite. A row
    whose stored value the user chose to keep is drawn as stored: saving again must not write back the
    value given up."""
    rows = []
    for s in scores:
        stored_version, stored_shown = s.version, shown_digest(s.self_value, s.note)
        row = Row(
            s,
            "" if s.self_value is None else format_vietnamese_decimal(s.self_value),
            "",
            s.note,
            stored_version,
            stored_shown,
        )
        if saved is not None and s.pk in saved.touched and s.pk not in saved.kept and not saved.saved_all:
            row.typed, row.note = saved.typed[s.pk], saved.notes[s.pk]
            row.error = saved.errors.get(s.pk, "")
            if s.pk in saved.conflicts:
                row.error, row.conflict = saved.conflicts[s.pk], True
            elif s.pk not in saved.written:
                row.version, row.shown = saved.touched[s.pk]
        rows.append(row)
    return rows


def _organization_in_year(emulation_year: EmulationYear, org_code: str) -> Organization:
    return get_object_or_404(
        Organization.objects.prefetch_related("names"),
        code=org_code,
        memberships__group=emulation_year.group,
        memberships__year=emulation_year.year,
    )


@cached_for_session
@login_required
def sheet(request: HttpRequest, slug: str, year: int, org_code: str) -> HttpResponse:
    emulation_year = year_for_viewer(request, slug, year)
    organization = _organization_in_year(emulation_year, org_code)
    assessment = Assessment.objects.filter(emulation_year=emulation_year, organization=organization).first()
    if assessment is not None:
        assessment.emulation_year = emulation_year  # the services read its stage: no second query
    permissions.require(
        _can_read_sheet(request.user, emulation_year, organization, assessment),
        "Bạn không được xem bảng điểm của đơn vị khác khi chưa được phân công chấm.",
    )
    is_own = permissions.is_officer_of(request.user, organization)
    name = organization.name_in_year(year)
    # Why the sheet takes no change at the year's stage (closed, or scores settled): shown on the page,
    # and the first visit of a finished year starts nothing.
    refusal = services.scoring_refusal(emulation_year)
    if assessment is None and is_own and not refusal:
        try:
            assessment = services.start_assessment(
                actor=_user(request), emulation_year=emulation_year, organization=organization
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("years:dashboard", slug=slug, year=year)
    if assessment is None:
        return render(
            request,
            "assessments/sheet.html",
            {
                "emulation_year": emulation_year,
                "organization": organization,
                "assessment": None,
                "name": name,
                "refusal": refusal,
            },
        )
    scores = _sheet_scores(assessment)
    saved: SheetSave | None = None
    if request.method == "POST" and request.POST.get("action") in ("save", "submit"):
        permissions.require(is_own, "Bạn chỉ được chấm điểm cho đơn vị mình.")
        saved = _save_sheet(request, assessment, scores)
        if saved.refusal:
            messages.error(request, "Chưa lưu: " + saved.refusal)
            assessment.refresh_from_db()
        elif saved.errors:
            messages.error(request, "Chưa lưu: có giá trị không hợp lệ, xem các dòng đánh dấu đỏ.")
        elif saved.conflicts:
            messages.warning(
                request,
                f"Đã lưu các dòng khác; {len(saved.conflicts)} dòng chưa lưu vì đã có người sửa sau khi bạn "
                "mở trang: xem các dòng đánh dấu đỏ và chọn giữ giá trị đang lưu hay ghi đè.",
            )
        else:
            messages.success(request, "Đã lưu bảng tự chấm.")
            if request.POST["action"] == "submit":  # what was typed is saved first, then confirmed
                return render_confirmation(request, confirmations.submission(assessment, name=name))
            return redirect(request.path)
        scores = _sheet_scores(assessment)  # what is stored now, others' saves included
    elif request.method == "POST" and request.POST.get("action") == "answer":
        permissions.require(is_own, "Bạn chỉ giải trình cho đơn vị mình.")
        try:
            with transaction.atomic():
                for score in scores:
                    text = request.POST.get(f"answer-{score.pk}", "").strip()
                    if score.disagrees and text and text != score.answer:
                        services.answer(
                            actor=_user(request),
                            score=score,
                            text=text,
                            version=parse_version(request.POST.get(f"version-{score.pk}")),
                        )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Đã gửi giải trình.")
            return redirect(request.path)
    results = year_results(emulation_year) if assessment.status == AssessmentStatus.SUBMITTED else None
    my_result = (
        next((m for m in results.members if m.organization.pk == organization.pk), None) if results else None
    )
    totals = services.sheet_totals(assessment, scores)
    return render(
        request,
        "assessments/sheet.html",
        {
            "emulation_year": emulation_year,
            "group": emulation_year.group,
            "organization": organization,
            "name": name,
            "assessment": assessment,
            "rows": _rows(scores, saved),
            "editable": is_own and assessment.status == AssessmentStatus.DRAFT and not refusal,
            "refusal": refusal,
            "is_own": is_own,
            "can_run": permissions.can_run_year(request.user, emulation_year.group, year),
            "problems": services.submission_problems(assessment)
            if assessment.status == AssessmentStatus.DRAFT
            else [],
            "evidence_form": EvidenceForm(),
            "reason_form": ReasonForm(),
            "totals": totals,
            "result": my_result,
            "assignment": _assignment(emulation_year, organization),
            "answerable": is_own
            and not services.scoring_refusal(emulation_year, self_scoring=False)
            and any(s.disagrees and s.final_points is None for s in scores),
            "effects": list(
                assessment.amendment_effects.filter(read_at__isnull=True).select_related("agreement")
            ),
            "retired": list(
                Score.history.filter(assessment=assessment, retired_by__isnull=False)
                .select_related("criterion", "retired_by")
                .order_by("criterion__group__position", "criterion__position")
            ),
        },
    )


@dataclass
class SheetSave:
    """What a save of the sheet did: the rows it touched, as typed, the refused rows and why."""

    typed: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    touched: dict[int, tuple[int, str]] = field(default_factory=dict)  # pk → the version and digest posted
    written: set[int] = field(default_factory=set)
    kept: set[int] = field(default_factory=set)  # refused rows whose stored value the user chose to keep
    errors: dict[int, str] = field(default_factory=dict)  # invalid values: nothing was saved
    conflicts: dict[int, str] = field(default_factory=dict)  # rows someone saved since: only these refused
    refusal: str = ""  # the whole sheet refused (submitted in another tab): nothing was saved

    @property
    def saved_all(self) -> bool:
        return not (self.errors or self.conflicts or self.refusal)


KEEP, OVERWRITE = "keep", "overwrite"


def _save_sheet(request: HttpRequest, assessment: Assessment, scores: list[Score]) -> SheetSave:
    """Invalid values refuse the whole form (DESIGN.md: a form writes everything or nothing); typed
    values survive. Rows posted back as they were drawn are left alone, so a stale tab never writes
    back what it showed; a changed row that someone saved since is refused alone, the others are kept
    (issue 13). The refused row then offers to keep the stored value or overwrite it."""
    result = SheetSave()
    parsed: dict[int, Decimal | None] = {}
    for score in scores:
        raw = request.POST.get(f"value-{score.pk}", "").strip()
        note = request.POST.get(f"note-{score.pk}", score.note)
        # Forms drawn before versions existed post no digest: compare with the stored row.
        shown = request.POST.get(f"shown-{score.pk}") or shown_digest(score.self_value, score.note)
        version = parse_version(request.POST.get(f"version-{score.pk}"))
        try:
            value = parse_vietnamese_decimal(raw) if raw else None
            if shown_digest(value, note) == shown:
                continue  # untouched in this form
            parsed[score.pk] = value
            if value is not None:
                rules.points(services.spec_of(score.criterion), value)
        except (ValueError, rules.ScoreError) as error:
            result.errors[score.pk] = str(error)
        result.typed[score.pk], result.notes[score.pk] = raw, note
        result.touched[score.pk] = (score.version if version is None else version, shown)
    if result.errors:
        return result
    actor = _user(request)
    try:
        with transaction.atomic():
            for score in scores:
                if score.pk not in result.touched:
                    continue
                value, note = parsed[score.pk], result.notes[score.pk]
                resolution = request.POST.get(f"resolve-{score.pk}")
                if resolution == KEEP:
                    services.keep_stored(actor=actor, score=score, refused_value=value, refused_note=note)
                    result.kept.add(score.pk)
                    continue
                try:
                    services.save_self_score(
                        actor=actor,
                        score=score,
                        value=value,
                        note=note,
                        version=result.touched[score.pk][0],
                        overwrite=resolution == OVERWRITE,
                    )
                except StaleEdit as error:
                    result.conflicts[score.pk] = " ".join(error.messages)
                else:
                    result.written.add(score.pk)
    except ValidationError as error:
        result.refusal = " ".join(error.messages)
        result.written.clear()
        result.kept.clear()
    return result


class _Rollback(Exception):
    """Undo the rows already saved when a later row is refused."""


def _own_assessment(request: HttpRequest, slug: str, year: int, org_code: str) -> Assessment:
    emulation_year = year_for_viewer(request, slug, year)
    organization = _organization_in_year(emulation_year, org_code)
    permissions.require(
        permissions.is_officer_of(request.user, organization), "Bạn chỉ được chấm điểm cho đơn vị mình."
    )
    return get_object_or_404(Assessment, emulation_year=emulation_year, organization=organization)


@login_required
@require_POST
def evidence_add(request: HttpRequest, slug: str, year: int, org_code: str, score_pk: int) -> HttpResponse:
    assessment = _own_assessment(request, slug, year, org_code)
    score = get_object_or_404(assessment.scores.select_related("criterion", "assessment"), pk=score_pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_evidence(actor=_user(request), score=score, upload=form.cleaned_data["file"])
        except ValidationError as error:
            messages.error(request, f"Tiêu chí {score.criterion.code}: " + " ".join(error.messages))
        else:
            messages.success(request, f"Đã thêm minh chứng cho tiêu chí {score.criterion.code}.")
    else:
        messages.error(request, f"Tiêu chí {score.criterion.code}: chưa chọn tệp minh chứng.")
    return redirect(f"{_sheet_url(slug, year, org_code)}#tc-{score.pk}")


def _sheet_url(slug: str, year: int, org_code: str) -> str:
    from django.urls import reverse

    return reverse("scoring:sheet", args=[slug, year, org_code])


@login_required
@require_POST
def evidence_remove(request: HttpRequest, slug: str, year: int, org_code: str, pk: int) -> HttpResponse:
    assessment = _own_assessment(request, slug, year, org_code)
    evidence = get_object_or_404(
        Evidence.objects.select_related("score__assessment"), pk=pk, score__assessment=assessment
    )
    try:
        services.remove_evidence(actor=_user(request), evidence=evidence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{_sheet_url(slug, year, org_code)}#tc-{evidence.score_id}")


@login_required
def evidence_download(request: HttpRequest, slug: str, year: int, org_code: str, pk: int) -> FileResponse:
    emulation_year = year_for_viewer(request, slug, year)
    organization = _organization_in_year(emulation_year, org_code)
    evidence = get_object_or_404(
        Evidence.objects.select_related("score__assessment"),
        pk=pk,
        score__assessment__organization=organization,
        score__assessment__emulation_year=emulation_year,
    )
    permissions.require(
        _can_read_sheet(request.user, emulation_year, organization, evidence.score.assessment)
    )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def submit(request: HttpRequest, slug: str, year: int, org_code: str) -> HttpResponse:
    """A first POST shows what submitting locks; only the confirmation's own POST submits."""
    assessment = _own_assessment(request, slug, year, org_code)
    refusal = services.scoring_refusal(assessment.emulation_year)
    if refusal:  # no confirmation page for what cannot be submitted
        messages.error(request, "Chưa nộp được: " + refusal)
        return redirect("scoring:sheet", slug=slug, year=year, org_code=org_code)
    if not request.POST.get(CONFIRMED):
        name = assessment.organization.name_in_year(year)
        return render_confirmation(request, confirmations.submission(assessment, name=name))
    try:
        services.submit(
            actor=_user(request), assessment=assessment, fingerprint=request.POST.get(FINGERPRINT, "")
        )
    except ValidationError as error:
        messages.error(request, "Chưa nộp được: " + " ".join(error.messages))
    else:
        messages.success(request, "Đã nộp bản tự chấm.")
    return redirect("scoring:sheet", slug=slug, year=year, org_code=org_code)


@login_required
@require_POST
def reopen(request: HttpRequest, slug: str, year: int, org_code: str) -> HttpResponse:
    emulation_year = year_for_viewer(request, slug, year)
    organization = _organization_in_year(emulation_year, org_code)
    assessment = get_object_or_404(
        Assessment.objects.select_related("emulation_year__group__parent"),
        emulation_year=emulation_year,
        organization=organization,
    )
    form = ReasonForm(request.POST)
    try:
        services.reopen(
            actor=_user(request),
            assessment=assessment,
            reason=request.POST.get("reason", "") if form.is_valid() else "",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Đã mở lại bản tự chấm.")
    return redirect("scoring:sheet", slug=slug, year=year, org_code=org_code)


@login_required
@require_POST
def effect_read(request: HttpRequest, slug: str, year: int, org_code: str, pk: int) -> HttpResponse:
    emulation_year = year_for_viewer(request, slug, year)
    organization = _organization_in_year(emulation_year, org_code)
    effect = get_object_or_404(
        AmendmentEffect.objects.select_related(
            "assessment__organization", "assessment__emulation_year__group"
        ),
        pk=pk,
        assessment__emulation_year=emulation_year,
        assessment__organization=organization,
    )
    services.mark_effect_read(actor=_user(request), effect=effect)
    messages.success(request, "Đã ghi nhận bạn đã xem các thay đổi do sửa đổi giao ước.")
    return redirect("scoring:sheet", slug=slug, year=year, org_code=org_code)


@cached_for_session
@login_required
def review(request: HttpRequest, slug: str, year: int, org_code: str) -> HttpResponse:
    """The reviewer's page: the member's scores, notes and evidence, and a checked score per criterion."""
    emulation_year = year_for_viewer(request, slug, year)
    organization = _organization_in_year(emulation_year, org_code)
    assignment = _assignment(emulation_year, organization)
    permissions.require(
        assignment is not None and permissions.is_officer_of(request.user, assignment.reviewer),
        "Đơn vị của bạn không được phân công chấm đơn vị này.",
    )
    assert assignment is not None
    assessment = Assessment.objects.filter(emulation_year=emulation_year, organization=organization).first()
    if assessment is None or assessment.status != AssessmentStatus.SUBMITTED:
        messages.error(request, f"{organization} chưa nộp bản tự chấm.")
        return redirect("years:dashboard", slug=slug, year=year)
    scores = _sheet_scores(assessment)
    name = organization.name_in_year(year)
    errors: dict[int, str] = {}
    typed: dict[int, ReviewRow] = {}
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "complete" and request.POST.get(CONFIRMED):
            try:
                services.complete_review(
                    actor=_user(request), assignment=assignment, fingerprint=request.POST.get(FINGERPRINT, "")
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Đã hoàn thành chấm chéo.")
            return redirect(request.path)
        if assignment.completed_at is not None:
            messages.error(request, services.completed_words(assignment))
            return redirect(request.path)
        typed, errors, conflicts = _save_review(request, scores, agree_all=action == "agree_all")
        if errors:
            messages.error(request, "Chưa lưu: xem các dòng đánh dấu đỏ.")
        elif conflicts:
            messages.warning(
                request,
                f"Đã lưu các dòng khác; {len(conflicts)} dòng chưa lưu vì đã có người sửa sau khi bạn mở "
                "trang: xem các dòng đánh dấu đỏ. Bấm «Lưu» lần nữa để ghi đè, hoặc tải lại trang để giữ "
                "giá trị đang lưu.",
            )
            scores = _sheet_scores(assessment)
            for score in scores:
                if score.pk in conflicts:  # drawn at the stored version: saving again overwrites, knowingly
                    typed[score.pk].version = score.version
                    typed[score.pk].shown = ReviewRow.drawn(score).shown
                else:
                    typed.pop(score.pk, None)
        else:
            messages.success(request, "Đã lưu điểm chấm chéo.")
            if action == "complete":  # what was typed is saved first, then confirmed
                confirmation = confirmations.review_completion(assignment, assessment, name=name)
                return render_confirmation(request, confirmation)
            return redirect(request.path)
    return render(
        request,
        "assessments/review.html",
        {
            "emulation_year": emulation_year,
            "group": emulation_year.group,
            "organization": organization,
            "name": name,
            "assignment": assignment,
            "rows": [typed.get(s.pk) or ReviewRow.drawn(s) for s in scores],
        },
    )


@dataclass
class ReviewRow:
    """One row of the review form: the score, and what its boxes hold (as typed, when refused)."""

    score: Score
    reviewed: str
    reason: str
    agree: bool
    version: int
    shown: str  # the digest of the row as drawn: posted back unchanged, the row is left alone
    error: str = ""

    @classmethod
    def drawn(cls, score: Score) -> ReviewRow:
        reviewed = score.reviewed_points
        return cls(
            score,
            "" if reviewed is None else format_vietnamese_decimal(reviewed),
            score.review_reason,
            reviewed is not None and reviewed == score.self_points,
            score.version,
            rules.fingerprint([(reviewed, score.review_reason.strip())]),
        )


def _save_review(
    request: HttpRequest, scores: list[Score], *, agree_all: bool
) -> tuple[dict[int, ReviewRow], dict[int, str], set[int]]:
    """Every row or none for invalid input; a row takes the self score when agreed to, the typed value
    otherwise (`rules.review_points`), and an empty untouched row stays unreviewed, so partial saves
    work. A row posted back as drawn is left alone; a changed row someone saved since is refused alone
    (issue 13)."""
    typed: dict[int, ReviewRow] = {}
    errors: dict[int, str] = {}
    conflicts: set[int] = set()
    try:
        with transaction.atomic():
            for score in scores:
                raw = request.POST.get(f"reviewed-{score.pk}", "").strip()
                reason = request.POST.get(f"reason-{score.pk}", "")
                agree = bool(request.POST.get(f"agree-{score.pk}"))
                drawn = ReviewRow.drawn(score)
                version = parse_version(request.POST.get(f"version-{score.pk}"))
                row = typed[score.pk] = ReviewRow(
                    score,
                    raw,
                    reason,
                    agree or (agree_all and score.reviewed_points is None and not raw),
                    score.version if version is None else version,
                    request.POST.get(f"shown-{score.pk}") or drawn.shown,
                )
                try:
                    points = rules.review_points(
                        self_points=score.self_points,
                        reviewed=score.reviewed_points,
                        typed=parse_vietnamese_decimal(raw) if raw else None,
                        agree=agree,
                        agree_all=agree_all,
                    )
                    if points is not None and rules.fingerprint([(points, reason.strip())]) != row.shown:
                        services.save_review(
                            actor=_user(request),
                            score=score,
                            reviewed_points=points,
                            reason=reason,
                            version=row.version,
                        )
                except StaleEdit as error:
                    row.error = " ".join(error.messages)
                    conflicts.add(score.pk)
                except (ValueError, ValidationError) as error:
                    row.error = errors[score.pk] = (
                        " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                    )
            if errors:
                raise _Rollback
    except _Rollback:
        pass
    return typed, errors, conflicts


@login_required
def assign(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    appraisal = request.GET.get("hinh-thuc") == "tham-dinh"
    members = {
        m.pk: m
        for m in Organization.objects.filter(
            memberships__group=emulation_year.group, memberships__year=year
        ).prefetch_related("names")
    }
    try:
        proposal = services.propose_reviewers(emulation_year, appraisal=appraisal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        proposal = services.propose_reviewers(emulation_year)
    current = {a.reviewed_id: a for a in ReviewAssignment.objects.filter(emulation_year=emulation_year)}
    if request.method == "POST":
        chosen = []
        for reviewed in members.values():
            reviewer_pk = request.POST.get(f"reviewer-{reviewed.pk}", "")
            reviewer = members.get(int(reviewer_pk)) if reviewer_pk.isdigit() else None
            if reviewer is None:
                messages.error(request, f"{reviewed}: chưa chọn đơn vị chấm.")
                return redirect(request.get_full_path())
            kind = (
                ReviewKind.APPRAISAL if request.POST.get("kind") == ReviewKind.APPRAISAL else ReviewKind.PEER
            )
            chosen.append(services.ProposedAssignment(reviewed, reviewer, kind))
        try:
            services.assign_reviewers(actor=_user(request), emulation_year=emulation_year, assignments=chosen)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Đã phân công chấm chéo.")
            return redirect("years:dashboard", slug=slug, year=year)
    proposed = {p.reviewed.pk: p.reviewer.pk for p in proposal}
    rows = sorted(
        (
            {
                "reviewed": m,
                "name": m.name_in_year(year),
                "selected": current[m.pk].reviewer_id
                if m.pk in current and not request.GET.get("hinh-thuc")
                else proposed.get(m.pk),
            }
            for m in members.values()
        ),
        key=lambda r: vietnamese_sort_key(str(r["name"])),
    )
    return render(
        request,
        "assessments/assign.html",
        {
            "emulation_year": emulation_year,
            "group": emulation_year.group,
            "rows": rows,
            "members": sorted(members.values(), key=lambda m: vietnamese_sort_key(m.name_in_year(year))),
            "appraisal": appraisal,
            "kind": ReviewKind.APPRAISAL if appraisal else ReviewKind.PEER,
            "has_current": bool(current),
        },
    )


@login_required
def settle_all(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    if request.method == "POST":  # a first POST shows what settling locks; the confirmation's POST settles
        if not request.POST.get(CONFIRMED):
            return render_confirmation(request, confirmations.settling(emulation_year))
        try:
            count = services.settle_agreed(
                actor=_user(request),
                emulation_year=emulation_year,
                fingerprint=request.POST.get(FINGERPRINT, ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Đã chốt {count} tiêu chí không có ý kiến khác.")
        return redirect(request.path)
    results = year_results(emulation_year)
    pending = (
        Score.objects.filter(
            assessment__emulation_year=emulation_year,
            assessment__status=AssessmentStatus.SUBMITTED,
            final_points__isnull=True,
        )
        .select_related("criterion", "assessment__organization")
        .order_by("assessment__organization__code", "criterion__code")
    )
    return render(
        request,
        "assessments/settle.html",
        {
            "emulation_year": emulation_year,
            "group": emulation_year.group,
            "results": results,
            "pending": pending,
        },
    )


@login_required
@require_POST
def settle_score(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    score = get_object_or_404(
        Score.objects.select_related(
            "criterion", "assessment__organization", "assessment__emulation_year__group"
        ),
        pk=pk,
        assessment__emulation_year=emulation_year,
    )
    note = request.POST.get("note", "")
    version = parse_version(request.POST.get("version"))
    try:
        points = parse_vietnamese_decimal(request.POST.get("final_points", ""))
        if not request.POST.get(CONFIRMED):  # a first POST shows what settling locks
            services.require_within_maximum(score, points)
            return render_confirmation(
                request, confirmations.settling_one(score, final_points=points, note=note, version=version)
            )
        services.settle(actor=_user(request), score=score, final_points=points, note=note, version=version)
    except ValueError as error:
        messages.error(request, f"{score.criterion.code}: {error}")
    except ValidationError as error:
        messages.error(request, f"{score.criterion.code}: " + " ".join(error.messages))
    else:
        messages.success(
            request, f"Đã chốt tiêu chí {score.criterion.code} của {score.assessment.organization}."
        )
    return redirect("scoring:settle_all", slug=slug, year=year)
