"""A conference's documents: «Lập» makes a draft from the data in the official layout (no number), as often
as the data changes; «Ban hành» gives it its number and date, once; «Thay thế» drafts the document that
will take an issued one's place. The DOCX is kept, and the PDF made by the warm LibreOffice is added when
it is there."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from thidua.accounts.models import User
from thidua.agreements.models import AgreementStatus
from thidua.audit.services import record, when_and_who
from thidua.conferences.models import Conference, Poll, PollStatus
from thidua.documents import generators, layout, rules, services, tasks, templating
from thidua.documents.generators_votes import conference_day
from thidua.documents.models import Document, DocumentStatus, DocumentTemplate, DocumentType
from thidua.documents.services import require_issuer
from thidua.lib.text import clean_text
from thidua.organizations.models import EmulationGroup, GroupKind, Leadership, LeadershipRole
from thidua.years.models import EmulationYear

logger = logging.getLogger(__name__)


def group_code(group: EmulationGroup) -> str:
    """The issuer code in a number line: "CTĐ4" for Cụm thi đua số 4, "KTĐ2" for Khối thi đua số 2."""
    return f"{'CTĐ' if group.kind == GroupKind.CLUSTER else 'KTĐ'}{group.number}"


@dataclass(frozen=True)
class Plan:
    doc_type: str
    summary: str
    date: datetime.date
    # (number text, the day its signers are looked up on: the draft's, or the day it is issued)
    build: Callable[[str, datetime.date], layout.OfficialDocument]
    filename: str


def _signer_role(signed_by: str, group: EmulationGroup, year: int) -> str:
    """Who signs a document the leadership signs alone: the head (TM.) or the deputy in the head's stead
    (KT.), NĐ 30/2020/NĐ-CP, Phụ lục I, Mục II.8.b. The deputy is the one Leadership records that year."""
    if signed_by not in LeadershipRole.values:
        raise ValidationError("Người ký phải là cụm trưởng hoặc cụm phó.")
    if not Leadership.objects.filter(group=group, year=year, role=signed_by).exists():
        raise ValidationError(
            f"Năm {year} chưa ghi nhận {LeadershipRole(signed_by).label.lower()} để ký thay."
        )
    return signed_by


def plan_for(
    kind: str,
    *,
    conference: Conference,
    poll: Poll | None = None,
    signed_by: str = LeadershipRole.HEAD,
) -> Plan:
    """What a click on `kind` makes for a conference (Vietnamese errors for what is not ready yet).

    ``signed_by`` (a LeadershipRole) matters to the documents the leadership signs alone, the tờ trình
    and the bảng tổng hợp; the minutes (chair and secretary), the vote counts (the whole counting board)
    and the agreement (every member) keep their signatures."""
    emulation_year = conference.emulation_year
    day = conference_day(conference)
    year = emulation_year.year
    if kind in {"proposal", "summary"} and signed_by != LeadershipRole.HEAD:
        signed_by = _signer_role(signed_by, emulation_year.group, year)
    if kind == "minutes":
        return Plan(
            DocumentType.MINUTES,
            f"Hội nghị tổng kết công tác thi đua, khen thưởng năm {year}",
            day,
            lambda number, _: generators.conference_minutes(conference, number_text=number),
            f"bien-ban-hoi-nghi-{year}",
        )
    if kind == "count":
        if poll is None or poll.status != PollStatus.PUBLISHED:
            raise ValidationError("Chỉ lập biên bản kiểm phiếu cho cuộc bỏ phiếu đã công bố kết quả.")
        return Plan(
            DocumentType.MINUTES,
            f"Kiểm phiếu: {poll}",
            day,
            lambda number, _: generators.vote_count_minutes(poll, number_text=number),
            f"bien-ban-kiem-phieu-{poll.pk}",
        )
    if kind == "proposal":
        return Plan(
            DocumentType.PROPOSAL,
            f"Đề nghị khen thưởng năm {year}",
            day,
            lambda number, on: generators.proposal_letter(
                conference, number_text=number, signed_by=signed_by, signed_on=on
            ),
            f"to-trinh-{year}",
        )
    if kind == "summary":
        return Plan(
            DocumentType.REPORT,
            f"Tổng hợp kết quả chấm điểm thi đua năm {year}",
            day,
            lambda number, on: generators.score_summary_document(
                emulation_year, number_text=number, date=day, signed_by=signed_by, signed_on=on
            ),
            f"bang-tong-hop-{year}",
        )
    if kind == "agreement":
        next_year = EmulationYear.objects.filter(group=emulation_year.group, year=year + 1).first()
        agreement = (
            next_year.agreements.exclude(status=AgreementStatus.SUPERSEDED).order_by("-version").first()
            if next_year
            else None
        )
        if agreement is None:
            raise ValidationError(f"Chưa có giao ước năm {year + 1}.")
        return Plan(
            DocumentType.AGREEMENT,
            f"Giao ước thi đua năm {year + 1}",
            day,
            lambda number, on: generators.agreement_document(
                agreement, number_text=number, date=day, signed_on=on
            ),
            f"giao-uoc-{year + 1}",
        )
    raise ValidationError("Không có loại văn bản này.")


class AlreadyIssued(ValidationError):
    """A click on a document a conference has one of, once it is issued: the answer is that document."""

    def __init__(self, document: Document) -> None:
        done = when_and_who(document, "document.issue")
        super().__init__(
            f"Văn bản số {document.number_text} đã được ban hành"
            + (f" {done}" if done else "")
            + "; đây là văn bản đó. Muốn sửa thì bấm «Thay thế» ở dòng của văn bản này trong sổ văn bản: "
            "văn bản mới được ban hành với số mới và ghi rõ văn bản được thay thế.",
            code="already_issued",
        )
        self.document = document


def current_document(kind: str, conference: Conference, poll: Poll | None) -> Document | None:
    """The conference's current original document of `kind` (the poll's, for a vote count): a draft or an
    issued one, never a discarded one; its replacements hang from it."""
    documents = Document.objects.exclude(status=DocumentStatus.DISCARDED).filter(kind=kind, replaces=None)
    if kind == "count":
        return documents.filter(poll=poll).first()
    return documents.filter(conference=conference, poll__isnull=True).first()


def _render(doc: layout.OfficialDocument, template: DocumentTemplate | None) -> bytes:
    if template is None:
        return layout.render_docx(doc)
    with template.file.open("rb") as stored:
        return templating.fill(stored.read(), doc)


def _build(document: Document, plan: Plan, number_text: str, date: datetime.date) -> layout.OfficialDocument:
    """The plan's document with this number and date, signed by whoever is in office on that date; a
    replacement says what it replaces (NĐ 30/2020)."""
    official = dataclasses.replace(plan.build(number_text, date), date=date)
    replaced = document.replaces
    if replaced is None:
        return official
    note = layout.Paragraph(
        f"Văn bản này thay thế văn bản số {replaced.number_text} ngày {replaced.date:%d/%m/%Y}.", italic=True
    )
    return dataclasses.replace(official, body=[*official.body, note])


def _plan(document: Document) -> Plan:
    assert document.conference is not None
    return plan_for(
        document.kind,
        conference=document.conference,
        poll=document.poll,
        signed_by=document.signed_by or LeadershipRole.HEAD,
    )


def _new_draft(
    actor: User,
    plan: Plan,
    conference: Conference,
    *,
    kind: str,
    poll: Poll | None,
    signed_by: str,
    replaces: Document | None = None,
) -> Document:
    """A conference's draft, not yet saved with its DOCX: no number, the plan's date for now."""
    return Document.objects.create(
        issuer_group=conference.emulation_year.group,
        doc_type=plan.doc_type,
        year=plan.date.year,
        date=plan.date,
        place=clean_text(conference.place),
        summary=clean_text(plan.summary),
        created_by=actor,
        kind=kind,
        conference=conference,
        poll=poll if kind == "count" else None,
        signed_by=signed_by,
        replaces=replaces,
    )


def _save_draft(actor: User, document: Document, plan: Plan, template: DocumentTemplate | None) -> None:
    """Lay the draft out (no number) and keep it; one `document.draft` event."""
    document.number_text = _draft_number(document)
    document.summary = clean_text(plan.summary)
    _save_docx(document, plan, template, document.number_text)
    document.pdf = ""
    document.save()
    replaced = {"replaces": document.replaces.number_text} if document.replaces else {}
    record(
        actor=actor,
        verb="document.draft",
        target=document,
        group=document.issuer_group,
        data={"type": document.doc_type, "summary": document.summary, **replaced},
    )


def missing_signers(official: layout.OfficialDocument) -> list[str]:
    """Who must be recorded before `official` can be issued: one line per signature nobody is known for."""
    return [signer.missing for signer in official.signers if signer.missing]


def _save_docx(
    document: Document,
    plan: Plan,
    template: DocumentTemplate | None,
    number_text: str,
    *,
    refuse_missing: bool = False,
) -> None:
    official = _build(document, plan, number_text, document.date)
    missing = missing_signers(official)
    if refuse_missing and missing:
        # NĐ 30/2020/NĐ-CP, Điều 13: an issued document carries its signer's name; nothing is issued,
        # and no number is spent (the transaction rolls back), until the person is recorded.
        raise ValidationError(
            "Chưa ban hành được vì chưa biết người ký. Hãy ghi: " + "; ".join(missing) + ".",
            code="missing_signer",
        )
    document.missing_signers = "\n".join(missing)
    content = _render(official, template)
    document.docx_sha256 = hashlib.sha256(content).hexdigest()
    document.pdf_error = ""
    document.template = template
    suffix = document.number if document.number is not None else f"du-thao-{document.pk}"
    document.docx.save(f"{plan.filename}-{suffix}.docx", ContentFile(content), save=False)


def _draft_number(document: Document) -> str:
    group = document.issuer_group
    assert group is not None
    return rules.draft_number(
        rules.DEFAULT_PATTERN,
        type_code=document.doc_type,
        issuer_code=group_code(group),
        year=document.date.year,
    )


def issue(
    *,
    actor: User,
    kind: str,
    conference: Conference,
    poll: Poll | None = None,
    signed_by: str = LeadershipRole.HEAD,
    with_pdf: bool = True,
) -> Document:
    """«Lập»: make the conference's draft of `kind`, or make it again from today's data. A draft takes no
    number (NĐ 30/2020: the number and the date are given when it is issued, `issue_draft`), so a
    draft made twenty times spends none. One transaction, queued on the conference's row: a double
    click or a second officer gets the same draft, made again, never a second one. Once issued, the
    answer is AlreadyIssued with that document."""
    plan = plan_for(kind, conference=conference, poll=poll, signed_by=signed_by)
    group = conference.emulation_year.group
    require_issuer(actor, group, plan.date.year)
    # The parent body's current template of this kind, if it uploaded one; else the built-in layout.
    template = DocumentTemplate.objects.current(group.parent_id, kind)
    with transaction.atomic():
        Conference.objects.select_for_update().filter(pk=conference.pk).first()
        document = current_document(kind, conference, poll)
        if document is not None and document.status != DocumentStatus.DRAFT:
            raise AlreadyIssued(document)
        if document is None:
            document = _new_draft(actor, plan, conference, kind=kind, poll=poll, signed_by=signed_by)
        document.signed_by = signed_by
        _save_draft(actor, document, plan, template)
    return _with_pdf(document) if with_pdf else document


@transaction.atomic
def replace(*, actor: User, document: Document) -> Document:
    """«Thay thế»: a draft that, once issued with a number of its own, takes the place of `document`, an
    issued document, and says so in its text. The issued document itself is never changed."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    group = document.issuer_group
    assert group is not None
    if document.status != DocumentStatus.ISSUED or document.conference is None:
        raise ValidationError("Chỉ thay thế được văn bản đã ban hành do hội nghị lập.")
    require_issuer(actor, group, document.conference.emulation_year.year)
    existing = document.replacements.exclude(status=DocumentStatus.DISCARDED).first()
    if existing is not None:
        return existing
    plan = _plan(document)
    draft = _new_draft(
        actor,
        plan,
        document.conference,
        kind=document.kind,
        poll=document.poll,
        signed_by=document.signed_by,
        replaces=document,
    )
    _save_draft(actor, draft, plan, DocumentTemplate.objects.current(group.parent_id, draft.kind))
    return draft


def issue_draft(
    *, actor: User, document: Document, date: datetime.date | None = None, with_pdf: bool = True
) -> Document:
    """«Ban hành»: give the draft its number and its date (today unless `date`), in one transaction with
    the issuer's number register locked, so numbers are unique and leave no gap per issuer and year; a
    failure gives the number back. The DOCX is made again with them; the PDF follows, outside the
    transaction. A replacement, once issued, marks the document it replaces as replaced."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        group = document.issuer_group
        assert group is not None
        day = date or timezone.localdate()
        # Who may issue is the conference year's secretariat, whatever day it is issued on.
        assert document.conference is not None
        require_issuer(actor, group, document.conference.emulation_year.year)
        if document.status != DocumentStatus.DRAFT:
            done = when_and_who(document, "document.issue")
            raise ValidationError(
                f"Văn bản số {document.number_text} đã được ban hành" + (f" {done}." if done else ".")
                if document.status == DocumentStatus.ISSUED
                else f"Văn bản này {document.get_status_display().lower()}; không ban hành được."
            )
        plan = _plan(document)
        number = services.next_number(services.issuer_key(group, None), day.year)
        document.number = number
        document.year = day.year
        document.date = day
        document.number_text = rules.format_number(
            rules.DEFAULT_PATTERN,
            number=number,
            type_code=document.doc_type,
            issuer_code=group_code(group),
            year=day.year,
        )
        document.status = DocumentStatus.ISSUED
        _save_docx(document, plan, document.template, document.number_text, refuse_missing=True)
        document.pdf = ""
        document.save()
        if document.replaces is not None:
            Document.objects.filter(pk=document.replaces.pk).update(status=DocumentStatus.REPLACED)
        record(
            actor=actor,
            verb="document.issue",
            target=document,
            group=group,
            data={
                "number": document.number_text,
                "date": day,
                "summary": document.summary,
                **({"replaces": document.replaces.number_text} if document.replaces else {}),
            },
        )
    return _with_pdf(document) if with_pdf else document


def queue_missing_pdfs() -> int:
    """Queue the PDF of every document whose DOCX has none yet and no failure written on it, and return
    how many: the demo issues its documents without converting them (thidua/awards/demo.py, a conversion
    per document would slow every load), and the register would otherwise say "PDF đang tạo…" for ever.
    Running it again is harmless: the task keeps one PDF however often it runs (documents/pdfs.py)."""
    waiting = [
        document
        for document in Document.objects.exclude(docx="")
        .filter(pdf_error="")
        .only("pk", "docx", "docx_sha256", "pdf", "pdf_source", "pdf_error")
        if document.pdf_state == "pending"
    ]
    for document in waiting:
        tasks.make_pdf.enqueue(document.pk, document.docx_sha256)
    return len(waiting)


def _with_pdf(document: Document) -> Document:
    """Queue the PDF of the DOCX just kept: the worker converts it (documents/pdfs.py) while the page
    says it is coming. Enqueued after the caller's transaction, so the task finds the DOCX committed."""
    tasks.make_pdf.enqueue(document.pk, document.docx_sha256)
    # Where tasks run at once (the immediate backend), the PDF is already there.
    document.refresh_from_db(fields=["pdf", "pdf_source", "pdf_error"])
    return document
