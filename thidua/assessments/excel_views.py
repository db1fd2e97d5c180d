"""Score sheets in Excel: download a member's sheet, import it back (upload → preview → confirm), and
download the year's summary. Included under `nam-thi-dua/<slug:slug>/<int:year>/`.

Between preview and confirm the uploaded bytes stay on the server (default storage,
`imports/scores/<uuid>.xlsx`), as in the registry import; the page carries only the uuid, and confirm
parses the bytes again inside the service's transaction.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.agreements.lookups import year_for_viewer
from thidua.assessments import services
from thidua.assessments.excel import score_sheet_filename, score_sheet_workbook, summary_filename
from thidua.assessments.excel_reading import ScoreSheetImport, parse_score_sheet
from thidua.assessments.excel_summary import summary_workbook
from thidua.assessments.importing import NOT_DRAFT, ImportRejected, apply_score_sheet
from thidua.assessments.models import Assessment, AssessmentStatus
from thidua.assessments.ranking import year_results
from thidua.organizations.excel import XLSX_CONTENT_TYPE, max_import_bytes, size_words
from thidua.organizations.import_views import LOST_UPLOAD, ConfirmForm, UploadForm
from thidua.organizations.models import Organization
from thidua.years.models import EmulationYear

STORAGE_DIR = "imports/scores"
NOT_STARTED = (
    "Đơn vị chưa có bản tự chấm năm {year}. Hãy tải bảng điểm Excel về (phần mềm lập bản tự chấm khi tải), "
    "điền rồi nhập lại."
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _year_and_member(slug: str, year: int, org_code: str) -> tuple[EmulationYear, Organization]:
    emulation_year = get_object_or_404(
        EmulationYear.objects.select_related("group", "group__parent"), group__slug=slug, year=year
    )
    organization = get_object_or_404(
        Organization.objects.prefetch_related("names"),
        code=org_code,
        memberships__group=emulation_year.group,
        memberships__year=year,
    )
    return emulation_year, organization


def _assessment(emulation_year: EmulationYear, organization: Organization) -> Assessment | None:
    return (
        Assessment.objects.select_related("organization", "agreement", "emulation_year__group")
        .filter(emulation_year=emulation_year, organization=organization)
        .first()
    )


def _attachment(data: bytes, filename: str) -> HttpResponse:
    return HttpResponse(
        data,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _refusal(request: HttpRequest, title: str, message: str) -> HttpResponse:
    body = render_to_string(
        "error.html", {"status": 400, "title": title, "message": message}, request=request
    )
    return HttpResponse(body, status=400)


@login_required
def export(request: HttpRequest, slug: str, year: int, org_code: str) -> HttpResponse:
    """The member's score sheet; the first download starts the assessment (one empty score per criterion)."""
    emulation_year, organization = _year_and_member(slug, year, org_code)
    user = request.user
    permissions.require(
        permissions.is_officer_of(user, organization)
        or permissions.can_run_year(user, emulation_year.group, year),
        "Chỉ cán bộ thi đua của đơn vị, thường trực cụm và cơ quan cấp trên được tải bảng điểm này.",
    )
    assessment = _assessment(emulation_year, organization)
    if assessment is None:
        try:
            services.start_assessment(
                actor=_user(request), emulation_year=emulation_year, organization=organization
            )
        except ValidationError as error:
            return _refusal(request, "Chưa tải được bảng điểm", " ".join(error.messages))
        assessment = _assessment(emulation_year, organization)
        assert assessment is not None
    return _attachment(score_sheet_workbook(assessment), score_sheet_filename(assessment))


def _require_member_officer(request: HttpRequest, organization: Organization) -> None:
    permissions.require(
        permissions.is_officer_of(request.user, organization),
        "Chỉ cán bộ thi đua của đơn vị được nhập bảng tự chấm của đơn vị.",
    )


def _blocked(assessment: Assessment | None, emulation_year: EmulationYear) -> str:
    refusal = services.scoring_refusal(emulation_year)
    if refusal:
        return refusal
    if assessment is None:
        return NOT_STARTED.format(year=emulation_year.year)
    if assessment.status != AssessmentStatus.DRAFT:
        return NOT_DRAFT
    return ""


def _stored_path(token: uuid.UUID) -> str:
    # Built from the parsed UUID, never from the submitted text: no other path can come out of it.
    return f"{STORAGE_DIR}/{token}.xlsx"


def _forget_abandoned_uploads() -> None:
    """Previews nobody confirmed leave their file behind; a day later it can go."""
    try:
        _, files = default_storage.listdir(STORAGE_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - timedelta(days=1)
    for name in files:
        path = f"{STORAGE_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)


def _upload_page(
    request: HttpRequest,
    emulation_year: EmulationYear,
    organization: Organization,
    *,
    form: UploadForm | None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "assessments/score_import.html",
        {
            "emulation_year": emulation_year,
            "organization": organization,
            "organization_name": organization.name_in_year(emulation_year.year),
            "form": form,
            "error": error,
            "max_size": size_words(max_import_bytes()),
        },
        status=status,
    )


def _preview(
    request: HttpRequest,
    emulation_year: EmulationYear,
    organization: Organization,
    result: ScoreSheetImport,
    filename: str,
    token: uuid.UUID | None,
) -> HttpResponse:
    return render(
        request,
        "assessments/score_import_preview.html",
        {
            "emulation_year": emulation_year,
            "organization": organization,
            "organization_name": organization.name_in_year(emulation_year.year),
            "result": result,
            "changed_rows": result.changed_rows,
            "filename": filename,
            "confirm_form": ConfirmForm(initial={"token": token}) if token else None,
        },
    )


@login_required
def import_upload(request: HttpRequest, slug: str, year: int, org_code: str) -> HttpResponse:
    emulation_year, organization = _year_and_member(slug, year, org_code)
    _require_member_officer(request, organization)
    assessment = _assessment(emulation_year, organization)
    blocked = _blocked(assessment, emulation_year)
    if blocked:
        status = 400 if request.method == "POST" else 200
        return _upload_page(request, emulation_year, organization, form=None, error=blocked, status=status)
    assert assessment is not None
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        result = parse_score_sheet(data, assessment=assessment)
        token = None
        _forget_abandoned_uploads()
        if result.ok and result.has_changes:
            token = uuid.uuid4()
            default_storage.save(_stored_path(token), ContentFile(data))
        return _preview(request, emulation_year, organization, result, upload.name or "", token)
    return _upload_page(request, emulation_year, organization, form=form)


@login_required
@require_POST
def import_confirm(request: HttpRequest, slug: str, year: int, org_code: str) -> HttpResponse:
    emulation_year, organization = _year_and_member(slug, year, org_code)
    _require_member_officer(request, organization)
    assessment = _assessment(emulation_year, organization)
    blocked = _blocked(assessment, emulation_year)
    if blocked:
        return _upload_page(request, emulation_year, organization, form=None, error=blocked, status=400)
    assert assessment is not None
    form = ConfirmForm(request.POST)
    path = _stored_path(form.cleaned_data["token"]) if form.is_valid() else None
    if path is None or not default_storage.exists(path):
        return _upload_page(
            request, emulation_year, organization, form=UploadForm(), error=LOST_UPLOAD, status=400
        )
    with default_storage.open(path, "rb") as stored:
        data = stored.read()
    try:
        count = apply_score_sheet(actor=_user(request), assessment=assessment, data=data)
    except ImportRejected as rejected:
        # The scores or the file changed since the preview: show why, write nothing.
        return _preview(
            request, emulation_year, organization, ScoreSheetImport(problems=rejected.problems), "", None
        )
    except ValidationError as error:
        return _upload_page(
            request, emulation_year, organization, form=None, error=" ".join(error.messages), status=400
        )
    transaction.on_commit(lambda: default_storage.delete(path))
    messages.success(request, f"Đã nhập bảng tự chấm: {count} tiêu chí thay đổi.")
    return redirect("score_excel:import", slug=slug, year=year, org_code=org_code)


@login_required
def summary(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_viewer(request, slug, year)
    results = year_results(emulation_year)
    return _attachment(summary_workbook(results), summary_filename(results))
