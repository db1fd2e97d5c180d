"""Every change to the registry: one function per change, in a transaction, with its audit event."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from thidua.accounts.models import User
from thidua.accounts.permissions import (
    can_edit_profile,
    can_manage_registry,
    can_record_women_share,
    require,
)
from thidua.audit.services import record
from thidua.lib.text import clean_text
from thidua.organizations import rules
from thidua.organizations.models import (
    EmulationGroup,
    GroupKind,
    Leadership,
    LeadershipRole,
    Membership,
    Officeholder,
    Organization,
    OrganizationKind,
    OrganizationName,
    Position,
    Regulation,
    WomenShare,
)
from thidua.web.versioning import parse_version, require_version

PROFILE_FIELDS = ("address", "phone", "email", "website", "head_name", "head_title")


def group_slug(parent: Organization, kind: str, number: int) -> str:
    return f"{parent.code}-{'cum' if kind == GroupKind.CLUSTER else 'khoi'}-{number}"


@transaction.atomic
def create_organization(
    *,
    actor: User,
    code: str,
    kind: str,
    parent: Organization | None,
    name: str,
    short_name: str = "",
    valid_from: datetime.date,
    source: str = "",
) -> Organization:
    if parent is not None:
        require(can_manage_registry(actor, parent))
    else:
        require(actor.is_superuser, "Chỉ quản trị hệ thống được tạo cơ quan cấp trên.")
    if Organization.objects.filter(code=code).exists():
        raise ValidationError({"code": f"Mã đơn vị «{code}» đã có."})
    organization = Organization.objects.create(code=code, kind=kind, parent=parent)
    OrganizationName.objects.create(
        organization=organization,
        name=clean_text(name),
        short_name=clean_text(short_name),
        valid_from=valid_from,
        source=clean_text(source),
    )
    organization.refresh_search_text()
    organization.save(update_fields=["search_text", "sort_key"])
    record(
        actor=actor,
        verb="organization.create",
        target=organization,
        data={"code": code, "kind": kind, "name": name, "valid_from": valid_from},
    )
    return organization


@transaction.atomic
def rename_organization(
    *,
    actor: User,
    organization: Organization,
    name: str,
    short_name: str = "",
    valid_from: datetime.date,
    source: str = "",
) -> OrganizationName:
    """A new name from a date on; earlier documents keep printing the earlier name."""
    require(organization.parent is not None and can_manage_registry(actor, organization.parent))
    if organization.names.filter(valid_from=valid_from).exists():
        raise ValidationError({"valid_from": "Đơn vị đã có một tên có hiệu lực từ ngày này."})
    new_name = OrganizationName.objects.create(
        organization=organization,
        name=clean_text(name),
        short_name=clean_text(short_name),
        valid_from=valid_from,
        source=clean_text(source),
    )
    organization.refresh_search_text()
    organization.save(update_fields=["search_text", "sort_key"])
    record(
        actor=actor,
        verb="organization.rename",
        target=organization,
        data={"name": new_name.name, "short_name": new_name.short_name, "valid_from": valid_from},
    )
    return new_name


@transaction.atomic
def record_merger(
    *, actor: User, absorbed: Organization, successor: Organization, on: datetime.date, source: str = ""
) -> Organization:
    """`absorbed` ends on `on` and its work passes to `successor` (e.g. Quảng Bình → Quảng Trị, 01/07/2025)."""
    require(absorbed.parent is not None and can_manage_registry(actor, absorbed.parent))
    if absorbed.pk == successor.pk:
        raise ValidationError({"successor": "Đơn vị không thể sáp nhập vào chính nó."})
    if successor.ended_on is not None and successor.ended_on <= on:
        raise ValidationError({"successor": "Đơn vị kế thừa đã thôi hoạt động trước ngày sáp nhập."})
    later = Membership.objects.filter(organization=absorbed, year__gt=on.year).order_by("year").first()
    if later is not None:
        raise ValidationError(
            {"on": f"Đơn vị vẫn là thành viên {later.group} năm {later.year}; hãy bỏ thành viên đó trước."}
        )
    absorbed.successor = successor
    absorbed.ended_on = on
    absorbed.save(update_fields=["successor", "ended_on"])
    record(
        actor=actor,
        verb="organization.merge",
        target=absorbed,
        data={"successor": successor.code, "on": on, "source": clean_text(source)},
    )
    return absorbed


@transaction.atomic
def update_profile(*, actor: User, organization: Organization, changes: dict[str, str]) -> Organization:
    require(can_edit_profile(actor, organization), "Bạn chỉ được sửa thông tin của đơn vị mình.")
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    before = {field: getattr(organization, field) for field in changes}
    for field, value in changes.items():
        setattr(organization, field, clean_text(value))
    organization.full_clean(exclude=["code", "kind", "parent", "successor", "ended_on"])
    organization.save(update_fields=list(changes))
    diff = {
        f: [before[f], getattr(organization, f)] for f in changes if before[f] != getattr(organization, f)
    }
    record(actor=actor, verb="organization.update_profile", target=organization, data={"changes": diff})
    return organization


@transaction.atomic
def create_group(
    *, actor: User, parent: Organization, kind: str, number: int, nickname: str = "", notes: str = ""
) -> EmulationGroup:
    require(can_manage_registry(actor, parent))
    if EmulationGroup.objects.filter(parent=parent, kind=kind, number=number).exists():
        raise ValidationError({"number": f"{GroupKind(kind).label} số {number} đã có."})
    group = EmulationGroup.objects.create(
        parent=parent,
        kind=kind,
        number=number,
        nickname=clean_text(nickname),
        notes=notes,
        slug=group_slug(parent, kind, number),
    )
    record(
        actor=actor,
        verb="group.create",
        target=group,
        group=group,
        data={"kind": kind, "number": number, "nickname": group.nickname},
    )
    return group


@transaction.atomic
def update_group(*, actor: User, group: EmulationGroup, nickname: str, notes: str) -> EmulationGroup:
    require(can_manage_registry(actor, group.parent))
    before = {"nickname": group.nickname, "notes": group.notes}
    group.nickname = clean_text(nickname)
    group.notes = notes
    group.save(update_fields=["nickname", "notes"])
    record(
        actor=actor,
        verb="group.update",
        target=group,
        group=group,
        data={"before": before, "after": {"nickname": group.nickname, "notes": group.notes}},
    )
    return group


def membership_problems(
    *, group: EmulationGroup, organization: Organization, year: int, today: datetime.date
) -> list[str]:
    """Why `organization` cannot join `group` in `year`, in Vietnamese; empty when it can.

    Shared by the membership form and the Excel import so both refuse the same things.
    """
    problems = []
    if not rules.year_in_range(year, today):
        problems.append(f"Năm {year} nằm ngoài khoảng {rules.FIRST_YEAR}–{today.year + rules.YEARS_AHEAD}.")
    if organization.parent_id != group.parent_id:
        problems.append(f"{organization} không thuộc {group.parent}.")
    if not rules.is_active_in_year(year, organization.ended_on):
        problems.append(f"{organization} đã thôi hoạt động từ {organization.ended_on:%d/%m/%Y}.")
    clash = (
        Membership.objects.filter(organization=organization, year=year, group__kind=group.kind)
        .select_related("group")
        .first()
    )
    if clash is not None:
        if clash.group_id == group.pk:
            problems.append(f"{organization} đã là thành viên {group} năm {year}.")
        else:
            problems.append(f"{organization} đã là thành viên {clash.group} năm {year}.")
    return problems


@transaction.atomic
def add_membership(
    *, actor: User, group: EmulationGroup, organization: Organization, year: int
) -> Membership:
    require(can_manage_registry(actor, group.parent))
    return _add_membership(actor=actor, group=group, organization=organization, year=year)


def _add_membership(
    *, actor: User, group: EmulationGroup, organization: Organization, year: int
) -> Membership:
    problems = membership_problems(
        group=group, organization=organization, year=year, today=timezone.localdate()
    )
    if problems:
        raise ValidationError(problems)
    membership = Membership.objects.create(group=group, organization=organization, year=year)
    record(
        actor=actor,
        verb="membership.add",
        target=membership,
        group=group,
        data={"organization": organization.code, "year": year},
    )
    return membership


@transaction.atomic
def remove_membership(*, actor: User, membership: Membership) -> None:
    group = membership.group
    require(can_manage_registry(actor, group.parent))
    if Leadership.objects.filter(
        group=group, year=membership.year, organization=membership.organization
    ).exists():
        raise ValidationError("Đơn vị đang là cụm trưởng hoặc cụm phó năm này; hãy đổi lãnh đạo cụm trước.")
    record(
        actor=actor,
        verb="membership.remove",
        target=membership,
        group=group,
        data={"organization": membership.organization.code, "year": membership.year},
    )
    membership.delete()


@transaction.atomic
def copy_memberships(*, actor: User, group: EmulationGroup, from_year: int, to_year: int) -> list[Membership]:
    """Start a year with last year's members: the usual case, then adjust by hand."""
    require(can_manage_registry(actor, group.parent))
    return _copy_memberships(actor=actor, group=group, from_year=from_year, to_year=to_year)


def successor_in_year(organization: Organization, year: int) -> Organization | None:
    """The organization that carries `organization`'s place in `year`: itself while it exists, else the
    end of its chain of mergers; None when it ended with no successor."""
    seen = set()
    current: Organization | None = organization
    while current is not None and not rules.is_active_in_year(year, current.ended_on):
        if current.pk in seen:  # a cycle of successors is bad data: stop rather than loop
            return None
        seen.add(current.pk)
        current = current.successor
    return current


@transaction.atomic
def carry_members_into_next_year(*, actor: User, group: EmulationGroup, year: int) -> list[Membership]:
    """When a conference elects next year's head and no one has listed next year's members yet, the
    group continues with this year's members: the secretariat publishing the vote needs no registry
    rights for that (the conference decided, not the secretariat). Parent-body staff adjust later."""
    if Membership.objects.filter(group=group, year=year + 1).exists():
        return []
    return _copy_memberships(actor=actor, group=group, from_year=year, to_year=year + 1)


def _copy_memberships(
    *, actor: User, group: EmulationGroup, from_year: int, to_year: int
) -> list[Membership]:
    created = []
    seen: set[int] = set()
    for membership in group.memberships.filter(year=from_year).select_related("organization"):
        organization = successor_in_year(membership.organization, to_year)
        if organization is None or organization.pk in seen:
            continue
        seen.add(organization.pk)
        if membership_problems(
            group=group, organization=organization, year=to_year, today=timezone.localdate()
        ):
            continue
        created.append(_add_membership(actor=actor, group=group, organization=organization, year=to_year))
    return created


@transaction.atomic
def set_leadership(
    *,
    actor: User,
    group: EmulationGroup,
    year: int,
    role: str,
    organization: Organization,
    source: str = "",
) -> Leadership:
    require(can_manage_registry(actor, group.parent))
    if not group.memberships.filter(organization=organization, year=year).exists():
        raise ValidationError({"organization": f"{organization} không phải thành viên {group} năm {year}."})
    other = (
        Leadership.objects.filter(group=group, year=year, organization=organization)
        .exclude(role=role)
        .first()
    )
    if other is not None:
        raise ValidationError(
            {"organization": f"{organization} đã là {other.get_role_display()} năm {year}."}
        )
    current = Leadership.objects.filter(group=group, year=year, role=role).first()
    before = current.organization.code if current else None
    if current is None:
        current = Leadership(group=group, year=year, role=role)
    current.organization = organization
    current.source = clean_text(source)
    current.save()
    record(
        actor=actor,
        verb="leadership.set",
        target=current,
        group=group,
        data={
            "year": year,
            "role": role,
            "before": before,
            "after": organization.code,
            "source": current.source,
        },
    )
    return current


@transaction.atomic
def clear_leadership(*, actor: User, leadership: Leadership) -> None:
    require(can_manage_registry(actor, leadership.group.parent))
    record(
        actor=actor,
        verb="leadership.clear",
        target=leadership,
        group=leadership.group,
        data={"year": leadership.year, "role": leadership.role, "organization": leadership.organization.code},
    )
    leadership.delete()


@dataclass(frozen=True)
class RotationSuggestion:
    head: Organization | None
    deputy: Organization | None


def suggest_rotation(
    *, group: EmulationGroup, year: int, members_year: int | None = None
) -> RotationSuggestion:
    """Who would head and deputize `year` by rotation, from past leadership and the members of
    `members_year` (default `year`; a year-end conference elects next year's officers from this year's
    members, before next year's list exists)."""
    members = list(
        Organization.objects.filter(memberships__group=group, memberships__year=members_year or year)
        .order_by("code")
        .distinct()
    )
    by_code = {m.code: m for m in members}
    headed: dict[str, list[int]] = {}
    deputy_before: Organization | None = None
    for lead in Leadership.objects.filter(group=group, year__lt=year).select_related("organization"):
        if lead.role == LeadershipRole.HEAD:
            headed.setdefault(lead.organization.code, []).append(lead.year)
        elif lead.year == year - 1:
            deputy_before = lead.organization
            # The deputy of a merged-away member hands over to its successor.
            while deputy_before.successor is not None and deputy_before.code not in by_code:
                deputy_before = deputy_before.successor
    head, deputy = rules.suggest_rotation(
        list(by_code), headed, deputy_before.code if deputy_before is not None else None
    )
    return RotationSuggestion(
        head=by_code.get(head) if head else None, deputy=by_code.get(deputy) if deputy else None
    )


REGULATION_FIELDS = (
    "title",
    "citation",
    "voting_unit",
    "voting_unit_source",
    "self_vote_allowed",
    "self_vote_source",
    "vote_base",
    "vote_base_source",
    "threshold_numerator",
    "threshold_denominator",
    "threshold_inclusive",
    "threshold_source",
    "quorum_numerator",
    "quorum_denominator",
    "quorum_source",
    "seats",
    "seats_source",
    "tie_break_order",
    "tie_break_source",
    "scoring_bands",
    "scoring_bands_source",
    "council_threshold_numerator",
    "council_threshold_denominator",
    "council_threshold_source",
    "second_round",
    "second_round_source",
    "board_key_threshold",
    "board_key_holders",
    "supervisor_holds_share",
    "board_key_source",
)


@transaction.atomic
def save_regulation(
    *,
    actor: User,
    parent: Organization,
    valid_from_year: int,
    values: dict[str, Any],
    version: object = None,
) -> Regulation:
    """Create the rule set that applies from `valid_from_year`, or change it if it exists.

    A change for a new year makes a new version; earlier years keep the rules they ran under.
    `version` is the one the form showed (0: the form started a version that did not exist yet): a save
    after someone else's is refused (StaleEdit) with who saved and when, and nothing is written.
    """
    require(can_manage_registry(actor, parent))
    # The parent's row is locked so that two officers starting the same year's version queue.
    Organization.objects.select_for_update().filter(pk=parent.pk).first()
    regulation = (
        Regulation.objects.select_for_update(of=("self",))
        .filter(parent=parent, valid_from_year=valid_from_year)
        .select_related("changed_by")
        .first()
    )
    created = regulation is None
    if regulation is None:
        regulation = Regulation(parent=parent, valid_from_year=valid_from_year)
    else:
        require_version(
            regulation,
            parse_version(version),
            what=f"Quy chế áp dụng từ năm {valid_from_year}",
            stored=f"«{regulation.title}»",
        )
        regulation.bump(actor)
    before = {f: getattr(regulation, f) for f in REGULATION_FIELDS} if not created else {}
    for field in REGULATION_FIELDS:
        if field in values:
            value = values[field]
            setattr(regulation, field, clean_text(value) if isinstance(value, str) else value)
    if created:
        regulation.changed_by, regulation.changed_at = actor, timezone.now()
    regulation.full_clean()
    regulation.save()
    after = {f: getattr(regulation, f) for f in REGULATION_FIELDS}
    record(
        actor=actor,
        verb="regulation.create" if created else "regulation.update",
        target=regulation,
        data={
            "valid_from_year": valid_from_year,
            "changes": {f: [before.get(f), after[f]] for f in REGULATION_FIELDS if before.get(f) != after[f]},
        },
    )
    return regulation


def ensure_parent_kind(organization: Organization) -> None:
    if organization.kind != OrganizationKind.PARENT_BODY:
        raise ValidationError("Đơn vị này không phải cơ quan cấp trên.")


@transaction.atomic
def record_women_share(
    *, actor: User, organization: Organization, year: int, percent: Decimal, source: str
) -> WomenShare:
    """Record (or correct) `organization`'s share of women in `year`, with where the figure comes from:
    the tie-break's women-share step reads it (NĐ 152/2025/NĐ-CP, Điều 4 khoản 6). Bad input is refused
    field by field and nothing is written."""
    require(
        can_record_women_share(actor, organization, year),
        "Chỉ cán bộ thi đua của đơn vị, cơ quan cấp trên hoặc thường trực cụm được ghi tỷ lệ nữ.",
    )
    source = clean_text(source)
    problems: dict[str, str] = {}
    today = timezone.localdate()
    if not rules.year_in_range(year, today):
        problems["year"] = f"Năm {year} nằm ngoài khoảng {rules.FIRST_YEAR}–{today.year + rules.YEARS_AHEAD}."
    if problem := rules.women_percent_problem(percent):
        problems["percent"] = problem
    if not source:
        problems["source"] = "Cần ghi căn cứ của số liệu tỷ lệ nữ (văn bản, báo cáo)."
    if problems:
        raise ValidationError(problems)
    existing = WomenShare.objects.select_for_update().filter(organization=organization, year=year).first()
    before = [str(existing.percent), existing.source] if existing is not None else None
    share = existing or WomenShare(organization=organization, year=year)
    # As the database keeps it (two decimals), so the audit's before and after read alike.
    percent = percent.quantize(Decimal("0.01"))
    share.percent = percent
    share.source = source
    share.full_clean()
    share.save()
    record(
        actor=actor,
        verb="organization.women_share",
        target=organization,
        data={"year": year, "before": before, "after": [str(percent), source]},
    )
    return share


# --- Officeholders (issue 15, part 2) -------------------------------------------------------------------

OFFICEHOLDER_DENIED = (
    "Chỉ cán bộ thi đua của đơn vị hoặc cơ quan cấp trên được sửa danh sách lãnh đạo đơn vị."
)


@dataclass(frozen=True)
class OfficeholderInput:
    """One term as typed, before it is checked: ``row`` names it in messages (an .xlsx row, or None)."""

    full_name: str
    position: str
    started_on: datetime.date
    ended_on: datetime.date | None
    source: str = ""
    row: int | None = None


def _term_words(term: rules.Term) -> str:
    until = f"{term.ended_on:%d/%m/%Y}" if term.ended_on else "nay"
    return f"{Position(term.position).label} {term.full_name} ({term.started_on:%d/%m/%Y} – {until})"


def officeholder_problems(
    organization: Organization, inputs: list[OfficeholderInput], *, keep_out: int | None = None
) -> list[str]:
    """Every reason `inputs` cannot join `organization`'s officeholders (all of them, so an .xlsx is
    fixed in one go), in Vietnamese, naming the row; ``keep_out`` is a term being edited. Terms of a
    sole position may not overlap one another or a term already kept (rules.overlapping_terms)."""
    problems: list[str] = []
    fresh: list[rules.Term] = []
    for index, item in enumerate(inputs):
        where = f"Dòng {item.row}: " if item.row is not None else ""
        if not clean_text(item.full_name):
            problems.append(f"{where}Cần ghi họ và tên.")
        if item.position not in Position.values:
            problems.append(f"{where}Chức vụ «{item.position}» không có trong danh sách.")
            continue
        if problem := rules.term_dates_problem(item.started_on, item.ended_on):
            problems.append(where + problem)
            continue
        name = clean_text(item.full_name)
        fresh.append(rules.Term(("new", index), name, item.position, item.started_on, item.ended_on))
    kept = [o.term() for o in organization.officeholders.all() if o.pk != keep_out]
    for first, second in rules.overlapping_terms(kept + fresh):
        if second not in fresh:
            continue  # two kept terms that clash were not made by this change
        item = inputs[second.key[1]]  # type: ignore[index]
        where = f"Dòng {item.row}: " if item.row is not None else ""
        known = "cùng tệp" if first in fresh else "đã có trong danh sách"
        label = Position(second.position).label
        problems.append(
            f"{where}{_term_words(second)} trùng thời gian với {_term_words(first)} ({known}): "
            + (
                f"mỗi lúc chỉ một người giữ chức {label}."
                if second.position in rules.SOLE_POSITIONS
                else "một người không giữ một chức hai lần cùng lúc."
            )
        )
    return problems


def _officeholder_data(holder: Officeholder) -> list[str | None]:
    return [
        holder.full_name,
        holder.position,
        holder.started_on.isoformat(),
        holder.ended_on.isoformat() if holder.ended_on else None,
        holder.source,
    ]


@transaction.atomic
def add_officeholders(
    *, actor: User, organization: Organization, inputs: list[OfficeholderInput]
) -> list[Officeholder]:
    """Add terms to `organization`'s officeholders, all or none: the organization's row is locked, so
    two officers adding a chairman at once cannot both pass the overlap check."""
    require(can_edit_profile(actor, organization), OFFICEHOLDER_DENIED)
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    problems = officeholder_problems(organization, inputs)
    if problems:
        raise ValidationError(problems)
    added = Officeholder.objects.bulk_create(
        Officeholder(
            organization=organization,
            full_name=clean_text(i.full_name),
            position=i.position,
            started_on=i.started_on,
            ended_on=i.ended_on,
            source=clean_text(i.source),
        )
        for i in inputs
    )
    record(
        actor=actor,
        verb="organization.officeholders.add",
        target=organization,
        data={"added": [_officeholder_data(h) for h in added]},
    )
    return added


@transaction.atomic
def change_officeholder(*, actor: User, officeholder: Officeholder, value: OfficeholderInput) -> Officeholder:
    """Correct a term, or end it (``ended_on``): the same checks as adding it."""
    organization = officeholder.organization
    require(can_edit_profile(actor, organization), OFFICEHOLDER_DENIED)
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    problems = officeholder_problems(organization, [value], keep_out=officeholder.pk)
    if problems:
        raise ValidationError(problems)
    before = _officeholder_data(officeholder)
    officeholder.full_name = clean_text(value.full_name)
    officeholder.position = value.position
    officeholder.started_on = value.started_on
    officeholder.ended_on = value.ended_on
    officeholder.source = clean_text(value.source)
    officeholder.save()
    record(
        actor=actor,
        verb="organization.officeholders.change",
        target=organization,
        data={"before": before, "after": _officeholder_data(officeholder)},
    )
    return officeholder


@transaction.atomic
def remove_officeholder(*, actor: User, officeholder: Officeholder) -> None:
    """Take out a term typed by mistake; a term that ended is ended, not removed (change_officeholder)."""
    organization = officeholder.organization
    require(can_edit_profile(actor, organization), OFFICEHOLDER_DENIED)
    data = _officeholder_data(officeholder)
    officeholder.delete()
    record(actor=actor, verb="organization.officeholders.remove", target=organization, data={"removed": data})
