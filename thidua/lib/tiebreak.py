"""The tie-break: one rule for every tie, in the ranking, a nomination (suy tôn) and an election. Pure,
stdlib only.

DOMAIN.md (Voting): "Ties: ordered, configurable list. Default: higher final score → re-vote among the
tied (round 2) → the women-share rule → refer to the parent body. One list, applied wherever a tie is
decided (ranking, nomination, election)". The parent body's regulation (Quy chế) gives the order
(`Regulation.tie_break_order`); `decide` carries it out on the tied candidates and their facts, and says
what each step did, in Vietnamese, for the page and the minutes.

How each step is applied (docs/decisions.md, "The tie-break, one rule (issue 15)"):

- `final_score`: the higher settled final score first. The score is a tuple compared left to right, as
  the agreement (giao ước) compares it: the total, then the work area it names for ties, then fewer
  penalty points. Whoever built the tuple chose its parts; this module only compares.
- `runoff`: a re-vote among those still tied (round 2). It is held once: in a poll that is itself the
  re-vote among the tied (`runoff_held`), the step is passed over and the next one decides.
- `women_share`: NĐ 152/2025/NĐ-CP, Điều 4 khoản 6 (DOMAIN.md, Awards [H]): among candidates equal in
  merit, priority to a collective whose share of women is 70% or more. Two classes, not a contest: 90%
  does not beat 75%, both have the priority.
- `refer_parent`: the parent body (cơ quan cấp trên) decides: it is the body that gives the award.

A step that needs a fact some of the tied lack (a score not settled, a share of women not recorded for
the year) decides nothing among them: it is passed over and says whose fact is missing, since a
candidate must never lose a tie on a figure nobody wrote down. When the regulation's steps run out with
candidates still tied, the tie goes to the parent body, as if `refer_parent` closed the list: nothing
else is left that could decide it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from thidua.lib.decimals import format_vietnamese_decimal

__all__ = [
    "DEFAULT_ORDER",
    "STEP_WORDS",
    "WOMEN_SHARE_THRESHOLD",
    "Decision",
    "Step",
    "Tied",
    "Verdict",
    "decide",
    "parse_steps",
    "percent_text",
]


class Step(StrEnum):
    """The steps a regulation may list; the values are `thidua.organizations.models.TieBreak`'s."""

    FINAL_SCORE = "final_score"
    RUNOFF = "runoff"
    WOMEN_SHARE = "women_share"
    REFER_PARENT = "refer_parent"


# DOMAIN.md, Voting: the default order, applied where a regulation gives none.
DEFAULT_ORDER: tuple[Step, ...] = (Step.FINAL_SCORE, Step.RUNOFF, Step.WOMEN_SHARE, Step.REFER_PARENT)

# NĐ 152/2025/NĐ-CP, Điều 4 khoản 6: a collective with a share of women of 70% or more ("từ 70% trở lên":
# the bound itself qualifies). A fixed figure of the decree, not a setting of the regulation.
WOMEN_SHARE_THRESHOLD = Fraction(7, 10)

# How the notes name each step.
STEP_WORDS: dict[Step, str] = {
    Step.FINAL_SCORE: "Điểm chốt cao hơn",
    Step.RUNOFF: "Bỏ phiếu lại giữa các đơn vị bằng nhau (vòng 2)",
    Step.WOMEN_SHARE: "Ưu tiên tập thể có từ 70% nữ trở lên (NĐ 152/2025/NĐ-CP, Điều 4 khoản 6)",
    Step.REFER_PARENT: "Đề nghị cấp trên xem xét",
}


class Verdict(StrEnum):
    DECIDED = "decided"  # the steps put every place in order: nobody is left tied where it matters
    RUNOFF = "runoff"  # a re-vote among `Decision.among`
    REFER_PARENT = "refer_parent"  # the parent body decides among `Decision.among`


def _share(value: object) -> Fraction | None:
    """A share of women as an exact ratio from 0 to 1. A float is refused: 0.7 is not 7/10 in binary, and
    a share sitting exactly on the decree's 70% must be judged as 70%."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Fraction | int | Decimal):
        raise TypeError(
            f"women_share: expected a Fraction, int or Decimal (never float), got {type(value).__name__}"
        )
    share = Fraction(value)
    if not 0 <= share <= 1:
        raise ValueError(f"Tỷ lệ nữ phải từ 0 đến 100%, không phải {percent_text(share)}.")
    return share


@dataclass(frozen=True)
class Tied:
    """One of the tied candidates and the facts the steps read."""

    key: str
    name: str = ""  # what the notes call it; the key when empty
    score: tuple[Decimal, ...] | None = None  # higher first, compared left to right; None: not settled
    score_text: str = ""  # how the notes show the score; the first part, to two places, when empty
    women_share: Fraction | None = None  # 0 to 1, for the year; None: not recorded

    def __post_init__(self) -> None:
        object.__setattr__(self, "women_share", _share(self.women_share))
        if self.score is not None:
            object.__setattr__(self, "score", tuple(Decimal(part) for part in self.score))

    @property
    def label(self) -> str:
        return self.name or self.key

    def shown_score(self) -> str:
        if self.score_text:
            return self.score_text
        return format_vietnamese_decimal(self.score[0], 2) if self.score else "—"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    # Every candidate, best first, in blocks: a block of more than one is still tied. Within a block the
    # order is the one the candidates came in.
    order: tuple[tuple[str, ...], ...]
    # With `places`: who the steps put in those places. Without: empty (read `order`).
    winners: tuple[str, ...]
    # Whom the runoff or the referral is among: the blocks still tied where it matters (with `places`,
    # the one block astride the last place). Empty when decided.
    among: tuple[tuple[str, ...], ...]
    # With `places`: how many of them the runoff or the referral is for; 0 when decided or without places.
    places_left: int
    # What each step did, in Vietnamese, in the order they were taken.
    notes: tuple[str, ...]


def parse_steps(steps: Sequence[str]) -> tuple[Step, ...]:
    """The regulation's list as steps; an unknown or repeated step is a configuration error (ValueError)."""
    parsed = []
    for step in steps:
        try:
            parsed.append(Step(step))
        except ValueError:
            raise ValueError(f"Không có bước xử lý khi bằng nhau «{step}».") from None
    if len(set(parsed)) != len(parsed):
        raise ValueError("Mỗi bước xử lý khi bằng nhau chỉ được nêu một lần.")
    return tuple(parsed)


def percent_text(share: Fraction) -> str:
    """72,5% — a share as a percentage, rounded half up to two places, for notes only."""
    hundredths = share * 10000
    rounded = (2 * hundredths.numerator + hundredths.denominator) // (2 * hundredths.denominator)
    return f"{format_vietnamese_decimal(Decimal(rounded).scaleb(-2))}%"


def _names(block: Sequence[Tied]) -> str:
    labels = [c.label for c in block]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} và {labels[-1]}"


def _missing(words: str, fact: str, lacking: list[Tied]) -> str:
    return f"{words}: chưa có {fact} của {_names(lacking)} — bước này không xét được"


def _by_score(block: list[Tied]) -> tuple[list[list[Tied]], str]:
    words = STEP_WORDS[Step.FINAL_SCORE]
    lacking = [c for c in block if c.score is None]
    if lacking:
        return [block], _missing(words, "điểm chốt", lacking)
    # sorted() keeps equal scores in the order they came in, even in reverse.
    ordered = sorted(block, key=lambda c: c.score or (), reverse=True)
    groups: list[list[Tied]] = []
    for candidate in ordered:
        if groups and groups[-1][0].score == candidate.score:
            groups[-1].append(candidate)
        else:
            groups.append([candidate])
    shown = " > ".join(" = ".join(f"{c.label} ({c.shown_score()})" for c in g) for g in groups)
    return groups, f"{words}: {shown}" if len(groups) > 1 else f"{words}: bằng nhau — {shown}"


def _by_women_share(block: list[Tied]) -> tuple[list[list[Tied]], str]:
    words = STEP_WORDS[Step.WOMEN_SHARE]
    lacking = [c for c in block if c.women_share is None]
    if lacking:
        return [block], _missing(words, "tỷ lệ nữ", lacking)
    above = [c for c in block if c.women_share is not None and c.women_share >= WOMEN_SHARE_THRESHOLD]
    below = [c for c in block if c not in above]
    shown = ", ".join(f"{c.label} ({percent_text(c.women_share or Fraction(0))})" for c in block)
    if above and below:
        return [above, below], f"{words}: {_names(above)} được ưu tiên — {shown}"
    return [block], f"{words}: không phân định được — {shown}"


def _open_blocks(blocks: list[list[Tied]], places: int | None) -> list[int]:
    """The blocks whose tie still matters: without places every block of two or more; with places the
    one block astride the last place, if any (a tie wholly inside or wholly outside the places is moot)."""
    if places is None:
        return [i for i, block in enumerate(blocks) if len(block) > 1]
    start = 0
    for index, block in enumerate(blocks):
        if start < places < start + len(block):
            return [index]
        start += len(block)
    return []


def decide(
    tied: Sequence[Tied],
    steps: Sequence[str] = DEFAULT_ORDER,
    *,
    places: int | None = None,
    runoff_held: bool = False,
) -> Decision:
    """Apply the regulation's `steps`, in order, to the `tied` candidates.

    With `places` (a poll: 1 ≤ places < len(tied) seats left for the tied) the steps stop as soon as the
    places are decided; without (the ranking) they go on until every tied candidate has a place of its
    own. `runoff_held`: this is already the re-vote among the tied, so `runoff` is passed over."""
    if len(tied) < 2:
        raise ValueError("a tie needs two or more candidates")
    if len({c.key for c in tied}) != len(tied):
        raise ValueError("the tied candidates' keys must differ")
    if places is not None and not 1 <= places < len(tied):
        raise ValueError(f"places must be from 1 to {len(tied) - 1} for {len(tied)} tied, got {places}")
    order = parse_steps(steps)
    if Step.REFER_PARENT not in order:
        # Steps run out: the parent body, which gives the award, is what is left (module docstring).
        order = (*order, Step.REFER_PARENT)

    blocks: list[list[Tied]] = [list(tied)]
    notes: list[str] = []
    for step in order:
        open_indexes = _open_blocks(blocks, places)
        if not open_indexes:
            break
        if step in (Step.FINAL_SCORE, Step.WOMEN_SHARE):
            split = _by_score if step is Step.FINAL_SCORE else _by_women_share
            for index in reversed(open_indexes):  # from the end, so earlier indexes stay right
                groups, note = split(blocks[index])
                blocks[index : index + 1] = groups
                notes.append(note)
            continue
        if step is Step.RUNOFF and runoff_held:
            notes.append(f"{STEP_WORDS[Step.RUNOFF]}: đã bỏ phiếu lại một lần, xét bước tiếp theo")
            continue
        among = [blocks[i] for i in open_indexes]
        verdict = Verdict.RUNOFF if step is Step.RUNOFF else Verdict.REFER_PARENT
        notes.append(f"{STEP_WORDS[step]}: {'; '.join(_names(block) for block in among)}")
        return _decision(verdict, blocks, places, among, notes)
    return _decision(Verdict.DECIDED, blocks, places, [], notes)


def _decision(
    verdict: Verdict,
    blocks: list[list[Tied]],
    places: int | None,
    among: list[list[Tied]],
    notes: list[str],
) -> Decision:
    winners: list[str] = []
    if places is not None:
        for block in blocks:
            if len(winners) + len(block) > places:
                break
            winners += [c.key for c in block]
    return Decision(
        verdict=verdict,
        order=tuple(tuple(c.key for c in block) for block in blocks),
        winners=tuple(winners),
        among=tuple(tuple(c.key for c in block) for block in among),
        places_left=places - len(winners) if places is not None and among else 0,
        notes=tuple(notes),
    )
