"""Every change to an emulation year and its agreement: one function per change, audited."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from thidua.accounts.models import User
from thidua.accounts.permissions import can_draft_agreement, can_run_year, is_officer_of, require
from thidua.agreements.amendments import carry, facts_of
from thidua.agreements.models import (
    Agreement,
    AgreementStatus,
    Criterion,
    CriterionGroup,
    Signature,
    SignatureMethod,
)
from thidua.agreements.rules import amendment_diff
from thidua.agreements.template_data import PROVINCIAL_UNION_TEMPLATE
from thidua.audit.services import record, when_and_who
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.lib.files import random_name, sniff_pdf
from thidua.lib.text import clean_text, first_sentences
from thidua.organizations.models import Membership, Organization
from thidua.organizations.selectors import members_in_year
from thidua.web.versioning import require_version
from thidua.years.models import EmulationYear
from thidua.years.rules import in_force_from, move_years_on
from thidua.years.services import advance_year


def _require_runner(actor: User, emulation_year: EmulationYear) -> None:
    require(
        can_run_year(actor, emulation_year.group, emulation_year.year),
        "Chỉ thường trực cụm hoặc cơ quan cấp trên được thực hiện thao tác này.",
    )


def _require_drafter(actor: User, emulation_year: EmulationYear) -> None:
    require(
        can_draft_agreement(actor, emulation_year.group, emulation_year.year),
        "Chỉ thường trực cụm (năm nay hoặc năm trước) hoặc cơ quan cấp trên được soạn giao ước.",
    )


def _default_title(emulation_year: EmulationYear) -> str:
    return f"Giao ước thi đua năm {emulation_year.year} — {emulation_year.group}"


@transaction.atomic
def create_agreement_from_template(*, actor: User, emulation_year: EmulationYear) -> Agreement:
    """A draft from the built-in template for provincial unions; every point is an editable default."""
    _require_drafter(actor, emulation_year)
    if emulation_year.agreements.exists():
        raise ValidationError("Năm thi đua này đã có giao ước; hãy sửa dự thảo hoặc lập bản sửa đổi.")
    agreement = Agreement.objects.create(
        emulation_year=emulation_year,
        title=_default_title(emulation_year),
        goals=(
            "Đẩy mạnh các phong trào thi đua, hoàn thành xuất sắc nhiệm vụ năm "
            f"{emulation_year.year} của Liên hiệp Hội."
        ),
        commitments="Các đơn vị thành viên cam kết thực hiện đầy đủ các nội dung giao ước và báo cáo đúng hạn.",
        bonus_cap=Decimal(5),
        penalty_cap=Decimal(5),
        # Consulting, critique and social assessment: the work area VUSTA stresses for provincial unions.
        tie_break_group_code="3",
    )
    for group_position, group_template in enumerate(PROVINCIAL_UNION_TEMPLATE, start=1):
        criterion_group = CriterionGroup.objects.create(
            agreement=agreement,
            position=group_position,
            code=group_template.code,
            title=group_template.title,
            max_points=group_template.max_points,
        )
        Criterion.objects.bulk_create(
            Criterion(
                agreement=agreement,
                group=criterion_group,
                position=position,
                code=c.code,
                text=c.text,
                guidance=c.guidance,
                kind=c.kind.value,
                max_points=c.max_points,
                target=c.target,
                points_per_unit=c.points_per_unit,
                evidence_required=c.evidence_required,
            )
            for position, c in enumerate(group_template.criteria, start=1)
        )
    record(
        actor=actor,
        verb="agreement.create",
        target=agreement,
        group=emulation_year.group,
        data={"source": "template:provincial_union", "version": 1},
    )
    return agreement


def _copy_criteria(source: Agreement, target: Agreement, *, shift: int = 0) -> None:
    """Copy the work areas and criteria; `shift` moves the years their text names on (next year's copy)."""
    source_year = source.emulation_year.year

    def text(value: str) -> str:
        return move_years_on(value, source_year=source_year, years=shift) if shift else value

    for old_group in source.criterion_groups.prefetch_related("criteria"):
        new_group = CriterionGroup.objects.create(
            agreement=target,
            position=old_group.position,
            code=old_group.code,
            title=text(old_group.title),
            max_points=old_group.max_points,
        )
        Criterion.objects.bulk_create(
            Criterion(
                agreement=target,
                group=new_group,
                # The same criterion in the next version (or next year): scores follow the key.
                key=c.key,
                position=c.position,
                code=c.code,
                text=text(c.text),
                guidance=text(c.guidance),
                kind=c.kind,
                max_points=c.max_points,
                target=c.target,
                points_per_unit=c.points_per_unit,
                evidence_required=c.evidence_required,
            )
            for c in old_group.criteria.all()
        )


def previous_agreement(emulation_year: EmulationYear) -> Agreement | None:
    """Last year's signed agreement, the latest version: what next year's draft is copied from."""
    return (
        Agreement.objects.filter(
            emulation_year__group=emulation_year.group,
            emulation_year__year=emulation_year.year - 1,
            status__in=[AgreementStatus.IN_FORCE, AgreementStatus.SUPERSEDED],
        )
        .select_related("emulation_year")
        .order_by("-version")
        .first()
    )


@transaction.atomic
def copy_previous_agreement(*, actor: User, emulation_year: EmulationYear) -> Agreement:
    """A draft copied from last year's agreement in force: the usual start of a year."""
    _require_drafter(actor, emulation_year)
    if emulation_year.agreements.exists():
        raise ValidationError("Năm thi đua này đã có giao ước; hãy sửa dự thảo hoặc lập bản sửa đổi.")
    source = previous_agreement(emulation_year)
    if source is None:
        raise ValidationError(f"Năm {emulation_year.year - 1} không có giao ước đã ký để sao chép.")
    shift = emulation_year.year - source.emulation_year.year
    source_year = source.emulation_year.year
    agreement = Agreement.objects.create(
        emulation_year=emulation_year,
        title=_default_title(emulation_year),
        # The text speaks of its own year ("nhiệm vụ năm 2026"): the copy speaks of the new one.
        goals=move_years_on(source.goals, source_year=source_year, years=shift),
        commitments=move_years_on(source.commitments, source_year=source_year, years=shift),
        bonus_cap=source.bonus_cap,
        penalty_cap=source.penalty_cap,
        tie_break_group_code=source.tie_break_group_code,
    )
    _copy_criteria(source, agreement, shift=shift)
    record(
        actor=actor,
        verb="agreement.create",
        target=agreement,
        group=emulation_year.group,
        data={"source": f"agreement:{source.pk}", "version": 1},
    )
    return agreement


def _require_draft(agreement: Agreement) -> None:
    if not agreement.editable:
        raise ValidationError("Giao ước đã mở ký hoặc đã có hiệu lực, không sửa được; hãy lập bản sửa đổi.")


def _locked_draft(agreement: Agreement) -> Agreement:
    """The agreement re-read under lock and still a draft: edits of one draft queue one behind the other
    (a criterion's code stays unique, positions do not collide), and behind its opening for signing."""
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("emulation_year__group")
        .get(pk=agreement.pk)
    )
    _require_draft(locked)
    return locked


def _points(value: Decimal | None) -> str:
    return "trống" if value is None else format_vietnamese_decimal(value)


def agreement_words(agreement: Agreement) -> str:
    """What is stored, as a refused save shows it: the title, how the goals start, the two caps."""
    goals = f", mục tiêu «{first_sentences(agreement.goals, 60)}»" if agreement.goals else ""
    return (
        f"«{agreement.title}»{goals}, điểm thưởng tối đa {_points(agreement.bonus_cap)}, "
        f"điểm trừ tối đa {_points(agreement.penalty_cap)}"
    )


def criterion_words(criterion: Criterion) -> str:
    """«1.1 «Tổ chức …», tối đa 5 điểm»: the code, how the text starts and the maximum."""
    return (
        f"{criterion.code} «{first_sentences(criterion.text, 60)}», "
        f"tối đa {_points(criterion.max_points)} điểm"
    )


def criterion_group_words(criterion_group: CriterionGroup) -> str:
    return (
        f"{criterion_group.code} «{criterion_group.title}», tối đa {_points(criterion_group.max_points)} điểm"
    )


AGREEMENT_TEXT_FIELDS = ("title", "goals", "commitments", "bonus_cap", "penalty_cap", "tie_break_group_code")


@transaction.atomic
def update_agreement_text(
    *, actor: User, agreement: Agreement, values: dict[str, Any], version: int | None = None
) -> Agreement:
    """Save the draft's title, goals, commitments and caps. `version` is the one the form showed (None:
    no form, e.g. the API): a save after someone else's is refused (StaleEdit) with what is stored, by
    whom and when, and nothing is written."""
    _require_drafter(actor, agreement.emulation_year)
    agreement = _locked_draft(agreement)
    require_version(agreement, version, what="Nội dung giao ước", stored=agreement_words(agreement))
    changes = {}
    for name, value in values.items():
        if name not in AGREEMENT_TEXT_FIELDS:
            raise ValueError(name)
        value = clean_text(value) if name == "title" else value
        if getattr(agreement, name) != value:
            changes[name] = [getattr(agreement, name), value]
            setattr(agreement, name, value)
    agreement.bump(actor)
    agreement.save()
    record(
        actor=actor,
        verb="agreement.update",
        target=agreement,
        group=agreement.emulation_year.group,
        data=changes,
    )
    return agreement


CRITERION_FIELDS = (
    "group",
    "code",
    "text",
    "guidance",
    "kind",
    "max_points",
    "target",
    "points_per_unit",
    "evidence_required",
)


def _criterion_problems(values: dict[str, Any]) -> dict[str, str]:
    problems = {}
    kind = values.get("kind")
    if kind == "quantitative" and not values.get("target"):
        problems["target"] = "Tiêu chí định lượng cần chỉ tiêu lớn hơn 0."
    if kind == "per_occurrence" and not values.get("points_per_unit"):
        problems["points_per_unit"] = "Tiêu chí tính theo lần cần số điểm mỗi lần."
    return problems


def _locked_criterion(agreement: Agreement, criterion: Criterion) -> Criterion:
    """The criterion re-read under lock; refused, saying when and by whom, if it was deleted meanwhile."""
    locked = Criterion.objects.select_for_update().filter(pk=criterion.pk, agreement=agreement).first()
    if locked is None:
        done = when_and_who(criterion, "criterion.delete")
        raise ValidationError(
            f"Tiêu chí {criterion.code} đã bị xóa{f' {done}' if done else ''} sau khi bạn mở trang."
        )
    return locked


@transaction.atomic
def save_criterion(
    *,
    actor: User,
    agreement: Agreement,
    criterion: Criterion | None,
    values: dict[str, Any],
    version: int | None = None,
) -> Criterion:
    """Add a criterion (criterion=None) or change one, while the agreement is a draft.

    `version` is the one the form showed of the criterion it changes (None: no form, e.g. the API or the
    demo loader; a new criterion has none to check): a save after someone else's is refused (StaleEdit)
    with what is stored, by whom and when, and nothing is written."""
    _require_drafter(actor, agreement.emulation_year)
    agreement = _locked_draft(agreement)
    if criterion is not None:
        criterion = _locked_criterion(agreement, criterion)
        require_version(
            criterion, version, what=f"Tiêu chí {criterion.code}", stored=criterion_words(criterion)
        )
    problems = _criterion_problems(values)
    if problems:
        raise ValidationError(problems)
    group = values["group"]
    if group.agreement_id != agreement.pk:
        raise ValidationError({"group": "Nhóm tiêu chí không thuộc giao ước này."})
    duplicate = agreement.criteria.filter(code=values["code"])
    if criterion is not None:
        duplicate = duplicate.exclude(pk=criterion.pk)
    if duplicate.exists():
        raise ValidationError({"code": f"Mã tiêu chí «{values['code']}» đã có trong giao ước."})
    before = {f: str(getattr(criterion, f)) for f in CRITERION_FIELDS} if criterion else {}
    if criterion is None:
        position = (group.criteria.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        criterion = Criterion(
            agreement=agreement, position=position, changed_by=actor, changed_at=timezone.now()
        )
    else:
        criterion.bump(actor)
    for name in CRITERION_FIELDS:
        value = values.get(name)
        setattr(criterion, name, clean_text(value) if name in ("code",) and isinstance(value, str) else value)
    criterion.save()
    after = {f: str(getattr(criterion, f)) for f in CRITERION_FIELDS}
    record(
        actor=actor,
        verb="criterion.update" if before else "criterion.create",
        target=criterion,
        group=agreement.emulation_year.group,
        data={f: [before.get(f), after[f]] for f in CRITERION_FIELDS if before.get(f) != after[f]},
    )
    return criterion


@transaction.atomic
def delete_criterion(*, actor: User, criterion: Criterion, version: int | None = None) -> None:
    """Remove a criterion from the draft. `version` is the one the page showed: a criterion someone
    changed since is not deleted (StaleEdit), so nobody removes what they have not seen."""
    _require_drafter(actor, criterion.agreement.emulation_year)
    agreement = _locked_draft(criterion.agreement)
    criterion = _locked_criterion(agreement, criterion)
    require_version(criterion, version, what=f"Tiêu chí {criterion.code}", stored=criterion_words(criterion))
    record(
        actor=actor,
        verb="criterion.delete",
        target=criterion,
        group=agreement.emulation_year.group,
        data={"code": criterion.code, "text": criterion.text},
    )
    criterion.delete()


@transaction.atomic
def save_criterion_group(
    *,
    actor: User,
    agreement: Agreement,
    criterion_group: CriterionGroup | None,
    values: dict[str, Any],
    version: int | None = None,
) -> CriterionGroup:
    """Add a work area (criterion_group=None) or change one; `version` as for `save_criterion`."""
    _require_drafter(actor, agreement.emulation_year)
    agreement = _locked_draft(agreement)
    if criterion_group is not None:
        criterion_group = CriterionGroup.objects.select_for_update().get(
            pk=criterion_group.pk, agreement=agreement
        )
        require_version(
            criterion_group,
            version,
            what=f"Nhóm tiêu chí {criterion_group.code}",
            stored=criterion_group_words(criterion_group),
        )
    duplicate = agreement.criterion_groups.filter(code=values["code"])
    if criterion_group is not None:
        duplicate = duplicate.exclude(pk=criterion_group.pk)
    if duplicate.exists():
        raise ValidationError({"code": f"Mã nhóm «{values['code']}» đã có."})
    created = criterion_group is None
    if criterion_group is None:
        position = (
            agreement.criterion_groups.order_by("-position").values_list("position", flat=True).first() or 0
        ) + 1
        criterion_group = CriterionGroup(
            agreement=agreement, position=position, changed_by=actor, changed_at=timezone.now()
        )
    else:
        criterion_group.bump(actor)
    criterion_group.code = clean_text(values["code"])
    criterion_group.title = clean_text(values["title"])
    criterion_group.max_points = values["max_points"]
    criterion_group.save()
    record(
        actor=actor,
        verb="criterion_group.create" if created else "criterion_group.update",
        target=criterion_group,
        group=agreement.emulation_year.group,
        data={
            "code": criterion_group.code,
            "title": criterion_group.title,
            "max_points": criterion_group.max_points,
        },
    )
    return criterion_group


def members_of(emulation_year: EmulationYear) -> list[Organization]:
    return list(members_in_year(group_id=emulation_year.group_id, year=emulation_year.year))


@transaction.atomic
def open_for_signing(*, actor: User, agreement: Agreement) -> Agreement:
    _require_drafter(actor, agreement.emulation_year)
    _require_draft(agreement)
    if not agreement.criteria.exists():
        raise ValidationError("Giao ước chưa có tiêu chí nào.")
    agreement.status = AgreementStatus.SIGNING
    agreement.save(update_fields=["status"])
    emulation_year = agreement.emulation_year
    record(actor=actor, verb="agreement.open_signing", target=agreement, group=emulation_year.group, data={})
    advance_year(actor=actor, emulation_year=emulation_year)
    return agreement


def _put_in_force_if_complete(actor: User, agreement: Agreement) -> None:
    members = {m.pk for m in members_of(agreement.emulation_year)}
    signed = set(agreement.signatures.values_list("organization_id", flat=True))
    if not members or not members <= signed:
        return
    emulation_year = agreement.emulation_year
    replaced = (
        emulation_year.agreements.filter(status=AgreementStatus.IN_FORCE).exclude(pk=agreement.pk).first()
    )
    diff = amendment_diff(facts_of(replaced), facts_of(agreement)) if replaced else None
    if replaced is not None:
        replaced.status = AgreementStatus.SUPERSEDED
        replaced.save(update_fields=["status"])
    agreement.status = AgreementStatus.IN_FORCE
    # Signed at the previous year's conference, it binds from 1 January of its own year.
    agreement.in_force_at = in_force_from(emulation_year.year, timezone.localtime())
    agreement.save(update_fields=["status", "in_force_at"])
    record(
        actor=actor,
        verb="agreement.in_force",
        target=agreement,
        group=emulation_year.group,
        data={
            "version": agreement.version,
            "signatures": len(signed),
            **({"replaces": replaced.version, "changes": diff.lines()} if replaced and diff else {}),
        },
    )
    if replaced is not None and diff is not None:
        # The year's sheets, reviews and settled scores move to this version in this transaction.
        carry(actor, replaced, agreement, diff)
    advance_year(actor=actor, emulation_year=emulation_year)


def _require_signing(agreement: Agreement, organization: Organization) -> None:
    if agreement.status != AgreementStatus.SIGNING:
        raise ValidationError("Giao ước không ở giai đoạn ký.")
    if not Membership.objects.filter(
        group=agreement.emulation_year.group, year=agreement.emulation_year.year, organization=organization
    ).exists():
        raise ValidationError(f"{organization} không phải thành viên năm {agreement.emulation_year.year}.")
    if agreement.signatures.filter(organization=organization).exists():
        raise ValidationError(f"{organization} đã ký giao ước này.")


@transaction.atomic
def sign(
    *, actor: User, agreement: Agreement, organization: Organization, signer_name: str, signer_title: str
) -> Signature:
    """The member's head signs (the officer records the name and title of who signs, and when)."""
    require(is_officer_of(actor, organization), "Chỉ cán bộ của đơn vị được ký giao ước thay mặt đơn vị.")
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_signing(agreement, organization)
    signature = Signature.objects.create(
        agreement=agreement,
        organization=organization,
        signer_name=clean_text(signer_name),
        signer_title=clean_text(signer_title),
        signed_at=timezone.now(),
        method=SignatureMethod.ONLINE,
        recorded_by=actor,
    )
    record(
        actor=actor,
        verb="agreement.sign",
        target=agreement,
        group=agreement.emulation_year.group,
        data={
            "organization": organization.code,
            "signer": signature.signer_name,
            "title": signature.signer_title,
        },
    )
    _put_in_force_if_complete(actor, agreement)
    return signature


@transaction.atomic
def record_paper_signing(
    *,
    actor: User,
    agreement: Agreement,
    organization: Organization,
    signer_name: str,
    signer_title: str,
    signed_on: datetime.date,
    scan: UploadedFile,
) -> Signature:
    """The secretariat records a signing on paper, keeping the scanned PDF and its hash."""
    _require_drafter(actor, agreement.emulation_year)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_signing(agreement, organization)
    head = scan.read(8)
    if not sniff_pdf(head):
        raise ValidationError({"scan": "Bản quét phải là tệp PDF."})
    scan.seek(0)
    digest = hashlib.sha256()
    for chunk in scan.chunks():
        digest.update(chunk)
    scan.seek(0)
    signature = Signature(
        agreement=agreement,
        organization=organization,
        signer_name=clean_text(signer_name),
        signer_title=clean_text(signer_title),
        signed_at=timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(12))),
        method=SignatureMethod.PAPER,
        recorded_by=actor,
        scan_sha256=digest.hexdigest(),
    )
    signature.scan.save(random_name("pdf"), scan, save=False)
    signature.save()
    record(
        actor=actor,
        verb="agreement.sign_paper",
        target=agreement,
        group=agreement.emulation_year.group,
        data={
            "organization": organization.code,
            "signer": signature.signer_name,
            "sha256": signature.scan_sha256,
        },
    )
    _put_in_force_if_complete(actor, agreement)
    return signature


@transaction.atomic
def amend(*, actor: User, agreement: Agreement, reason: str) -> Agreement:
    """A change after the agreement is in force: a new draft version every member signs again."""
    _require_drafter(actor, agreement.emulation_year)
    if not clean_text(reason):
        raise ValidationError({"reason": "Cần nêu lý do sửa đổi."})
    # The year's row is the lock two amendments made at once queue on: the second sees the first and is
    # told so, instead of failing on the version number's constraint (issue 13).
    EmulationYear.objects.select_for_update().get(pk=agreement.emulation_year_id)
    agreement.refresh_from_db()
    pending = (
        agreement.emulation_year.agreements.filter(
            status__in=[AgreementStatus.DRAFT, AgreementStatus.SIGNING]
        )
        .order_by("-version")
        .first()
    )
    if pending is not None:
        done = when_and_who(pending, "agreement.amend")
        raise ValidationError(
            f"Đã có bản sửa đổi lần {pending.version - 1} đang {pending.get_status_display().lower()}"
            + (f", lập {done}" if done else "")
            + "; hãy sửa bản đó thay vì lập bản mới."
        )
    if agreement.status != AgreementStatus.IN_FORCE:
        raise ValidationError("Chỉ lập bản sửa đổi cho giao ước đang có hiệu lực.")
    latest = agreement.emulation_year.agreements.order_by("-version").first()
    version = (latest.version if latest else agreement.version) + 1
    amendment = Agreement.objects.create(
        emulation_year=agreement.emulation_year,
        version=version,
        title=agreement.title,
        goals=agreement.goals,
        commitments=agreement.commitments,
        bonus_cap=agreement.bonus_cap,
        penalty_cap=agreement.penalty_cap,
        tie_break_group_code=agreement.tie_break_group_code,
        amendment_reason=clean_text(reason),
    )
    _copy_criteria(agreement, amendment)
    record(
        actor=actor,
        verb="agreement.amend",
        target=amendment,
        group=agreement.emulation_year.group,
        data={"from_version": agreement.version, "version": version, "reason": amendment.amendment_reason},
    )
    return amendment


def agreement_in_force(emulation_year: EmulationYear) -> Agreement | None:
    return emulation_year.agreements.filter(status=AgreementStatus.IN_FORCE).first()
