"""The agreement's own rules: how a criterion is scored, what an amendment changes. Pure, stdlib only.

The kinds are the agreement's (a criterion is written with its kind); assessments score by them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    FIXED = "fixed"  # scored from 0 to the maximum by judgment
    QUANTITATIVE = "quantitative"  # achieved / target × maximum, capped at the maximum
    PASS_FAIL = "pass_fail"  # noqa: S105 — all or nothing, not a password
    PER_OCCURRENCE = "per_occurrence"  # points per occurrence, capped at the maximum
    BONUS = "bonus"  # điểm thưởng: added, capped
    PENALTY = "penalty"  # điểm trừ: subtracted, capped


@dataclass(frozen=True)
class CriterionFacts:
    """What an amendment may change in a criterion, keyed by its identity across versions."""

    key: str
    code: str
    group_code: str
    position: int
    text: str
    kind: str
    max_points: Decimal
    target: Decimal | None = None
    points_per_unit: Decimal | None = None
    evidence_required: bool = False


# The fields whose change changes how a criterion is scored or read; moving it (code, group, position)
# is a reordering, told apart because it changes nobody's points.
SCORED_FIELDS = ("text", "kind", "max_points", "target", "points_per_unit", "evidence_required")
PLACE_FIELDS = ("code", "group_code", "position")


@dataclass(frozen=True)
class Change:
    before: CriterionFacts
    after: CriterionFacts
    fields: tuple[str, ...]


@dataclass(frozen=True)
class AmendmentDiff:
    """For each criterion of the version in force: kept, changed or removed; and what is added."""

    kept: tuple[CriterionFacts, ...] = ()
    changed: tuple[Change, ...] = ()
    reordered: tuple[Change, ...] = ()
    removed: tuple[CriterionFacts, ...] = ()
    added: tuple[CriterionFacts, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.changed or self.reordered or self.removed or self.added)

    def lines(self) -> list[str]:
        """One Vietnamese line per change, for the amendment's page, its audit event and the to-dos."""
        out = [f"Sửa {c.after.code}: {', '.join(FIELD_WORDS[f] for f in c.fields)}" for c in self.changed]
        out += [f"Chuyển {c.before.code} thành {c.after.code}" for c in self.reordered]
        out += [f"Bỏ {f.code}" for f in self.removed]
        out += [f"Thêm {f.code}" for f in self.added]
        return out


FIELD_WORDS = {
    "text": "nội dung",
    "kind": "cách chấm",
    "max_points": "điểm tối đa",
    "target": "chỉ tiêu",
    "points_per_unit": "điểm mỗi lần",
    "evidence_required": "yêu cầu minh chứng",
    "code": "mã",
    "group_code": "nhóm",
    "position": "thứ tự",
}


def amendment_diff(in_force: Sequence[CriterionFacts], amended: Sequence[CriterionFacts]) -> AmendmentDiff:
    """Compare two versions by criterion key, never by row id or code: a code may move (1.3 becomes 1.2
    once 1.2 is removed) and still be the same criterion, with the same scores."""
    before = {c.key: c for c in in_force}
    after = {c.key: c for c in amended}
    kept: list[CriterionFacts] = []
    changed: list[Change] = []
    reordered: list[Change] = []
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            continue
        scored = tuple(f for f in SCORED_FIELDS if getattr(old, f) != getattr(new, f))
        placed = tuple(f for f in PLACE_FIELDS if getattr(old, f) != getattr(new, f))
        if scored:
            changed.append(Change(old, new, scored + placed))
        elif placed:
            reordered.append(Change(old, new, placed))
        else:
            kept.append(new)
    return AmendmentDiff(
        kept=tuple(kept),
        changed=tuple(changed),
        reordered=tuple(reordered),
        removed=tuple(c for k, c in before.items() if k not in after),
        added=tuple(c for k, c in after.items() if k not in before),
    )


@dataclass(frozen=True)
class GroupExcess:
    """A work area whose criteria can earn more than the area's maximum: the ranking caps the area at its
    maximum, so the excess is points a member can score and never count."""

    code: str
    title: str
    criteria_total: Decimal
    maximum: Decimal


def groups_over_their_maximum(
    groups: Sequence[tuple[str, str, Decimal, Sequence[tuple[str, Decimal]]]],
) -> list[GroupExcess]:
    """(code, title, maximum, [(kind, criterion maximum)]) of each group → those whose scored criteria add
    up to more than the group's maximum. Bonus and penalty criteria have their own caps and are left out."""
    found = []
    for code, title, maximum, criteria in groups:
        total = sum(
            (points for kind, points in criteria if kind not in (Kind.BONUS, Kind.PENALTY)), Decimal(0)
        )
        if total > maximum:
            found.append(GroupExcess(code, title, total, maximum))
    return found
