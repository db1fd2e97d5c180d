"""One click per document: take the next number, build the document from the data in the official
layout, keep the DOCX, and add the PDF made by the warm LibreOffice when it is there."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from thidua.accounts.models import User
from thidua.agreements.models import AgreementStatus
from thidua.audit.services import when_and_who
from thidua.conferences.models import Conference, Poll, PollStatus
from thidua.documents import converter, generators, layout, services, templating
from thidua.documents.generators_votes import conference_day
from thidua.documents.models import Document, DocumentStatus, DocumentTemplate, DocumentType
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
    build: Callable[[str], layout.OfficialDocument]
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
            lambda number: generators.conference_minutes(conference, number_text=number),
            f"bien-ban-hoi-nghi-{year}",
        )
    if kind == "count":
        if poll is None or poll.status != PollStatus.PUBLISHED:
            raise ValidationError("Chỉ lập biên bản kiểm phiếu cho cuộc bỏ phiếu đã công bố kết quả.")
        return Plan(
            DocumentType.MINUTES,
            f"Kiểm phiếu: {poll}",
            day,
            lambda number: generators.vote_count_minutes(poll, number_text=number),
            f"bien-ban-kiem-phieu-{poll.pk}",
        )
    if kind == "proposal":
        return Plan(
            DocumentType.PROPOSAL,
            f"Đề nghị khen thưởng năm {year}",
            day,
            lambda number: generators.proposal_letter(conference, number_text=number, signed_by=signed_by),
            f"to-trinh-{year}",
        )
    if kind == "summary":
        return Plan(
            DocumentType.REPORT,
            f"Tổng hợp kết quả chấm điểm thi đua năm {year}",
            day,
            lambda number: generators.score_summary_document(
                emulation_year, number_text=number, date=day, signed_by=signed_by
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
            lambda number: generators.agreement_document(agreement, number_text=number, date=day),
            f"giao-uoc-{year + 1}",
        )
    raise ValidationError("Không có loại văn bản này.")


class AlreadyIssued(ValidationError):
    """A second click on a document a conference has one of: the answer is the first, `document`."""

    def __init__(self, document: Document) -> None:
        done = when_and_who(document, "document.register")
        super().__init__(
            f"Văn bản số {document.number_text} đã được lập"
            + (f" {done}" if done else "")
            + "; đây là văn bản đó. "
            + (
                "Muốn lập lại thì bấm «Hủy dự thảo» ở dòng của văn bản này trong sổ văn bản."
                if document.status == DocumentStatus.DRAFT
                else "Văn bản đã ban hành (đã có bản gốc đã ký) nên không lập lại được."
            ),
            code="already_issued",
        )
        self.document = document


def current_document(kind: str, conference: Conference, poll: Poll | None) -> Document | None:
    """The conference's current (not discarded) document of `kind`; of the poll's, for a vote count."""
    documents = Document.objects.exclude(status=DocumentStatus.DISCARDED).filter(kind=kind)
    if kind == "count":
        return documents.filter(poll=poll).first()
    return documents.filter(conference=conference, poll__isnull=True).first()


def _render(doc: layout.OfficialDocument, template: DocumentTemplate | None) -> bytes:
    if template is None:
        return layout.render_docx(doc)
    with template.file.open("rb") as stored:
        return templating.fill(stored.read(), doc)


def issue(
    *,
    actor: User,
    kind: str,
    conference: Conference,
    poll: Poll | None = None,
    signed_by: str = LeadershipRole.HEAD,
    with_pdf: bool = True,
) -> Document:
    """Number and build the document (one transaction), then add its PDF (outside it: a conversion takes
    a while and must not hold the issuer's number sequence locked). `with_pdf=False` leaves the PDF out:
    the demo loader, which would otherwise wait for LibreOffice on every load.

    A conference has one current document of each kind (a poll one vote count): a second request, a
    double click or a second officer, queues on the conference's row and gets AlreadyIssued with the
    first, never a second number for the same meeting."""
    plan = plan_for(kind, conference=conference, poll=poll, signed_by=signed_by)
    group = conference.emulation_year.group
    # The parent body's current template of this kind, if it uploaded one; else the built-in layout.
    template = DocumentTemplate.objects.current(group.parent_id, kind)
    with transaction.atomic():
        Conference.objects.select_for_update().filter(pk=conference.pk).first()
        earlier = current_document(kind, conference, poll)
        if earlier is not None:
            raise AlreadyIssued(earlier)
        document = services.register(
            actor=actor,
            doc_type=plan.doc_type,
            date=plan.date,
            place=conference.place,
            summary=plan.summary,
            group=group,
            issuer_code=group_code(group),
        )
        content = _render(plan.build(document.number_text), template)
        document.template = template
        document.kind = kind
        document.conference = conference
        document.poll = poll if kind == "count" else None
        document.docx.save(f"{plan.filename}-{document.number}.docx", ContentFile(content), save=True)
    if not with_pdf:
        return document
    try:
        pdf = converter.convert_to_pdf(content)
    except (converter.PdfUnavailable, converter.ConversionFailed) as error:
        logger.warning("PDF not made for document %s: %s", document.pk, error)
        return document
    document.pdf.save(f"{plan.filename}-{document.number}.pdf", ContentFile(pdf), save=True)
    return document
