"""Score arithmetic, totals, banding, ranking, tie-breaking, reviewer rotation, the review form's rows and
what a confirmation before locking shows: pure, stdlib only.

Scores are Decimal, never float (DESIGN.md, Decisions). Criterion kinds and their arithmetic follow the
agreement (giao ước thi đua) as clusters write it: a fixed maximum, a quantitative target, pass/fail,
points per occurrence with a cap, bonus points (điểm thưởng, capped) and penalty points (điểm trừ).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from thidua.agreements.rules import Kind
from thidua.lib import tiebreak
from thidua.lib.decimals import format_vietnamese_decimal

ZERO = Decimal(0)
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    kind: Kind
    max_points: Decimal
    group: str = ""
    target: Decimal | None = None  # quantitative
    points_per_unit: Decimal | None = None  # per occurrence


class ScoreError(ValueError):
    """A value that the criterion does not accept; the message is Vietnamese, for the form."""


def _round(value: Decimal) -> Decimal:
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def input_range(spec: CriterionSpec) -> tuple[Decimal, Decimal | None]:
    """What an officer may type for a criterion: (minimum, maximum or None for unbounded)."""
    if spec.kind == Kind.PASS_FAIL:
        return ZERO, Decimal(1)
    if spec.kind in (Kind.QUANTITATIVE, Kind.PER_OCCURRENCE):
        return ZERO, None
    return ZERO, spec.max_points


def points(spec: CriterionSpec, value: Decimal) -> Decimal:
    """Points earned for `value`, which is what the officer enters for that kind of criterion:
    the points themselves (fixed, bonus, penalty), 1/0 (pass/fail), the amount achieved
    (quantitative) or the number of occurrences (per occurrence). Penalty points are returned
    positive; totals subtract them."""
    low, high = input_range(spec)
    if value < low or (high is not None and value > high):
        # Written the Vietnamese way, as the sheet asks numbers to be typed ("7,5"), not "6.00".
        low_text = format_vietnamese_decimal(low)
        shown = (
            f"từ {low_text} đến {format_vietnamese_decimal(high)}"
            if high is not None
            else f"từ {low_text} trở lên"
        )
        raise ScoreError(f"Tiêu chí {spec.code}: giá trị phải {shown}.")
    if spec.kind == Kind.PASS_FAIL:
        if value not in (ZERO, Decimal(1)):
            raise ScoreError(f"Tiêu chí {spec.code}: chỉ nhận Đạt (1) hoặc Không đạt (0).")
        return spec.max_points if value == 1 else ZERO
    if spec.kind == Kind.QUANTITATIVE:
        if not spec.target:
            raise ScoreError(f"Tiêu chí {spec.code}: chưa có chỉ tiêu để so sánh.")
        return _round(min(spec.max_points, spec.max_points * value / spec.target))
    if spec.kind == Kind.PER_OCCURRENCE:
        if value != value.to_integral_value():
            raise ScoreError(f"Tiêu chí {spec.code}: số lần phải là số nguyên.")
        return min(spec.max_points, (spec.points_per_unit or ZERO) * value)
    return value


@dataclass(frozen=True)
class Total:
    base: Decimal  # sum of ordinary criteria, each group capped at its maximum
    bonus: Decimal
    penalty: Decimal
    by_group: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.base + self.bonus - self.penalty


def total(
    specs: Sequence[CriterionSpec],
    earned: Mapping[str, Decimal],
    group_max: Mapping[str, Decimal] | None = None,
    bonus_cap: Decimal | None = None,
    penalty_cap: Decimal | None = None,
) -> Total:
    """Sum earned points by criterion code. Ordinary points are capped per group at the group's
    maximum; bonus points at `bonus_cap`, penalties at `penalty_cap` (each default: the sum of
    its criteria's maxima). A missing score counts as zero."""
    by_group: dict[str, Decimal] = {}
    bonus = penalty = ZERO
    bonus_max = penalty_max = ZERO
    for spec in specs:
        value = earned.get(spec.code, ZERO)
        if spec.kind == Kind.BONUS:
            bonus += value
            bonus_max += spec.max_points
        elif spec.kind == Kind.PENALTY:
            penalty += value
            penalty_max += spec.max_points
        else:
            by_group[spec.group] = by_group.get(spec.group, ZERO) + value
    if group_max:
        by_group = {g: min(v, group_max.get(g, v)) for g, v in by_group.items()}
    bonus = min(bonus, bonus_cap if bonus_cap is not None else bonus_max)
    penalty = min(penalty, penalty_cap if penalty_cap is not None else penalty_max)
    return Total(base=sum(by_group.values(), ZERO), bonus=bonus, penalty=penalty, by_group=by_group)


def maximum(specs: Sequence[CriterionSpec], group_max: Mapping[str, Decimal] | None = None) -> Decimal:
    """The most an ordinary score can reach (bonus excluded): the base of the bands' percentages."""
    by_group: dict[str, Decimal] = {}
    for spec in specs:
        if spec.kind not in (Kind.BONUS, Kind.PENALTY):
            by_group[spec.group] = by_group.get(spec.group, ZERO) + spec.max_points
    if group_max:
        by_group = {g: min(v, group_max.get(g, v)) for g, v in by_group.items()}
    return sum(by_group.values(), ZERO)


@dataclass(frozen=True)
class Band:
    minimum_percent: Decimal
    label: str


def band(score: Decimal, maximum_points: Decimal, bands: Sequence[Band]) -> str | None:
    """The label of the highest band whose minimum share of the maximum the score reaches."""
    if maximum_points <= 0:
        return None
    percent = score * 100 / maximum_points
    for candidate in sorted(bands, key=lambda b: b.minimum_percent, reverse=True):
        if percent >= candidate.minimum_percent:
            return candidate.label
    return None


@dataclass(frozen=True)
class Candidate:
    key: str  # organization code
    total: Decimal
    # The settled points of the work area the agreement names for ties (giao ước: "khi bằng tổng điểm,
    # xét điểm nhóm …"); zero for everyone when it names none.
    tie_group_score: Decimal = ZERO
    penalty: Decimal = ZERO
    women_share: Fraction | None = None  # the year's recorded share of women, 0 to 1; None: not recorded
    name: str = ""  # what the tie-break's notes call it
    score_text: str = ""  # how the notes show its score

    @property
    def score(self) -> tuple[Decimal, ...]:
        """The final score as the tie-break's `final_score` step compares it, higher first: the total,
        then the agreement's work area for ties, then fewer penalty points (docs/decisions.md, "The
        tie-break, one rule (issue 15)")."""
        return (self.total, self.tie_group_score, -self.penalty)


@dataclass(frozen=True)
class Ranked:
    key: str
    rank: int
    total: Decimal
    # What the regulation's tie-break left for it: None when it has a rank of its own; `runoff` when
    # it is still tied and the conference votes; `refer_parent` when the parent body decides.
    verdict: tiebreak.Verdict | None = None
    # What each step did in the tie on the total it was part of (empty when it was in none).
    tie_notes: tuple[str, ...] = ()

    @property
    def tied_for_conference(self) -> bool:
        return self.verdict is tiebreak.Verdict.RUNOFF

    @property
    def referred(self) -> bool:
        return self.verdict is tiebreak.Verdict.REFER_PARENT


def rank(candidates: Sequence[Candidate], order: Sequence[str] = tiebreak.DEFAULT_ORDER) -> list[Ranked]:
    """Order by final total, highest first; members equal on the total go through the regulation's
    tie-break `order` (thidua/lib/tiebreak.py: DOMAIN.md, Voting: one list wherever a tie is decided).
    Those it leaves tied share a rank ("1, 2, 2, 4") and carry its verdict: the conference votes, or the
    parent body decides. Within a shared rank the order is by key, so the result is deterministic."""
    ordered = sorted(candidates, key=lambda c: (-c.total, c.key))
    result: list[Ranked] = []
    start = 0
    while start < len(ordered):
        end = start + 1
        while end < len(ordered) and ordered[end].total == ordered[start].total:
            end += 1
        same_total = ordered[start:end]
        if len(same_total) == 1:
            result.append(Ranked(same_total[0].key, start + 1, same_total[0].total))
            start = end
            continue
        decision = tiebreak.decide(
            [tiebreak.Tied(c.key, c.name, c.score, c.score_text, c.women_share) for c in same_total], order
        )
        position = start + 1
        for block in decision.order:
            verdict = decision.verdict if len(block) > 1 else None
            for key in block:
                result.append(Ranked(key, position, same_total[0].total, verdict, decision.notes))
            position += len(block)
        start = end
    return result


def reviewer_rotation(members: Sequence[str], shift: int = 1) -> dict[str, str]:
    """Who cross-checks whom, as {reviewed: reviewer}. Member i reviews member i + shift (mod n), so
    nobody reviews itself and, with three or more members, no two review each other: a shift of n/2
    would pair members both ways, so it moves on to the next shift. Varying the shift by year gives
    every member a different reviewer each year. With two members they can only review each other;
    a single member has no peer (the head or deputy appraises instead)."""
    n = len(members)
    if n < 2:
        return {}
    if n == 2:
        return {members[1]: members[0], members[0]: members[1]}
    step = shift % n or 1
    if 2 * step == n:
        step = step % (n - 1) + 1
    return {members[(i + step) % n]: member for i, member in enumerate(members)}


def fingerprint(rows: Iterable[Sequence[object]]) -> str:
    """A short digest of what a confirmation page showed, carried by its form: the service locks only
    when the rows still digest the same, so nothing changed in another tab is locked unseen. Decimals
    are compared by value ("4.5" and "4.50" digest alike)."""
    digest = hashlib.sha256()
    for row in rows:
        cells = [format(v.quantize(HUNDREDTH), "f") if isinstance(v, Decimal) else str(v) for v in row]
        digest.update(json.dumps(cells).encode())
    return digest.hexdigest()[:20]


def review_points(
    *,
    self_points: Decimal | None,
    reviewed: Decimal | None,
    typed: Decimal | None,
    agree: bool,
    agree_all: bool = False,
) -> Decimal | None:
    """The reviewed points one row of the review form asks for, or None to leave the row unreviewed.

    `reviewed` is what the row held when the page was drawn, `typed` what its box holds now, `agree`
    whether its «Đồng ý» box is ticked, `agree_all` whether «Đồng ý tất cả điểm tự chấm» was pressed
    (it ticks every row that is neither reviewed nor typed into). A value typed anew wins over a tick
    left ticked; a tick on an untouched row takes the self score. A row without a self score (an
    unscored bonus or penalty) cannot be agreed to: the reviewer types its points."""
    if typed is not None and typed != reviewed:
        return typed
    ticked = agree or (agree_all and reviewed is None and typed is None)
    if ticked and self_points is not None:
        return self_points
    return typed


@dataclass(frozen=True)
class SheetRow:
    """One criterion of a sheet as the confirmation before submitting shows it."""

    code: str
    kind: Kind
    points: Decimal | None
    evidence: int
    evidence_required: bool


@dataclass(frozen=True)
class SubmissionSummary:
    criteria: int
    scored: int
    unscored: tuple[str, ...]  # codes without a score that must have one
    missing_evidence: tuple[str, ...]  # evidence required and absent: submitting is refused
    without_evidence: tuple[str, ...]  # scored, no evidence, none required: allowed, worth a look

    @property
    def ready(self) -> bool:
        return not self.unscored and not self.missing_evidence


def submission_summary(rows: Sequence[SheetRow]) -> SubmissionSummary:
    """What submitting a sheet locks and what stops it. Bonus and penalty criteria may stay empty."""
    optional = (Kind.BONUS, Kind.PENALTY)
    return SubmissionSummary(
        criteria=len(rows),
        scored=sum(1 for r in rows if r.points is not None),
        unscored=tuple(r.code for r in rows if r.points is None and r.kind not in optional),
        missing_evidence=tuple(r.code for r in rows if r.evidence_required and not r.evidence),
        without_evidence=tuple(
            r.code for r in rows if r.points is not None and not r.evidence and not r.evidence_required
        ),
    )


@dataclass(frozen=True)
class ReviewRow:
    """One criterion of a cross-check as the confirmation before completing it shows it."""

    code: str
    self_points: Decimal | None
    reviewed: Decimal | None


@dataclass(frozen=True)
class ReviewSummary:
    criteria: int
    agreed: int
    disagreed: tuple[str, ...]  # codes scored differently: the member will be asked to answer
    unreviewed: tuple[str, ...]  # codes without a reviewed score: completing is refused

    @property
    def ready(self) -> bool:
        return not self.unreviewed


def review_summary(rows: Sequence[ReviewRow]) -> ReviewSummary:
    """What completing a cross-check locks: how many rows agree, which differ, which are missing."""
    return ReviewSummary(
        criteria=len(rows),
        agreed=sum(1 for r in rows if r.reviewed is not None and r.reviewed == r.self_points),
        disagreed=tuple(r.code for r in rows if r.reviewed is not None and r.reviewed != r.self_points),
        unreviewed=tuple(r.code for r in rows if r.reviewed is None),
    )


@dataclass(frozen=True)
class Recheck:
    """A stored score read again under an amended criterion: the values to keep and, for the member's
    to-do, one line per value that had to change."""

    self_value: Decimal | None
    self_points: Decimal | None
    reviewed_points: Decimal | None
    final_points: Decimal | None
    lines: tuple[str, ...] = ()


def _shown(value: Decimal | None) -> str:
    return "trống" if value is None else format_vietnamese_decimal(value)


def recheck(
    spec: CriterionSpec,
    *,
    self_value: Decimal | None,
    self_points: Decimal | None,
    reviewed_points: Decimal | None,
    final_points: Decimal | None,
) -> Recheck:
    """Issue 13: "a changed maximum re-checks the stored scores". What the officer typed is scored again
    by the new rule; a value the new rule no longer accepts is brought to the nearest one it does (5 under
    a new maximum of 3 becomes 3), and reviewed or settled points above the new maximum come down to it.
    Nothing is cleared that can be kept: the member is told and may change it."""
    lines: list[str] = []
    new_value, new_points = self_value, self_points
    if self_value is not None:
        low, high = input_range(spec)
        new_value = max(low, self_value if high is None else min(self_value, high))
        try:
            new_points = points(spec, new_value)
        except ScoreError:  # e.g. a quantitative criterion left without its target
            new_value, new_points = None, None
        if (new_value, new_points) != (self_value, self_points):
            lines.append(f"{spec.code}: điểm tự chấm {_shown(self_points)} → {_shown(new_points)}")
    capped = []
    for label, value in (("điểm chấm chéo", reviewed_points), ("điểm chốt", final_points)):
        if value is not None and value > spec.max_points:
            lines.append(f"{spec.code}: {label} {_shown(value)} → {_shown(spec.max_points)}")
            value = spec.max_points
        capped.append(value)
    return Recheck(new_value, new_points, capped[0], capped[1], tuple(lines))
