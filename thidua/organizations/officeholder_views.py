"""An organization's officeholders (lãnh đạo đơn vị): the list by date, one term added or corrected by
hand, or many from an .xlsx, all or nothing (issue 15, part 2). The documents print the signer in office
on their date from this list."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.organizations import excel, services
from thidua.organizations.forms import OfficeholderForm
from thidua.organizations.models import Officeholder, Organization
from thidua.web.forms import apply_service_errors


class OfficeholderUploadForm(forms.Form):
    file = forms.FileField(
        label="Tệp Excel (.xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{excel.XLSX_CONTENT_TYPE}"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = excel.max_import_bytes()
        if upload.size > limit:  # refused before the bytes are read into memory
            raise forms.ValidationError(
                f"Tệp nặng {excel.size_words(upload.size)}, vượt giới hạn {excel.size_words(limit)}."
            )
        return upload


def _editable(request: HttpRequest, code: str) -> Organization:
    organization = get_object_or_404(Organization.objects.prefetch_related("names"), code=code)
    permissions.require(
        permissions.can_edit_profile(request.user, organization), services.OFFICEHOLDER_DENIED
    )
    return organization


def _input(form: OfficeholderForm) -> services.OfficeholderInput:
    data = form.cleaned_data
    return services.OfficeholderInput(
        data["full_name"], data["position"], data["started_on"], data["ended_on"], data["source"]
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def officeholder_list(request: HttpRequest, code: str) -> HttpResponse:
    """The terms, newest first, with a form to add one and a form to load many from an .xlsx."""
    organization = _editable(request, code)
    form = OfficeholderForm(request.POST if request.POST.get("action") == "add" else None)
    upload = OfficeholderUploadForm(
        request.POST if request.POST.get("action") == "import" else None,
        request.FILES if request.POST.get("action") == "import" else None,
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            services.add_officeholders(actor=_user(request), organization=organization, inputs=[_input(form)])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã thêm {form.cleaned_data['full_name']}.")
            return redirect("organizations:officeholder_list", code=code)
    if request.method == "POST" and upload.is_bound and upload.is_valid():
        parsed = excel.parse_officeholder_workbook(upload.cleaned_data["file"].read())
        problems = [str(p) for p in parsed.problems]
        if parsed.ok:
            try:
                added = services.add_officeholders(
                    actor=_user(request), organization=organization, inputs=parsed.inputs
                )
            except ValidationError as error:
                problems = list(error.messages)
            else:
                messages.success(request, f"Đã nhập {len(added)} nhiệm kỳ từ tệp.")
                return redirect("organizations:officeholder_list", code=code)
    holders = organization.officeholders.order_by("position", "-started_on", "pk")
    return render(
        request,
        "organizations/officeholders.html",
        {
            "organization": organization,
            "holders": holders,
            "form": form,
            "upload": upload,
            "problems": problems,
            "sheet": excel.OFFICEHOLDER_SHEET,
            "headers": excel.OFFICEHOLDER_HEADERS,
        },
        status=422 if problems else 200,
    )


@login_required
def officeholder_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Correct a term, or end it by giving its last day."""
    organization = _editable(request, code)
    holder = get_object_or_404(Officeholder, pk=pk, organization=organization)
    form = OfficeholderForm(request.POST or None, initial=OfficeholderForm.initial_for(holder))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_officeholder(actor=_user(request), officeholder=holder, value=_input(form))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã lưu {form.cleaned_data['full_name']}.")
            return redirect("organizations:officeholder_list", code=code)
    return render(
        request,
        "organizations/form_page.html",
        {"form": form, "title": f"Sửa nhiệm kỳ — {holder} — {organization}"},
    )


@login_required
@require_POST
def officeholder_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    organization = _editable(request, code)
    holder = get_object_or_404(Officeholder, pk=pk, organization=organization)
    services.remove_officeholder(actor=_user(request), officeholder=holder)
    messages.success(request, f"Đã bỏ {holder}.")
    return redirect("organizations:officeholder_list", code=code)


@login_required
def officeholder_template(request: HttpRequest, code: str) -> HttpResponse:
    _editable(request, code)
    response = HttpResponse(excel.officeholder_template(), content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{excel.OFFICEHOLDER_TEMPLATE_FILENAME}"'
    return response
