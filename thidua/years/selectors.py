"""Reads of a year that several pages share: its stages, the years a group has open, and a parent
body's groups in one year with their stages and what is late."""

from __future__ import annotations

import datetime
import functools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from thidua.lib.text import fold
from thidua.organizations.models import EmulationGroup, Membership
from thidua.organizations.selectors import heads_of_year, names_hold_phrase, names_match
from thidua.years.models import EmulationYear, YearStage
from thidua.years.rules import (
    STAGE_DEADLINES,
    Deadline,
    Stage,
    StageRow,
    binding_stages,
    late_stages,
    next_deadline,
    stage_rows,
)
from thidua.years.stages import gate_of

# The deadline fields of EmulationYear, in the order of the stages they end.
DEADLINE_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(STAGE_DEADLINES.values()))
# The alias under which a group's emulation year of the year asked for is joined (one LEFT JOIN).
THIS_YEAR = "this_year"


def year_stages(*, emulation_year: EmulationYear) -> list[StageRow]:
    """Every stage in order: done, the current one with what it waits for and who must act, and those
    ahead; each with its deadline and whether it is late. One gate is asked: the current stage's."""
    current = Stage(emulation_year.stage)
    gate = gate_of(emulation_year, current) if current != Stage.CLOSED else None
    deadlines = {name: getattr(emulation_year, name) for name in set(STAGE_DEADLINES.values())}
    return stage_rows(current, deadlines, gate, timezone.localdate())


def open_years(*, group_id: int) -> QuerySet[EmulationYear]:
    """The group's years not yet closed, the latest first."""
    return EmulationYear.objects.filter(group_id=group_id).exclude(stage=YearStage.CLOSED).order_by("-year")


def open_years_of_members(*, organization_ids: set[int]) -> QuerySet[EmulationYear]:
    """The open years of every group these organizations are members of in that year: where an officer's
    to-dos can be."""
    return (
        EmulationYear.objects.filter(
            group__memberships__organization_id__in=organization_ids,
            group__memberships__year=F("year"),
        )
        .exclude(stage=YearStage.CLOSED)
        .select_related("group", "group__parent")
        .distinct()
    )


def late_condition(today: datetime.date, *, prefix: str = "") -> Q:
    """The years late on `today`, as a database condition (`rules.binding_stages`): at a stage a deadline
    still binds, with that deadline passed. `prefix` reaches the year through a relation."""
    return functools.reduce(
        operator.or_,
        (
            Q(**{f"{prefix}stage__in": [s.value for s in stages], f"{prefix}{name}__lt": today})
            for name, stages in binding_stages().items()
        ),
    )


@dataclass(frozen=True)
class GroupFilters:
    """What the overview of a year is narrowed to: a kind (cluster or block), a stage or None for a year
    not opened (`NOT_OPENED`), late years only, and search words already folded."""

    kind: str = ""
    stage: str = ""
    late_only: bool = False
    words: tuple[str, ...] = ()


NOT_OPENED = "chua-mo"


_PUNCTUATION = re.compile(r"[^\w\s]+")


def title_matches(parent_id: int, words: Sequence[str]) -> tuple[list[int], list[int]]:
    """The parent's groups whose title holds every word, and those whose title holds them as typed, one
    after another; diacritics folded. Titles are built from the kind, number and nickname and are not
    stored folded; a parent body has about 1,400 groups at most (DOMAIN.md, "Scale"), one short query and
    a fold each."""
    groups = EmulationGroup.objects.filter(parent_id=parent_id).only("pk", "kind", "number", "nickname")
    # The nickname is quoted (“Hà Tĩnh”): marks are spaces, or no word of it would begin a word.
    titles = [(g.pk, _PUNCTUATION.sub(" ", fold(g.title))) for g in groups]
    phrase = [" ".join(words)]
    return (
        [pk for pk, title in titles if holds_words(title, words)],
        [pk for pk, title in titles if holds_words(title, phrase)],
    )


def holds_words(text: str, words: Sequence[str]) -> bool:
    """Every word (or phrase) begins a word of the folded text, as `names_match` asks of a name in the
    database; a number is the whole word: "khoi 5" finds Khối 5, not Khối 15 or Khối 50."""
    padded = f" {text} "
    return all(f" {word} " in padded if word.isdigit() else f" {word}" in padded for word in words)


def groups_of_year(
    *, parent_id: int, year: int, today: datetime.date, filters: GroupFilters = GroupFilters()
) -> QuerySet[EmulationGroup]:
    """Every group of the parent body in `year` (a year opened, or members recorded), in the order of
    kind and number, each annotated with its year's stage and deadlines (None: not opened), its number of
    members and its head, filtered in the database: a page of them costs the same queries for forty
    groups or 1,400."""
    members = Membership.objects.filter(group=OuterRef("pk"), year=year)
    member_count = members.order_by().values("group").annotate(n=Count("pk")).values("n")
    this = f"{THIS_YEAR}__"
    groups = (
        EmulationGroup.objects.filter(parent_id=parent_id)
        .annotate(**{THIS_YEAR: FilteredRelation("years", condition=Q(years__year=year))})
        .annotate(
            year_id=F(f"{this}id"),
            stage=F(f"{this}stage"),
            **{name: F(f"{this}{name}") for name in DEADLINE_FIELDS},
            member_count=Coalesce(Subquery(member_count, output_field=IntegerField()), Value(0)),
        )
        .filter(Q(**{f"{this}id__isnull": False}) | Exists(members))
        .prefetch_related(heads_of_year("leaderships", year))
        .order_by("kind", "number", "pk")
    )
    if filters.kind:
        groups = groups.filter(kind=filters.kind)
    if filters.stage == NOT_OPENED:
        groups = groups.filter(**{f"{this}id__isnull": True})
    elif filters.stage:
        groups = groups.filter(**{f"{this}stage": filters.stage})
    if filters.late_only:
        groups = groups.filter(late_condition(today, prefix=this))
    if filters.words:
        by_member = Membership.objects.filter(group=OuterRef("pk"), year=year)
        field = "organization__search_text"
        titles, title_phrases = title_matches(parent_id, filters.words)
        groups = groups.filter(
            Q(pk__in=titles) | Exists(by_member.filter(names_match(filters.words, field=field)))
        ).annotate(
            # The groups whose title holds the words as typed come first, then those with a member's
            # name that does, then the rest: "ha tinh" lists the groups named for Hà Tĩnh, then those
            # with a unit "… Hạ Hạ tỉnh …", then the many whose units' names merely hold both words
            # ("tỉnh" is in most of them), found by a walk of the national demo.
            phrase=Case(
                When(pk__in=title_phrases, then=0),
                When(Exists(by_member.filter(names_hold_phrase(filters.words, field=field))), then=1),
                default=2,
                output_field=IntegerField(),
            )
        )
        groups = groups.order_by("phrase", "kind", "number", "pk")
    return groups


@dataclass(frozen=True)
class GroupYearRow:
    """One group on the overview: its year's stage (None: not opened), next deadline and what is late."""

    group: EmulationGroup
    stage: Stage | None
    stage_label: str
    head: str
    members: int
    next_deadline: Deadline | None
    late: tuple[Deadline, ...]


def group_year_row(group: EmulationGroup, *, year: int, today: datetime.date) -> GroupYearRow:
    """A row from a group `groups_of_year` annotated: no query."""
    heads = getattr(group, "heads", [])
    head = heads[0].organization.short_name_in_year(year) if heads else ""
    raw = getattr(group, "stage", None)
    if raw is None:
        return GroupYearRow(group, None, "Chưa mở năm thi đua", head, group.member_count, None, ())  # type: ignore[attr-defined]
    stage = Stage(raw)
    deadlines = {name: getattr(group, name) for name in DEADLINE_FIELDS}
    return GroupYearRow(
        group=group,
        stage=stage,
        stage_label=YearStage(raw).label,
        head=head,
        members=group.member_count,  # type: ignore[attr-defined]
        next_deadline=next_deadline(stage, deadlines),
        late=late_stages(stage, deadlines, today),
    )


@dataclass(frozen=True)
class StageCount:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class YearCounts:
    stages: list[StageCount]  # every stage in order, then the groups whose year is not opened
    late: int
    total: int


def year_counts(*, parent_id: int, year: int, today: datetime.date) -> YearCounts:
    """How many of the parent's groups stand at each stage of `year`, how many are late, how many have
    not opened it: two aggregate queries."""
    per_stage = {
        row["stage"]: row
        for row in EmulationYear.objects.filter(group__parent_id=parent_id, year=year)
        .values("stage")
        .annotate(n=Count("pk"), late=Count("pk", filter=late_condition(today)))
        .order_by()
    }
    not_opened = (
        EmulationGroup.objects.filter(parent_id=parent_id)
        .filter(Exists(Membership.objects.filter(group=OuterRef("pk"), year=year)))
        .exclude(years__year=year)
        .count()
    )
    stages = [
        StageCount(value, label, per_stage[value]["n"] if value in per_stage else 0)
        for value, label in YearStage.choices
    ]
    stages.append(StageCount(NOT_OPENED, "Chưa mở năm thi đua", not_opened))
    return YearCounts(
        stages=stages,
        late=sum(row["late"] for row in per_stage.values()),
        total=sum(s.count for s in stages),
    )
