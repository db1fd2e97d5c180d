"""A parent body at national scale (issue 16): `manage.py load_demo --national`.

About 1,200 clusters and blocks of the 34 provinces and cities, 12,000 member units with four accounts
each (about 48,000 users), five years each
(2022–2026) with a 30-criterion agreement, the settled years scored, cross-checked, voted on, issued and
decided, 2026 spread over every stage, and the 01/07/2025 merger of provinces applied to the units of the
provinces absorbed. Everything is made up, seeded (the same rows on every machine, so benches repeat) and
labelled as demo data.

Why rows are written here rather than through the services the Cụm 4 demo calls: a service writes one
row, checks permissions and records an audit event per call, about 2.5 million calls at this size, hours
of work. Here each table is written once, in large `bulk_create` batches inside one transaction, and
every field a service would derive (search text, sort key, voting seat, document number, poll result) is
derived with the same functions (docs/decisions.md, "The national demo").
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from thidua.accounts.models import Role, RoleKind, User
from thidua.agreements.models import (
    Agreement,
    AgreementStatus,
    Criterion,
    CriterionGroup,
    Signature,
    SignatureMethod,
)
from thidua.assessments import rules as score_rules
from thidua.assessments.demo import demo_value
from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment, ReviewKind, Score
from thidua.assessments.services import spec_of
from thidua.awards import rules as award_rules
from thidua.awards.demo import COUNCIL_MEMBERS, COUNCIL_PRESENT, VOTES_IN_FAVOUR
from thidua.awards.models import Award, Dossier, DossierStatus, Proposal
from thidua.conferences import rules as vote_rules
from thidua.conferences.models import (
    BallotMode,
    Choice,
    Conference,
    ConferenceKind,
    ConferenceRole,
    Delegate,
    PaperCount,
    Poll,
    PollKind,
    PollStatus,
)
from thidua.conferences.services import _result_json
from thidua.demo.national_data import BLOCK_UNITS, CRITERIA, PROVINCES, SYLLABLES, Place
from thidua.documents import rules as number_rules
from thidua.documents.issuing import group_code
from thidua.documents.models import Document, DocumentStatus, DocumentType, NumberSequence
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.lib.text import fold, sort_text
from thidua.organizations.demo import DEMO_LABEL, DEMO_PASSWORD, MERGER_DAY, MERGER_SOURCE, REGULATION_VALUES
from thidua.organizations.models import (
    AwardForm,
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
    VoteBase,
    VotingUnit,
)
from thidua.organizations.services import group_slug
from thidua.years.models import EmulationYear, YearStage

PARENT_CODE = "tdkt-toan-quoc"
PARENT_NAME = "Hội đồng Thi đua – Khen thưởng toàn quốc (minh họa)"
PARENT_SHORT = "Hội đồng TĐKT toàn quốc (minh họa)"
STAFF_USERNAMES = ("toanquoc", "toanquoc2", "toanquoc3")
# Each unit's accounts, by username prefix and job title; the first is the officer who does the year's work.
UNIT_ACCOUNTS = (
    ("cb", "Cán bộ thi đua"),
    ("ld", "Lãnh đạo phụ trách thi đua"),
    ("vp", "Chánh Văn phòng"),
    ("cv", "Chuyên viên văn phòng"),
)
YEARS = (2022, 2023, 2024, 2025, 2026)
CURRENT = 2026
FULL_GROUPS = 1200
SEED = 2026
NAME_START = datetime.date(2000, 1, 1)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO = "(minh họa)"
D = Decimal
# SQLite allows 999 (older) to 32,766 variables a statement; PostgreSQL 65,535. Django splits a batch
# further when the backend needs it, so these are the rows per INSERT where nothing forces fewer.
BATCH = 2000 if connection.vendor == "sqlite" else 5000

# How 2026 stands in early December, share of the groups at each stage: most at year-end work, a few
# behind (an agreement still unsigned is late from February on), a few already done.
STAGE_WEIGHTS = {
    YearStage.DRAFTING: 2,
    YearStage.SIGNING: 3,
    YearStage.IN_FORCE: 6,
    YearStage.SELF_SCORING: 30,
    YearStage.CROSS_CHECKING: 24,
    YearStage.SETTLED: 12,
    YearStage.CONFERENCE: 11,
    YearStage.DOSSIER: 7,
    YearStage.CLOSED: 5,
}
STAGES = list(YearStage)
# A decided year's dossier after its conference: sent two days later, voted on by the council twelve
# days after that, decided six days after the vote (days from the conference).
SUBMITTED_AFTER, VOTED_AFTER, DECIDED_AFTER = 2, 14, 18
# Where the current year's closed groups' dossiers stand with the parent body, in turn: decided, sent and
# waiting for the council, voted on and waiting for the decision, decided. A sent dossier closes the
# cluster's year (awards/stages.py), so the parent body's own steps follow within the closed stage, and
# the overview's dossier filters each have some to show.
SENT, VOTED, DECIDED = "sent", "voted", "decided"
CLOSED_PHASES = (DECIDED, SENT, VOTED, DECIDED)


def at_or_after(stage: str, than: str) -> bool:
    return STAGES.index(YearStage(stage)) >= STAGES.index(YearStage(than))


M = TypeVar("M", bound=models.Model)


def bulk(model: type[M], rows: Sequence[M]) -> list[M]:
    """Insert `rows` in large batches; the primary keys come back (PostgreSQL and SQLite ≥ 3.35)."""
    return model._default_manager.bulk_create(rows, batch_size=BATCH)


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows that nothing refers to by key (a year's 1.7 million scores), given by field attname;
    a field left out takes its model default. On PostgreSQL through COPY, with the columns read from the
    model: building a model instance per row and binding each value into an INSERT took most of the
    load's time (docs/benchmarks.md). Elsewhere through bulk_create."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = [f.get_default() for f in fields]
    if connection.vendor != "postgresql":
        bulk(model, [model(**row) for row in rows])
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(f.attname, default) for f, default in zip(fields, defaults, strict=True)])


@dataclass
class Unit:
    """A member unit as the loader plans it, before and after it is written."""

    code: str
    name: str
    short_name: str
    province: Place  # the province it belonged to before 01/07/2025
    provincial: bool = False  # the province's one department of its kind ("Sở Y tế tỉnh Sóc Trăng")
    successor: Unit | None = None  # absorbed on 01/07/2025 into this unit
    renamed: tuple[str, str] | None = None  # its name and short name from 01/07/2025
    org: Organization | None = None
    officer: User | None = None

    @property
    def active_2026(self) -> bool:
        return self.successor is None

    @property
    def current_name(self) -> str:
        return self.renamed[0] if self.renamed else self.name


@dataclass
class PlannedGroup:
    group: EmulationGroup
    place: Place
    units: list[Unit]
    stage: str  # 2026's stage
    years: dict[int, EmulationYear] = field(default_factory=dict)

    def members(self, year: int) -> list[Unit]:
        return [u for u in self.units if year < CURRENT or u.active_2026]

    def leaders(self, year: int) -> tuple[Unit, Unit]:
        """Head and deputy by rotation: the deputy of a year heads the next (DOMAIN.md, Voting)."""
        members = self.members(year)
        index = YEARS.index(year)
        return members[index % len(members)], members[(index + 1) % len(members)]


def number_decisions(dossiers: Sequence[Dossier]) -> None:
    """Number the parent body's decisions as its register does: from 1 each calendar year, in the order
    of their dates (NĐ 30/2020/NĐ-CP, Điều 15: a document's number runs from 01/01 to 31/12), so that no
    number repeats within a year and a later decision has a larger number."""
    by_year: dict[int, list[Dossier]] = {}
    for dossier in dossiers:
        if dossier.decision_date is not None:
            by_year.setdefault(dossier.decision_date.year, []).append(dossier)
    for decided in by_year.values():
        decided.sort(key=lambda d: (d.decision_date, d.emulation_year.group_id))
        for number, dossier in enumerate(decided, 1):
            dossier.decision_number = f"{number}/QĐ-TĐKT"


@dataclass
class NationalReport:
    created: bool
    counts: dict[str, int]
    logins: list[tuple[str, str]]


def national_exists() -> bool:
    return EmulationGroup.objects.filter(parent__code=PARENT_CODE).exists()


def load_national_demo(
    groups: int = FULL_GROUPS,
    progress: Callable[[str], None] | None = None,
    today: datetime.date | None = None,
) -> NationalReport:
    """Build the national parent body with `groups` groups, or report what is there when it exists.
    The current year stands as it does on `today` (the day of the load unless given): what a group has
    done is dated before it."""
    if national_exists():
        return NationalReport(created=False, counts=national_counts(), logins=national_logins())
    say = progress or (lambda _: None)
    with transaction.atomic():
        Builder(groups, say, today or timezone.localdate()).build()
        say("Lưu (kiểm tra khóa ngoại của mọi dòng)")
    if connection.vendor == "postgresql":
        say("Cập nhật thống kê cho bộ lập kế hoạch truy vấn")
        # The planner's statistics still describe empty tables until autovacuum comes by: a year's summary
        # took a second instead of 40 ms right after a full load.
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in written_models())
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
    say("Đếm số dòng")
    return NationalReport(created=True, counts=national_counts(), logins=national_logins())


def written_models() -> list[type[models.Model]]:
    """Every table the load writes to, for ANALYZE once it is committed."""
    return [
        *(Organization, OrganizationName, EmulationGroup, Membership, Leadership, Officeholder, Regulation),
        *(User, Role, EmulationYear, Agreement, CriterionGroup, Criterion, Signature),
        *(Assessment, ReviewAssignment, Score, Conference, Delegate, Poll, Choice, PaperCount),
        *(Document, NumberSequence, Dossier, Dossier.documents.through, Proposal, Award),
    ]


def national_counts() -> dict[str, int]:
    """Rows of the national parent body, by table, as the report and docs/benchmarks.md give them."""
    of_parent = {"emulation_year__group__parent__code": PARENT_CODE}
    return {
        "cụm, khối": EmulationGroup.objects.filter(parent__code=PARENT_CODE).count(),
        "đơn vị thành viên": Organization.objects.filter(parent__code=PARENT_CODE).count(),
        "thành viên theo năm": Membership.objects.filter(group__parent__code=PARENT_CODE).count(),
        "năm thi đua": EmulationYear.objects.filter(group__parent__code=PARENT_CODE).count(),
        "tiêu chí": Criterion.objects.filter(
            agreement__emulation_year__group__parent__code=PARENT_CODE
        ).count(),
        "bản tự chấm": Assessment.objects.filter(**of_parent).count(),
        "điểm": Score.history.filter(assessment__emulation_year__group__parent__code=PARENT_CODE).count(),
        "hội nghị": Conference.objects.filter(**of_parent).count(),
        "văn bản": Document.objects.filter(issuer_group__parent__code=PARENT_CODE).count(),
        "hồ sơ khen thưởng": Dossier.objects.filter(**of_parent).count(),
        "khen thưởng": Award.objects.filter(dossier__emulation_year__group__parent__code=PARENT_CODE).count(),
        "người dùng": Role.objects.filter(organization__parent__code=PARENT_CODE).count()
        + Role.objects.filter(organization__code=PARENT_CODE).count(),
    }


def national_logins() -> list[tuple[str, str]]:
    """The accounts to sign in with: the parent body's staff, and the officer of a unit of group 1."""
    rows = [(name, f"Cán bộ cơ quan cấp trên — {PARENT_SHORT}") for name in STAFF_USERNAMES]
    officer = (
        Role.objects.filter(
            organization__parent__code=PARENT_CODE,
            organization__ended_on__isnull=True,
            kind=RoleKind.OFFICER,
        )
        .select_related("user", "organization")
        .order_by("organization__code")
        .first()
    )
    if officer is not None:
        rows.append((officer.user.username, f"Cán bộ thi đua — {officer.organization.current_short_name}"))
    return rows


def search_text(code: str, names: Iterable[tuple[str, str]]) -> str:
    # As Organization.refresh_search_text builds it: every name, folded, and the code.
    texts = {code, *(text for pair in names for text in pair)}
    return " | ".join(sorted(fold(t) for t in texts if t))


def moment(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM)


class Builder:
    def __init__(self, groups: int, progress: Callable[[str], None], today: datetime.date) -> None:
        self.groups_wanted = max(groups, 1)
        self.progress = progress
        # The last day whose work counts as done: the day before the load, so that no time of day given
        # to a done thing (a check-in at 8:00, a vote at 9:00) is still ahead of the clock.
        self.done_by = today - datetime.timedelta(days=1)
        self.random = random.Random(SEED)  # noqa: S311 -- demo figures, not secrets
        # One hash for every demo account: hashing 48,000 passwords would take hours.
        self.password = make_password(DEMO_PASSWORD)
        self.planned: list[PlannedGroup] = []
        self.specs: dict[int, list[score_rules.CriterionSpec]] = {}

    def done(self, day: datetime.date) -> datetime.date:
        """The day something already done is dated: `day`, or the last day done when `day` is still
        ahead (a cross-check finished before its deadline)."""
        return min(day, self.done_by)

    def conference_day(self, drawn: datetime.date, stage: str) -> datetime.date:
        """The day of a year's conference: the day drawn, or earlier when the year has gone past its
        conference and what followed it (the conference closed; the dossier sent, voted on and decided)
        would otherwise be dated after the last day done. A year not past its conference keeps the day
        drawn, ahead of the load or already behind it."""
        if stage == YearStage.CLOSED:
            return min(drawn, self.done_by - datetime.timedelta(days=DECIDED_AFTER))
        if stage == YearStage.DOSSIER:
            return min(drawn, self.done_by)
        return drawn

    def each_year(self) -> Iterator[tuple[PlannedGroup, int, EmulationYear]]:
        for planned in self.planned:
            for year, emulation_year in planned.years.items():
                yield planned, year, emulation_year

    # ---- registry ----------------------------------------------------------------------------------

    def build(self) -> None:
        self.parent_body()
        self.plan_groups()
        self.registry()
        self.users()
        self.years()
        self.agreements()
        self.assessments()
        self.conferences()
        self.documents_and_dossiers()

    def parent_body(self) -> None:
        self.parent = Organization.objects.create(
            code=PARENT_CODE,
            kind=OrganizationKind.PARENT_BODY,
            search_text=search_text(PARENT_CODE, [(PARENT_NAME, PARENT_SHORT)]),
            sort_key=sort_text(PARENT_NAME),
        )
        OrganizationName.objects.create(
            organization=self.parent,
            name=PARENT_NAME,
            short_name=PARENT_SHORT,
            valid_from=NAME_START,
            source=DEMO_LABEL,
        )
        self.staff = bulk(
            User,
            [
                User(
                    username=name,
                    full_name=f"Cán bộ thi đua toàn quốc số {index} {DEMO}",
                    job_title="Chuyên viên",
                    email=f"{name}@thidua.example",
                    password=self.password,
                )
                for index, name in enumerate(STAFF_USERNAMES, start=1)
            ],
        )
        bulk(Role, [Role(user=u, kind=RoleKind.PARENT_STAFF, organization=self.parent) for u in self.staff])
        self.regulation = Regulation.objects.create(
            parent=self.parent,
            valid_from_year=YEARS[0],
            **{
                **REGULATION_VALUES,
                "title": "Quy chế thi đua, khen thưởng — bình xét ở cụm, khối (minh họa)",
                "citation": f"Quy chế minh họa; NĐ 152/2025/NĐ-CP. {DEMO_LABEL}",
            },
        )

    def plan_groups(self) -> None:
        """Which province each group is of, whether a cluster or a block, its units and 2026's stage."""
        rng = self.random
        count = self.groups_wanted
        numbers = {GroupKind.CLUSTER: 0, GroupKind.BLOCK: 0}
        stages = self.stage_plan(count)
        used_codes: set[str] = set()
        self.names: set[str] = set()  # every name given so far, case-folded: no two units share one
        for index in range(count):
            place, absorbed = PROVINCES[index % len(PROVINCES)]
            # Hải Phòng after the merger: 15 clusters and 20 blocks (DOMAIN.md): three in seven are clusters.
            kind = GroupKind.CLUSTER if index // len(PROVINCES) % 7 < 3 else GroupKind.BLOCK
            numbers[kind] += 1
            number = numbers[kind]
            group = EmulationGroup(
                parent=self.parent,
                kind=kind,
                number=number,
                nickname=place.name,
                slug=group_slug(self.parent, kind, number),
                notes=f"Cụm, khối của {place.words}. {DEMO_LABEL}",
            )
            size = rng.randint(8, 12)
            units = []
            for position in range(size):
                # The units of a merged province's groups came from each province it absorbed.
                old = (
                    place
                    if not absorbed or position % (len(absorbed) + 2) < 2
                    else absorbed[position % len(absorbed)]
                )
                units.append(self.unit(kind, old, used_codes))
            for position, unit in enumerate(units):
                if unit.province == place:
                    continue
                # A unit of an absorbed province: one in three is merged into its counterpart of the new
                # province (in the same group), the others take the new province's name (`merge`). A
                # department merges only into the new province's department of its kind.
                counterparts = [u for u in units if u.province == place]
                if counterparts and rng.random() < 0.34 and not unit.provincial:
                    unit.successor = counterparts[position % len(counterparts)]
            self.planned.append(PlannedGroup(group, place, units, stages[index]))
        self.merge()

    def merge(self) -> None:
        """The 01/07/2025 merger for the units of the absorbed provinces not merged in their group: each
        takes the new province's name ("Sở Y tế tỉnh Sóc Trăng" becomes "Sở Y tế thành phố Cần Thơ"),
        unless a unit already bears that name, the new province's own or one of another absorbed
        province renamed first. Then it merges into that unit, as the departments of the merged provinces
        did: one Sở Y tế for the new province, wherever its group."""
        bearers = {u.name.casefold(): u for p in self.planned for u in p.units if u.province == p.place}
        for planned in self.planned:
            for unit in planned.units:
                if unit.province == planned.place or unit.successor is not None:
                    continue
                name = unit.name.replace(unit.province.words, planned.place.words)
                bearer = bearers.get(name.casefold())
                if bearer is not None:
                    unit.successor = bearer
                    continue
                unit.renamed = (name, unit.short_name.replace(unit.province.name, planned.place.name))
                bearers[name.casefold()] = unit

    def stage_plan(self, count: int) -> list[str]:
        """2026's stage of each group: every stage at least once (from nine groups on), the rest by weight."""
        stages = [str(s) for s in STAGES][: min(count, len(STAGES))]
        weights = [STAGE_WEIGHTS[s] for s in STAGES]
        stages += [str(s) for s in self.random.choices(STAGES, weights=weights, k=count - len(stages))]
        self.random.shuffle(stages)
        return stages

    def unit(self, kind: str, province: Place, used: set[str]) -> Unit:
        """A unit of `province` named as no other unit is: a province has one Sở Tài chính, and a made-up
        commune name drawn twice is drawn again."""
        name, short, provincial = self.unit_name(kind, province)
        while name.casefold() in self.names:
            name, short, provincial = self.unit_name(kind, province)
        self.names.add(name.casefold())
        number = len(used) + 1
        code = f"qg-{province.slug}-{number:05d}"
        used.add(code)
        return Unit(code=code, name=name, short_name=short, province=province, provincial=provincial)

    def unit_name(self, kind: str, province: Place) -> tuple[str, str, bool]:
        """A name, short name, and whether it names the province's one department of its kind."""
        rng = self.random
        place = f"{rng.choice(SYLLABLES)} {rng.choice(SYLLABLES)}"
        if kind == GroupKind.CLUSTER:
            word = rng.choice(("xã", "xã", "phường"))
            name = f"Ủy ban nhân dân {word} {place}, {province.words}"
            return name, f"UBND {word} {place} ({province.name})", False
        full, abbreviation = rng.choice(BLOCK_UNITS)
        name = f"{full.format(x=place)} {province.words}"
        return name, f"{abbreviation.format(x=place)} {province.name}", "{x}" not in full

    def registry(self) -> None:
        self.progress("Đơn vị, cụm, khối, thành viên")
        bulk(EmulationGroup, [p.group for p in self.planned])
        units = [u for p in self.planned for u in p.units]
        orgs = []
        for unit in units:
            names = [(unit.name, unit.short_name), *([unit.renamed] if unit.renamed else [])]
            orgs.append(
                Organization(
                    code=unit.code,
                    kind=OrganizationKind.OTHER,
                    parent=self.parent,
                    search_text=search_text(unit.code, names),
                    sort_key=sort_text(unit.current_name),
                    address=f"{unit.province.words.capitalize()} {DEMO}",
                    email=f"{unit.code}@thidua.example",
                )
            )
        bulk(Organization, orgs)
        for unit, org in zip(units, orgs, strict=True):
            unit.org = org
        name_rows: list[OrganizationName] = []
        for unit in units:
            name_rows.append(
                OrganizationName(
                    organization=unit.org,
                    name=unit.name,
                    short_name=unit.short_name,
                    valid_from=NAME_START,
                    source=DEMO_LABEL,
                )
            )
            if unit.renamed:
                name_rows.append(
                    OrganizationName(
                        organization=unit.org,
                        name=unit.renamed[0],
                        short_name=unit.renamed[1],
                        valid_from=MERGER_DAY,
                        source=MERGER_SOURCE,
                    )
                )
        bulk(OrganizationName, name_rows)
        # The merger: a unit absorbed ends on 01/07/2025 and its work passes to its successor (as
        # services.record_merger records it); it stays a member of 2025, not of 2026.
        merged = []
        for planned in self.planned:
            for unit in planned.units:
                if unit.successor is not None:
                    assert unit.org is not None
                    unit.org.successor = unit.successor.org
                    unit.org.ended_on = MERGER_DAY
                    merged.append(unit.org)
        Organization.objects.bulk_update(merged, ["successor", "ended_on"], batch_size=BATCH)
        memberships, leaderships, holders = [], [], []
        for planned in self.planned:
            for year in YEARS:
                memberships += [
                    Membership(group=planned.group, organization=u.org, year=year)
                    for u in planned.members(year)
                ]
                head, deputy = planned.leaders(year)
                source = f"Bầu tại hội nghị tổng kết năm {year - 1}. {DEMO_LABEL}"
                leaderships += [
                    Leadership(
                        group=planned.group, year=year, role=role, organization=unit.org, source=source
                    )
                    for role, unit in ((LeadershipRole.HEAD, head), (LeadershipRole.DEPUTY, deputy))
                ]
            for unit in planned.units:
                until = MERGER_DAY - datetime.timedelta(days=1) if unit.successor is not None else None
                short = unit.short_name
                for position, title in (
                    (Position.CHAIRMAN, "Thủ trưởng"),
                    (Position.EMULATION_OFFICER, "Cán bộ thi đua"),
                ):
                    holders.append(
                        Officeholder(
                            organization=unit.org,
                            full_name=f"{title} {short} {DEMO}",
                            position=position,
                            started_on=datetime.date(2021, 1, 1),
                            ended_on=until,
                            source=DEMO_LABEL,
                        )
                    )
        bulk(Membership, memberships)
        bulk(Leadership, leaderships)
        bulk(Officeholder, holders)

    def users(self) -> None:
        """Four accounts per unit, all with the one demo password: the emulation officer who does the year's
        work (scores, signatures, dossiers) and three colleagues who share the unit's officer role, as an
        office does: about 48,000 users for 12,000 units, the scale the parent body plans for (issue 16)."""
        self.progress("Tài khoản cán bộ của các đơn vị")
        units = [u for p in self.planned for u in p.units]
        users: list[User] = []
        for unit in units:
            for prefix, title in UNIT_ACCOUNTS:
                users.append(
                    User(
                        username=f"{prefix}-{unit.code}",
                        full_name=f"{title} {unit.short_name} {DEMO}",
                        job_title=title,
                        email=f"{prefix}-{unit.code}@thidua.example",
                        password=self.password,
                        # An absorbed unit's accounts are kept for the record, closed.
                        is_active=unit.active_2026,
                    )
                )
        bulk(User, users)
        per_unit = len(UNIT_ACCOUNTS)
        for index, unit in enumerate(units):
            unit.officer = users[index * per_unit]
        bulk(
            Role,
            [
                Role(user=user, kind=RoleKind.OFFICER, organization=units[index // per_unit].org)
                for index, user in enumerate(users)
            ],
        )

    # ---- years and agreements ---------------------------------------------------------------------

    def years(self) -> None:
        self.progress("Năm thi đua")
        rows = []
        for planned in self.planned:
            late = self.random.random() < 0.25  # a quarter of the groups set tight deadlines in 2026
            for year in YEARS:
                stage = planned.stage if year == CURRENT else YearStage.CLOSED
                conference = self.conference_day(datetime.date(year, 12, self.random.randint(8, 22)), stage)
                self_due = (
                    datetime.date(year, 11, 20) if (year == CURRENT and late) else datetime.date(year, 12, 5)
                )
                emulation_year = EmulationYear(
                    group=planned.group,
                    year=year,
                    stage=stage,
                    signing_due=datetime.date(year, 1, 31),
                    self_scoring_due=min(self_due, conference - datetime.timedelta(days=3)),
                    review_due=conference - datetime.timedelta(days=2),
                    answer_due=conference - datetime.timedelta(days=1),
                    conference_date=conference,
                    dossier_due=conference + datetime.timedelta(days=10),
                )
                planned.years[year] = emulation_year
                rows.append(emulation_year)
        bulk(EmulationYear, rows)

    def agreements(self) -> None:
        self.progress("Giao ước, tiêu chí, chữ ký")
        agreements = []
        for planned, year, emulation_year in self.each_year():
            stage = emulation_year.stage
            status = (
                AgreementStatus.DRAFT
                if stage == YearStage.DRAFTING
                else AgreementStatus.SIGNING
                if stage == YearStage.SIGNING
                else AgreementStatus.IN_FORCE
            )
            in_force = moment(datetime.date(year, 1, 20)) if status == AgreementStatus.IN_FORCE else None
            agreements.append(
                Agreement(
                    emulation_year=emulation_year,
                    status=status,
                    title=f"Giao ước thi đua năm {year} — {planned.group.title}",
                    goals=f"Thi đua hoàn thành xuất sắc nhiệm vụ năm {year}. {DEMO_LABEL}",
                    commitments="Các thành viên cam kết thực hiện đầy đủ các tiêu chí của giao ước.",
                    bonus_cap=D(5),
                    penalty_cap=D(5),
                    tie_break_group_code="1",
                    in_force_at=in_force,
                )
            )
        bulk(Agreement, agreements)
        self.agreement_of = {a.emulation_year_id: a for a in agreements}
        groups = []
        for agreement in agreements:
            for position, (code, title, maximum, _) in enumerate(CRITERIA, start=1):
                groups.append(
                    CriterionGroup(
                        agreement=agreement, position=position, code=code, title=title, max_points=maximum
                    )
                )
        bulk(CriterionGroup, groups)
        criteria = []
        group_iter = iter(groups)
        for agreement in agreements:
            for _, _, _, rows in CRITERIA:
                criterion_group = next(group_iter)
                for position, (code, text, kind, maximum, target, per_unit) in enumerate(rows, start=1):
                    criteria.append(
                        Criterion(
                            agreement=agreement,
                            group=criterion_group,
                            key=uuid.UUID(int=self.random.getrandbits(128), version=4),
                            position=position,
                            code=code,
                            text=text,
                            kind=kind.value,
                            max_points=maximum,
                            target=target,
                            points_per_unit=per_unit,
                            evidence_required=False,
                        )
                    )
        bulk(Criterion, criteria)
        self.criteria_of: dict[int, list[Criterion]] = {}
        for criterion in criteria:
            self.criteria_of.setdefault(criterion.agreement_id, []).append(criterion)
        signatures = []
        for planned, year, emulation_year in self.each_year():
            agreement = self.agreement_of[emulation_year.pk]
            if agreement.status == AgreementStatus.DRAFT:
                continue
            members = planned.members(year)
            signing = members[: len(members) // 2] if agreement.status == AgreementStatus.SIGNING else members
            for index, unit in enumerate(signing):
                signatures.append(
                    Signature(
                        agreement=agreement,
                        organization=unit.org,
                        signer_name=f"Thủ trưởng {unit.short_name} {DEMO}",
                        signer_title="Thủ trưởng đơn vị",
                        signed_at=moment(datetime.date(year, 1, 10 + index % 10)),
                        method=SignatureMethod.ONLINE,
                        recorded_by=unit.officer,
                    )
                )
        bulk(Signature, signatures)

    # ---- scores --------------------------------------------------------------------------------------

    def assessments(self) -> None:
        """Self-scores, cross-checks and settled points, as far as each year's stage has gone."""
        self.progress("Bản tự chấm, chấm chéo, chốt điểm")
        rng = self.random
        assessments: list[Assessment] = []
        plans: list[tuple[Assessment, str, int, str]] = []  # (assessment, how far, criteria filled, unit)
        reviews = []
        self.totals: dict[int, dict[int, Decimal]] = {}  # emulation year pk → organization pk → final total
        for planned, year, emulation_year in self.each_year():
            stage = emulation_year.stage
            if not at_or_after(stage, YearStage.SELF_SCORING):
                continue
            agreement = self.agreement_of[emulation_year.pk]
            members = planned.members(year)
            review_open = stage == YearStage.CROSS_CHECKING
            for index, unit in enumerate(members):
                if stage == YearStage.SELF_SCORING:
                    roll = rng.random()
                    how = "submitted" if roll < 0.6 else "draft" if roll < 0.85 else "none"
                elif review_open:
                    how = "reviewed" if index % 2 == 0 else "submitted"
                else:
                    how = "settled"
                if how == "none":
                    continue
                submitted = how != "draft"
                due = emulation_year.self_scoring_due or datetime.date(year, 12, 1)
                submitted_at = moment(self.done(due - datetime.timedelta(days=rng.randint(0, 8))), 10)
                assessment = Assessment(
                    emulation_year=emulation_year,
                    organization=unit.org,
                    agreement=agreement,
                    status=AssessmentStatus.SUBMITTED if submitted else AssessmentStatus.DRAFT,
                    submitted_at=submitted_at if submitted else None,
                    submitted_by=unit.officer if submitted else None,
                )
                assessments.append(assessment)
                plans.append((assessment, how, 30 if submitted else rng.randint(5, 25), unit.code))
            if at_or_after(stage, YearStage.CROSS_CHECKING):
                for index, unit in enumerate(members):
                    reviewer = members[(index + 1) % len(members)]
                    done = not review_open or index % 2 == 0
                    reviews.append(
                        ReviewAssignment(
                            emulation_year=emulation_year,
                            reviewed=unit.org,
                            reviewer=reviewer.org,
                            kind=ReviewKind.PEER,
                            completed_at=moment(
                                self.done(emulation_year.review_due or datetime.date(year, 12, 10)), 16
                            )
                            if done
                            else None,
                            completed_by=reviewer.officer if done else None,
                        )
                    )
        bulk(Assessment, assessments)
        bulk(ReviewAssignment, reviews)
        year_of = {y.pk: y.year for p in self.planned for y in p.years.values()}
        scores: list[dict[str, Any]] = []
        for assessment, how, filled, code in plans:
            criteria = self.criteria_of[assessment.agreement_id]
            specs = self.spec_list(criteria)
            earned: dict[str, Decimal] = {}
            for position, (criterion, spec) in enumerate(zip(criteria, specs, strict=True)):
                score: dict[str, Any] = {"assessment_id": assessment.pk, "criterion_id": criterion.pk}
                scores.append(score)
                if position >= filled:
                    continue
                value = demo_value(criterion, code, year_of[assessment.emulation_year_id])
                points = score_rules.points(spec, value)
                score.update(self_value=value, self_points=points, note=f"{DEMO_LABEL}.")
                if how not in ("reviewed", "settled"):
                    continue
                # One criterion in eight judged half a point lower by the peer; the member answers and
                # the secretariat settles half-way (as the Cụm 4 demo does).
                lower = points >= 1 and rng.random() < 0.125 and criterion.kind not in ("bonus", "penalty")
                score["reviewed_points"] = points - D("0.5") if lower else points
                if lower:
                    score["review_reason"] = "Minh chứng chưa thể hiện đủ kết quả (minh họa)."
                    score["answer"] = "Đơn vị bổ sung báo cáo kết quả và văn bản liên quan (minh họa)."
                if how == "settled":
                    score["final_points"] = final = (points - D("0.25")) if lower else points
                    if lower:
                        score["final_note"] = "Sau giải trình (minh họa)"
                    earned[criterion.code] = final
            if how == "settled":
                total = score_rules.total(specs, earned, bonus_cap=D(5), penalty_cap=D(5)).total
                self.totals.setdefault(assessment.emulation_year_id, {})[assessment.organization_id] = total
        insert_rows(Score, scores)

    def spec_list(self, criteria: list[Criterion]) -> list[score_rules.CriterionSpec]:
        """The criteria as the scoring rules read them, built once per agreement."""
        cached = self.specs.get(criteria[0].agreement_id)
        if cached is None:
            cached = self.specs[criteria[0].agreement_id] = [spec_of(c) for c in criteria]
        return cached

    # ---- conferences, documents, dossiers, awards -------------------------------------------------

    def ranking(self, planned: PlannedGroup, year: int) -> list[tuple[Unit, Decimal]]:
        totals = self.totals.get(planned.years[year].pk, {})
        scored = [
            (u, totals[u.org.pk]) for u in planned.members(year) if u.org is not None and u.org.pk in totals
        ]
        return sorted(scored, key=lambda pair: (-pair[1], pair[0].code))

    def conferences(self) -> None:
        """The year-end conference of each year that reached it: delegates checked in, and a paper vote
        on the flag (published once the conference closed)."""
        self.progress("Hội nghị tổng kết, đại biểu, bỏ phiếu")
        conferences = []
        self.held: list[tuple[PlannedGroup, int, Conference]] = []
        for planned, year, emulation_year in self.each_year():
            if not at_or_after(emulation_year.stage, YearStage.CONFERENCE):
                continue
            head, _ = planned.leaders(year)
            starts = moment(emulation_year.conference_date or datetime.date(year, 12, 15), 8)
            closed = emulation_year.stage != YearStage.CONFERENCE
            conference = Conference(
                emulation_year=emulation_year,
                kind=ConferenceKind.YEAR_END,
                title=f"Hội nghị tổng kết công tác thi đua, khen thưởng năm {year} — {planned.group.title}",
                starts_at=starts,
                place=f"Hội trường {head.short_name} {DEMO}",
                host=head.org,
                agenda=(
                    f"1. Báo cáo tổng kết công tác thi đua, khen thưởng năm {year}.\n"
                    f"2. Bình xét, suy tôn đơn vị dẫn đầu.\n3. Bầu trưởng, phó năm {year + 1}.\n"
                    f"4. Ký kết giao ước thi đua năm {year + 1}."
                ),
                opinions="Các đại biểu thống nhất kết quả chấm điểm và đề xuất nhiệm vụ năm sau (minh họa).",
                closed_at=starts + datetime.timedelta(hours=4) if closed else None,
            )
            conferences.append(conference)
            self.held.append((planned, year, conference))
        bulk(Conference, conferences)
        delegates = []
        self.voters: dict[int, list[Delegate]] = {}
        for planned, year, conference in self.held:
            # A conference still ahead has its delegates listed, nobody checked in yet.
            checked_in = conference.starts_at if conference.starts_at.date() <= self.done_by else None
            voters = []
            for index, unit in enumerate(planned.members(year)):
                host = unit.org is not None and unit.org.pk == conference.host_id
                voter = Delegate(
                    conference=conference,
                    organization=unit.org,
                    full_name=f"Thủ trưởng {unit.short_name} {DEMO}",
                    job_title="Thủ trưởng đơn vị",
                    votes=True,
                    counting_board=index < 3,
                    role=ConferenceRole.CHAIR if host else "",
                    checked_in_at=checked_in,
                    card=f"{index + 1:02d}",
                    voting_seat=f"org:{unit.org.pk}" if unit.org else "",
                )
                voters.append(voter)
                delegates.append(voter)
                delegates.append(
                    Delegate(
                        conference=conference,
                        organization=unit.org,
                        full_name=f"Cán bộ thi đua {unit.short_name} {DEMO}",
                        job_title="Cán bộ thi đua",
                        role=ConferenceRole.SECRETARY if host else "",
                        checked_in_at=checked_in,
                    )
                )
            delegates.append(
                Delegate(
                    conference=conference,
                    organization=None,
                    full_name=f"Đại diện {PARENT_SHORT}",
                    job_title="Chuyên viên",
                    role=ConferenceRole.SUPERVISOR,
                    checked_in_at=checked_in,
                )
            )
            self.voters[conference.pk] = voters
        bulk(Delegate, delegates)
        self.polls()

    def polls(self) -> None:
        polls, self.poll_plan = [], []
        flag = AwardForm.PARENT_FLAG.label.replace("cơ quan cấp trên", PARENT_SHORT)
        for planned, year, conference in self.held:
            ranking = self.ranking(planned, year)[:3]
            if not ranking:
                continue
            published = conference.closed_at is not None
            opened = conference.starts_at + datetime.timedelta(hours=2)
            voters = len(self.voters[conference.pk])
            poll = Poll(
                conference=conference,
                kind=PollKind.NOMINATION,
                title=f"Suy tôn đơn vị đề nghị tặng {flag} năm {year}",
                method=vote_rules.Method.APPROVE_EACH.value,
                mode=BallotMode.PAPER,
                seats=1,
                max_picks=1,
                award_form=AwardForm.PARENT_FLAG,
                status=PollStatus.PUBLISHED if published else PollStatus.DRAFT,
                position=1,
                voting_unit=VotingUnit.ORGANIZATION,
                vote_base=VoteBase.PRESENT,
                rule_sources={"threshold": str(REGULATION_VALUES["threshold_source"])},
                eligible=voters,
                members=voters,
                opened_at=opened if published else None,
                closed_at=opened + datetime.timedelta(minutes=10) if published else None,
                published_at=opened + datetime.timedelta(minutes=11) if published else None,
                confirmed_at=opened + datetime.timedelta(minutes=10) if published else None,
            )
            polls.append(poll)
            self.poll_plan.append((poll, ranking, voters))
        bulk(Poll, polls)
        choices, counts = [], []
        for poll, ranking, voters in self.poll_plan:
            keys = []
            for position, (unit, total) in enumerate(ranking):
                keys.append(unit.code)
                choices.append(
                    Choice(
                        poll=poll,
                        key=unit.code,
                        label=unit.name,
                        organization=unit.org,
                        detail=f"Điểm chốt {format_vietnamese_decimal(total, 2)} — hạng {position + 1}",
                        position=position,
                    )
                )
            if poll.status != PollStatus.PUBLISHED:
                continue
            # The leader carries all but one vote; the others fewer than half: one flag, one winner.
            tally = {key: (voters - 1 if i == 0 else max(voters // 3 - i, 0)) for i, key in enumerate(keys)}
            spec = vote_rules.PollSpec(
                method=vote_rules.Method.APPROVE_EACH,
                choices=tuple(keys),
                labels=tuple(u.name for u, _ in ranking),
                seats=1,
                max_picks=1,
                threshold=vote_rules.Threshold(Fraction(1, 2), False),
                base=vote_rules.Base.PRESENT,
                eligible=voters,
                members=voters,
                quorum=Fraction(2, 3),
            )
            poll.result = _result_json(
                poll, vote_rules.tally_counts(spec, tally, valid=voters, blank=0, invalid=0)
            )
            poll.result["paper"] = {"counts": tally, "valid": voters, "blank": 0, "invalid": 0}
            poll.result["issued"] = poll.result["returned"] = voters
            counts.append(
                PaperCount(
                    poll=poll,
                    issued=voters,
                    returned=voters,
                    valid=voters,
                    blank=0,
                    invalid=0,
                    counts=tally,
                    entered_by=self.staff[0],
                )
            )
        bulk(Choice, choices)
        bulk(PaperCount, counts)
        Poll.objects.bulk_update([p for p, _, _ in self.poll_plan if p.result], ["result"], batch_size=BATCH)

    def documents_and_dossiers(self) -> None:
        """The documents issued from each closed conference, its dossier, and the flag decided."""
        self.progress("Văn bản, hồ sơ khen thưởng, khen thưởng")
        poll_of = {p.conference_id: (p, ranking) for p, ranking, _ in self.poll_plan}
        documents, sequences, dossiers = [], [], []
        dossier_plan = []
        kinds = (
            ("minutes", DocumentType.MINUTES, "Hội nghị tổng kết công tác thi đua, khen thưởng năm {year}"),
            ("count", DocumentType.MINUTES, "Kiểm phiếu: {poll}"),
            ("summary", DocumentType.REPORT, "Tổng hợp kết quả chấm điểm thi đua năm {year}"),
            ("proposal", DocumentType.PROPOSAL, "Đề nghị khen thưởng năm {year}"),
        )
        # The council's vote on a decided dossier is the Cụm 4 demo's: 9 of 11 members present, 10 in favour
        # with an absent member's written vote (DOMAIN.md, Voting, "Parent council"), judged by its rules.
        threshold = self.regulation.council_threshold
        council = award_rules.council_outcome(threshold, members=COUNCIL_MEMBERS, votes=VOTES_IN_FAVOUR)
        closed_now = [p for p in self.planned if p.stage == YearStage.CLOSED]
        phase_now = {p.group.pk: CLOSED_PHASES[i % len(CLOSED_PHASES)] for i, p in enumerate(closed_now)}
        for planned, year, conference in self.held:
            if conference.closed_at is None or conference.pk not in poll_of:
                continue
            poll, ranking = poll_of[conference.pk]
            head, _ = planned.leaders(year)
            day = conference.starts_at.date()
            issued = []
            for number, (kind, doc_type, summary) in enumerate(kinds, start=1):
                number_text = number_rules.format_number(
                    number_rules.DEFAULT_PATTERN,
                    number=number,
                    type_code=doc_type.value,
                    issuer_code=group_code(planned.group),
                    year=year,
                )
                issued.append(
                    Document(
                        issuer_group=planned.group,
                        doc_type=doc_type,
                        year=year,
                        number=number,
                        number_text=number_text,
                        date=day,
                        place=planned.place.name,
                        summary=summary.format(year=year, poll=poll.title),
                        status=DocumentStatus.ISSUED,
                        created_by=head.officer,
                        kind=kind,
                        conference=conference,
                        poll=poll if kind == "count" else None,
                    )
                )
            documents += issued
            sequences.append(
                NumberSequence(issuer_key=f"group:{planned.group.pk}", year=year, last_number=len(kinds))
            )
            closed = planned.years[year].stage == YearStage.CLOSED
            phase = (phase_now[planned.group.pk] if year == CURRENT else DECIDED) if closed else None
            decided, voted = phase == DECIDED, phase in (VOTED, DECIDED)
            submitted = moment(day + datetime.timedelta(days=SUBMITTED_AFTER), 9)
            dossier = Dossier(
                emulation_year=planned.years[year],
                status=DossierStatus.DECIDED
                if decided
                else (DossierStatus.SUBMITTED if closed else DossierStatus.DRAFT),
                created_by=head.officer,
                submitted_at=submitted if closed else None,
                council_members=COUNCIL_MEMBERS if voted else None,
                council_present=COUNCIL_PRESENT if voted else None,
                council_threshold_numerator=threshold.numerator if voted else None,
                council_threshold_denominator=threshold.denominator if voted else None,
                council_threshold_source=self.regulation.council_threshold_source if voted else "",
                council_voted_at=moment(day + datetime.timedelta(days=VOTED_AFTER), 9) if voted else None,
                decision_number="",  # numbered below, in the order of the decisions' dates
                decision_date=day + datetime.timedelta(days=DECIDED_AFTER) if decided else None,
                decision_signer_name=f"Người ký {DEMO}" if decided else "",
                decision_signer_title=f"Chủ tịch {PARENT_SHORT}" if decided else "",
                decision_note=DEMO_LABEL if decided else "",
            )
            dossiers.append(dossier)
            dossier_plan.append((dossier, issued, ranking[0][0], year, decided, voted))
        bulk(Document, documents)
        bulk(NumberSequence, sequences)
        number_decisions(dossiers)
        bulk(Dossier, dossiers)
        links, proposals, awards = [], [], []
        through = Dossier.documents.through
        for dossier, issued, leader, year, decided, voted in dossier_plan:
            links += [through(dossier_id=dossier.pk, document_id=d.pk) for d in issued]
            proposals.append(
                Proposal(
                    dossier=dossier,
                    organization=leader.org,
                    award_form=AwardForm.PARENT_FLAG,
                    source=f"Suy tôn tại hội nghị tổng kết năm {year}",
                    votes_in_favour=council.votes if voted else None,
                    votes_needed=council.needed if voted else None,
                    passed=council.passed if voted else None,
                )
            )
            if decided and council.passed and dossier.decision_date is not None:
                awards.append(
                    Award(
                        organization=leader.org,
                        year=year,
                        award_form=AwardForm.PARENT_FLAG,
                        decision_number=dossier.decision_number,
                        decision_date=dossier.decision_date,
                        dossier=dossier,
                        note=DEMO_LABEL,
                    )
                )
        bulk(through, links)
        bulk(Proposal, proposals)
        bulk(Award, awards)
