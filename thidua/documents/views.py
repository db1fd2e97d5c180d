"""A year's documents: list, one click per document, downloads, the signed original and its signatures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.agreements.lookups import year_for_runner, year_for_viewer
from thidua.conferences.models import Conference, PollStatus
from thidua.documents import converter, issuing, services
from thidua.documents.models import Document, SignatureStatus, SignedOriginal
from thidua.organizations.models import GroupKind, Leadership, LeadershipRole
from thidua.web.pagecache import cached_for_session


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@cached_for_session
@login_required
def document_list(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_viewer(request, slug, year)
    group = emulation_year.group
    documents = (
        # A conference's documents belong to its year whenever they are issued (in January too); others
        # to the year of their number.
        Document.objects.filter(issuer_group=group)
        .filter(Q(conference__emulation_year=emulation_year) | Q(conference__isnull=True, year=year))
        .select_related("replaces")
        .prefetch_related(Prefetch("originals", queryset=SignedOriginal.objects.order_by("-version")))
        .order_by(F("number").desc(nulls_first=True), "-pk")
    )
    conferences = Conference.objects.filter(emulation_year=emulation_year).prefetch_related("polls")
    return render(
        request,
        "documents/list.html",
        {
            "emulation_year": emulation_year,
            "group": group,
            "documents": documents,
            "conferences": conferences,
            "published": PollStatus.PUBLISHED,
            "can_run": permissions.can_run_year(request.user, group, year),
            # The deputy may sign the tờ trình and the bảng tổng hợp in the head's stead (KT.).
            "leader_word": "Cụm" if group.kind == GroupKind.CLUSTER else "Khối",
            "has_deputy": Leadership.objects.filter(
                group=group, year=year, role=LeadershipRole.DEPUTY
            ).exists(),
            "pdf_available": converter.pdf_available(),
            "pdf_pending": any(document.pdf_state == "pending" for document in documents),
        },
    )


@login_required
@require_POST
def document_issue(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    conference = get_object_or_404(
        Conference, pk=request.POST.get("conference", 0), emulation_year=emulation_year
    )
    poll = conference.polls.filter(pk=request.POST.get("poll") or 0).first()
    try:
        document = issuing.issue(
            actor=_user(request),
            kind=request.POST.get("kind", ""),
            conference=conference,
            poll=poll,
            signed_by=request.POST.get("signed_by") or LeadershipRole.HEAD,
        )
    except issuing.AlreadyIssued as earlier:
        messages.info(request, " ".join(earlier.messages))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Đã lập dự thảo «{document.summary}» (chưa có số: số và ngày được cấp khi ban hành).{_pdf_note(document)}",
        )
    return redirect("documents:list", slug=slug, year=year)


def _pdf_note(document: Document) -> str:
    state = document.pdf_state
    if state == "ready":
        return ""
    if state == "failed":
        return f" {document.pdf_error}"
    return " Bản PDF đang được tạo; sổ văn bản hiện liên kết PDF khi xong."


# The most documents one look at the PDFs' progress asks about: a register page shows a year's documents.
PDF_STATUS_LIMIT = 200


@login_required
def document_pdf_status(request: HttpRequest, slug: str, year: int) -> JsonResponse:
    """Where the background PDFs of the register's documents stand, for the register page to show each
    when it is ready (static/thidua/pdf-status.js). One query, whatever the number asked."""
    emulation_year = year_for_viewer(request, slug, year)
    wanted = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()]
    documents = Document.objects.filter(issuer_group=emulation_year.group, pk__in=wanted[:PDF_STATUS_LIMIT])
    return JsonResponse(
        {
            str(document.pk): {
                "state": document.pdf_state,
                "error": document.pdf_error,
                "url": reverse("documents:file", args=[slug, year, document.pk, "pdf"])
                if document.pdf_state == "ready"
                else "",
            }
            for document in documents
        }
    )


@login_required
@require_POST
def document_publish(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """«Ban hành»: the draft takes its number and today's date."""
    emulation_year = year_for_runner(request, slug, year)
    document = get_object_or_404(Document, pk=pk, issuer_group=emulation_year.group)
    try:
        document = issuing.issue_draft(actor=_user(request), document=document)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Đã ban hành văn bản số {document.number_text} ngày {document.date:%d/%m/%Y}.{_pdf_note(document)}",
        )
    return redirect("documents:list", slug=slug, year=year)


@login_required
@require_POST
def document_replace(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """«Thay thế»: the draft of the document that will take an issued one's place."""
    emulation_year = year_for_runner(request, slug, year)
    document = get_object_or_404(Document, pk=pk, issuer_group=emulation_year.group)
    try:
        issuing.replace(actor=_user(request), document=document)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Đã lập dự thảo thay thế văn bản số {document.number_text}; bấm «Ban hành» để cấp số mới.",
        )
    return redirect("documents:list", slug=slug, year=year)


def _document(request: HttpRequest, slug: str, year: int, pk: int) -> Document:
    emulation_year = year_for_viewer(request, slug, year)
    return get_object_or_404(Document, pk=pk, issuer_group=emulation_year.group)


@login_required
def document_file(request: HttpRequest, slug: str, year: int, pk: int, kind: str) -> FileResponse:
    document = _document(request, slug, year, pk)
    field = {"docx": document.docx, "pdf": document.pdf}.get(kind)
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def original_file(request: HttpRequest, slug: str, year: int, pk: int, version: int) -> FileResponse:
    document = _document(request, slug, year, pk)
    original = get_object_or_404(document.originals, version=version)
    response = FileResponse(
        original.file.open("rb"),
        as_attachment=True,
        filename=f"ban-goc-{document.pk}-{version}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def original_upload(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    document = get_object_or_404(Document, pk=pk, issuer_group=emulation_year.group)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Chưa chọn tệp PDF bản gốc đã ký.")
    else:
        try:
            original = services.upload_signed_original(actor=_user(request), document=document, upload=upload)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            saved = f"Đã lưu bản gốc đã ký (bản {original.version}) của văn bản {document.number_text}."
            found = original.get_signature_status_display()
            names = ", ".join(e["signer"] for e in original.signature_report.get("signatures", []))
            text = f"{saved} {found}" + (f": {names}." if names else ".")
            # Kept but not vouched for (unsigned, untrusted, revoked): said as a warning, not a success.
            if original.signature_status == SignatureStatus.VALID:
                messages.success(request, text)
            else:
                messages.warning(request, text + " Xem chi tiết trong sổ văn bản.")
    return redirect("documents:list", slug=slug, year=year)


@login_required
@require_POST
def document_discard(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """A draft set aside; it has no number, so none is lost."""
    emulation_year = year_for_runner(request, slug, year)
    document = get_object_or_404(Document, pk=pk, issuer_group=emulation_year.group)
    try:
        services.discard(actor=_user(request), document=document, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Đã hủy dự thảo «{document.summary}».")
    return redirect("documents:list", slug=slug, year=year)
