"""The document registry: numbers that are never reused nor given twice, and immutable signed originals
whose signatures are checked on upload."""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from thidua.accounts.models import User
from thidua.accounts.permissions import can_run_year, is_officer_of, is_parent_staff, require
from thidua.audit.services import record, when_and_who
from thidua.documents import rules, signatures, templating
from thidua.documents.models import (
    KINDS_WITH_RECIPIENTS,
    Document,
    DocumentStatus,
    DocumentTemplate,
    NumberSequence,
    SignatureStatus,
    SignedOriginal,
    TemplateKind,
)
from thidua.lib import files
from thidua.lib.files import random_name, sniff_pdf
from thidua.lib.text import clean_text
from thidua.organizations.excel import max_import_bytes, max_uncompressed_bytes, size_words
from thidua.organizations.models import EmulationGroup, Organization, OrganizationKind

logger = logging.getLogger(__name__)


def issuer_key(group: EmulationGroup | None, organization: Organization | None) -> str:
    if (group is None) == (organization is None):
        raise ValueError("a document has exactly one issuer")
    return f"group:{group.pk}" if group is not None else f"org:{organization.pk}"  # type: ignore[union-attr]


def next_number(issuer_key: str, year: int) -> int:
    """Take the issuer's next number for `year`. Must run inside the caller's transaction: the sequence
    row stays locked until it commits, so concurrent callers queue (PostgreSQL row lock; SQLite's write
    lock), and a rolled-back transaction gives its number back untouched."""
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(issuer_key=issuer_key, year=year)
    except IntegrityError:
        pass  # another transaction created it first: fine, lock it below
    sequence = NumberSequence.objects.select_for_update().get(issuer_key=issuer_key, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _can_issue(
    actor: User, group: EmulationGroup | None, organization: Organization | None, year: int
) -> bool:
    if group is not None:
        return can_run_year(actor, group, year)
    return organization is not None and is_officer_of(actor, organization)


def _runner_year(document: Document) -> int:
    """The year whose secretariat answers for a document: its conference's, whenever it was issued (a
    conference of December may issue its minutes in January); else the year of its number."""
    if document.conference_id is not None:
        return int(document.conference.emulation_year.year)  # type: ignore[union-attr]
    return document.year


def require_issuer(actor: User, group: EmulationGroup, year: int) -> None:
    require(can_run_year(actor, group, year), "Bạn không được ban hành văn bản của đơn vị này.")


@transaction.atomic
def register(
    *,
    actor: User,
    doc_type: str,
    date: datetime.date,
    place: str,
    summary: str,
    group: EmulationGroup | None = None,
    organization: Organization | None = None,
    issuer_code: str,
    pattern: str = rules.DEFAULT_PATTERN,
) -> Document:
    """A document registered by hand, issued at once: the issuer's next number for its calendar year and
    its date (a conference's documents are drafted first and issued by `issuing.issue_draft`)."""
    require(
        _can_issue(actor, group, organization, date.year), "Bạn không được ban hành văn bản của đơn vị này."
    )
    problems = rules.pattern_problems(pattern)
    if problems:
        raise ValidationError(problems)
    key = issuer_key(group, organization)
    number = next_number(key, date.year)
    document = Document.objects.create(
        issuer_group=group,
        issuer_organization=organization,
        doc_type=doc_type,
        year=date.year,
        number=number,
        number_text=rules.format_number(
            pattern, number=number, type_code=doc_type, issuer_code=issuer_code, year=date.year
        ),
        date=date,
        place=clean_text(place),
        summary=clean_text(summary),
        status=DocumentStatus.ISSUED,
        created_by=actor,
    )
    record(
        actor=actor,
        verb="document.register",
        target=document,
        group=group,
        data={"number": document.number_text, "type": doc_type, "date": date, "summary": document.summary},
    )
    return document


@transaction.atomic
def discard(*, actor: User, document: Document, reason: str) -> Document:
    """Set a draft aside. A draft has no number (it is given at issue), so discarding loses none; an
    issued document is never discarded, only replaced by a newly issued one."""
    require(
        _can_issue(actor, document.issuer_group, document.issuer_organization, _runner_year(document)),
        "Bạn không được hủy văn bản của đơn vị này.",
    )
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status == DocumentStatus.DISCARDED:
        done = when_and_who(document, "document.discard")
        raise ValidationError(f"Dự thảo «{document.summary}» đã được hủy" + (f" {done}." if done else "."))
    if document.status != DocumentStatus.DRAFT:
        raise ValidationError("Chỉ hủy được dự thảo; văn bản đã ban hành thì ban hành văn bản khác thay thế.")
    document.status = DocumentStatus.DISCARDED
    document.save(update_fields=["status"])
    record(
        actor=actor,
        verb="document.discard",
        target=document,
        group=document.issuer_group,
        data={"reason": clean_text(reason)},
    )
    return document


@transaction.atomic
def upload_signed_original(*, actor: User, document: Document, upload: UploadedFile) -> SignedOriginal:
    """Keep the signed PDF as the original, with what checking its signatures found. Never overwritten:
    each upload is a new version. Refused, with nothing written, when the file is not a readable PDF,
    when a signature does not match the signed bytes, or when the file was changed after signing
    (anything added but further signatures and validation data). An unsigned PDF is kept, marked
    unsigned; a signature under an unknown or unconfigured root is kept, marked untrusted: the office
    may still need the file on record, and the page says what was not established."""
    require(
        _can_issue(actor, document.issuer_group, document.issuer_organization, _runner_year(document)),
        "Bạn không được tải bản gốc của văn bản này.",
    )
    if document.status == DocumentStatus.DRAFT:
        # The number and the date are in what is signed: a draft has neither (NĐ 30/2020).
        raise ValidationError(
            "Văn bản còn là dự thảo: hãy bấm «Ban hành» để cấp số và ngày, rồi ký và tải bản gốc."
        )
    head = upload.read(8)
    upload.seek(0)
    if not sniff_pdf(head):
        raise ValidationError({"file": "Bản gốc đã ký phải là tệp PDF (kiểm tra theo nội dung tệp)."})
    data = upload.read()
    try:
        checked = signatures.check(data)
    except signatures.Unreadable as problem:
        raise ValidationError({"file": problem.message}) from problem
    except signatures.RootsUnavailable as problem:
        logger.error("SIGNATURE_TRUST_ROOTS cannot be read: %s", problem)
        raise ValidationError(
            {
                "file": "Máy chủ chưa đọc được chứng thư gốc dùng để kiểm tra chữ ký số; bản gốc chưa được lưu. "
                "Hãy báo quản trị viên."
            }
        ) from problem
    if checked.refusal:
        raise ValidationError({"file": checked.refusal})
    digest = hashlib.sha256(data).hexdigest()
    document = Document.objects.select_for_update().get(pk=document.pk)
    version = (document.originals.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    original = SignedOriginal(
        document=document,
        version=version,
        sha256=digest,
        uploaded_by=actor,
        signature_status=SignatureStatus(checked.verdict.value),
        signature_report=checked.report,
    )
    original.file.save(random_name("pdf"), ContentFile(data), save=False)
    original.save()
    record(
        actor=actor,
        verb="document.signed_original",
        target=document,
        group=document.issuer_group,
        data={
            "version": version,
            "sha256": digest,
            "signature_status": original.signature_status,
            "signers": [entry["signer"] for entry in checked.report["signatures"]],
        },
    )
    return original


# --- Word templates -----------------------------------------------------------------------------------


def template_file_problems(data: bytes, *, kind: str) -> list[str]:
    """Why ``data`` cannot become the template of ``kind`` (Vietnamese), or [] when it can: first the
    guard every Office upload goes through (size, content, zip bomb), then the fields (templating.py).
    The size limit is the import limit (THIDUA_IMPORT_MAX_BYTES): a template is an upload of the same
    sort, a few hundred kilobytes with a logo."""
    limit = max_import_bytes()
    problem = files.ooxml_problem(
        data, main_part="word/document.xml", max_bytes=limit, max_unpacked=max_uncompressed_bytes()
    )
    if problem is files.ArchiveProblem.TOO_LARGE:
        return [f"Tệp nặng {size_words(len(data))}, vượt giới hạn {size_words(limit)}."]
    if problem is files.ArchiveProblem.INFLATES:
        return [
            f"Tệp giải nén ra {size_words(files.unpacked_size(data))}, vượt giới hạn "
            f"{size_words(max_uncompressed_bytes())}; hãy bỏ bớt hình ảnh hoặc nội dung thừa."
        ]
    if problem is files.ArchiveProblem.OLE:
        return [
            "Tệp không phải Word .docx (có thể là tệp .doc cũ hoặc tệp đặt mật khẩu): hãy lưu lại dạng .docx."
        ]
    if problem is not None:
        return ["Tệp không phải văn bản Word .docx (kiểm tra theo nội dung tệp)."]
    if files.has_part(data, "word/vbaProject.bin"):
        return ["Mẫu không được chứa macro: hãy lưu lại dạng .docx (Word Document), không phải .docm."]
    return templating.template_problems(data, recipients=kind in KINDS_WITH_RECIPIENTS)


@transaction.atomic
def upload_template(
    *, actor: User, parent: Organization, kind: str, upload: UploadedFile
) -> DocumentTemplate:
    """Keep ``upload`` as the next version of the parent body's template of ``kind``; from now on the
    documents of its groups are laid out on it. Nothing is saved when the file is refused."""
    require(
        parent.kind == OrganizationKind.PARENT_BODY and is_parent_staff(actor, parent),
        "Chỉ cán bộ của cơ quan cấp trên này được tải mẫu văn bản lên.",
    )
    if kind not in TemplateKind.values:
        raise ValidationError({"file": "Không có loại văn bản này."})
    limit = max_import_bytes()
    if upload.size is not None and upload.size > limit:  # refused before the bytes are read
        raise ValidationError(
            {"file": f"Tệp nặng {size_words(upload.size)}, vượt giới hạn {size_words(limit)}."}
        )
    data = upload.read()
    problems = template_file_problems(data, kind=kind)
    if problems:
        raise ValidationError({"file": problems})
    digest = hashlib.sha256(data).hexdigest()
    # Versions are numbered under the parent's row lock, so two uploads at once get two versions.
    Organization.objects.select_for_update().get(pk=parent.pk)
    current = DocumentTemplate.objects.current(parent.pk, kind)
    version = (current.version if current else 0) + 1
    template = DocumentTemplate(
        parent=parent,
        kind=kind,
        version=version,
        sha256=digest,
        original_name=clean_text(upload.name or "")[:255],
        size=len(data),
        uploaded_by=actor,
    )
    template.file.save(random_name("docx"), ContentFile(data), save=False)
    template.save()
    record(
        actor=actor,
        verb="document_template.upload",
        target=template,
        data={"parent": parent.code, "kind": kind, "version": version, "sha256": digest, "size": len(data)},
    )
    return template
