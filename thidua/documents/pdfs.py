"""A document's PDF, made by the worker from the DOCX the register keeps (DESIGN.md: nothing slow runs
inside a request; a conversion takes 0.4–1.7 s of LibreOffice, bench/pdf_bench.py).

`make` is what the task runs. It may run more than once for one DOCX: the worker that took it may be
killed mid-conversion and the task handed to another (thidua/years/workers.py), or two workers may hold it
at once. The conversion may then run twice, but the PDF is saved, and its `document.pdf` event recorded,
once: under the document's row lock, and only while the PDF kept is not already of that DOCX.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction

from thidua.audit.services import record
from thidua.documents import converter
from thidua.documents.models import Document

logger = logging.getLogger(__name__)

# What the task returns (and the worker's log keeps) when it has nothing to do.
GONE = "Văn bản không còn; không tạo PDF."
STALE = "Văn bản đã được lập lại từ khi xếp việc này; bản PDF sẽ theo bản DOCX mới."
DONE_ALREADY = "Bản PDF của văn bản này đã được tạo (một tiến trình khác đã làm xong việc này)."
MADE = "Đã tạo bản PDF."


def _missing_docx(document: Document) -> str:
    return (
        f"Không tìm thấy tệp DOCX của văn bản «{document.summary}» trên kho lưu trữ nên chưa tạo được PDF; "
        "bấm «Lập» lại để tạo lại."
    )


def make(*, document_id: int, docx_sha256: str) -> str:
    """Convert the document's DOCX of `docx_sha256` to PDF and keep it; a Vietnamese line of what
    happened. A missing DOCX or a failed conversion is written on the document for the register, never
    raised: running the task again would fail the same way."""
    document = Document.objects.filter(pk=document_id).first()
    skipped = _nothing_to_do(document, docx_sha256)
    if skipped or document is None:
        return skipped or GONE
    try:
        with document.docx.open("rb") as source:
            content = source.read()
    except (FileNotFoundError, ValueError):
        return _failed(document, docx_sha256, _missing_docx(document))
    try:
        pdf = converter.convert_to_pdf(content)
    except (converter.PdfUnavailable, converter.ConversionFailed) as error:
        logger.warning("PDF not made for document %s: %s", document.pk, error)
        reason = (
            "PDF chưa tạo được (máy chủ chưa có LibreOffice); bản DOCX vẫn tải được."
            if isinstance(error, converter.PdfUnavailable)
            else "PDF chưa tạo được (LibreOffice không chuyển được tệp); bản DOCX vẫn tải được."
        )
        return _failed(document, docx_sha256, reason)
    return _keep(document_id, docx_sha256, pdf)


@transaction.atomic
def _keep(document_id: int, docx_sha256: str, pdf: bytes) -> str:
    # The lock queues a second worker holding the same task behind the first: it finds the PDF kept and
    # writes no second file and no second event.
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    skipped = _nothing_to_do(document, docx_sha256)
    if skipped or document is None:
        return skipped or GONE
    name = PurePosixPath(document.docx.name).with_suffix(".pdf").name
    document.pdf.save(name, ContentFile(pdf), save=False)
    document.pdf_source = docx_sha256
    document.pdf_error = ""
    document.save(update_fields=["pdf", "pdf_source", "pdf_error"])
    # An event like every state change (DESIGN.md): it moves the data version, so the register's page
    # kept for a session (thidua/web/pagecache.py) is drawn again with the PDF's link.
    logger.info("PDF made for document %s from DOCX %s", document.pk, docx_sha256[:12])
    record(
        actor=None,
        verb="document.pdf",
        target=document,
        group=document.issuer_group,
        data={"number": document.number_text, "sha256": docx_sha256},
    )
    return MADE


def _nothing_to_do(document: Document | None, docx_sha256: str) -> str:
    """Why no PDF is to be made of `docx_sha256` for `document`; blank when one is."""
    if document is None:
        return GONE
    if document.docx_sha256 != docx_sha256:
        return STALE
    if document.pdf_source == docx_sha256 and document.pdf:
        return DONE_ALREADY
    return ""


def _failed(document: Document, docx_sha256: str, reason: str) -> str:
    # Only while the DOCX is still the one converted: a newer «Lập» has its own conversion queued.
    Document.objects.filter(pk=document.pk, docx_sha256=docx_sha256).update(pdf_error=reason[:300])
    return reason
