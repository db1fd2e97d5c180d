"""The dossier's life: assembled by the secretariat, sent, returned or voted on by the parent council,
decided. One function per change, each in a transaction with its audit event.

Who may do what (DESIGN.md, Who uses it): the secretariat of the year (or the parent body's staff)
assembles and sends; the officers of a nominated member upload its achievement report; the parent
body's staff return a dossier, record the council's vote and the decision.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thidua.accounts.models import User
from thidua.accounts.permissions import can_run_year, is_officer_of, is_parent_staff, require
from thidua.audit.services import record
from thidua.awards import rules
from thidua.awards.models import AchievementReport, Award, Dossier, DossierStatus, Proposal
from thidua.conferences.models import Poll, PollKind, PollStatus
from thidua.documents.models import Document, DocumentStatus, DocumentType
from thidua.lib import files
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.lib.text import clean_text
from thidua.organizations.models import AwardForm, Membership, Organization, Regulation
from thidua.years.models import EmulationYear
from thidua.years.services import advance_year

REPORT_TYPES = (files.PDF, files.DOCX)
_EXTENSION = {files.PDF: "pdf", files.DOCX: "docx"}
NOT_DRAFT = "Hồ sơ đã gửi cơ quan cấp trên; chỉ sửa được khi cơ quan cấp trên trả lại."
RUNNERS_ONLY = "Chỉ thường trực cụm hoặc cơ quan cấp trên được lập hồ sơ đề nghị khen thưởng."
STAFF_ONLY = "Chỉ cán bộ cơ quan cấp trên được xử lý hồ sơ đề nghị khen thưởng."


def _require_runner(actor: User, emulation_year: EmulationYear) -> None:
    require(can_run_year(actor, emulation_year.group, emulation_year.year), RUNNERS_ONLY)


def _require_staff(actor: User, dossier: Dossier) -> None:
    require(is_parent_staff(actor, dossier.emulation_year.group.parent), STAFF_ONLY)


def _locked(dossier: Dossier) -> Dossier:
    """The dossier's row, locked until the transaction ends: two clicks never both move its state."""
    return (
        Dossier.objects.select_for_update().select_related("emulation_year__group__parent").get(pk=dossier.pk)
    )


def _require_draft(dossier: Dossier) -> None:
    if dossier.status != DossierStatus.DRAFT:
        raise ValidationError(NOT_DRAFT)


def nominations(emulation_year: EmulationYear) -> list[tuple[Organization, str, str]]:
    """(organization, award form, source) elected by the year's published nomination polls, where the
    quorum was met: what the conference proposes to the parent body."""
    polls = Poll.objects.filter(
        conference__emulation_year=emulation_year, kind=PollKind.NOMINATION, status=PollStatus.PUBLISHED
    ).select_related("conference")
    found: list[tuple[Organization, str, str]] = []
    for poll in polls:
        if not poll.result.get("quorum_met") or poll.award_form not in AwardForm.values:
            continue
        elected = poll.result.get("elected", [])
        by_code = {o.code: o for o in Organization.objects.filter(code__in=elected)}
        day = timezone.localtime(poll.conference.starts_at)
        for code in elected:
            if code in by_code:
                found.append((by_code[code], poll.award_form, f"{poll} — {poll.conference} ({day:%d/%m/%Y})"))
    return found


@transaction.atomic
def create_dossier(*, actor: User, emulation_year: EmulationYear) -> Dossier:
    """A draft dossier, its proposals taken from the published nomination polls where there are any."""
    _require_runner(actor, emulation_year)
    if Dossier.objects.filter(emulation_year=emulation_year).exists():
        raise ValidationError(f"Năm {emulation_year.year} đã có hồ sơ đề nghị khen thưởng.")
    dossier = Dossier.objects.create(emulation_year=emulation_year, created_by=actor)
    proposals = [
        Proposal(dossier=dossier, organization=organization, award_form=form, source=source[:300])
        for organization, form, source in nominations(emulation_year)
    ]
    Proposal.objects.bulk_create(proposals)
    record(
        actor=actor,
        verb="dossier.create",
        target=dossier,
        group=emulation_year.group,
        data={
            "year": emulation_year.year,
            "proposals": [[p.organization.code, p.award_form] for p in proposals],
        },
    )
    return dossier


def eligible_documents(emulation_year: EmulationYear) -> Iterable[Document]:
    """The year's documents a dossier may hold: the group's, of that year, issued (signed original kept)."""
    # A conference's documents belong to its year whenever they are issued (December's minutes may be
    # issued in January); others to the year of their number.
    return Document.objects.filter(
        Q(conference__emulation_year=emulation_year) | Q(conference__isnull=True, year=emulation_year.year),
        issuer_group=emulation_year.group,
        status=DocumentStatus.ISSUED,
    ).order_by("date", "number")


@transaction.atomic
def set_documents(*, actor: User, dossier: Dossier, documents: Iterable[Document]) -> Dossier:
    """The documents the dossier holds, chosen from the year's issued documents."""
    _require_runner(actor, dossier.emulation_year)
    dossier = _locked(dossier)
    _require_draft(dossier)
    chosen = list(documents)
    allowed = set(eligible_documents(dossier.emulation_year).values_list("pk", flat=True))  # type: ignore[attr-defined]
    foreign = [d.number_text for d in chosen if d.pk not in allowed]
    if foreign:
        raise ValidationError(
            {
                "documents": "Chỉ chọn được văn bản đã ban hành (đã lưu bản gốc đã ký) của cụm trong năm "
                f"{dossier.emulation_year.year}; không chọn được: {', '.join(foreign)}."
            }
        )
    dossier.documents.set(chosen)
    record(
        actor=actor,
        verb="dossier.documents",
        target=dossier,
        group=dossier.emulation_year.group,
        data={"documents": sorted(d.number_text for d in chosen)},
    )
    return dossier


@transaction.atomic
def add_proposal(*, actor: User, dossier: Dossier, organization: Organization, award_form: str) -> Proposal:
    _require_runner(actor, dossier.emulation_year)
    dossier = _locked(dossier)
    _require_draft(dossier)
    emulation_year = dossier.emulation_year
    if award_form not in AwardForm.values:
        raise ValidationError({"award_form": "Hình thức khen thưởng không có trong danh mục."})
    if not Membership.objects.filter(
        group=emulation_year.group, year=emulation_year.year, organization=organization
    ).exists():
        raise ValidationError(
            {"organization": f"{organization} không phải thành viên của cụm năm {emulation_year.year}."}
        )
    if dossier.proposals.filter(organization=organization, award_form=award_form).exists():
        raise ValidationError(
            f"{organization} đã được đề nghị {AwardForm(award_form).label} trong hồ sơ này."
        )
    proposal = Proposal.objects.create(
        dossier=dossier, organization=organization, award_form=award_form, source="Thường trực cụm bổ sung"
    )
    record(
        actor=actor,
        verb="dossier.proposal_add",
        target=dossier,
        group=emulation_year.group,
        data={"organization": organization.code, "award_form": award_form},
    )
    return proposal


@transaction.atomic
def remove_proposal(*, actor: User, proposal: Proposal) -> None:
    dossier = _locked(proposal.dossier)
    _require_runner(actor, dossier.emulation_year)
    _require_draft(dossier)
    record(
        actor=actor,
        verb="dossier.proposal_remove",
        target=dossier,
        group=dossier.emulation_year.group,
        data={"organization": proposal.organization.code, "award_form": proposal.award_form},
    )
    proposal.delete()


def _size_words(limit: int) -> str:
    return f"{format_vietnamese_decimal(Decimal(limit) / 1024 / 1024, 1)} MB"


@transaction.atomic
def add_achievement_report(
    *, actor: User, dossier: Dossier, organization: Organization, upload: UploadedFile
) -> AchievementReport:
    """A nominated member's achievement report, uploaded by its own officers: PDF or DOCX judged by
    content (as evidence is), no larger than the evidence limit, its SHA-256 kept."""
    require(
        is_officer_of(actor, organization), "Chỉ cán bộ của đơn vị được đề nghị mới tải báo cáo thành tích."
    )
    dossier = _locked(dossier)
    _require_draft(dossier)
    if not dossier.proposals.filter(organization=organization).exists():
        raise ValidationError(f"{organization} không có đề nghị khen thưởng nào trong hồ sơ này.")
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError({"file": f"Tệp «{upload.name}» lớn hơn giới hạn {_size_words(limit)}."})
    content_type = files.detect(upload.file)  # type: ignore[arg-type]
    if content_type not in REPORT_TYPES:
        raise ValidationError(
            {"file": f"Tệp «{upload.name}» không phải PDF hay Word (.docx) (kiểm tra theo nội dung tệp)."}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    report = AchievementReport(
        dossier=dossier,
        organization=organization,
        original_name=clean_text(upload.name or "bao-cao-thanh-tich")[:255],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    # A random stored name: the original name is for display only, never a path.
    report.file.save(
        f"{digest.hexdigest()[:16]}-{timezone.now():%H%M%S%f}.{_EXTENSION[content_type]}", upload, save=False
    )
    report.save()
    record(
        actor=actor,
        verb="dossier.report_add",
        target=dossier,
        group=dossier.emulation_year.group,
        data={"organization": organization.code, "name": report.original_name, "sha256": report.sha256},
    )
    return report


def submission_problems(dossier: Dossier) -> list[str]:
    types = list(dossier.documents.values_list("doc_type", flat=True))
    year = dossier.emulation_year.year
    return rules.submission_problems(
        has_proposal_letter=DocumentType.PROPOSAL in types,
        has_minutes=DocumentType.MINUTES in types,
        proposals=dossier.proposals.count(),
        missing_reports=[o.name_in_year(year) for o in missing_reports(dossier)],
    )


def missing_reports(dossier: Dossier) -> list[Organization]:
    """Nominated members that have not uploaded an achievement report yet: the dossier is not sent
    without them."""
    reported = set(dossier.reports.values_list("organization_id", flat=True))
    proposed = (
        Organization.objects.filter(pk__in=dossier.proposals.values_list("organization_id", flat=True))
        .prefetch_related("names")
        .order_by("sort_key", "pk")
    )
    return [o for o in proposed if o.pk not in reported]


@transaction.atomic
def submit(*, actor: User, dossier: Dossier) -> Dossier:
    _require_runner(actor, dossier.emulation_year)
    dossier = _locked(dossier)
    _require_draft(dossier)
    problems = submission_problems(dossier)
    if problems:
        raise ValidationError(problems)
    dossier.status = DossierStatus.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.save(update_fields=["status", "submitted_at"])
    record(
        actor=actor,
        verb="dossier.submit",
        target=dossier,
        group=dossier.emulation_year.group,
        data={
            "documents": sorted(dossier.documents.values_list("number_text", flat=True)),
            "proposals": [
                [p.organization.code, p.award_form] for p in dossier.proposals.select_related("organization")
            ],
        },
    )
    advance_year(actor=actor, emulation_year=dossier.emulation_year)
    return dossier


@transaction.atomic
def return_dossier(*, actor: User, dossier: Dossier, reason: str) -> Dossier:
    """Back to the secretariat as a draft, with the reason. Not once the council has voted: the vote
    stands and only the decision is left."""
    _require_staff(actor, dossier)
    dossier = _locked(dossier)
    reason = clean_text(reason)
    if dossier.status != DossierStatus.SUBMITTED:
        raise ValidationError("Chỉ trả lại được hồ sơ đã gửi và chưa có quyết định.")
    if dossier.council_voted_at is not None:
        raise ValidationError("Hội đồng đã bỏ phiếu hồ sơ này; chỉ còn ghi nhận quyết định khen thưởng.")
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do trả lại hồ sơ."})
    dossier.status = DossierStatus.DRAFT
    dossier.returned_reason = reason
    dossier.returned_at = timezone.now()
    dossier.save(update_fields=["status", "returned_reason", "returned_at"])
    record(
        actor=actor,
        verb="dossier.return",
        target=dossier,
        group=dossier.emulation_year.group,
        data={"reason": reason},
    )
    return dossier


def regulation_of(dossier: Dossier) -> Regulation:
    emulation_year = dossier.emulation_year
    regulation = Regulation.objects.in_force(emulation_year.group.parent, emulation_year.year)
    if regulation is None:
        raise ValidationError(f"Cơ quan cấp trên chưa có quy chế áp dụng cho năm {emulation_year.year}.")
    return regulation


def proposal_label(proposal: Proposal) -> str:
    return f"{proposal.organization.name_in_year(proposal.dossier.emulation_year.year)} — {proposal.get_award_form_display()}"


@transaction.atomic
def record_council_vote(
    *,
    actor: User,
    dossier: Dossier,
    members: int | None,
    present: int | None,
    votes: Mapping[int, int | None],
) -> Dossier:
    """The parent council's vote: its total membership, those present, and per proposal the votes in
    favour, written votes of absent members included. Each proposal passes with the Regulation's share
    of the TOTAL membership (DOMAIN.md, Voting, "Parent council"): `rules.council_outcome`."""
    _require_staff(actor, dossier)
    dossier = _locked(dossier)
    if dossier.status != DossierStatus.SUBMITTED:
        raise ValidationError("Hội đồng chỉ bỏ phiếu hồ sơ đã gửi và chưa có quyết định.")
    proposals = list(dossier.proposals.select_related("organization").prefetch_related("organization__names"))
    labelled = {proposal_label(p): votes.get(p.pk) for p in proposals}
    problems = rules.council_vote_problems(members=members, present=present, votes=labelled)
    if problems:
        raise ValidationError(problems)
    assert members is not None and present is not None
    regulation = regulation_of(dossier)
    threshold = regulation.council_threshold
    outcomes = {}
    for proposal in proposals:
        count = votes[proposal.pk]
        assert count is not None
        outcome = rules.council_outcome(threshold, members=members, votes=count)
        proposal.votes_in_favour, proposal.votes_needed, proposal.passed = (
            count,
            outcome.needed,
            outcome.passed,
        )
        outcomes[proposal.organization.code + ":" + proposal.award_form] = [
            count,
            outcome.needed,
            outcome.passed,
        ]
    Proposal.objects.bulk_update(proposals, ["votes_in_favour", "votes_needed", "passed"])
    dossier.council_members = members
    dossier.council_present = present
    dossier.council_threshold_numerator = threshold.numerator
    dossier.council_threshold_denominator = threshold.denominator
    dossier.council_threshold_source = regulation.council_threshold_source[:400]
    dossier.council_voted_at = timezone.now()
    dossier.save(
        update_fields=[
            "council_members",
            "council_present",
            "council_threshold_numerator",
            "council_threshold_denominator",
            "council_threshold_source",
            "council_voted_at",
        ]
    )
    record(
        actor=actor,
        verb="dossier.council_vote",
        target=dossier,
        group=dossier.emulation_year.group,
        data={
            "members": members,
            "present": present,
            "threshold": f"{threshold.numerator}/{threshold.denominator}",
            "outcomes": outcomes,
        },
    )
    return dossier


@transaction.atomic
def record_decision(
    *,
    actor: User,
    dossier: Dossier,
    number: str,
    date: datetime.date | None,
    signer_name: str,
    signer_title: str,
    note: str = "",
) -> list[Award]:
    """The president's decision: an award for each proposal the council passed, nothing for the others."""
    _require_staff(actor, dossier)
    dossier = _locked(dossier)
    if dossier.status != DossierStatus.SUBMITTED or dossier.council_voted_at is None:
        raise ValidationError("Chỉ ghi nhận quyết định cho hồ sơ đã gửi và đã được Hội đồng bỏ phiếu.")
    number, signer_name, signer_title, note = (
        clean_text(number),
        clean_text(signer_name),
        clean_text(signer_title),
        clean_text(note),
    )
    errors: dict[str, str] = {}
    if not number:
        errors["number"] = "Hãy ghi số quyết định (ví dụ 123/QĐ-LHHVN)."
    if date is None:
        errors["date"] = "Hãy ghi ngày quyết định."
    elif date.year < dossier.emulation_year.year:
        errors["date"] = f"Ngày quyết định không thể trước năm thi đua {dossier.emulation_year.year}."
    if not signer_name:
        errors["signer_name"] = "Hãy ghi họ tên người ký quyết định."
    if not signer_title:
        errors["signer_title"] = "Hãy ghi chức vụ người ký quyết định."
    if errors:
        raise ValidationError(errors)
    assert date is not None
    year = dossier.emulation_year.year
    passed = list(dossier.proposals.filter(passed=True).select_related("organization"))
    already = Award.objects.filter(
        year=year,
        organization__in=[p.organization for p in passed],
        award_form__in={p.award_form for p in passed},
    ).values_list("organization_id", "award_form")
    clash = {(o, f) for o, f in already} & {(p.organization_id, p.award_form) for p in passed}
    if clash:
        raise ValidationError("Có đơn vị đã được khen thưởng hình thức này trong năm; hãy kiểm tra lại.")
    awards = Award.objects.bulk_create(
        Award(
            organization=p.organization,
            year=year,
            award_form=p.award_form,
            decision_number=number,
            decision_date=date,
            dossier=dossier,
            note=note,
        )
        for p in passed
    )
    dossier.status = DossierStatus.DECIDED
    dossier.decision_number = number
    dossier.decision_date = date
    dossier.decision_signer_name = signer_name
    dossier.decision_signer_title = signer_title
    dossier.decision_note = note
    dossier.save(
        update_fields=[
            "status",
            "decision_number",
            "decision_date",
            "decision_signer_name",
            "decision_signer_title",
            "decision_note",
        ]
    )
    record(
        actor=actor,
        verb="dossier.decide",
        target=dossier,
        group=dossier.emulation_year.group,
        data={
            "number": number,
            "date": date,
            "signer": [signer_name, signer_title],
            "awards": [[p.organization.code, p.award_form] for p in passed],
        },
    )
    return awards
