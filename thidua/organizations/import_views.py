"""Excel import pages: upload → preview (problems, or the planned changes) → confirm.

Between preview and confirm the uploaded bytes stay on the server (default storage, `imports/<uuid>.xlsx`);
the page carries only the uuid. Confirm queues an `ImportJob` for the worker, which parses the bytes again
inside the service's transaction; the job's page shows where it stands and then its result.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.organizations.excel import (
    TEMPLATE_FILENAME,
    XLSX_CONTENT_TYPE,
    RegistryImport,
    max_import_bytes,
    parse_registry_workbook,
    size_words,
    template_workbook,
)
from thidua.organizations.importing import job_problems, start_registry_import
from thidua.organizations.models import ImportJob, ImportStatus, Organization, OrganizationKind

STORAGE_DIR = "imports"
LOST_UPLOAD = "Không tìm thấy tệp đã kiểm tra (có thể đã được nhập rồi). Hãy tải tệp lên lại."


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Tệp Excel (.xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = max_import_bytes()
        if upload.size > limit:
            # Refused before the bytes are read into memory.
            raise forms.ValidationError(
                f"Tệp nặng {size_words(upload.size)}, vượt giới hạn {size_words(limit)}."
            )
        return upload


class ConfirmForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _parent_for_registry(request: HttpRequest, parent_code: str) -> Organization:
    parent = get_object_or_404(Organization, code=parent_code, kind=OrganizationKind.PARENT_BODY)
    permissions.require(permissions.can_manage_registry(request.user, parent))
    return parent


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


def _stored_path(token: uuid.UUID) -> str:
    # Built from the parsed UUID, never from the submitted text: no other path can come out of it.
    return f"{STORAGE_DIR}/{token}.xlsx"


def _preview(
    request: HttpRequest, parent: Organization, result: RegistryImport, filename: str, token: uuid.UUID | None
) -> HttpResponse:
    counts = result.counts()
    return render(
        request,
        "organizations/import_preview.html",
        {
            "parent": parent,
            "result": result,
            "counts": counts,
            "filename": filename,
            "confirm_form": ConfirmForm(initial={"token": token}) if token else None,
        },
    )


def _upload_page(
    request: HttpRequest, parent: Organization, form: UploadForm, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "organizations/import_upload.html",
        {"parent": parent, "form": form, "error": error, "max_size": size_words(max_import_bytes())},
        status=status,
    )


@login_required
def upload(request: HttpRequest, parent_code: str) -> HttpResponse:
    parent = _parent_for_registry(request, parent_code)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        result = parse_registry_workbook(data, parent=parent, today=timezone.localdate())
        token = None
        _forget_abandoned_uploads()
        if result.ok and result.has_changes:
            token = uuid.uuid4()
            default_storage.save(_stored_path(token), ContentFile(data))
        return _preview(request, parent, result, upload.name or "", token)
    return _upload_page(request, parent, form)


@login_required
def template(request: HttpRequest, parent_code: str) -> HttpResponse:
    _parent_for_registry(request, parent_code)
    # The file name is plain ASCII on purpose: no RFC 5987 encoding needed, every browser keeps it.
    return HttpResponse(
        template_workbook(),
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_FILENAME}"'},
    )


@login_required
@require_POST
def confirm(request: HttpRequest, parent_code: str) -> HttpResponse:
    """«Xác nhận nhập»: the checked file goes to the worker; the job's page follows it (issue 16: a
    national file is longer than a request should be)."""
    parent = _parent_for_registry(request, parent_code)
    form = ConfirmForm(request.POST)
    path = _stored_path(form.cleaned_data["token"]) if form.is_valid() else None
    if path is None or not default_storage.exists(path):
        return _upload_page(request, parent, UploadForm(), error=LOST_UPLOAD, status=400)
    job = start_registry_import(
        actor=_user(request),
        parent=parent,
        stored_path=path,
        filename=request.POST.get("filename", ""),
        planned={},
    )
    return redirect("registry_import:job", parent_code=parent.code, job=job.uuid)


def _job(request: HttpRequest, parent_code: str, job: uuid.UUID) -> ImportJob:
    parent = _parent_for_registry(request, parent_code)
    return get_object_or_404(ImportJob.objects.select_related("parent"), uuid=job, parent=parent)


@login_required
def job_page(request: HttpRequest, parent_code: str, job: uuid.UUID) -> HttpResponse:
    """Where the import stands; once finished, what it wrote or every problem, and nothing written."""
    found = _job(request, parent_code, job)
    return render(
        request,
        "organizations/import_job.html",
        {
            "parent": found.parent,
            "job": found,
            "result": RegistryImport(problems=job_problems(found)),
            "done": found.status == ImportStatus.DONE,
        },
    )


@login_required
def job_status(request: HttpRequest, parent_code: str, job: uuid.UUID) -> JsonResponse:
    """For the job's page to know when to show the result (static/thidua/job-status.js)."""
    found = _job(request, parent_code, job)
    return JsonResponse(
        {"status": found.status, "label": found.get_status_display(), "finished": found.finished}
    )
