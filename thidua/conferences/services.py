"""The conference: delegates, codes, check-in, polls, the secret vote, counting and results.

Every change is one function in a transaction with its audit event — except casting a vote, which on
purpose writes no audit event: an event per vote would carry a time and a sequence number next to the
voter, and would serialize every vote on the audit chain's lock. What a vote leaves is exactly a
`Participation` and a `Ballot`, written together (DESIGN.md, secret ballot).
"""

from __future__ import annotations

import contextlib
import functools
import json
import operator
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from thidua.accounts.models import User
from thidua.accounts.permissions import can_run_year, require
from thidua.agreements.models import Agreement, AgreementStatus
from thidua.agreements.services import open_for_signing
from thidua.assessments.ranking import MemberResult, YearResults, year_results
from thidua.audit.services import record, when_and_who
from thidua.conferences import codes, kits, rules, throttle, ties
from thidua.conferences.models import (
    Ballot,
    Choice,
    Conference,
    ConferenceKind,
    ConferenceRole,
    Delegate,
    PaperCount,
    Participation,
    Poll,
    PollKind,
    PollStatus,
)
from thidua.lib import elgamal
from thidua.lib.dates import moment
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.lib.text import clean_text
from thidua.organizations import services as registry
from thidua.organizations.models import (
    AwardForm,
    Leadership,
    LeadershipRole,
    Membership,
    Organization,
    Regulation,
    VotingUnit,
)
from thidua.web import rows
from thidua.web.versioning import parse_version, require_version
from thidua.years.models import EmulationYear
from thidua.years.services import advance_year

MOTION_CHOICES = (("yes", "Đồng ý"), ("no", "Không đồng ý"), ("abstain", "Không có ý kiến"))


def require_runner(actor: User, conference: Conference) -> None:
    emulation_year = conference.emulation_year
    require(
        can_run_year(actor, emulation_year.group, emulation_year.year),
        "Chỉ thường trực cụm hoặc cơ quan cấp trên được điều hành hội nghị.",
    )


def regulation_for(conference: Conference) -> Regulation:
    emulation_year = conference.emulation_year
    regulation = Regulation.objects.in_force(emulation_year.group.parent, emulation_year.year)
    if regulation is None:
        raise ValidationError("Cơ quan cấp trên chưa có quy chế cho năm này.")
    return regulation


@transaction.atomic
def create_conference(*, actor: User, emulation_year: EmulationYear, values: dict[str, Any]) -> Conference:
    require(
        can_run_year(actor, emulation_year.group, emulation_year.year),
        "Chỉ thường trực cụm hoặc cơ quan cấp trên được tạo hội nghị.",
    )
    # The year's row is locked first, so that a double click (or two officers at once) queues: the second
    # request sees the first's conference and is refused instead of making a twin.
    EmulationYear.objects.select_for_update().filter(pk=emulation_year.pk).first()
    kind = values.get("kind") or ConferenceKind.YEAR_END
    existing = Conference.objects.filter(emulation_year=emulation_year, kind=kind).first()
    if existing is not None:
        done = when_and_who(existing, "conference.create")
        raise ValidationError(
            {
                "kind": f"Năm {emulation_year.year} đã có {existing.get_kind_display().lower()}: «{existing.title}»"
                + (f", tạo {done}." if done else ".")
            }
        )
    conference = Conference(emulation_year=emulation_year)
    for name in ("kind", "title", "starts_at", "place", "host", "agenda"):
        if name in values:
            value = values[name]
            setattr(
                conference, name, clean_text(value) if isinstance(value, str) and name != "agenda" else value
            )
    conference.full_clean()
    conference.save()
    record(
        actor=actor,
        verb="conference.create",
        target=conference,
        group=emulation_year.group,
        data={"title": conference.title, "starts_at": conference.starts_at, "place": conference.place},
    )
    advance_year(actor=actor, emulation_year=emulation_year)
    return conference


CONFERENCE_FIELDS = ("title", "starts_at", "place", "host", "agenda")


def conference_words(conference: Conference) -> str:
    """What is stored, as a refused save shows it: «tên; thời gian; địa điểm»."""
    return f"«{conference.title}», {moment(conference.starts_at)}, tại {conference.place}"


@transaction.atomic
def update_conference(
    *, actor: User, conference: Conference, values: dict[str, Any], version: object = None
) -> Conference:
    """Save the conference's details. `version` is the one the form showed: a save after someone else's
    is refused (StaleEdit) with what is stored, by whom and when, and nothing is written."""
    require_runner(actor, conference)
    conference = (
        Conference.objects.select_for_update(of=("self",))
        .select_related("emulation_year__group")
        .get(pk=conference.pk)
    )
    require_version(
        conference, parse_version(version), what="Thông tin hội nghị", stored=conference_words(conference)
    )
    changes = {}
    for name in (
        "title",
        "starts_at",
        "place",
        "host",
        "agenda",
        "opinions",
    ):
        if name in values and getattr(conference, name) != values[name]:
            changes[name] = [str(getattr(conference, name)), str(values[name])]
            setattr(conference, name, values[name])
    conference.bump(actor)
    conference.save()
    record(
        actor=actor,
        verb="conference.update",
        target=conference,
        group=conference.emulation_year.group,
        data=changes,
    )
    return conference


def _closed_words(conference: Conference) -> str:
    assert conference.closed_at is not None
    done = when_and_who(conference, "conference.close") or (f"lúc {moment(conference.closed_at)}")
    return f"Hội nghị đã kết thúc {done}."


def _lock_open_conference(conference: Conference) -> None:
    """Refuse work on a conference that has ended. The row is locked, so `close_conference` waits for a
    poll being created or opened, and a poll cannot slip in after the closing."""
    locked = Conference.objects.select_for_update().get(pk=conference.pk)
    if locked.closed_at is not None:
        raise ValidationError(_closed_words(locked))


@transaction.atomic
def close_conference(*, actor: User, conference: Conference) -> Conference:
    """End the conference ("Kết thúc hội nghị"): its closing time goes into the minutes, and the year's
    stage moves on from it. Refused while a poll is not published, naming the polls."""
    require_runner(actor, conference)
    locked = Conference.objects.select_for_update().get(pk=conference.pk)
    if locked.closed_at is not None:
        raise ValidationError(_closed_words(locked))
    unpublished = list(locked.polls.exclude(status=PollStatus.PUBLISHED).order_by("position", "pk"))
    if unpublished:
        names = "; ".join(f"«{p}» ({p.get_status_display().lower()})" for p in unpublished)
        raise ValidationError(
            "Chưa thể kết thúc hội nghị: còn cuộc bỏ phiếu chưa công bố kết quả: "
            f"{names}. Hãy hoàn tất và công bố kết quả các cuộc bỏ phiếu này trước."
        )
    locked.closed_at = timezone.now()
    locked.save(update_fields=["closed_at"])
    conference.closed_at = locked.closed_at
    record(
        actor=actor,
        verb="conference.close",
        target=locked,
        group=locked.emulation_year.group,
        data={"closed_at": locked.closed_at, "polls": locked.polls.count()},
    )
    advance_year(actor=actor, emulation_year=locked.emulation_year)
    return conference


def voting_unit(conference: Conference) -> str:
    return regulation_for(conference).voting_unit


@transaction.atomic
def add_delegate(
    *,
    actor: User,
    conference: Conference,
    organization: Organization | None,
    full_name: str,
    job_title: str = "",
    votes: bool = False,
    counting_board: bool = False,
    role: str = "",
) -> Delegate:
    require_runner(actor, conference)
    # Locked, so two requests adding the same member's voting delegate at once queue, and the second
    # meets the one-vote-per-member check below (Quy chế: mỗi đơn vị thành viên một phiếu).
    Conference.objects.select_for_update().filter(pk=conference.pk).first()
    emulation_year = conference.emulation_year
    voting_seat = ""
    if votes:
        if organization is None:
            raise ValidationError({"votes": "Khách mời không có quyền biểu quyết."})
        if not Membership.objects.filter(
            group=emulation_year.group, year=emulation_year.year, organization=organization
        ).exists():
            raise ValidationError(
                {"organization": f"{organization} không phải thành viên năm {emulation_year.year}."}
            )
        if voting_unit(conference) == VotingUnit.ORGANIZATION:
            voting_seat = f"org:{organization.pk}"
            existing = conference.delegates.filter(organization=organization, votes=True).first()
            if existing is not None:
                raise _second_voter(organization, existing)
    try:
        with transaction.atomic():  # the constraint is the last word if a writer skipped the lock
            delegate = Delegate.objects.create(
                conference=conference,
                organization=organization,
                full_name=clean_text(full_name),
                job_title=clean_text(job_title),
                votes=votes,
                counting_board=counting_board,
                voting_seat=voting_seat,
            )
            if role:
                _give_role(conference, delegate, role)
    except IntegrityError:
        existing = conference.delegates.filter(voting_seat=voting_seat, votes=True).first()
        if not voting_seat or existing is None:
            raise
        raise _second_voter(organization, existing) from None
    record(
        actor=actor,
        verb="delegate.add",
        target=delegate,
        group=emulation_year.group,
        data={
            "organization": organization.code if organization else None,
            "votes": votes,
            "board": counting_board,
            "role": role,
        },
    )
    return delegate


def _second_voter(organization: Organization | None, existing: Delegate) -> ValidationError:
    done = when_and_who(existing, "delegate.add")
    return ValidationError(
        {
            "votes": f"{organization} đã có đại biểu biểu quyết: {existing.full_name}"
            + (f" (thêm {done})" if done else "")
            + "; quy chế: mỗi đơn vị thành viên một phiếu."
        }
    )


def _give_role(conference: Conference, delegate: Delegate, role: str) -> None:
    """`delegate` takes `role` from whoever held it (one person a role, one role a person)."""
    if role not in ConferenceRole.values:
        raise ValidationError({"role": "Vai trò này không có."})
    conference.delegates.filter(role=role).exclude(pk=delegate.pk).update(role="")
    Delegate.objects.filter(pk=delegate.pk).update(role=role)
    delegate.role = role


@transaction.atomic
def assign_roles(
    *, actor: User, conference: Conference, people: dict[str, Delegate | None]
) -> dict[str, Delegate]:
    """Pick the conference's chair, secretary and parent body's representative from its delegates
    (issue 15, part 2): the minutes name them once each, among the attendees, and the chair and the
    secretary sign them. A person holds one role; None leaves a role empty."""
    require_runner(actor, conference)
    Conference.objects.select_for_update().filter(pk=conference.pk).first()
    chosen = [d.pk for d in people.values() if d is not None]
    if len(chosen) != len(set(chosen)):
        raise ValidationError(
            "Mỗi người chỉ giữ một vai trò: chủ trì, thư ký và đại diện cấp trên là ba người khác nhau."
        )
    for delegate in people.values():
        if delegate is not None and delegate.conference_id != conference.pk:
            raise ValidationError("Người được chọn phải có trong danh sách đại biểu của hội nghị.")
    before = {role: d.full_name for role, d in conference.people().items()}
    conference.delegates.filter(role__in=list(people)).update(role="")
    for role, delegate in people.items():
        if delegate is not None:
            _give_role(conference, delegate, role)
    after = conference.people()
    record(
        actor=actor,
        verb="conference.roles",
        target=conference,
        group=conference.emulation_year.group,
        data={"before": before, "after": {role: d.full_name for role, d in after.items()}},
    )
    return after


@dataclass(frozen=True)
class IssuedCode:
    delegate: Delegate
    code: str  # shown once, on the printed card; only its hash is kept


@transaction.atomic
def issue_codes(
    *, actor: User, conference: Conference, delegates: Iterable[Delegate] | None = None
) -> list[IssuedCode]:
    """New access codes for the voting delegates (or the given ones); earlier codes stop working. A
    delegate without a card number gets the next free one: it is printed for people, no part of the code."""
    require_runner(actor, conference)
    chosen = list(delegates) if delegates is not None else list(conference.delegates.filter(votes=True))
    used = set(conference.delegates.exclude(card="").values_list("card", flat=True))
    number = 1
    issued = []
    for delegate in sorted(chosen, key=lambda d: d.pk):
        if not delegate.card:
            while f"{number:02d}" in used:
                number += 1
            delegate.card = f"{number:02d}"
            used.add(delegate.card)
        code = codes.new_code()
        delegate.code_hash = codes.code_hash(codes.normalize(code) or "")
        delegate.save(update_fields=["card", "code_hash"])
        issued.append(IssuedCode(delegate, code))
    record(
        actor=actor,
        verb="delegate.issue_codes",
        target=conference,
        group=conference.emulation_year.group,
        data={"cards": sorted(d.delegate.card for d in issued)},
    )
    return issued


class CodeRejected(ValidationError):
    pass


class TooManyWrongCodes(CodeRejected):
    """This client reached the limit of wrong codes: it waits, whatever code it sends now."""


CODE_SHAPE_WORDS = f"mã in trên thẻ gồm 16 chữ và số, dạng {codes.EXAMPLE}."


def authenticate(conference: Conference, code: str, *, client: str) -> Delegate:
    """The delegate holding `code` (typed, or the card's whole QR address). A wrong code is counted
    against `client`, never against a card: no card can be locked, so a delegate can always vote with
    their own (`thidua.conferences.throttle`)."""
    if throttle.blocked(client):
        raise TooManyWrongCodes(
            f"Thiết bị này đã nhập sai mã quá nhiều lần. Hãy chờ {throttle.wait_minutes()} phút "
            "rồi thử lại, hoặc gặp thư ký hội nghị."
        )
    scanned = codes.read_scanned_card(code)
    delegate = None
    if scanned is not None and scanned.conference in (None, conference.pk):
        delegate = _delegate_by_code(conference, codes.code_hash(scanned.code))
    if delegate is None:
        throttle.note_wrong_code(client)
        if scanned is None:
            raise CodeRejected(f"Mã không đúng dạng: {CODE_SHAPE_WORDS}")
        raise CodeRejected("Mã không đúng: hãy so lại từng chữ với mã in trên thẻ.")
    return delegate


@functools.cache
def _delegate_by_code_sql(vendor: str) -> str:
    return (
        f"SELECT {rows.select_list(Delegate, 'd')}, {rows.select_list(Organization, 'o')} "  # noqa: S608 — names from the models  # nosec B608
        f"FROM {rows.table(Delegate)} d LEFT JOIN {rows.table(Organization)} o "
        f"ON o.{rows.column(Organization, 'id')} = d.{rows.column(Delegate, 'organization')} "
        f"WHERE d.{rows.column(Delegate, 'conference')} = %s AND d.{rows.column(Delegate, 'code_hash')} = %s"
    )


def _delegate_by_code(conference: Conference, code_hash: str) -> Delegate | None:
    """The delegate whose code hashes to `code_hash`, with its organization, as
    `conference.delegates.filter(code_hash=…).select_related("organization")` would give it: one lookup
    in the unique index `one_code_per_conference`. Written out because every request of a delegate's
    phone reads it, a vote included, and Django building that query cost more than the vote's two
    INSERTs (docs/benchmarks.md)."""
    with connection.cursor() as cursor:
        cursor.execute(_delegate_by_code_sql(connection.vendor), [conference.pk, code_hash])
        row = cursor.fetchone()
    delegate = rows.instance(Delegate, row) if row else None
    if delegate is None:
        return None
    rows.attach(delegate, "organization", rows.instance(Organization, row, rows.width(Delegate)))
    rows.attach(delegate, "conference", conference)
    return delegate


def check_in(*, actor: User | None, delegate: Delegate) -> Delegate:
    """By the secretariat (actor given) or by the delegate's own code (actor None, already authenticated).
    A delegate already present costs nothing: every page of the phone's flow calls this."""
    if actor is not None:
        require_runner(actor, delegate.conference)
    if delegate.checked_in_at is not None:
        return delegate
    with transaction.atomic():
        delegate.checked_in_at = timezone.now()
        delegate.save(update_fields=["checked_in_at"])
        record(
            actor=actor,
            verb="delegate.check_in",
            target=delegate,
            group=delegate.conference.emulation_year.group,
            data={"by": "secretariat" if actor else "code"},
        )
    return delegate


@dataclass(frozen=True)
class Quorum:
    eligible: int
    present: int
    needed: int
    met: bool
    fraction: Fraction
    source: str
    regulation: str  # the regulation's title and citation: what official text cites for the rule


def quorum(conference: Conference) -> Quorum:
    """Voters present against the regulation's quorum, live (DOMAIN.md: one vote per member by default)."""
    regulation = regulation_for(conference)
    voters = conference.delegates.filter(votes=True)
    if regulation.voting_unit == VotingUnit.ORGANIZATION:
        eligible = voters.values("organization_id").distinct().count()
        present = voters.filter(checked_in_at__isnull=False).values("organization_id").distinct().count()
    else:
        eligible = voters.count()
        present = voters.filter(checked_in_at__isnull=False).count()
    fraction = regulation.quorum
    needed = -(-fraction.numerator * eligible // fraction.denominator)  # ceiling, exactly
    return Quorum(
        eligible,
        present,
        needed,
        eligible > 0 and present >= needed,
        fraction,
        regulation.quorum_source,
        f"{regulation.title} ({regulation.citation})",
    )


def poll_state_words(poll: Poll) -> str:
    """What has happened to a poll, when and by whom: the refusal of a step someone already took."""
    if poll.status == PollStatus.PUBLISHED:
        return _happened("Kết quả đã được công bố", poll, "poll.publish")
    if poll.status == PollStatus.CLOSED:
        if poll.confirmed_at is not None:
            return _happened("Kết quả đã được ban kiểm phiếu xác nhận", poll, "poll.confirm")
        return _happened("Cuộc bỏ phiếu đã được đóng", poll, "poll.close")
    if poll.status == PollStatus.OPEN:
        return _happened("Cuộc bỏ phiếu đã được mở", poll, "poll.open")
    return "Cuộc bỏ phiếu chưa mở."


def _happened(text: str, target: Any, verb: str) -> str:
    """«Kết quả đã được công bố lúc 15:02 ngày 04/12/2026 bởi …» from the audit chain's last `verb`."""
    done = when_and_who(target, verb)
    return f"{text} {done}." if done else f"{text}."


def _next_position(conference: Conference) -> int:
    return (conference.polls.order_by("-position").values_list("position", flat=True).first() or 0) + 1


def _new_poll(
    conference: Conference,
    *,
    actor: User,
    verb: str = "poll.create",
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> Poll:
    _lock_open_conference(conference)
    poll = Poll.objects.create(conference=conference, position=_next_position(conference), **fields)
    record(
        actor=actor,
        verb=verb,
        target=poll,
        group=conference.emulation_year.group,
        data={"kind": poll.kind, "title": poll.title, **(data or {})},
    )
    return poll


@transaction.atomic
def create_nomination_poll(
    *,
    actor: User,
    conference: Conference,
    award_form: str = AwardForm.PARENT_FLAG,
    method: str = rules.Method.APPROVE_EACH,
) -> Poll:
    """Suy tôn: choices pre-filled from the year's ranking, with their scores shown; only the members the
    regulation lets be nominated are offered, and those left out are kept on the poll with the reason."""
    require_runner(actor, conference)
    regulation = regulation_for(conference)
    seats = int(regulation.seats.get(award_form, 1))
    results = year_results(conference.emulation_year)
    label = AwardForm(award_form).label if award_form in AwardForm.values else award_form
    if award_form in (AwardForm.PARENT_FLAG, AwardForm.PARENT_MERIT):
        # "Cờ thi đua của Liên hiệp Hội Việt Nam", as the parent body names its own awards (DOMAIN.md).
        label = label.replace("cơ quan cấp trên", conference.emulation_year.group.parent.current_short_name)
    verdicts = nomination_candidates(results)
    offered = [m for m, verdict in verdicts if verdict.eligible]
    left_out = [{"key": v.key, "name": v.name, "reason": v.reason} for _, v in verdicts if not v.eligible]
    if not offered:
        raise ValidationError(
            "Chưa có đơn vị nào đủ điều kiện đưa vào danh sách suy tôn: "
            + "; ".join(f"{item['name']} ({item['reason']})" for item in left_out)
            + "."
        )
    poll = _new_poll(
        conference,
        actor=actor,
        kind=PollKind.NOMINATION,
        title=f"Suy tôn đơn vị đề nghị tặng {label} năm {conference.emulation_year.year}",
        method=method,
        seats=seats,
        max_picks=seats,
        award_form=award_form,
        left_out=left_out,
        data={"left_out": [item["key"] for item in left_out]},
    )
    Choice.objects.bulk_create(
        Choice(
            poll=poll,
            key=m.organization.code,
            label=m.name,
            organization=m.organization,
            detail=(
                f"Điểm chốt {format_vietnamese_decimal(m.final_total.total, 2)} — hạng {m.rank}"
                + (f" — {m.band}" if m.band else "")
                + (" (bằng điểm)" if m.tied_for_conference else "")
                + (" (bằng điểm — đề nghị cấp trên xem xét)" if m.referred else "")
                if m.final_total is not None
                else "Chưa chốt điểm"
            ),
            position=index,
        )
        for index, m in enumerate(offered)
    )
    return poll


def nomination_candidates(results: YearResults) -> list[tuple[MemberResult, rules.NomineeVerdict]]:
    """Every member of the year in ranking order, with whether the regulation lets it be nominated and
    why not (rules.nomination_eligibility)."""
    regulation = results.regulation
    bands = [
        b["label"]
        for b in sorted(regulation.scoring_bands if regulation else [], key=lambda b: -Decimal(b["min"]))
    ]
    verdicts = rules.nomination_eligibility(
        [
            rules.Nominee(m.organization.code, m.name, m.final_total is not None, m.band)
            for m in results.members
        ],
        bands,
    )
    return list(zip(results.members, verdicts, strict=True))


@transaction.atomic
def create_election_poll(*, actor: User, conference: Conference, role: str) -> Poll:
    """Next year's head or deputy. Candidates are this year's members; the rotation's suggestion is
    marked, the vote decides (DOMAIN.md: rotation [H], the deputy usually moves up [L])."""
    require_runner(actor, conference)
    emulation_year = conference.emulation_year
    next_year = emulation_year.year + 1
    # The rotation for next year: this year's members, this year's deputy moving up.
    members = sorted(
        Organization.objects.filter(
            memberships__group=emulation_year.group, memberships__year=emulation_year.year
        ).prefetch_related("names"),
        key=lambda o: o.code,
    )
    rotation = registry.suggest_rotation(
        group=emulation_year.group, year=next_year, members_year=emulation_year.year
    )
    suggestion = rotation.head if role == LeadershipRole.HEAD else rotation.deputy
    suggested = suggestion.code if suggestion is not None else None
    word = LeadershipRole(role).label
    poll = _new_poll(
        conference,
        actor=actor,
        kind=PollKind.ELECTION,
        title=f"Bầu {word.lower()} năm {next_year}",
        method=rules.Method.PICK_UP_TO,
        seats=1,
        max_picks=1,
        leadership_role=role,
        data={"role": role},
    )
    Choice.objects.bulk_create(
        Choice(
            poll=poll,
            key=m.code,
            label=m.name_in_year(emulation_year.year),
            organization=m,
            detail="Đề xuất theo luân phiên" if m.code == suggested else "",
            position=0 if m.code == suggested else index + 1,
        )
        for index, m in enumerate(members)
    )
    return poll


@transaction.atomic
def create_motion_poll(
    *, actor: User, conference: Conference, title: str, agreement: Agreement | None = None
) -> Poll:
    require_runner(actor, conference)
    poll = _new_poll(
        conference,
        actor=actor,
        kind=PollKind.MOTION,
        title=clean_text(title),
        method=rules.Method.MOTION,
        seats=1,
        max_picks=1,
        agreement=agreement,
    )
    Choice.objects.bulk_create(
        Choice(poll=poll, key=k, label=v, position=i) for i, (k, v) in enumerate(MOTION_CHOICES)
    )
    return poll


# The key of `Poll.rule_sources` that holds the regulation's second-round rule (rules.SecondRound).
SECOND_ROUND_RULE = "second_round_rule"


def second_round_rule(poll: Poll) -> rules.SecondRound:
    """The second-round rule the poll opened under. A poll opened before regulations had one ran under
    no such rule: it keeps running without it."""
    return rules.SecondRound((poll.rule_sources or {}).get(SECOND_ROUND_RULE, rules.SecondRound.NONE))


def spec_of(poll: Poll) -> rules.PollSpec:
    # The prefetched choices when the caller loaded them (the phone's pages do): no query per vote.
    keys_and_labels = [(c.key, c.label) for c in sorted(poll.choices.all(), key=lambda c: c.position)]
    return rules.PollSpec(
        method=rules.Method(poll.method),
        choices=tuple(k for k, _ in keys_and_labels),
        labels=tuple(label for _, label in keys_and_labels),
        seats=poll.seats,
        max_picks=poll.max_picks,
        threshold=rules.Threshold(
            Fraction(poll.threshold_numerator, poll.threshold_denominator), poll.threshold_inclusive
        ),
        base=rules.Base(poll.vote_base or rules.Base.PRESENT),
        eligible=poll.eligible,
        members=poll.members,
        quorum=Fraction(poll.quorum_numerator, poll.quorum_denominator),
        adopt_choice="yes" if poll.method == rules.Method.MOTION else None,
        second_round=second_round_rule(poll),
        tie_rule=ties.tie_rule(poll),
    )


@transaction.atomic
def open_poll(*, actor: User, poll: Poll) -> Poll:
    """Copy the regulation's rules into the poll, with their sources, and open it."""
    conference = poll.conference
    require_runner(actor, conference)
    _lock_open_conference(conference)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != PollStatus.DRAFT:
        raise ValidationError(poll_state_words(poll))
    if not poll.choices.exists():
        raise ValidationError("Cuộc bỏ phiếu chưa có phương án nào.")
    regulation = regulation_for(conference)
    live = quorum(conference)
    poll.voting_unit = regulation.voting_unit
    poll.self_vote_allowed = regulation.self_vote_allowed
    poll.vote_base = regulation.vote_base
    poll.threshold_numerator = regulation.threshold_numerator
    poll.threshold_denominator = regulation.threshold_denominator
    poll.threshold_inclusive = regulation.threshold_inclusive
    poll.quorum_numerator = regulation.quorum_numerator
    poll.quorum_denominator = regulation.quorum_denominator
    poll.board_key_threshold = regulation.board_key_threshold
    poll.board_key_holders = regulation.board_key_holders
    poll.rule_sources = {
        "regulation": str(regulation),
        "citation": regulation.citation,
        "voting_unit": regulation.voting_unit_source,
        "self_vote": regulation.self_vote_source,
        "base": regulation.vote_base_source,
        "threshold": regulation.threshold_source,
        "quorum": regulation.quorum_source,
        "seats": regulation.seats_source,
        "tie_break": regulation.tie_break_source,
        "second_round": regulation.second_round_source,
        # The rule itself rides with its source: only the count at closing reads it.
        SECOND_ROUND_RULE: regulation.second_round,
        "board_key": regulation.board_key_source,
    }
    poll.eligible = live.eligible
    poll.members = Membership.objects.filter(
        group=conference.emulation_year.group, year=conference.emulation_year.year
    ).count()
    poll.board_key_threshold = regulation.board_key_threshold
    poll.board_key_holders = regulation.board_key_holders
    poll.rule_sources["board_key"] = regulation.board_key_source
    # The tie-break's steps and each choice's facts ride with the rules (thidua/conferences/ties.py).
    tie_record = ties.rule_record(poll, regulation)
    if tie_record is not None:
        poll.rule_sources[ties.TIE_BREAK_RULE] = tie_record
    shares: list[BoardShare] = []
    if poll.electronic:
        shares = _split_key(poll, conference, supervisor=regulation.supervisor_holds_share)
    poll.status = PollStatus.OPEN
    poll.opened_at = timezone.now()
    poll.save()
    # Handed to the page that prints the board's cards, once; never stored (DESIGN.md, secret ballot).
    poll.board_shares = shares
    record(
        actor=actor,
        verb="poll.open",
        target=poll,
        group=conference.emulation_year.group,
        data={"eligible": poll.eligible, "present": live.present, "mode": poll.mode},
    )
    return poll


@dataclass(frozen=True)
class BoardShare:
    """One holder's share of a poll's key, as their card prints it: in memory only."""

    index: int
    name: str
    role: str
    code: str


def poll_context(poll: Poll) -> bytes:
    """What every proof of a poll is bound to, so no ballot or share of one poll passes in another."""
    return f"thidua/poll/{poll.pk}".encode()


def _key_holders(conference: Conference, holders: int, *, supervisor: bool) -> list[tuple[str, str]]:
    """(name, role) of each share's holder: `holders` members of the counting board, in the order they
    were added, and the parent body's representative as one more where the regulation gives them a
    share (`Regulation.supervisor_holds_share`)."""
    board = [
        (d.full_name, "Thành viên ban kiểm phiếu")
        for d in conference.delegates.filter(counting_board=True).order_by("pk")
    ]
    representative = conference.people().get(ConferenceRole.SUPERVISOR)
    if supervisor and representative is None:
        raise ValidationError(
            "Theo quy chế, đại diện cơ quan cấp trên giữ một mảnh khóa kiểm phiếu: hãy chọn «Đại diện cơ "
            "quan cấp trên dự, chỉ đạo» trong mục «Chủ trì, thư ký, đại diện cấp trên» của hội nghị trước "
            "khi mở bỏ phiếu."
        )
    if len(board) < holders:
        raise ValidationError(
            f"Khóa kiểm phiếu được chia cho {holders} thành viên ban kiểm phiếu, hội nghị mới có "
            f"{len(board)}. Hãy đánh dấu thêm «Thành viên ban kiểm phiếu» trong danh sách đại biểu."
        )
    chosen = board[:holders]
    if supervisor:
        assert representative is not None
        chosen.append((representative.full_name, "Đại diện cơ quan cấp trên"))
    return chosen


def _split_key(poll: Poll, conference: Conference, *, supervisor: bool) -> list[BoardShare]:
    """The poll's key pair, made here and split at once: k of the holders' shares rebuild the secret at
    the count; the server keeps the public key and a commitment per share, nothing else."""
    holders = _key_holders(conference, poll.board_key_holders, supervisor=supervisor)
    public, shares, commitments = elgamal.split(poll_context(poll), poll.board_key_threshold, len(holders))
    poll.public_key = public.hex()
    poll.key_holders = [
        {"index": share.index, "name": name, "role": role, "commitment": commitment}
        for share, (name, role), commitment in zip(shares, holders, commitments, strict=True)
    ]
    return [
        BoardShare(share.index, name, role, elgamal.share_code(share))
        for share, (name, role) in zip(shares, holders, strict=True)
    ]


def ballot_slots(poll: Poll) -> list[Choice]:
    """The choices in their poll's order: one ciphertext each, then one for a blank ballot."""
    return sorted(poll.choices.all(), key=lambda c: c.position)


class VoteRefused(ValidationError):
    pass


def voter_key(poll: Poll, delegate: Delegate) -> str:
    if poll.voting_unit == VotingUnit.ORGANIZATION and delegate.organization_id is not None:
        return f"org:{delegate.organization_id}"
    return f"delegate:{delegate.pk}"


# The blank ballot, chosen on purpose: a phone never makes one of an empty form (issue 14, part 7).
BLANK = "blank"


def ballot_problems(poll: Poll, delegate: Delegate, selections: Iterable[str]) -> frozenset[str]:
    """The cleaned selections (none for a blank ballot, `[BLANK]`), or VoteRefused with why (Vietnamese)."""
    if poll.status != PollStatus.OPEN or not poll.electronic:
        raise VoteRefused("Cuộc bỏ phiếu này không mở để bỏ phiếu điện tử.")
    if not delegate.votes:
        raise VoteRefused("Đại biểu không có quyền biểu quyết.")
    if isinstance(selections, str):
        raise TypeError("selections must be an iterable of choice keys, not a single string")
    picks = list(selections)
    if BLANK in picks:
        if set(picks) != {BLANK}:
            raise VoteRefused(
                "Phiếu trắng không kèm phương án nào khác: hãy bỏ chọn «Phiếu trắng» hoặc các phương án."
            )
        picks = []
    try:
        chosen = rules.validate_ballot(spec_of(poll), picks)
    except rules.BallotError as error:
        raise VoteRefused(str(error)) from error
    if (
        not poll.self_vote_allowed
        and delegate.organization is not None
        and delegate.organization.code in chosen
    ):
        raise VoteRefused(
            f"Theo quy chế, đơn vị không bỏ phiếu cho chính mình ({poll.rule_sources.get('self_vote', '')})."
        )
    return chosen


def ballot_shape(poll: Poll) -> kits.Shape:
    """What an encrypted ballot of the poll is made for: its public key, its slots (the choices and the
    blank), its limit of picks."""
    return bytes.fromhex(poll.public_key), len(ballot_slots(poll)) + 1, max(poll.max_picks, 1)


def encrypt(poll: Poll, chosen: frozenset[str]) -> elgamal.Ballot:
    """The ballot as it is stored: one encryption of 0 or 1 per choice and one for blank, with proofs.
    `chosen` exists only in this request's memory (DESIGN.md, secret ballot). A kit made ahead by this
    process (thidua/conferences/kits.py) leaves only the last steps to do here."""
    picks = [1 if c.key in chosen else 0 for c in ballot_slots(poll)]
    picks.append(0 if chosen else 1)
    public, _, limit = shape = ballot_shape(poll)
    kit = kits.take(poll.pk, shape)
    if kit is not None:
        return elgamal.finish_ballot(kit, poll_context(poll), picks)
    return elgamal.encrypt_ballot(public, poll_context(poll), picks, limit)


ALREADY_VOTED = "Phiếu của đại biểu (hoặc của đơn vị) cho nội dung này đã được ghi nhận trước đó."


def cast_vote(*, poll: Poll, delegate: Delegate, selections: Iterable[str]) -> str:
    """Record one vote; return the ballot's receipt (the hash of the encrypted ballot). One transaction:
    the participation (whose unique constraint refuses a second vote — votes never queue on the poll's
    row, which they only share-lock) and the encrypted ballot (no voter, no time, no serial). That the
    two rows share a transaction is harmless: the ballot says nothing to whoever reads it. A failure
    writes neither, so the voter can vote again."""
    selections = selections if isinstance(selections, str) else list(selections)
    if not selections:
        # An empty form is a mistake (Enter pressed, a slip), never a blank ballot: blank is chosen.
        raise VoteRefused("Chưa chọn phương án nào. Nếu muốn bỏ phiếu trắng, hãy chọn «Phiếu trắng».")
    chosen = ballot_problems(poll, delegate, selections)
    ballot = encrypt(poll, chosen)
    content, receipt = ballot.to_dict(), ballot.receipt()
    key = voter_key(poll, delegate)
    try:
        if connection.vendor == "postgresql":
            written = _cast_in_one_statement(poll, delegate, key, content, receipt)
        else:
            written = _cast_in_steps(poll, delegate, key, content, receipt)
    except IntegrityError:
        raise VoteRefused(ALREADY_VOTED) from None
    if not written:
        # No row: the poll had closed, its key was made anew, or (PostgreSQL, which skips the conflict)
        # the vote was cast before.
        now = Poll.objects.filter(pk=poll.pk).values_list("status", "public_key").first()
        if now is None or now[0] != PollStatus.OPEN:
            raise VoteRefused("Cuộc bỏ phiếu đã đóng.")
        if now[1] != poll.public_key:
            raise VoteRefused(
                "Ban tổ chức vừa tạo khóa mới cho cuộc bỏ phiếu; phiếu này chưa được ghi. "
                "Hãy mở lại trang và bỏ phiếu lại."
            )
        raise VoteRefused(ALREADY_VOTED)
    return receipt


def _cast_in_steps(poll: Poll, delegate: Delegate, key: str, content: dict[str, Any], receipt: str) -> bool:
    with transaction.atomic():
        # The poll must still be open when the vote commits, or a vote cast as the poll closes could
        # miss the count (SQLite serializes writers, so the close waits for this transaction).
        now = Poll.objects.filter(pk=poll.pk).values_list("status", "public_key").first()
        if now != (PollStatus.OPEN, poll.public_key):
            return False
        Participation.objects.create(poll=poll, delegate=delegate, voter_key=key)
        Ballot.objects.create(poll=poll, content=content, receipt=receipt)
        if delegate.checked_in_at is None:
            # Voting is being present: the quorum counts this delegate from now on.
            Delegate.objects.filter(pk=delegate.pk, checked_in_at__isnull=True).update(
                checked_in_at=timezone.now()
            )
    return True


@functools.cache
def _cast_sql(check_in: bool) -> str:
    poll_id, status = rows.column(Poll, "id"), rows.column(Poll, "status")
    delegate_id, checked_in = rows.column(Delegate, "id"), rows.column(Delegate, "checked_in_at")
    # Voting is being present: the quorum counts a delegate not yet checked in from now on.
    present = (
        f"present AS (UPDATE {rows.table(Delegate)} SET {checked_in} = %s "  # noqa: S608 — names from the models  # nosec B608
        f"WHERE {delegate_id} = %s AND {checked_in} IS NULL AND EXISTS (SELECT 1 FROM participation)) "
        if check_in
        else ""
    )
    return (
        # The poll must still be open when the vote commits, or a vote cast as the poll closes could miss
        # the count. KEY SHARE, the lock the foreign keys of the two INSERTs take on the poll row anyway:
        # votes hold it side by side, `close_poll`'s FOR UPDATE waits for the ones in flight, and a vote
        # that waited on a close reads the closed status. No open poll, no row, nothing written.
        # The key too: a ballot encrypted under a key made anew meanwhile (`rekey_poll`) could never be
        # counted, so it is not written.
        f"WITH open_poll AS (SELECT {poll_id} FROM {rows.table(Poll)} "  # noqa: S608 — names from the models  # nosec B608
        f"WHERE {poll_id} = %s AND {status} = %s AND {rows.column(Poll, 'public_key')} = %s FOR KEY SHARE), "
        f"participation AS (INSERT INTO {rows.table(Participation)} "
        f"({rows.column(Participation, 'id')}, {rows.column(Participation, 'poll')}, "
        f"{rows.column(Participation, 'delegate')}, {rows.column(Participation, 'voter_key')}) "
        # A second vote is no error but no row: an error would have PostgreSQL's log print the statement,
        # which holds the delegate and the encrypted ballot side by side, in a file that outlives the
        # poll and its key's discarding (log_min_error_statement is ERROR by default).
        f"SELECT %s, {poll_id}, %s, %s FROM open_poll ON CONFLICT DO NOTHING "
        f"RETURNING {rows.column(Participation, 'poll')} AS poll)"
        f"{', ' if present else ' '}{present}"
        f"INSERT INTO {rows.table(Ballot)} ({rows.column(Ballot, 'id')}, {rows.column(Ballot, 'poll')}, "
        f"{rows.column(Ballot, 'content')}, {rows.column(Ballot, 'receipt')}) "
        f"SELECT %s, poll, %s::jsonb, %s FROM participation"
    )


def _cast_in_one_statement(
    poll: Poll, delegate: Delegate, key: str, content: dict[str, Any], receipt: str
) -> bool:
    """The same writes as `_cast_in_steps`, as one statement: one round trip, and a transaction of its
    own, where `_cast_in_steps` needs five (BEGIN, the poll's lock, two INSERTs, COMMIT) and Django
    building two INSERTs. The vote's share of a crowded hall's server is mostly these (docs/benchmarks.md)."""
    check_in = delegate.checked_in_at is None
    params: list[Any] = [poll.pk, PollStatus.OPEN.value, poll.public_key, uuid.uuid4(), delegate.pk, key]
    if check_in:
        params += [timezone.now(), delegate.pk]
    params += [uuid.uuid4(), json.dumps(content), receipt]
    # Inside a caller's transaction, a savepoint: a refused vote must not break the caller's transaction.
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with savepoint, connection.cursor() as cursor:
        if check_in:  # a delegate who never opened the list of polls: rare, run as it is
            cursor.execute(_cast_sql(check_in), params)
        else:  # every other vote: planned once per database session (PostgreSQL plans it in 0.1 ms)
            rows.execute_prepared(cursor, "thidua_cast_vote", _cast_sql(check_in), params)
        return cursor.rowcount == 1


def progress(poll: Poll) -> tuple[int, int]:
    """(voted, eligible): all the projector may show while a poll is open."""
    return Participation.objects.filter(poll=poll).count(), poll.eligible


@transaction.atomic
def close_poll(*, actor: User, poll: Poll) -> Poll:
    """Close: no vote is taken after this. An electronic poll's totals wait for the counting board's
    shares (`count_poll`), a paper poll's for its paper count, a mixed poll's for both."""
    require_runner(actor, poll.conference)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != PollStatus.OPEN:
        raise ValidationError(poll_state_words(poll))
    poll.status = PollStatus.CLOSED
    poll.closed_at = timezone.now()
    poll.save()
    record(
        actor=actor,
        verb="poll.close",
        target=poll,
        group=poll.conference.emulation_year.group,
        data={"participants": Participation.objects.filter(poll=poll).count()},
    )
    return poll


def can_rekey(poll: Poll) -> bool:
    """Whether the counting board's key can still be made anew: an electronic poll not yet counted, open,
    or closed before any paper count was entered (its phones are then opened again)."""
    if not poll.electronic or poll.counted_at is not None:
        return False
    if poll.status == PollStatus.OPEN:
        return True
    return poll.status == PollStatus.CLOSED and not PaperCount.objects.filter(poll=poll).exists()


@transaction.atomic
def rekey_poll(*, actor: User, poll: Poll, key: str) -> Poll:
    """A new key and new key cards for a poll whose cards were lost: the cards exist only in the answer
    to the click that opened the poll (DESIGN.md, secret ballot), and a double click, a jammed printer or
    a closed tab loses that answer. Without k cards the poll can never be counted, nor the conference
    closed. Ballots cast under the lost key can never be decrypted either, so they are discarded with
    their participations, and those delegates vote again; the audit event says how many, nothing more.

    `key` is the public key the page showed: a second click, or a second tab, that comes after a first
    has already made a new key is refused rather than replacing the cards just printed."""
    require_runner(actor, poll.conference)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if not can_rekey(poll):
        raise ValidationError(
            "Chỉ tạo khóa mới cho cuộc bỏ phiếu điện tử chưa kiểm phiếu (và chưa nhập kết quả phiếu giấy)."
        )
    if key != poll.public_key:
        raise ValidationError(
            _happened("Khóa của cuộc bỏ phiếu vừa được tạo mới", poll, "poll.rekey")
            + " Thẻ giữ khóa đã in theo khóa đó; nếu chưa nhận được thẻ, hãy tạo khóa mới lần nữa."
        )
    discarded = Participation.objects.filter(poll=poll).count()
    Ballot.objects.filter(poll=poll).delete()
    Participation.objects.filter(poll=poll).delete()
    holders = len(poll.key_holders)
    shares = _split_key(poll, poll.conference, supervisor=holders > poll.board_key_holders)
    reopened = poll.status == PollStatus.CLOSED
    poll.status = PollStatus.OPEN
    poll.closed_at = None
    poll.result = {}
    poll.save()
    poll.board_shares = shares
    record(
        actor=actor,
        verb="poll.rekey",
        target=poll,
        group=poll.conference.emulation_year.group,
        data={"discarded": discarded, "reopened": reopened},
    )
    return poll


def _holder_name(poll: Poll, index: int) -> str:
    for holder in poll.key_holders:
        if holder["index"] == index:
            return str(holder["name"])
    return f"mảnh khóa số {index}"


def _read_shares(poll: Poll, typed: Mapping[int, str]) -> list[elgamal.Share]:
    """The shares typed (or scanned) at the count, each checked against its commitment: a wrong one is
    named by its holder, a share entered twice is refused."""
    shares: dict[int, elgamal.Share] = {}
    for holder_index, text in typed.items():
        if not text.strip():
            continue
        name = _holder_name(poll, holder_index)
        try:
            share = elgamal.read_share_code(text)
        except elgamal.Invalid as error:
            raise ValidationError(f"Mảnh khóa của {name}: {error}") from None
        if share.index in shares:
            raise ValidationError(
                f"Mảnh khóa của {_holder_name(poll, share.index)} đã được nhập một lần; mỗi mảnh chỉ nhập một lần."
            )
        shares[share.index] = share
    if len(shares) < poll.board_key_threshold:
        raise ValidationError(
            f"Cần mảnh khóa của {poll.board_key_threshold} người giữ khóa để kiểm phiếu; mới nhập {len(shares)}."
        )
    return list(shares.values())


@transaction.atomic
def count_poll(*, actor: User, poll: Poll, typed: Mapping[int, str]) -> Poll:
    """Count an electronic poll with k of the counting board's shares: the key is rebuilt in this
    request's memory, every ballot's proofs are checked, the ciphertexts are multiplied into one per
    choice, and only those totals are decrypted, each with a proof anyone can check. The key is then
    dropped: it is written nowhere, and it cannot be given to the worker (its queue is a table), so the
    count runs here, over every CPU: a few seconds for a thousand ballots, a fraction of one for a
    conference's few dozen (docs/benchmarks.md)."""
    require_runner(actor, poll.conference)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if not poll.electronic or poll.status != PollStatus.CLOSED or poll.counted_at:
        raise ValidationError(
            poll_state_words(poll)
            if poll.counted_at or poll.status != PollStatus.CLOSED
            else "Chỉ kiểm phiếu điện tử cho cuộc bỏ phiếu điện tử đã đóng."
        )
    shares = _read_shares(poll, typed)
    context, public = poll_context(poll), bytes.fromhex(poll.public_key)
    commitments = [h["commitment"] for h in sorted(poll.key_holders, key=lambda h: h["index"])]
    try:
        secret = elgamal.combine(context, shares, commitments, public, k=poll.board_key_threshold)
    except elgamal.WrongShare as error:
        raise ValidationError(
            f"Mảnh khóa của {_holder_name(poll, error.index)} không đúng: hãy kiểm tra lại mã trên thẻ."
        ) from None
    except elgamal.Invalid as error:
        raise ValidationError(str(error)) from None
    slots = ballot_slots(poll)
    limit = max(poll.max_picks, 1)
    stored = list(Ballot.objects.filter(poll=poll).values_list("content", flat=True))
    voters = Participation.objects.filter(poll=poll).count()
    if len(stored) != voters:
        # Each vote writes its participation and its ballot in one transaction, and neither is ever
        # deleted alone: a difference is a ballot added or removed behind the application's back, for
        # instance ballots of one's own making that, subtracted from the totals, would leave one voter's.
        raise ValidationError(
            f"Số phiếu điện tử ({len(stored)}) khác số đại biểu đã bỏ phiếu ({voters}): dữ liệu bỏ phiếu đã "
            "bị sửa ngoài phần mềm. Không kiểm phiếu; hãy báo quản trị hệ thống và cơ quan cấp trên."
        )
    try:
        # One pass over every core: read, check every proof with the key, add up (docs/benchmarks.md).
        encrypted = elgamal.count_ballots(public, context, stored, len(slots) + 1, limit, secret=secret)
    except elgamal.Invalid as error:
        raise ValidationError(f"Không kiểm được phiếu: {error}") from None
    totals, proofs = [], []
    for total in encrypted:
        value, proof = elgamal.decrypt_total(secret, total, len(stored), context=context)
        totals.append(value)
        proofs.append(proof)
    del secret  # the count is done: nothing holds the key any more
    poll.decryption = {"totals": totals, "proofs": proofs, "ballots": len(stored)}
    poll.counted_at = timezone.now()
    _settle_result(poll)
    poll.save(update_fields=["decryption", "result", "counted_at"])
    record(
        actor=actor,
        verb="poll.count",
        target=poll,
        group=poll.conference.emulation_year.group,
        data={
            "ballots": len(stored),
            "holders": sorted(_holder_name(poll, share.index) for share in shares),
        },
    )
    return poll


def _electronic_figures(poll: Poll) -> rules.Figures:
    """The decrypted totals as figures: one total per choice, then the blank slot's."""
    totals = poll.decryption["totals"]
    ballots = poll.decryption.get("ballots", poll.participations.count())
    counts = {choice.key: totals[i] for i, choice in enumerate(ballot_slots(poll))}
    return rules.Figures(counts=counts, valid=ballots - totals[-1], blank=totals[-1])


def _paper_figures(count: PaperCount) -> rules.Figures:
    return rules.Figures(counts=count.counts, valid=count.valid, blank=count.blank, invalid=count.invalid)


def _settle_result(poll: Poll, paper: PaperCount | None = None) -> None:
    """The poll's result, once every way it was voted in is counted: the decrypted electronic totals, the
    board's paper count, or (a mixed poll) their sum, choice by choice (issue 14, part 9). Until then
    there is no result to confirm. Each part's own figures ride along for the vote-count minutes."""
    parts: dict[str, rules.Figures] = {}
    if poll.electronic:
        if poll.counted_at is None:
            poll.result = {}
            return
        parts["electronic"] = _electronic_figures(poll)
    if poll.paper:
        paper = paper or PaperCount.objects.filter(poll=poll).first()
        if paper is None:
            poll.result = {}
            return
        parts["paper"] = _paper_figures(paper)
    total = functools.reduce(operator.add, parts.values())
    poll.result = _result_json(
        poll,
        rules.tally_counts(
            spec_of(poll), total.counts, valid=total.valid, blank=total.blank, invalid=total.invalid
        ),
    )
    for name, figures in parts.items():
        poll.result[name] = {
            "counts": dict(figures.counts),
            "valid": figures.valid,
            "blank": figures.blank,
            "invalid": figures.invalid,
        }
    if paper is not None:
        poll.result["issued"] = paper.issued
        poll.result["returned"] = paper.returned
    if "electronic" in parts:
        poll.result["electronic"]["ballots"] = poll.decryption.get("ballots", 0)


def poll_record(poll: Poll) -> dict[str, Any]:
    """The poll's published record: every encrypted ballot by receipt, the totals and their proofs.
    Anyone checks it without the key (`manage.py verify_poll`, the record's page)."""
    slots = ballot_slots(poll)
    ballots = [
        elgamal.Ballot.from_dict(content, len(slots) + 1)
        for content in Ballot.objects.filter(poll=poll).values_list("content", flat=True)
    ]
    return elgamal.poll_record(
        context=poll_context(poll),
        public=bytes.fromhex(poll.public_key),
        slots=len(slots) + 1,
        limit=max(poll.max_picks, 1),
        labels=[c.label for c in slots] + ["Phiếu trắng"],
        ballots=ballots,
        totals=poll.decryption["totals"],
        proofs=poll.decryption["proofs"],
        meta={
            "poll": poll.pk,
            "title": str(poll),
            "conference": str(poll.conference),
            "closed_at": poll.closed_at.isoformat() if poll.closed_at else None,
            "counted_at": poll.counted_at.isoformat() if poll.counted_at else None,
            # The participations: a record whose ballots fall short of it lost some (decisions.md).
            "ballot_count": poll.participations.count(),
            # A mixed poll's paper count, which the published totals add to the decrypted ones.
            **({"paper": poll.result["paper"]} if "paper" in poll.result else {}),
        },
    )


def _result_json(poll: Poll, tally: rules.Tally) -> dict[str, Any]:
    return {
        "participants": tally.participants,
        "valid": tally.valid,
        "blank": tally.blank,
        "invalid": tally.invalid,
        "base": tally.base,
        "base_kind": poll.vote_base,
        "quorum_met": tally.quorum_met,
        "quorum_needed": tally.quorum_needed,
        "votes_needed": tally.votes_needed,
        "threshold": rules.Threshold(
            Fraction(poll.threshold_numerator, poll.threshold_denominator), poll.threshold_inclusive
        ).words(),
        "choices": [
            {
                "key": c.key,
                "votes": c.votes,
                "share": f"{c.share.numerator}/{c.share.denominator}",
                "percent": rules.percent_words(c.share),
                "passes": c.passes_threshold,
                "elected": c.elected,
                "tied": c.tied_for_last_seat,
                "second_round": c.in_second_round,
                "referred": c.referred,
                "in_tie": c.in_tie,
            }
            for c in tally.choices
        ],
        "elected": list(tally.elected),
        "runoff": list(tally.runoff),
        "referred": list(tally.referred),
        "tie_break": (
            {
                "verdict": tally.tie_break.verdict,
                "notes": list(tally.tie_break.notes),
                "order": [list(block) for block in tally.tie_break.order],
            }
            if tally.tie_break is not None
            else None
        ),
        "second_round": list(tally.second_round),
        "open_seats": tally.open_seats,
        "outcome": tally.outcome,
        "notes": tally.notes,
    }


@transaction.atomic
def enter_paper_count(
    *,
    actor: User,
    poll: Poll,
    issued: int,
    returned: int,
    valid: int,
    blank: int,
    invalid: int,
    counts: dict[str, int],
) -> PaperCount:
    require_runner(actor, poll.conference)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.paper and poll.status == PollStatus.PUBLISHED:
        raise ValidationError(poll_state_words(poll) + " Không sửa được số phiếu.")
    if not poll.paper or poll.status != PollStatus.CLOSED:
        raise ValidationError("Chỉ nhập kiểm phiếu giấy cho cuộc bỏ phiếu có phiếu giấy đã đóng.")
    spec = spec_of(poll)
    problems = rules.paper_count_problems(
        issued=issued, returned=returned, valid=valid, invalid=invalid, blank=blank, counts=counts, spec=spec
    )
    if poll.electronic:
        electronic = poll.participations.count()
        problems += rules.mixed_paper_problems(issued=issued, electronic=electronic, eligible=poll.eligible)
    if problems:
        raise ValidationError(problems)
    count, _ = PaperCount.objects.update_or_create(
        poll=poll,
        defaults={
            "issued": issued,
            "returned": returned,
            "valid": valid,
            "blank": blank,
            "invalid": invalid,
            "counts": counts,
            "entered_by": actor,
        },
    )
    _settle_result(poll, count)
    poll.save(update_fields=["result"])
    record(
        actor=actor,
        verb="poll.paper_count",
        target=poll,
        group=poll.conference.emulation_year.group,
        data={
            "issued": issued,
            "returned": returned,
            "valid": valid,
            "blank": blank,
            "invalid": invalid,
            "counts": counts,
        },
    )
    return count


@transaction.atomic
def confirm_results(*, actor: User, poll: Poll) -> Poll:
    """The counting board's confirmation, recorded by the secretariat (board members are named in the
    minutes: issue 5)."""
    require_runner(actor, poll.conference)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status == PollStatus.PUBLISHED or poll.confirmed_at is not None:
        raise ValidationError(poll_state_words(poll))
    if poll.status != PollStatus.CLOSED or not poll.result:
        raise ValidationError("Chưa có kết quả kiểm phiếu để xác nhận.")
    poll.confirmed_at = timezone.now()
    poll.confirmed_by = actor
    poll.save(update_fields=["confirmed_at", "confirmed_by"])
    record(
        actor=actor,
        verb="poll.confirm",
        target=poll,
        group=poll.conference.emulation_year.group,
        data={"outcome": poll.result.get("outcome")},
    )
    return poll


@transaction.atomic
def publish(*, actor: User, poll: Poll) -> Poll:
    """Publish a confirmed result and let it decide: next year's head or deputy, the nomination, the
    adoption of next year's agreement."""
    require_runner(actor, poll.conference)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status == PollStatus.PUBLISHED:
        raise ValidationError(poll_state_words(poll))
    if poll.status != PollStatus.CLOSED or poll.confirmed_at is None:
        raise ValidationError("Kết quả cần được ban kiểm phiếu xác nhận trước khi công bố.")
    poll.status = PollStatus.PUBLISHED
    poll.published_at = timezone.now()
    poll.save(update_fields=["status", "published_at"])
    elected = poll.result.get("elected", []) if poll.result.get("quorum_met") else []
    effects: dict[str, Any] = {"elected": elected}
    if poll.result.get("referred"):
        # Left by the regulation's tie-break to the parent body: nothing is decided here for them.
        effects["referred"] = poll.result["referred"]
    emulation_year = poll.conference.emulation_year
    group = emulation_year.group
    if poll.kind == PollKind.ELECTION and elected:
        next_year = emulation_year.year + 1
        organization = Organization.objects.get(code=elected[0])
        registry.carry_members_into_next_year(actor=actor, group=group, year=emulation_year.year)
        if Membership.objects.filter(group=group, year=next_year, organization=organization).exists():
            _set_leadership_by_vote(actor, poll, organization, next_year)
            effects["leadership"] = [poll.leadership_role, organization.code, next_year]
    if poll.kind == PollKind.MOTION and poll.agreement is not None and "yes" in elected:
        agreement = poll.agreement
        if agreement.status == AgreementStatus.DRAFT:
            open_for_signing(actor=actor, agreement=agreement)
        effects["agreement"] = agreement.pk
    record(actor=actor, verb="poll.publish", target=poll, group=group, data=effects)
    return poll


def _set_leadership_by_vote(actor: User, poll: Poll, organization: Organization, year: int) -> None:
    group = poll.conference.emulation_year.group
    source = f"{poll} — {poll.conference} ({timezone.localtime(poll.conference.starts_at):%d/%m/%Y})"
    existing = (
        Leadership.objects.filter(group=group, year=year, organization=organization)
        .exclude(role=poll.leadership_role)
        .first()
    )
    if existing is not None:
        raise ValidationError(f"{organization} đã là {existing.get_role_display()} năm {year}.")
    # The vote decides; parent-body staff rights are not needed for what the conference elected.
    current = Leadership.objects.filter(
        group=group, year=year, role=poll.leadership_role
    ).first() or Leadership(group=group, year=year, role=poll.leadership_role)
    before = current.organization.code if current.pk else None
    current.organization = organization
    current.source = source
    current.save()
    record(
        actor=actor,
        verb="leadership.elect",
        target=current,
        group=group,
        data={
            "year": year,
            "role": poll.leadership_role,
            "before": before,
            "after": organization.code,
            "poll": poll.pk,
        },
    )


def _lock_published_with_next_round(
    poll: Poll, *, going_on: str, verb: str, what: str, nothing: str
) -> tuple[Poll, list[str]]:
    """The poll, locked, with the choices its result sends to a next round (`going_on`: "runoff" or
    "second_round"), or ValidationError. Locked, so a double click queues and is told of the round the
    first click made. A runoff and a second round exclude each other (a runoff means every seat is
    filled or contested), so the round already made is `what`, made by `verb`."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    keys = poll.result.get(going_on) or []
    if poll.status != PollStatus.PUBLISHED or not keys:
        raise ValidationError(nothing)
    earlier = poll.runoffs.first()
    if earlier is not None:
        raise ValidationError(_happened(f"{what} «{earlier}» đã được tạo", earlier, verb))
    return poll, keys


def _next_round(poll: Poll, *, actor: User, verb: str, keys: list[str], seats: int) -> Poll:
    """The next round of `poll` among `keys` for `seats` seats: the same question, the same choices'
    labels and details, opened later under the regulation then in force."""
    follow_up = _new_poll(
        poll.conference,
        actor=actor,
        verb=verb,
        data={"of": poll.pk, "choices": keys, "seats": seats},
        kind=poll.kind,
        title=poll.title,
        method=poll.method,
        mode=poll.mode,
        seats=seats,
        max_picks=min(poll.max_picks, seats),
        award_form=poll.award_form,
        leadership_role=poll.leadership_role,
        agreement=poll.agreement,
        runoff_of=poll,
        round=poll.round + 1,
    )
    Choice.objects.bulk_create(
        Choice(
            poll=follow_up,
            key=c.key,
            label=c.label,
            organization=c.organization,
            detail=c.detail,
            position=c.position,
        )
        for c in poll.choices.filter(key__in=keys)
    )
    return follow_up


@transaction.atomic
def create_runoff(*, actor: User, poll: Poll) -> Poll:
    """Round 2 among the choices tied for the last seat (DOMAIN.md: ties → re-vote among the tied)."""
    require_runner(actor, poll.conference)
    poll, tied = _lock_published_with_next_round(
        poll,
        going_on="runoff",
        verb="poll.runoff",
        what="Cuộc bỏ phiếu lại",
        nothing="Không có phương án nào cần bỏ phiếu lại.",
    )
    elected = len(poll.result.get("elected", []))
    return _next_round(poll, actor=actor, verb="poll.runoff", keys=tied, seats=poll.seats - elected)


@transaction.atomic
def create_second_round(*, actor: User, poll: Poll) -> Poll:
    """Round 2 when too few choices reached the threshold to fill the seats: among those the
    regulation's rule sent on (DOMAIN.md, Voting [L]: by default the top two and all tied with them),
    for the seats still open. Whether there is one was decided when the poll was counted, under the
    rule it opened with."""
    require_runner(actor, poll.conference)
    poll, going_on = _lock_published_with_next_round(
        poll,
        going_on="second_round",
        verb="poll.second_round",
        what="Cuộc bỏ phiếu vòng 2",
        nothing="Không có phương án nào vào vòng 2 theo quy chế.",
    )
    return _next_round(
        poll, actor=actor, verb="poll.second_round", keys=going_on, seats=poll.result["open_seats"]
    )
