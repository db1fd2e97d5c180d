"""The tally of a conference poll (cuộc bỏ phiếu): thresholds, quorum, seats, runoffs, paper counts. Pure, stdlib only.

Vote ratios are ``Fraction``, never float (DESIGN.md, Decisions): "80% of 7 is 5.6, so 6 votes are
needed" (DOMAIN.md, Voting) is done here on integers, so a vote sitting exactly on a threshold is never
misjudged by a rounding error. The base, the threshold, the quorum and the seats are the Regulation's
(DOMAIN.md marks the cluster's voting rules [L], configurable per Regulation); the caller copies them
into a ``PollSpec`` and this module applies them. A tie on the last seat goes through the regulation's
tie-break (``TieRule``, carried out by thidua/lib/tiebreak.py, the one rule for every tie: DOMAIN.md,
Voting): it may seat the tied by their facts, or leave them to a re-vote (``Tally.runoff``) or to the
parent body (``Tally.referred``). When too few choices reach the threshold to fill the seats,
``Tally.second_round`` names who goes on to a second round, as the regulation's ``SecondRound`` rule
says.

The counting is built for many ballots: identical ballots are grouped with one ``Counter`` over their
frozensets, each distinct content is validated and added once, and ``Fraction`` work is per choice,
never per ballot (100,000 ballots: see docs/benchmarks.md, "Tally (issue 4)").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from thidua.lib import tiebreak
from thidua.lib.decimals import format_vietnamese_decimal

__all__ = [
    "BallotContent",
    "BallotError",
    "Base",
    "ChoiceResult",
    "Figures",
    "Method",
    "Nominee",
    "NomineeVerdict",
    "PollSpec",
    "SecondRound",
    "Tally",
    "Threshold",
    "TieRule",
    "mixed_paper_problems",
    "nomination_eligibility",
    "paper_count_problems",
    "percent_words",
    "tally",
    "tally_counts",
    "validate_ballot",
]


class Method(StrEnum):
    # Suy tôn: each ballot says đồng ý / không đồng ý to each nominee; the approved ones are recorded.
    APPROVE_EACH = "approve_each"
    # Election: each ballot picks at most `max_picks` choices (head or deputy: max_picks = 1).
    PICK_UP_TO = "pick_up_to"
    # Motion: the choices are the answers Đồng ý / Không đồng ý / Không có ý kiến; a ballot picks one.
    MOTION = "motion"


class Base(StrEnum):
    """What a share is a share of (DOMAIN.md, Voting [L]: voters present by default)."""

    PRESENT = "present"  # the voters who took part in this poll
    ELIGIBLE = "eligible"  # every voter with the right to vote, present or not
    MEMBERS = "members"  # every member organization of the group


class SecondRound(StrEnum):
    """What happens to the seats nobody filled because too few choices reached the threshold (A 4, B 4
    of 8 under "more than 1/2": nobody). DOMAIN.md, Voting [L]: common practice is a second round among
    the top candidates, configurable; the default is the top two and all tied with them."""

    NONE = "none"  # the seats stay empty; the result is what the first round gave
    TOP_TWO = "top_two"  # the top two per open seat among those that did not pass, and all tied with them


class BallotError(ValueError):
    """A ballot the poll does not accept; the message is Vietnamese, for the voter or the board."""


def _ratio(value: object, what: str) -> Fraction:
    """An exact ratio between 0 and 1. A float is refused outright: 0.8 is not 4/5 in binary, and the
    point of the module is that 5.6 votes are never compared as 5.6000000000000005."""
    if isinstance(value, bool) or not isinstance(value, Fraction | int | Decimal):
        raise TypeError(
            f"{what}: expected a Fraction, int or Decimal (never float), got {type(value).__name__}"
        )
    ratio = Fraction(value)
    if not 0 <= ratio <= 1:
        raise ValueError(f"{what} phải là một tỉ lệ từ 0 đến 1 (0% đến 100%), không phải {ratio}.")
    return ratio


def percent_words(share: Fraction) -> str:
    """A share as Vietnamese write a percentage: "85,71%" (two decimals, rounded half up as taught in
    Vietnamese schools, comma for decimals), "50%" when the percentage is an exact integer. Only for
    display: whether a vote passes is decided on the Fraction itself, never on this text."""
    percent = Fraction(share) * 100
    if percent.denominator == 1:
        return f"{format_vietnamese_decimal(Decimal(percent.numerator))}%"
    # Half up on the magnitude, in integers: floor(|p| × 100 + 1/2) hundredths of a percent.
    hundredths = (2 * abs(percent.numerator) * 100 + percent.denominator) // (2 * percent.denominator)
    value = Decimal(hundredths if percent > 0 else -hundredths).scaleb(-2)
    return f"{format_vietnamese_decimal(value, 2)}%"


@dataclass(frozen=True)
class Threshold:
    """What a choice needs: votes / base ≥ fraction (inclusive, "từ … trở lên") or > fraction (not
    inclusive, "quá …"). Cluster default "more than 1/2" [L]; parent council "≥ 80%" (DOMAIN.md, Voting)."""

    fraction: Fraction
    inclusive: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "fraction", _ratio(self.fraction, "Ngưỡng thông qua"))
        if not self.inclusive and self.fraction == 1:
            # Nothing can ever get more than all the votes: a configuration mistake, said at once.
            raise ValueError("Ngưỡng «quá 100%» không phương án nào đạt được; hãy dùng «từ 100% trở lên».")

    def votes_needed(self, base: int) -> int:
        """The fewest votes that pass out of `base`: 80% of 7 is 28/5 = 5.6, so 6; more than 1/2 of 6
        is more than 3, so 4. With a base of 0 nothing passes: 1 is returned so that "0 votes out of
        0" never reads as enough."""
        if base < 0:
            raise ValueError(f"base must not be negative, got {base}")
        if base == 0:
            return 1
        product = self.fraction * base  # exact: a Fraction, floor/ceil are integer divisions
        return math.ceil(product) if self.inclusive else math.floor(product) + 1

    def passes(self, votes: int, base: int) -> bool:
        return base > 0 and votes >= self.votes_needed(base)

    def words(self) -> str:
        """ "quá 1/2 (50%)", "từ 4/5 (80%) trở lên", "từ 2/3 (66,67%) trở lên": the ratio as the
        regulation writes it, with the percentage, for minutes and result pages."""
        fraction = self.fraction
        if fraction.denominator == 1:
            ratio = percent_words(fraction)
        else:
            ratio = f"{fraction.numerator}/{fraction.denominator} ({percent_words(fraction)})"
        return f"từ {ratio} trở lên" if self.inclusive else f"quá {ratio}"


@dataclass(frozen=True)
class TieRule:
    """The regulation's tie-break as a poll applies it to a tie on the last seat, copied when the poll
    opens: the steps, each choice's facts (by choice key; a choice without facts has none to be judged
    on), and whether this poll is itself the re-vote among the tied, which is held once (DOMAIN.md,
    Voting: "re-vote among the tied (round 2)", then the women-share rule, then the parent body)."""

    steps: tuple[tiebreak.Step, ...] = tiebreak.DEFAULT_ORDER
    facts: Mapping[str, tiebreak.Tied] = field(default_factory=dict)
    runoff_held: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tiebreak.parse_steps(self.steps))

    def decide(self, tied: Sequence[str], places: int, label: Callable[[str], str]) -> tiebreak.Decision:
        candidates = []
        for key in tied:
            fact = self.facts.get(key)
            candidates.append(
                tiebreak.Tied(key, label(key))
                if fact is None
                else tiebreak.Tied(key, label(key), fact.score, fact.score_text, fact.women_share)
            )
        return tiebreak.decide(candidates, self.steps, places=places, runoff_held=self.runoff_held)


@dataclass(frozen=True, kw_only=True)
class PollSpec:
    """A poll's rules, copied from the Regulation when it opens (so a later change of the Regulation
    never changes a vote already held). Keyword-only: too many integers to pass by position safely.

    `labels`, optional, parallel to `choices`, are the names the outcome sentence uses (an
    organization's name rather than its code); without them the keys are used."""

    method: Method
    choices: tuple[str, ...]
    seats: int  # how many choices can win; a motion has 1, its "adopt" answer being `adopt_choice`
    max_picks: int = 1  # PICK_UP_TO only: the most choices one ballot may pick
    threshold: Threshold
    base: Base
    eligible: int  # voters with the right to vote (per delegate or per member organization)
    members: int  # member organizations of the group
    quorum: Fraction  # share of `eligible` that must take part (≥, inclusive)
    adopt_choice: str | None = None
    labels: tuple[str, ...] = ()
    # DOMAIN.md, Voting [L]: the default is a second round among the top two and all tied with them.
    second_round: SecondRound = SecondRound.TOP_TWO
    # The regulation's tie-break for a tie on the last seat. None: a poll opened before the tie-break was
    # applied to polls, where every such tie went to a re-vote; it keeps being counted that way.
    tie_rule: TieRule | None = None

    def __post_init__(self) -> None:
        # Model fields arrive as str and lists; store the enums and tuples the rest of the code expects.
        object.__setattr__(self, "method", Method(self.method))
        object.__setattr__(self, "base", Base(self.base))
        object.__setattr__(self, "second_round", SecondRound(self.second_round))
        object.__setattr__(self, "choices", tuple(self.choices))
        object.__setattr__(self, "labels", tuple(self.labels))
        object.__setattr__(self, "quorum", _ratio(self.quorum, "Tỉ lệ đại biểu tối thiểu"))
        if len(set(self.choices)) != len(self.choices):
            raise ValueError("Các phương án của một cuộc bỏ phiếu phải khác nhau.")
        if self.labels and len(self.labels) != len(self.choices):
            raise ValueError("labels must be empty or name every choice, in the order of choices")
        if self.seats < 1:
            raise ValueError(f"Số suất phải từ 1 trở lên, không phải {self.seats}.")
        if self.max_picks < 1:
            raise ValueError(f"Số phương án được chọn tối đa phải từ 1 trở lên, không phải {self.max_picks}.")
        if self.eligible < 0 or self.members < 0:
            raise ValueError("Số người có quyền bỏ phiếu và số đơn vị thành viên không được âm.")
        if self.method is Method.MOTION:
            if self.seats != 1:
                raise ValueError("Biểu quyết một nội dung chỉ có một kết quả: số suất phải là 1.")
            if self.adopt_choice not in self.choices:
                raise ValueError("Biểu quyết cần chỉ rõ ý kiến «đồng ý» (adopt_choice) trong các phương án.")
        elif self.adopt_choice is not None:
            raise ValueError("adopt_choice is for motions only")

    def label(self, key: str) -> str:
        if self.labels and key in self.choices:
            return self.labels[self.choices.index(key)]
        return key


@dataclass(frozen=True)
class BallotContent:
    """What one ballot says. APPROVE_EACH: the approved choices; PICK_UP_TO: the picked ones; MOTION:
    exactly one answer. An empty selection is a blank ballot (phiếu trắng)."""

    selections: frozenset[str]

    def __post_init__(self) -> None:
        if not isinstance(self.selections, frozenset):
            object.__setattr__(self, "selections", frozenset(self.selections))


def validate_ballot(spec: PollSpec, selections: Iterable[str]) -> frozenset[str]:
    """The ballot's selections as a set (choosing a choice twice is choosing it once), or BallotError
    saying in Vietnamese what the poll does not accept."""
    if isinstance(selections, str):
        # A bare string would be read letter by letter and refused with a baffling message.
        raise TypeError("selections must be an iterable of choice keys, not a single string")
    chosen = frozenset(selections)
    unknown = chosen.difference(spec.choices)
    if unknown:
        names = ", ".join(f"«{key}»" for key in sorted(unknown))
        raise BallotError(f"Phiếu có phương án không thuộc cuộc bỏ phiếu này: {names}.")
    if spec.method is Method.PICK_UP_TO and len(chosen) > spec.max_picks:
        raise BallotError(f"Chỉ được chọn tối đa {spec.max_picks} phương án; phiếu đã chọn {len(chosen)}.")
    if spec.method is Method.MOTION and len(chosen) != 1:
        raise BallotError(f"Phải chọn đúng một ý kiến; phiếu đã chọn {len(chosen)}.")
    return chosen


@dataclass(frozen=True)
class ChoiceResult:
    key: str
    votes: int
    share: Fraction  # votes / base, exactly; 0 when the base is 0
    passes_threshold: bool
    elected: bool
    tied_for_last_seat: bool  # still tied for the last seat after the tie-break: in the runoff or referred
    in_second_round: bool = False  # among those the regulation sends on to a second round
    referred: bool = False  # among those the tie-break leaves to the parent body
    # Tied on votes for the last seat, however the tie-break then decided (seated, out, re-vote, referred).
    in_tie: bool = False


@dataclass(frozen=True)
class Tally:
    participants: int  # voters who took part: valid + blank + invalid
    valid: int  # ballots with at least one selection
    blank: int  # ballots with none (phiếu trắng)
    invalid: int  # paper ballots the board declared invalid; an electronic ballot never is
    base: int
    quorum_met: bool
    quorum_needed: int
    votes_needed: int
    choices: tuple[ChoiceResult, ...]  # most votes first, then in the poll's order
    elected: tuple[str, ...]
    # Tied for the last seat(s) among the passing choices, when taking them all would exceed the seats:
    # none of them is elected; a second round among them (for seats - len(elected)) is the caller's to open.
    runoff: tuple[str, ...]
    outcome: str  # Vietnamese summary for the result page and the minutes
    # What the outcome says after the choice-by-choice figures: the tie-break's steps, a runoff, a second
    # round; the vote-count minutes give each choice its own sentence and then these (issue 15, part 4).
    notes: str = ""
    # When fewer choices passed than there are seats, and no tie is pending: those the regulation's
    # `SecondRound` rule sends on to a second round for the seats still open (`open_seats`), most votes
    # first. Never shares a choice with `elected` or `runoff`; the caller opens the round.
    second_round: tuple[str, ...] = ()
    # Seats neither filled nor waiting on a runoff; 0 for a motion, and without a quorum (the vote
    # did not count, so there is nothing for a second round to follow on from).
    open_seats: int = 0
    # Tied for the last seat and left by the regulation's tie-break to the parent body, which decides
    # among them for the seats not filled ("Đề nghị cấp trên xem xét"). Excludes `runoff`.
    referred: tuple[str, ...] = ()
    # What the regulation's tie-break made of a tie on the last seat; None when there was none, or the
    # poll counts without one (`PollSpec.tie_rule`).
    tie_break: tiebreak.Decision | None = None


def _join_and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} và {names[-1]}"


def _fill_seats(passing: list[tuple[str, int]], seats: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(elected, tied) from the passing choices, most votes first. If several tie at the last seat and
    taking them all would exceed the seats, none of the tied is elected here: the seat is not decided by
    the order the choices happen to be listed in, but by the regulation's tie-break (`TieRule`; without
    one, a re-vote among the tied, as DOMAIN.md's default order reaches first when no score decides)."""
    if len(passing) <= seats:
        return tuple(key for key, _ in passing), ()
    boundary = passing[seats - 1][1]
    above = [key for key, votes in passing if votes > boundary]
    tied = [key for key, votes in passing if votes == boundary]
    if len(above) + len(tied) <= seats:
        return (*above, *tied), ()
    return tuple(above), tuple(tied)


def _second_round(rule: SecondRound, below: list[tuple[str, int]], open_seats: int) -> tuple[str, ...]:
    """Who goes on to a second round for `open_seats` seats, from the choices that did not pass, most
    votes first. TOP_TWO (DOMAIN.md, Voting [L]: "the top two and all tied with them") takes two per open
    seat, so one seat is a contest between two; whoever ties with the last of them goes too, for the
    same reason a tie on the last seat goes to a runoff: the order choices are listed in decides
    nothing. A round with no more candidates than seats would leave the voters nothing to choose, so
    there is none."""
    if rule is SecondRound.NONE or open_seats < 1 or len(below) <= open_seats:
        return ()
    places = 2 * open_seats
    if len(below) <= places:
        return tuple(key for key, _ in below)
    boundary = below[places - 1][1]
    return tuple(key for key, votes in below if votes >= boundary)


def _count(spec: PollSpec, counts: Mapping[str, int], *, valid: int, blank: int, invalid: int) -> Tally:
    """The outcome logic shared by electronic ballots (`tally`) and the board's paper counts (`tally_counts`)."""
    # Invalid paper ballots count as participants, hence in the PRESENT base: their voters were present
    # and returned a ballot. DOMAIN.md (Voting) leaves the base to the Regulation [L] and says nothing of
    # invalid ballots, so this is the default; a regulation that excludes them needs a switch here.
    participants = valid + blank + invalid
    base = {Base.PRESENT: participants, Base.ELIGIBLE: spec.eligible, Base.MEMBERS: spec.members}[spec.base]
    quorum_needed = math.ceil(spec.quorum * spec.eligible)
    # Nobody with the right to vote means no valid vote, whatever a quorum of 0 would say.
    quorum_met = spec.eligible > 0 and participants >= quorum_needed
    threshold = spec.threshold
    votes_needed = threshold.votes_needed(base)

    order = sorted(range(len(spec.choices)), key=lambda i: (-counts.get(spec.choices[i], 0), i))
    ranked = [(spec.choices[i], counts.get(spec.choices[i], 0)) for i in order]
    passing = [(key, votes) for key, votes in ranked if threshold.passes(votes, base)]

    elected: tuple[str, ...] = ()
    runoff: tuple[str, ...] = ()
    referred: tuple[str, ...] = ()
    in_tie: tuple[str, ...] = ()
    decision: tiebreak.Decision | None = None
    second_round: tuple[str, ...] = ()
    open_seats = 0
    if quorum_met:
        if spec.method is Method.MOTION:
            # A motion is adopted or not: there is no one to send to a second round.
            elected = tuple(key for key, _ in passing if key == spec.adopt_choice)
        else:
            elected, runoff = _fill_seats(passing, spec.seats)
            in_tie = runoff
            if runoff and spec.tie_rule is not None:
                # The regulation's tie-break (thidua/lib/tiebreak.py): the tied may be seated by their
                # facts; those it leaves tied re-vote or go to the parent body.
                decision = spec.tie_rule.decide(runoff, spec.seats - len(elected), spec.label)
                elected = (*elected, *decision.winners)
                still_tied = decision.among[0] if decision.among else ()
                runoff = still_tied if decision.verdict is tiebreak.Verdict.RUNOFF else ()
                referred = still_tied if decision.verdict is tiebreak.Verdict.REFER_PARENT else ()
            if not runoff and not referred:
                # A runoff or a referral means more passed than the seats left: every seat is filled or
                # contested.
                open_seats = spec.seats - len(elected)
            if base > 0:
                # With a base of 0 nothing passes in any round: a second round could decide nothing.
                below = [(key, votes) for key, votes in ranked if not threshold.passes(votes, base)]
                second_round = _second_round(spec.second_round, below, open_seats)

    results = tuple(
        ChoiceResult(
            key=key,
            votes=votes,
            share=Fraction(votes, base) if base else Fraction(0),
            passes_threshold=threshold.passes(votes, base),
            elected=key in elected,
            tied_for_last_seat=key in runoff or key in referred,
            in_second_round=key in second_round,
            referred=key in referred,
            in_tie=key in in_tie,
        )
        for key, votes in ranked
    )
    ties = _tie_sentences(spec, decision, referred, spec.seats - len(elected))
    outcome = _outcome(spec, results, base, participants, quorum_met, quorum_needed, elected, runoff, ties)
    notes = ties + _runoff_sentence(spec, runoff, elected) if quorum_met else ""
    if second_round:
        names = _join_and([spec.label(key) for key in second_round])
        sentence = f" Bỏ phiếu vòng 2 giữa {names} cho {open_seats} suất còn lại."
        outcome += sentence
        notes += sentence
    return Tally(
        participants=participants,
        valid=valid,
        blank=blank,
        invalid=invalid,
        base=base,
        quorum_met=quorum_met,
        quorum_needed=quorum_needed,
        votes_needed=votes_needed,
        choices=results,
        elected=elected,
        runoff=runoff,
        outcome=outcome,
        notes=notes.strip(),
        second_round=second_round,
        open_seats=open_seats,
        referred=referred,
        tie_break=decision,
    )


def _tie_sentences(
    spec: PollSpec, decision: tiebreak.Decision | None, referred: tuple[str, ...], seats_left: int
) -> str:
    """What the regulation's tie-break did, for the result page and the minutes: each step it took,
    then, if the parent body decides, that it does. A re-vote's sentence is `_outcome`'s, as before."""
    if decision is None:
        return ""
    # The last note of a tie left undecided names the re-vote or the referral, which is said on its own.
    notes = decision.notes if decision.verdict is tiebreak.Verdict.DECIDED else decision.notes[:-1]
    text = f" Xử lý khi bằng nhau theo quy chế: {'; '.join(notes)}." if notes else ""
    if referred:
        names = _join_and([spec.label(key) for key in referred])
        text += f" Đề nghị cấp trên xem xét: {names} cho {seats_left} suất còn lại."
    return text


def _outcome(
    spec: PollSpec,
    results: tuple[ChoiceResult, ...],
    base: int,
    participants: int,
    quorum_met: bool,
    quorum_needed: int,
    elected: tuple[str, ...],
    runoff: tuple[str, ...],
    tie_sentences: str = "",
) -> str:
    if not quorum_met:
        return (
            f"Không đủ số đại biểu tối thiểu: {participants}/{spec.eligible} đại biểu có quyền biểu quyết "
            f"tham gia bỏ phiếu, cần ít nhất {quorum_needed}. "
            + ("Không thông qua." if spec.method is Method.MOTION else "Không có phương án nào trúng.")
        )
    words = spec.threshold.words()

    def votes_of(result: ChoiceResult) -> str:
        return f"{spec.label(result.key)} đạt {result.votes}/{base} phiếu ({percent_words(result.share)})"

    if spec.method is Method.MOTION:
        adopt = next(r for r in results if r.key == spec.adopt_choice)
        if adopt.elected:
            return f"Thông qua: {votes_of(adopt)}, {words}."
        return f"Không thông qua: {votes_of(adopt)}, cần {words}."
    parts = []
    for result in results:
        if result.elected:
            verdict = "bằng phiếu, trúng theo thứ tự xử lý khi bằng nhau" if result.in_tie else "trúng"
        elif result.referred:
            verdict = "bằng phiếu, đề nghị cấp trên xem xét"
        elif result.tied_for_last_seat:
            verdict = "bằng phiếu"
        elif result.in_tie:
            verdict = "bằng phiếu, không trúng theo thứ tự xử lý khi bằng nhau"
        elif result.passes_threshold:
            verdict = "không trúng, hết suất"
        else:
            verdict = f"không trúng, cần {words}"
        parts.append(f"{votes_of(result)}, {verdict}")
    if not parts:
        return "Cuộc bỏ phiếu không có phương án nào."
    return "; ".join(parts) + "." + tie_sentences + _runoff_sentence(spec, runoff, elected)


def _runoff_sentence(spec: PollSpec, runoff: tuple[str, ...], elected: tuple[str, ...]) -> str:
    if not runoff:
        return ""
    names = _join_and([spec.label(key) for key in runoff])
    return f" Cần bỏ phiếu lại giữa {names} cho {spec.seats - len(elected)} suất còn lại."


def tally(spec: PollSpec, ballots: Iterable[BallotContent], *, invalid: int = 0) -> Tally:
    """Count electronic ballots (plus `invalid` paper ballots, if a poll mixes both). Every distinct
    non-empty ballot content is checked with `validate_ballot` (BallotError if one is not acceptable:
    the data, not the voter, is then at fault); an empty one is a blank ballot."""
    if invalid < 0:
        raise ValueError(f"Số phiếu không hợp lệ không được âm ({invalid}).")
    # One Counter over the frozensets (whose hash Python caches), then work per distinct content: a
    # 7-choice poll has at most 128 of them however many ballots there are.
    contents = Counter(ballot.selections for ballot in ballots)
    counts: Counter[str] = Counter()
    blank = 0
    for selections, number in contents.items():
        if not selections:
            blank += number
            continue
        for key in validate_ballot(spec, selections):
            counts[key] += number
    return _count(spec, counts, valid=contents.total() - blank, blank=blank, invalid=invalid)


def tally_counts(spec: PollSpec, counts: Mapping[str, int], *, valid: int, blank: int, invalid: int) -> Tally:
    """The same outcome from the counting board's figures (paper ballots): votes per choice, a missing
    choice having 0. Figures that cannot be counted at all (negative, unknown choice) raise ValueError;
    whether the figures add up is `paper_count_problems`'s to say, before this is called."""
    unknown = sorted(set(counts).difference(spec.choices))
    if unknown:
        raise ValueError(f"Phương án không thuộc cuộc bỏ phiếu này: {', '.join(unknown)}.")
    if min(valid, blank, invalid, *counts.values()) < 0:
        raise ValueError("Số phiếu không được âm.")
    return _count(spec, counts, valid=valid, blank=blank, invalid=invalid)


@dataclass(frozen=True)
class Figures:
    """One way of voting's figures in a poll: votes per choice, valid ballots (blank excluded, as in
    `Tally`), blank and invalid ones. A mixed poll's figures are its decrypted electronic totals plus the
    counting board's paper count (issue 14, part 9): `+` adds them choice by choice."""

    counts: Mapping[str, int]
    valid: int
    blank: int
    invalid: int = 0

    def __add__(self, other: Figures) -> Figures:
        counts = Counter(self.counts)
        counts.update(other.counts)
        return Figures(
            counts=dict(counts),
            valid=self.valid + other.valid,
            blank=self.blank + other.blank,
            invalid=self.invalid + other.invalid,
        )


def mixed_paper_problems(*, issued: int, electronic: int, eligible: int) -> list[str]:
    """In a mixed poll, paper ballots go only to voters who did not vote on their phones: the paper
    ballots issued and the electronic votes together cannot exceed the voters entitled to vote."""
    if issued + electronic > eligible:
        return [
            f"Số phiếu giấy phát ra ({issued}) cộng số phiếu điện tử ({electronic}) = {issued + electronic}, "
            f"nhiều hơn số người có quyền biểu quyết ({eligible})."
        ]
    return []


def paper_count_problems(
    *,
    issued: int,
    returned: int,
    valid: int,
    invalid: int,
    blank: int,
    counts: Mapping[str, int],
    spec: PollSpec,
) -> list[str]:
    """What does not add up in the counting board's figures (biên bản kiểm phiếu: issued, returned,
    valid, invalid, votes per choice — DOMAIN.md, Documents), each as a Vietnamese sentence naming the
    figures; empty when they are consistent. `valid` excludes blank ballots, as in `Tally`."""
    problems: list[str] = []
    totals = {
        "Số phiếu phát ra": issued,
        "Số phiếu thu về": returned,
        "Số phiếu hợp lệ": valid,
        "Số phiếu trắng": blank,
        "Số phiếu không hợp lệ": invalid,
    }
    problems += [f"{name} không được âm ({number})." for name, number in totals.items() if number < 0]
    problems += [
        f"Số phiếu của «{spec.label(key)}» không được âm ({number})."
        for key, number in counts.items()
        if number < 0
    ]
    problems += [
        f"Phương án «{key}» không thuộc cuộc bỏ phiếu này." for key in counts if key not in spec.choices
    ]
    if returned > issued:
        problems.append(f"Số phiếu thu về ({returned}) nhiều hơn số phiếu phát ra ({issued}).")
    if valid + blank + invalid != returned:
        problems.append(
            f"Số phiếu hợp lệ ({valid}) + phiếu trắng ({blank}) + phiếu không hợp lệ ({invalid}) "
            f"= {valid + blank + invalid}, khác số phiếu thu về ({returned})."
        )
    problems += [
        f"«{spec.label(key)}» có {number} phiếu, nhiều hơn số phiếu hợp lệ ({valid})."
        for key, number in counts.items()
        if number > valid
    ]
    picks = sum(counts.values())
    if spec.method is Method.PICK_UP_TO and picks > valid * spec.max_picks:
        problems.append(
            f"Tổng số lượt chọn ({picks}) vượt quá số phiếu hợp lệ × số phương án được chọn tối đa "
            f"({valid} × {spec.max_picks} = {valid * spec.max_picks})."
        )
    if spec.method is Method.MOTION and picks != valid:
        # Every valid motion ballot carries exactly one answer.
        problems.append(f"Tổng số phiếu của các ý kiến ({picks}) khác số phiếu hợp lệ ({valid}).")
    return problems


# --- Who may be nominated ------------------------------------------------------------------------


@dataclass(frozen=True)
class Nominee:
    """What the ranking says of a member, all that decides whether it may be nominated."""

    key: str  # organization code
    name: str
    settled: bool  # its final score is settled
    band: str | None  # the regulation's band its final total falls in; None below every band


@dataclass(frozen=True)
class NomineeVerdict:
    key: str
    name: str
    eligible: bool
    reason: str  # Vietnamese, why it is left out; "" when eligible


def nomination_eligibility(nominees: Sequence[Nominee], bands: Sequence[str]) -> list[NomineeVerdict]:
    """Which members a nomination (suy tôn) may offer, in the order given, and why the others are left out.

    An award goes to a member that completed its tasks (Luật Thi đua, khen thưởng 2022, Điều 26: the flag
    goes to the unit that leads the group). So a member is left out when its final score is not settled
    (nothing to judge it on), when that score reaches none of the regulation's bands, or when it falls in
    the lowest of two or more bands ("Không hoàn thành nhiệm vụ" in VUSTA's regulation [L]). `bands` are
    the regulation's band labels, highest first; without bands every settled member may be nominated.
    """
    lowest = bands[-1] if len(bands) >= 2 else None
    verdicts = []
    for nominee in nominees:
        if not nominee.settled:
            reason = "chưa chốt điểm cuối cùng"
        elif bands and nominee.band is None:
            reason = "điểm chốt không đạt mức xếp loại nào của quy chế"
        elif lowest is not None and nominee.band == lowest:
            reason = f"xếp loại «{lowest}», mức thấp nhất của quy chế"
        else:
            reason = ""
        verdicts.append(NomineeVerdict(nominee.key, nominee.name, not reason, reason))
    return verdicts
