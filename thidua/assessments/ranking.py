"""Totals, bands and ranks of a group's year, read in a fixed number of queries whatever its size."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from thidua.agreements.models import Agreement, CriterionGroup
from thidua.assessments import rules
from thidua.assessments.models import Assessment, AssessmentStatus, Score
from thidua.assessments.services import spec_of
from thidua.lib import tiebreak
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.lib.text import vietnamese_sort_key
from thidua.organizations import selectors
from thidua.organizations.models import Organization, Regulation
from thidua.years.models import EmulationYear


class ScoreRow(NamedTuple):
    assessment_id: int
    criterion_id: int
    self_points: Decimal | None
    final_points: Decimal | None


@dataclass
class MemberResult:
    organization: Organization
    name: str
    status: str | None  # the assessment's status, None when not started
    self_total: rules.Total | None = None
    final_total: rules.Total | None = None
    settled: bool = False
    rank: int | None = None
    # Left tied by the regulation's tie-break: the conference votes (`tied_for_conference`), or the parent
    # body decides (`referred`).
    tied_for_conference: bool = False
    referred: bool = False
    band: str | None = None
    self_by_group: dict[int, Decimal] = field(default_factory=dict)
    final_by_group: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class YearResults:
    emulation_year: EmulationYear
    agreement: Agreement | None
    groups: list[CriterionGroup]
    members: list[MemberResult]
    maximum: Decimal
    regulation: Regulation | None
    # The regulation's tie-break order as the ranking applies it (its default where it gives none), the
    # agreement's work area for ties (part of "higher final score"), and what each tie on the total came
    # to: one tuple of notes per tie, in rank order.
    tie_order: tuple[tiebreak.Step, ...]
    tie_group: CriterionGroup | None = None
    ties: tuple[tuple[str, ...], ...] = ()

    @property
    def work_areas(self) -> list[CriterionGroup]:
        """The criterion groups that are work areas, not bonus or penalty points."""
        return [g for g in self.groups if g.pk in self.work_area_ids]

    work_area_ids: frozenset[int] = frozenset()
    # Each member's facts for the tie-break, by organization code (a score only once settled): what a
    # conference poll's tie is decided on, read as the ranking reads them.
    tie_facts: dict[str, tiebreak.Tied] = field(default_factory=dict)

    @property
    def all_settled(self) -> bool:
        return bool(self.members) and all(m.settled for m in self.members)


def year_results(emulation_year: EmulationYear) -> YearResults:
    agreement = emulation_year.agreements.filter(status="in_force").first()
    members = list(
        Organization.objects.filter(
            memberships__group=emulation_year.group, memberships__year=emulation_year.year
        ).prefetch_related("names")
    )
    regulation = Regulation.objects.in_force(emulation_year.group.parent, emulation_year.year)
    if agreement is None:
        rows = [MemberResult(m, m.name_in_year(emulation_year.year), None) for m in members]
        return YearResults(emulation_year, None, [], rows, Decimal(0), regulation, tie_order(regulation))
    groups = list(agreement.criterion_groups.all())
    criteria = list(agreement.criteria.all())
    specs = [spec_of(c) for c in criteria]
    group_max = {str(g.pk): g.max_points for g in groups}
    ordinary_group_ids = {
        c.group_id for c in criteria if c.kind not in (rules.Kind.BONUS, rules.Kind.PENALTY)
    }
    assessments = {a.organization_id: a for a in Assessment.objects.filter(emulation_year=emulation_year)}
    # Plain tuples, not model instances: a 10-member × 80-criterion year is 800 rows on every view.
    scores_by_assessment: dict[int, list[ScoreRow]] = {}
    # Scores are matched to the criteria in force by the criterion's key, never by one version's row id:
    # a sheet still on the version an amendment replaced adds up against the new one, and a criterion
    # the amendment removed counts for nobody (issue 13).
    in_force_by_key = {c.key: c for c in criteria}
    for assessment_id, key, self_points, final_points in Score.objects.filter(
        assessment__emulation_year=emulation_year
    ).values_list("assessment_id", "criterion__key", "self_points", "final_points"):
        criterion = in_force_by_key.get(key)
        if criterion is None:
            continue
        score_row = ScoreRow(assessment_id, criterion.pk, self_points, final_points)
        scores_by_assessment.setdefault(score_row.assessment_id, []).append(score_row)
    code_of = {c.pk: c.code for c in criteria}
    group_of = {c.pk: c.group_id for c in criteria}

    bands = [
        rules.Band(Decimal(b["min"]), b["label"]) for b in (regulation.scoring_bands if regulation else [])
    ]
    maximum = rules.maximum(specs, group_max)
    results = []
    for member in members:
        assessment = assessments.get(member.pk)
        row = MemberResult(
            member, member.name_in_year(emulation_year.year), assessment.status if assessment else None
        )
        if assessment is not None:
            scores = scores_by_assessment.get(assessment.pk, [])
            self_earned = {code_of[s.criterion_id]: s.self_points or Decimal(0) for s in scores}
            final_earned = {code_of[s.criterion_id]: s.final_points or Decimal(0) for s in scores}
            bonus_cap, penalty_cap = agreement.bonus_cap, agreement.penalty_cap
            row.self_total = rules.total(specs, self_earned, group_max, bonus_cap, penalty_cap)
            row.settled = (
                assessment.status == AssessmentStatus.SUBMITTED
                and bool(scores)
                and all(s.final_points is not None for s in scores)
            )
            if row.settled:
                row.final_total = rules.total(specs, final_earned, group_max, bonus_cap, penalty_cap)
                # Bands read the final total, bonus and penalty included: the figure members see and compare.
                row.band = rules.band(row.final_total.total, maximum, bands)
            for s in scores:
                group_id = group_of[s.criterion_id]
                if group_id in ordinary_group_ids:
                    row.self_by_group[group_id] = row.self_by_group.get(group_id, Decimal(0)) + (
                        s.self_points or 0
                    )
                    if s.final_points is not None:
                        row.final_by_group[group_id] = (
                            row.final_by_group.get(group_id, Decimal(0)) + s.final_points
                        )
            row.self_by_group = {g: min(v, group_max[str(g)]) for g, v in row.self_by_group.items()}
            row.final_by_group = {g: min(v, group_max[str(g)]) for g, v in row.final_by_group.items()}
        results.append(row)

    tie_group = next((g for g in groups if g.code == agreement.tie_break_group_code), None)
    order = tie_order(regulation)
    shares = selectors.women_shares(organization_ids=[m.pk for m in members], year=emulation_year.year)
    candidates = {
        r.organization.code: rules.Candidate(
            key=r.organization.code,
            total=r.final_total.total,
            tie_group_score=r.final_by_group.get(tie_group.pk, Decimal(0)) if tie_group else Decimal(0),
            penalty=r.final_total.penalty,
            women_share=shares[r.organization.pk].share if r.organization.pk in shares else None,
            # The short name: a note names every member of the tie, often twice.
            name=r.organization.short_name_in_year(emulation_year.year) or r.name,
            score_text=_score_text(r, tie_group),
        )
        for r in results
        if r.final_total is not None
    }
    ranked = rules.rank(list(candidates.values()), order)
    # What a conference poll's tie is decided on: the same facts, for every member (no score unless settled).
    tie_facts = {
        r.organization.code: (
            tiebreak.Tied(c.key, c.name, c.score, c.score_text, c.women_share)
            if (c := candidates.get(r.organization.code))
            else tiebreak.Tied(
                r.organization.code,
                r.organization.short_name_in_year(emulation_year.year) or r.name,
                women_share=shares[r.organization.pk].share if r.organization.pk in shares else None,
            )
        )
        for r in results
    }
    by_code = {r.organization.code: r for r in results}
    in_order = []
    ties: list[tuple[str, ...]] = []
    for position in ranked:
        row = by_code[position.key]
        row.rank = position.rank
        row.tied_for_conference = position.tied_for_conference
        row.referred = position.referred
        in_order.append(row)
        if position.tie_notes and position.tie_notes not in ties:
            ties.append(position.tie_notes)
    unranked = sorted((r for r in results if r.rank is None), key=lambda r: vietnamese_sort_key(r.name))
    return YearResults(
        emulation_year,
        agreement,
        groups,
        in_order + unranked,
        maximum,
        regulation,
        order,
        tie_group,
        tuple(ties),
        frozenset(ordinary_group_ids),
        tie_facts,
    )


def tie_order(regulation: Regulation | None) -> tuple[tiebreak.Step, ...]:
    """The regulation's tie-break order, or DOMAIN.md's default (Voting: final score → runoff → women
    share → parent body) where there is no regulation or it lists no step."""
    if regulation is None or not regulation.tie_break_order:
        return tiebreak.DEFAULT_ORDER
    return tiebreak.parse_steps(regulation.tie_break_order)


def _score_text(result: MemberResult, tie_group: CriterionGroup | None) -> str:
    """The final score as the tie-break's notes show it: the total, and the parts that break a tie on it."""
    final = result.final_total
    assert final is not None
    parts = [format_vietnamese_decimal(final.total, 2)]
    if tie_group is not None:
        points = result.final_by_group.get(tie_group.pk, Decimal(0))
        parts.append(f"nhóm {tie_group.code}: {format_vietnamese_decimal(points, 2)}")
    parts.append(f"điểm trừ {format_vietnamese_decimal(final.penalty, 2)}")
    return "; ".join(parts)
