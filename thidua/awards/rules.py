"""The parent council's vote on a dossier and what a dossier needs before it is sent. Pure, stdlib only.

A flag needs at least 80% of the council's TOTAL membership, not of those present, and absent members
vote in writing (DOMAIN.md, Voting, "Parent council" [H for NĐ 98/2023; M for NĐ 152/2025]). The share
is the Regulation's (`council_threshold`), exact as a ``Fraction``: 80% of 7 is 28/5 = 5.6, so 6 votes
are needed, and a vote sitting exactly on the threshold passes (≥). Floats are refused: 0.8 is not 4/5
in binary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "CouncilOutcome",
    "council_outcome",
    "council_vote_problems",
    "parent_award_label",
    "submission_problems",
    "votes_needed",
]

# The largest council anyone will type in; a larger number is a typing mistake, said at once.
MAX_COUNCIL = 500


def _share(value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, Fraction | int | Decimal):
        raise TypeError(
            f"council threshold: expected a Fraction, int or Decimal (never float), got {value!r}"
        )
    share = Fraction(value)
    if not 0 < share <= 1:
        raise ValueError(f"Ngưỡng Hội đồng phải lớn hơn 0 và không quá 100%, không phải {share}.")
    return share


def votes_needed(threshold: Fraction, members: int) -> int:
    """The fewest votes in favour that reach `threshold` of the council's `members` (≥): the ceiling of
    threshold × members, in integers. A council of 0 is refused rather than passing everything."""
    share = _share(threshold)
    if isinstance(members, bool) or not isinstance(members, int) or members <= 0:
        raise ValueError(f"the council must have at least one member, got {members!r}")
    # Integer ceiling of p/q × n: -(-p·n // q). No float anywhere.
    return -(-share.numerator * members // share.denominator)


@dataclass(frozen=True)
class CouncilOutcome:
    votes: int
    needed: int
    passed: bool
    share: Fraction  # votes / members, for display only: `passed` is decided on integers


def council_outcome(threshold: Fraction, *, members: int, votes: int) -> CouncilOutcome:
    needed = votes_needed(threshold, members)
    if votes < 0 or votes > members:
        raise ValueError(f"votes must lie between 0 and {members}, got {votes}")
    return CouncilOutcome(votes=votes, needed=needed, passed=votes >= needed, share=Fraction(votes, members))


def council_vote_problems(
    *, members: int | None, present: int | None, votes: Mapping[str, int | None]
) -> list[str]:
    """What is wrong with a council vote as typed, in Vietnamese, naming the field or the proposal.
    `votes` maps a proposal's label to its votes in favour (present members and written votes of
    absent members together)."""
    problems: list[str] = []
    if members is None or members <= 0:
        problems.append("Tổng số thành viên Hội đồng phải là số nguyên dương.")
    elif members > MAX_COUNCIL:
        problems.append(f"Tổng số thành viên Hội đồng ({members}) lớn bất thường; hãy kiểm tra lại.")
    if present is None or present < 0:
        problems.append("Số thành viên có mặt phải là số nguyên không âm.")
    elif members is not None and 0 < members < present:
        problems.append(
            f"Số thành viên có mặt ({present}) nhiều hơn tổng số thành viên Hội đồng ({members})."
        )
    if not votes:
        problems.append("Hồ sơ không có đề nghị nào để Hội đồng bỏ phiếu.")
    for label, count in votes.items():
        if count is None or count < 0:
            problems.append(f"{label}: số phiếu đồng ý phải là số nguyên không âm.")
        elif members is not None and 0 < members < count:
            problems.append(
                f"{label}: {count} phiếu đồng ý nhiều hơn tổng số thành viên Hội đồng ({members}), "
                "kể cả phiếu bằng văn bản của thành viên vắng mặt."
            )
    return problems


def submission_problems(
    *,
    has_proposal_letter: bool,
    has_minutes: bool,
    proposals: int,
) -> list[str]:
    """Why a dossier cannot be sent yet (DOMAIN.md, "The year of a cluster" point 6: tờ trình, biên bản,
    vote results, achievement reports). The tờ trình and the minutes are required; so is at least one
    proposed award. A missing achievement report is shown as a warning, not refused here: the parent
    body decides whether to return the dossier for it."""
    problems: list[str] = []
    if not has_proposal_letter:
        problems.append("Thiếu tờ trình đề nghị khen thưởng (văn bản loại TTr đã ban hành).")
    if not has_minutes:
        problems.append("Thiếu biên bản hội nghị (văn bản loại BB đã ban hành).")
    if proposals <= 0:
        problems.append("Chưa có đề nghị khen thưởng nào (đơn vị và hình thức khen thưởng).")
    return problems


def parent_award_label(label: str, parent_short_name: str) -> str:
    """ "Cờ thi đua của Liên hiệp Hội Việt Nam": the parent body names its own awards; the choice label
    says "cơ quan cấp trên" (as the nomination poll's title does)."""
    return label.replace("cơ quan cấp trên", parent_short_name)
