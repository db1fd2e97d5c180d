"""Reads of awards that several pages share: an organization's awards, on its page and in the API; and
the parent body's overview of a year (groups, dossiers, council, decisions), its award history and its
statistics, each in a fixed number of queries whatever the number of groups (issue 16)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from thidua.assessments.models import Score
from thidua.awards import rules
from thidua.awards.models import Award, Dossier, DossierStatus
from thidua.awards.rules import CriterionGroupScore, DossierState
from thidua.lib.text import fold
from thidua.organizations.models import (
    AwardForm,
    EmulationGroup,
    Leadership,
    LeadershipRole,
    Organization,
    OrganizationName,
)
from thidua.organizations.selectors import heads_of_year, names_hold_phrase, names_match
from thidua.years.models import EmulationYear
from thidua.years.selectors import THIS_YEAR, GroupFilters, groups_of_year, holds_words, title_matches


@dataclass(frozen=True)
class OrganizationAward:
    year: int
    form: str
    decision_number: str
    decision_date: datetime.date
    note: str


def organization_awards(*, organization: Organization) -> list[OrganizationAward]:
    """An organization's awards, newest year first, each named as its parent body names it."""
    awards = list(
        Award.objects.filter(organization=organization)
        .published(timezone.localdate())
        .order_by("-year", "award_form")
    )
    if not awards:
        return []
    parent_name = organization.parent.current_short_name if organization.parent else "cơ quan cấp trên"
    return [
        OrganizationAward(
            year=a.year,
            form=rules.parent_award_label(a.get_award_form_display(), parent_name),
            decision_number=a.decision_number,
            decision_date=a.decision_date,
            note=a.note,
        )
        for a in awards
    ]


# --- The parent body's overview of a year


def overview_groups(
    *, parent_id: int, year: int, today: datetime.date, filters: GroupFilters
) -> QuerySet[EmulationGroup]:
    """`years.selectors.groups_of_year` with each year's dossier: its status, whether it was sent and
    whether the council voted (one more join, no more queries)."""
    dossier = f"{THIS_YEAR}__dossier__"
    return groups_of_year(parent_id=parent_id, year=year, today=today, filters=filters).annotate(
        dossier_status=F(f"{dossier}status"),
        dossier_submitted_at=F(f"{dossier}submitted_at"),
        dossier_voted_at=F(f"{dossier}council_voted_at"),
    )


def group_dossier_state(group: EmulationGroup) -> DossierState | None:
    status = getattr(group, "dossier_status", None)
    if status is None:
        return None
    return rules.dossier_state(
        status,
        submitted=getattr(group, "dossier_submitted_at", None) is not None,
        voted=getattr(group, "dossier_voted_at", None) is not None,
    )


_STATE_CONDITIONS: dict[DossierState, Q] = {
    DossierState.RETURNED: Q(status=DossierStatus.DRAFT, submitted_at__isnull=False),
    DossierState.AWAITING_VOTE: Q(status=DossierStatus.SUBMITTED, council_voted_at__isnull=True),
    DossierState.AWAITING_DECISION: Q(status=DossierStatus.SUBMITTED, council_voted_at__isnull=False),
    DossierState.DECIDED: Q(status=DossierStatus.DECIDED),
}


def received_dossiers(
    *, parent_id: int, year: int, state: DossierState | None = None, words: Sequence[str] = ()
) -> QuerySet[Dossier]:
    """The year's dossiers the parent body received (a draft never sent is left out), with their counts
    of proposals, of proposals the council passed and of awards, in the order of kind and number.

    `words` (folded) search the group's title and the name of the organization that sends its dossier,
    the head of that year, as the overview's groups are searched: every word in one of them."""
    dossiers = Dossier.objects.filter(
        emulation_year__group__parent_id=parent_id, emulation_year__year=year
    ).filter(Q(submitted_at__isnull=False) | ~Q(status=DossierStatus.DRAFT))
    if state is not None:
        dossiers = dossiers.filter(_STATE_CONDITIONS[state])
    order = ["emulation_year__group__kind", "emulation_year__group__number", "pk"]
    if words:
        titles, title_phrases = title_matches(parent_id, words)
        heads = Leadership.objects.filter(
            group=OuterRef("emulation_year__group"), year=year, role=LeadershipRole.HEAD
        )
        field = "organization__search_text"
        dossiers = dossiers.filter(
            Q(emulation_year__group_id__in=titles) | Exists(heads.filter(names_match(words, field=field)))
        ).annotate(
            # As the overview's groups (years.selectors.groups_of_year): the title holding the words as
            # typed first, then the sender's name holding them, then the rest.
            phrase=Case(
                When(emulation_year__group_id__in=title_phrases, then=0),
                When(Exists(heads.filter(names_hold_phrase(words, field=field))), then=1),
                default=2,
                output_field=IntegerField(),
            )
        )
        order = ["phrase", *order]
    return (
        dossiers.select_related("emulation_year__group")
        # The sender: the head of the year, shown beside the group since a search may find it.
        .prefetch_related(heads_of_year("emulation_year__group__leaderships", year))
        .annotate(
            proposal_count=Count("proposals", distinct=True),
            passed_count=Count("proposals", filter=Q(proposals__passed=True), distinct=True),
            award_count=Count("awards", distinct=True),
        )
        .order_by(*order)
    )


def dossier_state_counts(*, parent_id: int, year: int) -> dict[DossierState, int]:
    """How many received dossiers of the year stand in each state: one aggregate query."""
    counts = Dossier.objects.filter(
        emulation_year__group__parent_id=parent_id, emulation_year__year=year
    ).aggregate(
        **{state.name: Count("pk", filter=condition) for state, condition in _STATE_CONDITIONS.items()}
    )
    return {state: counts[state.name] or 0 for state in DossierState}


def council_sessions(*, parent_id: int, year: int) -> QuerySet[Any]:
    """The council's sittings on the year's dossiers: one row per day it voted, with the dossiers and
    proposals voted on that day and how many passed."""
    return (
        Dossier.objects.filter(
            emulation_year__group__parent_id=parent_id,
            emulation_year__year=year,
            council_voted_at__isnull=False,
        )
        .annotate(day=TruncDate("council_voted_at"))
        .values("day")
        .annotate(
            dossier_count=Count("pk", distinct=True),
            proposal_count=Count("proposals"),
            passed_count=Count("proposals", filter=Q(proposals__passed=True)),
            members=Max("council_members"),
        )
        .order_by("-day")
    )


def council_votes(*, parent_id: int, year: int) -> QuerySet[Dossier]:
    """Each dossier the council voted on, the latest vote first."""
    return (
        received_dossiers(parent_id=parent_id, year=year)
        .filter(council_voted_at__isnull=False)
        # The latest sitting first; within a sitting, in the order of every other tab.
        .order_by(
            "-council_voted_at__date", "emulation_year__group__kind", "emulation_year__group__number", "pk"
        )
    )


class LeadingNumber(Func):
    """The digits a text begins with, as a number ("10/QĐ-LHHVN": 10); None when it begins with none.
    A decision's number is typed as text, and as text "10/QĐ" sorts before "2/QĐ"."""

    arity = 1
    output_field = BigIntegerField()
    # At most 18 digits: they always fit a bigint.
    template = "CAST(SUBSTRING(%(expressions)s FROM '^[0-9]{1,18}') AS BIGINT)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite casts the longest prefix of digits; without one it would say 0, not NULL.
        template = "CASE WHEN %(expressions)s GLOB '[0-9]*' THEN CAST(%(expressions)s AS INTEGER) END"
        sql, params = self.as_sql(compiler, connection, template=template, **extra)
        return sql, (*params, *params)  # the text is read twice


# What separates the parts of a decision's number ("123/QĐ-LHHVN"): searched, each part is a word.
_NUMBER_SEPARATORS = re.compile(r"[/\-–.,;:()]+")


def _number_words(text: str) -> list[str]:
    return _NUMBER_SEPARATORS.sub(" ", fold(text)).split()


def _decisions_matching(decided: QuerySet[Dossier], words: Sequence[str]) -> Q:
    """The decisions whose number and note hold every word, or one of whose awarded organizations' names
    does. Numbers and notes are typed text, not stored folded: one short query reads the year's (one per
    group at most) and each is folded here; the names are searched in the database."""
    parts = _number_words(" ".join(words))
    numbers = {
        number
        for number, note in decided.values_list("decision_number", "decision_note")
        if holds_words(" ".join(_number_words(f"{number} {note}")), parts)
    }
    awarded = Award.objects.filter(dossier__in=decided.values("pk")).filter(
        names_match(words, field="organization__search_text")
    )
    return Q(decision_number__in=numbers) | Q(decision_number__in=awarded.values("dossier__decision_number"))


def award_decisions(*, parent_id: int, year: int, words: Sequence[str] = ()) -> QuerySet[Any]:
    """The award decisions on the year's dossiers: one row per decision (a decision may answer several
    groups' dossiers), with its date, signer and the number of dossiers and awards it carries; the latest
    day first, then in the order of their numbers (2/QĐ before 10/QĐ, a number without digits last).
    `words` (folded) search the number, the note and the organizations awarded."""
    decided = Dossier.objects.filter(
        emulation_year__group__parent_id=parent_id,
        emulation_year__year=year,
        status=DossierStatus.DECIDED,
    )
    if words:
        decided = decided.filter(_decisions_matching(decided, words))
    return (
        decided.values("decision_number", "decision_date", "decision_signer_name", "decision_signer_title")
        .annotate(dossier_count=Count("pk", distinct=True), award_count=Count("awards", distinct=True))
        .order_by("-decision_date", LeadingNumber("decision_number").asc(nulls_last=True), "decision_number")
    )


# --- The award history across years and organizations


@dataclass(frozen=True)
class HistoryFilters:
    words: tuple[str, ...] = ()  # folded, all in one of the organization's names
    form: str = ""
    year: int | None = None


def award_history(
    *, parent_id: int, filters: HistoryFilters, published_on: datetime.date | None
) -> QuerySet[Award]:
    """Every award the parent body gave, the latest year first, then by form and the organization's
    Vietnamese order; with `published_on`, only the decisions issued by that day (the public's view)."""
    awards = Award.objects.filter(dossier__emulation_year__group__parent_id=parent_id)
    if published_on is not None:
        awards = awards.published(published_on)
    if filters.words:
        awards = awards.filter(names_match(filters.words, field="organization__search_text"))
    if filters.form:
        awards = awards.filter(award_form=filters.form)
    if filters.year is not None:
        awards = awards.filter(year=filters.year)
    return (
        awards.select_related("organization", "dossier__emulation_year__group")
        .prefetch_related(Prefetch("organization__names", queryset=OrganizationName.objects.all()))
        .order_by("-year", "award_form", "organization__sort_key", "pk")
    )


# --- Statistics of a year


def awards_by_form(*, parent_id: int, year: int) -> dict[str, int]:
    rows = Award.objects.of_parent(parent_id, year).values("award_form").annotate(n=Count("pk")).order_by()
    return {row["award_form"]: row["n"] for row in rows}


def awards_by_group(*, parent_id: int, year: int) -> QuerySet[EmulationGroup]:
    """The groups with awards in `year`, each with its total and a count per form (`form_<value>`), the
    most awarded first."""
    path = "years__dossier__awards"
    in_year = Q(**{f"{path}__year": year})
    return (
        EmulationGroup.objects.filter(parent_id=parent_id)
        .annotate(total=Count(path, filter=in_year))
        .annotate(
            **{
                f"form_{value}": Count(path, filter=in_year & Q(**{f"{path}__award_form": value}))
                for value in AwardForm.values
            },
        )
        .filter(total__gt=0)
        .order_by("-total", "kind", "number", "pk")
    )


def awards_by_year(*, parent_id: int, up_to: int) -> dict[int, dict[str, int]]:
    """Every year's awards up to `up_to`, by form: {year: {form: count}}."""
    result: dict[int, dict[str, int]] = {}
    rows = (
        Award.objects.filter(dossier__emulation_year__group__parent_id=parent_id, year__lte=up_to)
        .values("year", "award_form")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    for row in rows:
        result.setdefault(row["year"], {})[row["award_form"]] = row["n"]
    return result


def criterion_group_scores(*, parent_id: int) -> list[CriterionGroupScore]:
    """The final points of each work area, summed per year over the members' sheets that have them (the
    criteria in force only: a retired score counts in no total), for every year. Slow at national size:
    the worker runs it (awards/snapshots.py), never a request."""
    scores = Score.objects.filter(
        assessment__emulation_year__group__parent_id=parent_id, final_points__isnull=False
    )
    rows = (
        scores.values(year=F("assessment__emulation_year__year"), title=F("criterion__group__title"))
        .annotate(
            total=Sum("final_points"),
            sheets=Count("assessment", distinct=True),
            max_points=Max("criterion__group__max_points"),
            position=Max("criterion__group__position"),
        )
        .order_by("year", "position", "title")
    )
    return [
        CriterionGroupScore(
            year=row["year"],
            title=row["title"],
            total=row["total"],
            sheets=row["sheets"],
            max_points=row["max_points"],
        )
        for row in rows
    ]


def year_has_statistics(*, parent_id: int, year: int) -> bool:
    """Whether `year` has anything to count: an award, or a member's settled score."""
    return (
        Award.objects.of_parent(parent_id, year).exists()
        or Score.objects.filter(
            assessment__emulation_year__group__parent_id=parent_id,
            assessment__emulation_year__year=year,
            final_points__isnull=False,
        ).exists()
    )


def form_labels(parent: Organization) -> list[tuple[str, str]]:
    """The award forms as the parent body names them ("Cờ thi đua của Liên hiệp Hội Việt Nam")."""
    short = parent.current_short_name
    return [(value, rules.parent_award_label(str(label), short)) for value, label in AwardForm.choices]


def years_with_data(*, parent_id: int, around: Sequence[int] = ()) -> list[int]:
    """The years any of the parent's groups has opened, and those in `around` (this year, the year
    shown), the latest first: the overview's links from year to year."""
    years = set(
        EmulationYear.objects.filter(group__parent_id=parent_id).values_list("year", flat=True).distinct()
    )
    return sorted(years | set(around), reverse=True)
