"""A year's dossier (the secretariat assembles and sends it; the parent body returns it, records the
council's vote and the decision), and the parent body's pages: incoming dossiers, awards of a year."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.agreements.lookups import year_for_runner, year_for_viewer
from thidua.awards import excel, rules, services
from thidua.awards.forms import (
    CouncilVoteForm,
    DecisionForm,
    DocumentsForm,
    ProposalForm,
    ReportForm,
    ReturnForm,
)
from thidua.awards.models import Award, Dossier, DossierStatus, Proposal
from thidua.awards.parent_views import page_of, staff_parent
from thidua.organizations.models import (
    AwardForm,
    Organization,
    OrganizationName,
    Regulation,
)
from thidua.web.forms import apply_service_errors
from thidua.web.pagecache import cached_for_session
from thidua.years.models import EmulationYear


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _with_names(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.prefetch_related(
        Prefetch("names", queryset=OrganizationName.objects.order_by("valid_from"))
    )


def award_choices(emulation_year: EmulationYear) -> list[tuple[str, str]]:
    parent = emulation_year.group.parent.current_short_name
    return [(value, rules.parent_award_label(label, parent)) for value, label in AwardForm.choices]


def _members(emulation_year: EmulationYear) -> QuerySet[Organization]:
    return _with_names(
        Organization.objects.filter(
            memberships__group=emulation_year.group, memberships__year=emulation_year.year
        )
    )


def _dossier(emulation_year: EmulationYear) -> Dossier:
    return get_object_or_404(
        Dossier.objects.select_related("emulation_year__group__parent"), emulation_year=emulation_year
    )


def _back(slug: str, year: int) -> HttpResponse:
    return redirect("awards:dossier", slug=slug, year=year)


def _say(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _act(request: HttpRequest, slug: str, year: int, action: Callable[[], object], done: str) -> HttpResponse:
    """Run one service; its refusal is shown as it words it, its success as `done`; back to the dossier."""
    try:
        action()
    except ValidationError as error:
        _say(request, error)
    else:
        messages.success(request, done)
    return _back(slug, year)


@cached_for_session
@login_required
def dossier_detail(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_viewer(request, slug, year)
    group = emulation_year.group
    user = request.user
    can_run = permissions.can_run_year(user, group, year)
    is_staff = permissions.is_parent_staff(user, group.parent)
    dossier = (
        Dossier.objects.filter(emulation_year=emulation_year)
        .prefetch_related(
            "documents",
            Prefetch(
                "proposals",
                queryset=Proposal.objects.select_related("organization").prefetch_related(
                    "organization__names"
                ),
            ),
            "reports",
        )
        .first()
    )
    context: dict[str, Any] = {
        "emulation_year": emulation_year,
        "group": group,
        "dossier": dossier,
        "can_run": can_run,
        "is_staff": is_staff,
        "labels": dict(award_choices(emulation_year)),
        "nominations": [] if dossier else services.nominations(emulation_year),
    }
    if dossier is not None:
        proposals = list(dossier.proposals.all())
        mine = permissions.member_org_ids(user, group, year)
        proposed_ids = {p.organization_id for p in proposals}
        editable = dossier.status == DossierStatus.DRAFT
        reports_by_org: dict[int, list[Any]] = {}
        for report in dossier.reports.all():
            reports_by_org.setdefault(report.organization_id, []).append(report)
        context.update(
            proposals=[
                {
                    "proposal": p,
                    "name": p.organization.name_in_year(year),
                    "reports": reports_by_org.get(p.organization_id, []),
                }
                for p in proposals
            ],
            documents=sorted(dossier.documents.all(), key=lambda d: d.number or 0),
            problems=services.submission_problems(dossier) if editable else [],
            awards=list(
                dossier.awards.select_related("organization").prefetch_related("organization__names")
            ),
            threshold_words=_threshold_words(dossier),
            # What the council's threshold cites on the page: the regulation, when its source is a note.
            regulation=(
                Regulation.objects.in_force(group.parent, year) if dossier.council_voted_at else None
            ),
        )
        if editable and can_run:
            context["documents_form"] = DocumentsForm(
                documents=services.eligible_documents(emulation_year),
                initial={"documents": [d.pk for d in dossier.documents.all()]},
            )
            context["proposal_form"] = ProposalForm(
                members=_members(emulation_year), award_choices=award_choices(emulation_year)
            )
        reportable = mine & proposed_ids
        if editable and reportable:
            context["report_form"] = ReportForm(
                organizations=_with_names(Organization.objects.filter(pk__in=reportable))
            )
        if is_staff and dossier.status == DossierStatus.SUBMITTED and dossier.council_voted_at is None:
            context["return_form"] = ReturnForm()
    return render(request, "awards/dossier.html", context)


def _threshold_words(dossier: Dossier) -> str:
    threshold = dossier.council_threshold
    if threshold is None:
        return ""
    from thidua.conferences.rules import percent_words

    return f"từ {threshold.numerator}/{threshold.denominator} ({percent_words(threshold)}) tổng số thành viên Hội đồng trở lên"


@login_required
@require_POST
def dossier_create(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    try:
        dossier = services.create_dossier(actor=_user(request), emulation_year=emulation_year)
    except ValidationError as error:
        _say(request, error)
    else:
        messages.success(
            request, f"Đã lập hồ sơ; {dossier.proposals.count()} đề nghị lấy từ kết quả suy tôn."
        )
    return _back(slug, year)


@login_required
@require_POST
def dossier_documents(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    dossier = _dossier(emulation_year)
    form = DocumentsForm(request.POST, documents=services.eligible_documents(emulation_year))
    if not form.is_valid():
        messages.error(request, "Văn bản đã chọn không hợp lệ; hãy tải lại trang và chọn lại.")
        return _back(slug, year)
    return _act(
        request,
        slug,
        year,
        lambda: services.set_documents(
            actor=_user(request), dossier=dossier, documents=form.cleaned_data["documents"]
        ),
        "Đã lưu các văn bản trong hồ sơ.",
    )


@login_required
@require_POST
def proposal_add(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    dossier = _dossier(emulation_year)
    form = ProposalForm(
        request.POST, members=_members(emulation_year), award_choices=award_choices(emulation_year)
    )
    if not form.is_valid():
        messages.error(request, "Hãy chọn đơn vị và hình thức khen thưởng.")
        return _back(slug, year)
    return _act(
        request,
        slug,
        year,
        lambda: services.add_proposal(
            actor=_user(request),
            dossier=dossier,
            organization=form.cleaned_data["organization"],
            award_form=form.cleaned_data["award_form"],
        ),
        "Đã thêm đề nghị khen thưởng.",
    )


@login_required
@require_POST
def proposal_remove(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    proposal = get_object_or_404(Proposal, pk=pk, dossier__emulation_year=emulation_year)
    return _act(
        request,
        slug,
        year,
        lambda: services.remove_proposal(actor=_user(request), proposal=proposal),
        "Đã bỏ đề nghị khen thưởng.",
    )


@login_required
@require_POST
def report_upload(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_viewer(request, slug, year)
    dossier = _dossier(emulation_year)
    form = ReportForm(
        request.POST,
        request.FILES,
        organizations=Organization.objects.filter(pk__in=permissions.officer_org_ids(request.user)),
    )
    if not form.is_valid():
        permissions.require(
            bool(permissions.member_org_ids(request.user, emulation_year.group, year)),
            "Chỉ cán bộ của đơn vị được đề nghị mới tải báo cáo thành tích.",
        )
        messages.error(request, "Hãy chọn đơn vị và tệp báo cáo thành tích.")
        return _back(slug, year)
    try:
        report = services.add_achievement_report(
            actor=_user(request),
            dossier=dossier,
            organization=form.cleaned_data["organization"],
            upload=form.cleaned_data["file"],
        )
    except ValidationError as error:
        _say(request, error)
    else:
        messages.success(request, f"Đã lưu báo cáo thành tích «{report.original_name}».")
    return _back(slug, year)


@login_required
def report_file(request: HttpRequest, slug: str, year: int, pk: int) -> FileResponse:
    emulation_year = year_for_viewer(request, slug, year)
    dossier = _dossier(emulation_year)
    report = get_object_or_404(dossier.reports, pk=pk)
    extension = "pdf" if report.content_type == "application/pdf" else "docx"
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=f"bao-cao-thanh-tich-{report.pk}.{extension}",
        content_type=report.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def dossier_submit(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    dossier = _dossier(emulation_year)
    try:
        services.submit(actor=_user(request), dossier=dossier)
    except ValidationError as error:
        messages.error(request, "Chưa gửi được hồ sơ: " + " ".join(error.messages))
    else:
        messages.success(request, f"Đã gửi hồ sơ đến {emulation_year.group.parent.current_short_name}.")
    return _back(slug, year)


def _staff_dossier(request: HttpRequest, slug: str, year: int) -> Dossier:
    emulation_year = year_for_viewer(request, slug, year)
    permissions.require(
        permissions.is_parent_staff(request.user, emulation_year.group.parent), services.STAFF_ONLY
    )
    return _dossier(emulation_year)


@login_required
@require_POST
def dossier_return(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    dossier = _staff_dossier(request, slug, year)
    try:
        services.return_dossier(actor=_user(request), dossier=dossier, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _say(request, error)
    else:
        messages.success(request, "Đã trả lại hồ sơ cho thường trực cụm.")
    return _back(slug, year)


@login_required
def council_vote(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    dossier = _staff_dossier(request, slug, year)
    proposals = list(dossier.proposals.select_related("organization").prefetch_related("organization__names"))
    labelled = [(p, services.proposal_label(p)) for p in proposals]
    open_for_vote = dossier.status == DossierStatus.SUBMITTED
    regulation = services.regulation_of(dossier)
    initial: dict[str, Any] = {"members": dossier.council_members, "present": dossier.council_present}
    initial |= {f"votes_{p.pk}": p.votes_in_favour for p in proposals}
    form = CouncilVoteForm(request.POST or None, proposals=labelled, initial=initial)
    if request.method == "POST":
        if not open_for_vote:
            messages.error(request, "Hội đồng chỉ bỏ phiếu hồ sơ đã gửi và chưa có quyết định.")
            return _back(slug, year)
        if form.is_valid():
            try:
                services.record_council_vote(
                    actor=_user(request),
                    dossier=dossier,
                    members=form.cleaned_data["members"],
                    present=form.cleaned_data["present"],
                    votes=form.votes(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Đã ghi nhận kết quả bỏ phiếu của Hội đồng.")
                return _back(slug, year)
    threshold = regulation.council_threshold
    return render(
        request,
        "awards/council_vote.html",
        {
            "dossier": dossier,
            "emulation_year": dossier.emulation_year,
            "group": dossier.emulation_year.group,
            "form": form if open_for_vote else None,
            "regulation": regulation,
            "threshold": threshold,
            "example_needed": rules.votes_needed(threshold, 7),
        },
    )


@login_required
def decision(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    dossier = _staff_dossier(request, slug, year)
    ready = dossier.status == DossierStatus.SUBMITTED and dossier.council_voted_at is not None
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not ready:
            messages.error(request, "Chỉ ghi nhận quyết định cho hồ sơ đã gửi và đã được Hội đồng bỏ phiếu.")
            return _back(slug, year)
        if form.is_valid():
            try:
                awards = services.record_decision(
                    actor=_user(request),
                    dossier=dossier,
                    number=form.cleaned_data["number"],
                    date=form.cleaned_data["date"],
                    signer_name=form.cleaned_data["signer_name"],
                    signer_title=form.cleaned_data["signer_title"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"Đã ghi nhận quyết định; {len(awards)} đơn vị được khen thưởng.")
                return _back(slug, year)
    passed = list(
        dossier.proposals.filter(passed=True)
        .select_related("organization")
        .prefetch_related("organization__names")
    )
    return render(
        request,
        "awards/decision.html",
        {
            "dossier": dossier,
            "emulation_year": dossier.emulation_year,
            "group": dossier.emulation_year.group,
            "form": form if ready else None,
            "passed": [services.proposal_label(p) for p in passed],
        },
    )


# --- The parent body's pages


def _parent(request: HttpRequest, parent_code: str) -> Organization:
    return staff_parent(request, parent_code, services.STAFF_ONLY)


@login_required
def incoming(request: HttpRequest, parent_code: str) -> HttpResponse:
    """Dossiers sent by every group of the parent body, the ones waiting for a step first."""
    parent = _parent(request, parent_code)
    dossiers = (
        Dossier.objects.filter(emulation_year__group__parent=parent)
        .exclude(status=DossierStatus.DRAFT, submitted_at__isnull=True)
        .select_related("emulation_year__group")
        .prefetch_related("proposals")
        .order_by("-emulation_year__year", "emulation_year__group__kind", "emulation_year__group__number")
    )
    # The dossiers waiting for a step are few, at most one per group and year, and handled soon: listed whole.
    # The others pile up year after year, every group's, so they are paged as the parent body's other lists
    # are (issue 16).
    waiting = list(dossiers.filter(status=DossierStatus.SUBMITTED))
    others = page_of(request, dossiers.exclude(status=DossierStatus.SUBMITTED))
    years = sorted(
        set(
            Award.objects.filter(dossier__emulation_year__group__parent=parent).values_list("year", flat=True)
        ),
        reverse=True,
    )
    return render(
        request,
        "awards/incoming.html",
        {
            "parent": parent,
            "waiting": waiting,
            "others": others,
            "award_years": years,
            "this_year": timezone.localdate().year,
        },
    )


def _awards_of_year(parent: Organization, year: int) -> QuerySet[Award]:
    return (
        Award.objects.of_parent(parent.pk, year)
        .select_related("dossier__emulation_year__group")
        .prefetch_related(Prefetch("organization__names", queryset=OrganizationName.objects.all()))
        .order_by(
            "award_form",
            "dossier__emulation_year__group__kind",
            "dossier__emulation_year__group__number",
            "pk",
        )
    )


def _award_rows(parent: Organization, year: int, awards: Iterable[Award]) -> list[excel.AwardRow]:
    short = parent.current_short_name
    return [
        excel.AwardRow(
            form=rules.parent_award_label(a.get_award_form_display(), short),
            organization=a.organization.name_in_year(year),
            organization_code=a.organization.code,
            group=a.dossier.emulation_year.group.title,
            decision_number=a.decision_number,
            decision_date=a.decision_date,
            note=a.note,
        )
        for a in awards
    ]


def awards_of_year(parent: Organization, year: int) -> list[excel.AwardRow]:
    return _award_rows(parent, year, _awards_of_year(parent, year))


def _year_awards_page(
    request: HttpRequest, parent: Organization, year: int, *, export_error: str = "", status: int = 200
) -> HttpResponse:
    # A national parent body decides some 1,200 awards a year: the page shows 50 at a time, numbered
    # across the pages, and the workbook holds them all (issue 16).
    page = page_of(request, _awards_of_year(parent, year))
    return render(
        request,
        "awards/year_awards.html",
        {
            "parent": parent,
            "year": year,
            "items": page,
            "rows": _award_rows(parent, year, page.object_list),
            "first_number": page.start_index(),
            "export_error": export_error,
        },
        status=status,
    )


@login_required
def year_awards(request: HttpRequest, parent_code: str, year: int) -> HttpResponse:
    return _year_awards_page(request, _parent(request, parent_code), year)


@login_required
def year_awards_xlsx(request: HttpRequest, parent_code: str, year: int) -> HttpResponse:
    """The year's awards as a workbook; a year without any is said on the page instead of an empty file."""
    parent = _parent(request, parent_code)
    rows = awards_of_year(parent, year)
    if not rows:
        error = f"Năm {year} chưa có quyết định khen thưởng nào để xuất Excel. Hãy chọn năm khác."
        return _year_awards_page(request, parent, year, export_error=error, status=404)
    data = excel.awards_workbook(parent_name=parent.current_name, year=year, rows=rows)
    return HttpResponse(
        data,
        content_type=excel.XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="khen-thuong-{parent.code}-{year}.xlsx"'},
    )
