"""A parent body's Word templates: the list per kind with its versions, downloads, and the upload."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.documents import services, templating
from thidua.documents.models import KINDS_WITH_RECIPIENTS, DocumentTemplate, TemplateKind
from thidua.lib.files import DOCX
from thidua.organizations.excel import max_import_bytes, size_words
from thidua.organizations.models import Organization, OrganizationKind

# File names of downloads, one per kind.
FILE_STEMS = {
    TemplateKind.AGREEMENT: "giao-uoc",
    TemplateKind.MINUTES: "bien-ban-hoi-nghi",
    TemplateKind.VOTE_COUNT: "bien-ban-kiem-phieu",
    TemplateKind.PROPOSAL: "to-trinh",
    TemplateKind.REPORT: "bao-cao",
}


def _parent(request: HttpRequest, parent_code: str) -> Organization:
    parent = get_object_or_404(Organization, code=parent_code, kind=OrganizationKind.PARENT_BODY)
    permissions.require(permissions.is_parent_staff(request.user, parent))
    return parent


def _kind(kind: str) -> TemplateKind:
    if kind not in TemplateKind.values:
        raise Http404
    return TemplateKind(kind)


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def template_list(request: HttpRequest, parent_code: str) -> HttpResponse:
    parent = _parent(request, parent_code)
    versions = (
        DocumentTemplate.objects.filter(parent=parent).select_related("uploaded_by").order_by("-version")
    )
    rows = []
    for kind in TemplateKind:
        history = [t for t in versions if t.kind == kind]
        rows.append(
            {
                "kind": kind,
                "current": history[0] if history else None,
                "history": history,
                "needs_recipients": kind in KINDS_WITH_RECIPIENTS,
            }
        )
    return render(
        request,
        "documents/templates.html",
        {
            "parent": parent,
            "rows": rows,
            "fields": [
                (templating.field_label(name), name in templating.BLOCK_FIELDS) for name in templating.FIELDS
            ],
            "limit": size_words(max_import_bytes()),
        },
    )


@login_required
def template_default(request: HttpRequest, parent_code: str, kind: str) -> HttpResponse:
    _parent(request, parent_code)
    return _docx(templating.default_template(), f"mau-{FILE_STEMS[_kind(kind)]}-mac-dinh.docx")


@login_required
def template_version(request: HttpRequest, parent_code: str, kind: str, version: int) -> FileResponse:
    parent = _parent(request, parent_code)
    template = get_object_or_404(DocumentTemplate, parent=parent, kind=_kind(kind), version=version)
    response = FileResponse(
        template.file.open("rb"),
        as_attachment=True,
        filename=f"mau-{FILE_STEMS[TemplateKind(template.kind)]}-ban-{version}.docx",
        content_type=DOCX,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def template_upload(request: HttpRequest, parent_code: str, kind: str) -> HttpResponse:
    parent = _parent(request, parent_code)
    upload = request.FILES.get("file")
    user = request.user
    assert isinstance(user, User)
    if upload is None:
        messages.error(request, "Chưa chọn tệp Word (.docx) của mẫu.")
    else:
        try:
            template = services.upload_template(actor=user, parent=parent, kind=_kind(kind), upload=upload)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"Đã lưu mẫu {template.get_kind_display()} (bản {template.version}); "
                "văn bản lập từ nay dùng mẫu này.",
            )
    return redirect("document_templates:list", parent_code=parent.code)
