"""The agreement's own rules: how a criterion is scored. Pure, stdlib only.

The kinds are the agreement's (a criterion is written with its kind); assessments score by them.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    FIXED = "fixed"  # scored from 0 to the maximum by judgment
    QUANTITATIVE = "quantitative"  # achieved / target × maximum, capped at the maximum
    PASS_FAIL = "pass_fail"  # noqa: S105 — all or nothing, not a password
    PER_OCCURRENCE = "per_occurrence"  # points per occurrence, capped at the maximum
    BONUS = "bonus"  # điểm thưởng: added, capped
    PENALTY = "penalty"  # điểm trừ: subtracted, capped
