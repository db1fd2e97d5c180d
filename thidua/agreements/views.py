"""A group's agreement (drafting, signing, amending). Thin: permission → form →
service → response."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.agreements import amendments, selectors, services
from thidua.agreements.forms import (
    AgreementTextForm,
    AmendForm,
    CriterionForm,
    CriterionGroupForm,
    PaperSignForm,
    SignForm,
)
from thidua.agreements.lookups import year_for_drafter, year_for_viewer
from thidua.agreements.models import Agreement, AgreementStatus, Criterion, CriterionGroup
from thidua.agreements.template_data import DEFAULTS_NOTE
from thidua.lib.text import vietnamese_sort_key
from thidua.organizations.models import Organization
from thidua.organizations.selectors import heads_on
from thidua.web.forms import apply_service_errors
from thidua.web.versioning import (
    OVERWRITE_WORDS,
    StaleEdit,
    Versioned,
    parse_version,
    redrawn_data,
    who_and_when,
)
from thidua.years.models import EmulationYear


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


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
        "defaults_note": DEFAULTS_NOTE,
        "versions": list(emulation_year.agreements.order_by("version")),
        "members": members,
        # Offered only when there is something to copy: last year's signed agreement.
        "can_copy": agreement is None and can_run and services.previous_agreement(emulation_year) is not None,
    }
    if agreement is not None:
        # An amendment says, criterion by criterion, what it changes in the version it replaces.
        context["changes"] = amendments.diff_of(agreement)
        if agreement.status in (AgreementStatus.DRAFT, AgreementStatus.SIGNING):
            context["from_template"] = selectors.made_from_template(agreement)
            context["over"] = selectors.groups_over(agreement)
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
            # Offered: the union's head in office today (its «Lãnh đạo đơn vị»), else the profile's name.
            first = context["to_sign"][0]
            head = heads_on(organization_ids=[first.pk], day=timezone.localdate()).get(first.pk)
            context["sign_form"] = SignForm(
                initial={"signer_name": head[0].full_name, "signer_title": head[0].get_position_display()}
                if head
                else {"signer_name": first.head_name, "signer_title": first.head_title}
            )
        if can_run and agreement.status == AgreementStatus.DRAFT:
            context["text_form"] = AgreementTextForm(
                initial={
                    "version": agreement.row_version,
                    **{f: getattr(agreement, f) for f in services.AGREEMENT_TEXT_FIELDS},
                }
            )
            context["saved_by"] = who_and_when(agreement) if agreement.changed_at else ""
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


DELETE_AGAIN_WORDS = "Xem nội dung đang lưu bên dưới; bấm Xóa lần nữa nếu vẫn muốn xóa tiêu chí này."


def _draft(emulation_year: EmulationYear) -> Agreement:
    return get_object_or_404(emulation_year.agreements, status=AgreementStatus.DRAFT)


def _redisplay(request: HttpRequest, title: str, form: Any, saved: Versioned | None) -> HttpResponse:
    """The edit page again, with the form's errors and who saved the row last."""
    saved_by = who_and_when(saved) if saved is not None and saved.changed_at else ""
    return render(
        request, "organizations/form_page.html", {"form": form, "title": title, "saved_by": saved_by}
    )


@login_required
@require_POST
def agreement_text(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    agreement = _draft(emulation_year)
    form = AgreementTextForm(request.POST)
    if form.is_valid():
        try:
            services.update_agreement_text(
                actor=_user(request),
                agreement=agreement,
                values=form.service_values(),
                version=form.cleaned_data.get("version"),
            )
        except StaleEdit as stale:
            form = AgreementTextForm(redrawn_data(request.POST, stale))
            form.is_valid()
            form.add_error(None, [*stale.messages, OVERWRITE_WORDS])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu nội dung giao ước.")
            return redirect("years:agreement", slug=slug, year=year)
    return _redisplay(request, "Nội dung giao ước", form, agreement)


@login_required
def criterion_group_edit(request: HttpRequest, slug: str, year: int, pk: int | None = None) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    agreement = _draft(emulation_year)
    criterion_group = get_object_or_404(agreement.criterion_groups, pk=pk) if pk else None
    initial = (
        {
            "version": criterion_group.row_version,
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
                version=form.cleaned_data.get("version"),
            )
        except StaleEdit as stale:
            form = CriterionGroupForm(redrawn_data(request.POST, stale))
            form.is_valid()
            form.add_error(None, [*stale.messages, OVERWRITE_WORDS])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu nhóm tiêu chí.")
            return redirect("years:agreement", slug=slug, year=year)
    return _redisplay(request, "Nhóm tiêu chí", form, criterion_group)


@login_required
def criterion_edit(request: HttpRequest, slug: str, year: int, pk: int | None = None) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    agreement = _draft(emulation_year)
    criterion = get_object_or_404(agreement.criteria, pk=pk) if pk else None
    initial = (
        {"version": criterion.row_version, **{f: getattr(criterion, f) for f in services.CRITERION_FIELDS}}
        if criterion
        else None
    )
    groups = agreement.criterion_groups.all()
    form = CriterionForm(request.POST or None, initial=initial, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_criterion(
                actor=_user(request),
                agreement=agreement,
                criterion=criterion,
                values=form.cleaned_data,
                version=form.cleaned_data.get("version"),
            )
        except StaleEdit as stale:
            form = CriterionForm(redrawn_data(request.POST, stale), groups=groups)
            form.is_valid()
            form.add_error(None, [*stale.messages, OVERWRITE_WORDS])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu tiêu chí.")
            return redirect("years:agreement", slug=slug, year=year)
    return _redisplay(
        request, f"Tiêu chí {criterion.code}" if criterion else "Thêm tiêu chí", form, criterion
    )


@login_required
@require_POST
def criterion_delete(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    emulation_year = year_for_drafter(request, slug, year)
    criterion = get_object_or_404(Criterion.objects.filter(agreement=_draft(emulation_year)), pk=pk)
    try:
        services.delete_criterion(
            actor=_user(request), criterion=criterion, version=parse_version(request.POST.get("version"))
        )
    except StaleEdit as stale:
        # The page drawn again shows the criterion as stored, and its button the version now stored.
        messages.error(request, " ".join([*stale.messages, DELETE_AGAIN_WORDS]))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
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
