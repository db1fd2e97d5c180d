"""A group's year: dashboard, agreement (drafting, signing, amending). Thin: permission → form →
service → response."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.agreements import services
from thidua.agreements.forms import (
    AgreementTextForm,
    AmendForm,
    CriterionForm,
    CriterionGroupForm,
    DeadlinesForm,
    OpenYearForm,
    PaperSignForm,
    SignForm,
)
from thidua.agreements.lookups import group_or_404, year_for_drafter, year_for_runner, year_for_viewer
from thidua.agreements.models import Agreement, AgreementStatus, Criterion, CriterionGroup
from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment
from thidua.lib.text import vietnamese_sort_key
from thidua.organizations.models import Organization
from thidua.web.forms import apply_service_errors
from thidua.web.pagecache import cached_for_session_with
from thidua.years import services as year_services
from thidua.years.models import EmulationYear
from thidua.years.selectors import year_stages
from thidua.years.services import advance_year


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@dataclass
class MemberStatus:
    organization: Organization
    name: str
    signed: bool
    assessment: Assessment | None
    reviewer: Organization | None
    reviewed: bool
    disagreements: int
    unanswered: int
    unsettled: int


@login_required
def open_year(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_or_404(slug)
    this_year = timezone.localdate().year
    permissions.require(
        any(permissions.can_open_year(request.user, group, y) for y in (this_year, this_year + 1)),
        "Chỉ cụm trưởng, cụm phó năm trước hoặc cơ quan cấp trên được mở năm thi đua.",
    )
    proposed = (
        this_year + 1 if EmulationYear.objects.filter(group=group, year=this_year).exists() else this_year
    )
    form = OpenYearForm(request.POST or None, initial={"year": proposed})
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data.pop("year")
        try:
            year_services.open_year(actor=_user(request), group=group, year=year, deadlines=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã mở năm thi đua {year}.")
            return redirect("years:dashboard", slug=group.slug, year=year)
    return render(
        request, "organizations/form_page.html", {"form": form, "title": f"Mở năm thi đua — {group}"}
    )


def _deadline_rows(emulation_year: EmulationYear) -> list[dict[str, Any]]:
    today = timezone.localdate()
    labels = [
        ("signing_due", "Ký giao ước"),
        ("self_scoring_due", "Tự chấm điểm"),
        ("review_due", "Chấm chéo"),
        ("answer_due", "Giải trình"),
        ("conference_date", "Hội nghị tổng kết"),
        ("dossier_due", "Gửi hồ sơ khen thưởng"),
    ]
    return [
        {
            "label": label,
            "date": getattr(emulation_year, name),
            "past": getattr(emulation_year, name) and getattr(emulation_year, name) < today,
        }
        for name, label in labels
    ]


@login_required
@cached_for_session_with(lambda: timezone.localdate().isoformat())
def dashboard(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Where every member stands, what is overdue, and the next step for whoever is looking."""
    emulation_year = year_for_viewer(request, slug, year)
    group = emulation_year.group
    today = timezone.localdate()
    agreement = (
        emulation_year.agreements.exclude(status=AgreementStatus.SUPERSEDED).order_by("-version").first()
    )
    signed_ids = set(agreement.signatures.values_list("organization_id", flat=True)) if agreement else set()
    members = list(
        Organization.objects.filter(memberships__group=group, memberships__year=year).prefetch_related(
            "names"
        )
    )
    assessments = {
        a.organization_id: a
        for a in Assessment.objects.filter(emulation_year=emulation_year).annotate(
            disagreements=Count(
                "scores",
                filter=Q(scores__reviewed_points__isnull=False)
                & ~Q(scores__reviewed_points=F("scores__self_points")),
            ),
            unanswered=Count(
                "scores",
                filter=Q(scores__reviewed_points__isnull=False)
                & ~Q(scores__reviewed_points=F("scores__self_points"))
                & Q(scores__answer=""),
            ),
            unsettled=Count("scores", filter=Q(scores__final_points__isnull=True)),
        )
    }
    assignments = {
        a.reviewed_id: a
        for a in ReviewAssignment.objects.filter(emulation_year=emulation_year).select_related("reviewer")
    }
    rows = []
    for member in members:
        assessment = assessments.get(member.pk)
        assignment = assignments.get(member.pk)
        rows.append(
            MemberStatus(
                organization=member,
                name=member.name_in_year(year),
                signed=member.pk in signed_ids,
                assessment=assessment,
                reviewer=assignment.reviewer if assignment else None,
                reviewed=bool(assignment and assignment.completed_at),
                disagreements=getattr(assessment, "disagreements", 0),
                unanswered=getattr(assessment, "unanswered", 0),
                unsettled=getattr(assessment, "unsettled", 0),
            )
        )
    rows.sort(key=lambda r: vietnamese_sort_key(r.name))
    mine = permissions.member_org_ids(request.user, group, year)
    overdue = []
    if (
        emulation_year.signing_due
        and emulation_year.signing_due < today
        and agreement
        and agreement.status == AgreementStatus.SIGNING
    ):
        overdue += [f"{r.name}: chưa ký giao ước" for r in rows if not r.signed]
    if emulation_year.self_scoring_due and emulation_year.self_scoring_due < today:
        overdue += [
            f"{r.name}: chưa nộp bản tự chấm"
            for r in rows
            if r.assessment is None or r.assessment.status != AssessmentStatus.SUBMITTED
        ]
    if emulation_year.review_due and emulation_year.review_due < today:
        overdue += [
            f"{r.reviewer}: chưa chấm chéo xong {r.name}" for r in rows if r.reviewer and not r.reviewed
        ]
    return render(
        request,
        "agreements/dashboard.html",
        {
            "emulation_year": emulation_year,
            "group": group,
            "agreement": agreement,
            "rows": rows,
            "mine": mine,
            "deadlines": _deadline_rows(emulation_year),
            "stages": year_stages(emulation_year=emulation_year),
            "overdue": overdue,
            "can_run": permissions.can_run_year(request.user, group, year),
            "deadlines_form": DeadlinesForm(
                initial={f: getattr(emulation_year, f) for f in year_services.DEADLINE_FIELDS}
            ),
            "summary_url": _optional_url("score_summary:summary", group.slug, year),
            "reviewing_for": [
                a for a in assignments.values() if a.reviewer_id in permissions.officer_org_ids(request.user)
            ],
        },
    )


def _optional_url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
@require_POST
def advance(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The secretariat asks the year to move on; it moves as far as the work allows, or says what is
    missing and who must do it."""
    emulation_year = year_for_runner(request, slug, year)
    report = advance_year(actor=_user(request), emulation_year=emulation_year)
    if report.moved:
        messages.success(
            request, f"Năm thi đua đã chuyển sang giai đoạn: {emulation_year.get_stage_display()}."
        )
    if report.gate is not None and not report.gate.done:
        who = f" Người thực hiện: {report.gate.who}." if report.gate.who else ""
        messages.warning(
            request,
            f"Chưa chuyển được khỏi giai đoạn {emulation_year.get_stage_display()}: "
            + " ".join(report.gate.missing)
            + who,
        )
    return redirect("years:dashboard", slug=slug, year=year)


@login_required
@require_POST
def deadlines(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    form = DeadlinesForm(request.POST)
    if form.is_valid():
        year_services.set_deadlines(
            actor=_user(request), emulation_year=emulation_year, deadlines=form.cleaned_data
        )
        messages.success(request, "Đã lưu các mốc thời gian.")
    else:
        messages.error(request, "Ngày không hợp lệ.")
    return redirect("years:dashboard", slug=slug, year=year)


def _agreement_for(emulation_year: EmulationYear, version: int | None) -> Agreement | None:
    agreements = emulation_year.agreements.prefetch_related(
        Prefetch("criterion_groups", queryset=CriterionGroup.objects.prefetch_related("criteria")),
        Prefetch("signatures"),
    )
    if version is not None:
        return get_object_or_404(agreements, version=version)
    return agreements.exclude(status=AgreementStatus.SUPERSEDED).order_by("-version").first()


@login_required
def agreement_detail(request: HttpRequest, slug: str, year: int, version: int | None = None) -> HttpResponse:
    emulation_year = year_for_viewer(request, slug, year)
    group = emulation_year.group
    agreement = _agreement_for(emulation_year, version)
    can_run = permissions.can_run_year(request.user, group, year)
    members = sorted(
        services.members_of(emulation_year), key=lambda o: vietnamese_sort_key(o.name_in_year(year))
    )
    context: dict[str, Any] = {
        "emulation_year": emulation_year,
        "group": group,
        "agreement": agreement,
        "can_run": can_run,
        "versions": list(emulation_year.agreements.order_by("version")),
        "members": members,
    }
    if agreement is not None:
        signatures = {s.organization_id: s for s in agreement.signatures.all()}
        context["signature_rows"] = [
            {"organization": m, "name": m.name_in_year(year), "signature": signatures.get(m.pk)}
            for m in members
        ]
        mine = [m for m in members if m.pk in permissions.member_org_ids(request.user, group, year)]
        context["to_sign"] = (
            [m for m in mine if m.pk not in signatures] if agreement.status == AgreementStatus.SIGNING else []
        )
        if context["to_sign"]:
            first = context["to_sign"][0]
            context["sign_form"] = SignForm(
                initial={"signer_name": first.head_name, "signer_title": first.head_title}
            )
        if can_run and agreement.status == AgreementStatus.DRAFT:
            context["text_form"] = AgreementTextForm(
                initial={f: getattr(agreement, f) for f in services.AGREEMENT_TEXT_FIELDS}
            )
            context["group_form"] = CriterionGroupForm()
            context["criterion_form"] = CriterionForm(groups=agreement.criterion_groups.all())
        if can_run and agreement.status == AgreementStatus.SIGNING:
            unsigned = Organization.objects.filter(pk__in=[m.pk for m in members if m.pk not in signatures])
            context["paper_form"] = PaperSignForm(unsigned=unsigned)
        if can_run and agreement.status == AgreementStatus.IN_FORCE:
            context["amend_form"] = AmendForm()
    return render(request, "agreements/agreement.html", context)


@login_required
@require_POST
def agreement_create(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    try:
        if request.POST.get("source") == "copy":
            services.copy_previous_agreement(actor=_user(request), emulation_year=emulation_year)
        else:
            services.create_agreement_from_template(actor=_user(request), emulation_year=emulation_year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("years:agreement", slug=slug, year=year)


def _draft(emulation_year: EmulationYear) -> Agreement:
    return get_object_or_404(emulation_year.agreements, status=AgreementStatus.DRAFT)


def _redisplay(request: HttpRequest, slug: str, year: int, title: str, form: Any) -> HttpResponse:
    return render(request, "organizations/form_page.html", {"form": form, "title": title})


@login_required
@require_POST
def agreement_text(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    agreement = _draft(emulation_year)
    form = AgreementTextForm(request.POST)
    if form.is_valid():
        try:
            services.update_agreement_text(
                actor=_user(request), agreement=agreement, values=form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu nội dung giao ước.")
            return redirect("years:agreement", slug=slug, year=year)
    return _redisplay(request, slug, year, "Nội dung giao ước", form)


@login_required
def criterion_group_edit(request: HttpRequest, slug: str, year: int, pk: int | None = None) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    agreement = _draft(emulation_year)
    criterion_group = get_object_or_404(agreement.criterion_groups, pk=pk) if pk else None
    initial = (
        {
            "code": criterion_group.code,
            "title": criterion_group.title,
            "max_points": criterion_group.max_points,
        }
        if criterion_group
        else None
    )
    form = CriterionGroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_criterion_group(
                actor=_user(request),
                agreement=agreement,
                criterion_group=criterion_group,
                values=form.cleaned_data,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu nhóm tiêu chí.")
            return redirect("years:agreement", slug=slug, year=year)
    return _redisplay(request, slug, year, "Nhóm tiêu chí", form)


@login_required
def criterion_edit(request: HttpRequest, slug: str, year: int, pk: int | None = None) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    agreement = _draft(emulation_year)
    criterion = get_object_or_404(agreement.criteria, pk=pk) if pk else None
    initial = {f: getattr(criterion, f) for f in services.CRITERION_FIELDS} if criterion else None
    form = CriterionForm(request.POST or None, initial=initial, groups=agreement.criterion_groups.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.save_criterion(
                actor=_user(request), agreement=agreement, criterion=criterion, values=form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu tiêu chí.")
            return redirect("years:agreement", slug=slug, year=year)
    return _redisplay(
        request, slug, year, f"Tiêu chí {criterion.code}" if criterion else "Thêm tiêu chí", form
    )


@login_required
@require_POST
def criterion_delete(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    criterion = get_object_or_404(Criterion.objects.filter(agreement=_draft(emulation_year)), pk=pk)
    services.delete_criterion(actor=_user(request), criterion=criterion)
    messages.success(request, f"Đã xóa tiêu chí {criterion.code}.")
    return redirect("years:agreement", slug=slug, year=year)


@login_required
@require_POST
def open_signing(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    try:
        services.open_for_signing(actor=_user(request), agreement=_draft(emulation_year))
        messages.success(request, "Giao ước đã mở để các đơn vị ký.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("years:agreement", slug=slug, year=year)


@login_required
@require_POST
def sign(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_viewer(request, slug, year)
    agreement = get_object_or_404(emulation_year.agreements, status=AgreementStatus.SIGNING)
    organization = get_object_or_404(Organization, code=request.POST.get("organization", ""))
    permissions.require(permissions.is_officer_of(request.user, organization), "Bạn chỉ ký cho đơn vị mình.")
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.sign(
                actor=_user(request),
                agreement=agreement,
                organization=organization,
                signer_name=form.cleaned_data["signer_name"],
                signer_title=form.cleaned_data["signer_title"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{organization} đã ký giao ước.")
    else:
        messages.error(request, "Cần ghi người ký, chức vụ và đánh dấu xác nhận.")
    return redirect("years:agreement", slug=slug, year=year)


@login_required
@require_POST
def sign_paper(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    agreement = get_object_or_404(emulation_year.agreements, status=AgreementStatus.SIGNING)
    form = PaperSignForm(request.POST, request.FILES, unsigned=Organization.objects.all())
    if form.is_valid():
        try:
            services.record_paper_signing(actor=_user(request), agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Đã ghi nhận chữ ký giấy.")
    else:
        problems = [
            f"{form.fields[f].label}: {' '.join(str(m) for m in errors)}" for f, errors in form.errors.items()
        ]
        messages.error(request, "; ".join(problems))
    return redirect("years:agreement", slug=slug, year=year)


@login_required
@require_POST
def amend(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    agreement = get_object_or_404(emulation_year.agreements, status=AgreementStatus.IN_FORCE)
    form = AmendForm(request.POST)
    if form.is_valid():
        try:
            services.amend(actor=_user(request), agreement=agreement, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Đã lập dự thảo sửa đổi; các đơn vị sẽ ký lại khi mở ký.")
    return redirect("years:agreement", slug=slug, year=year)
