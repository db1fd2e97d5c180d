"""The tally of a conference poll (thidua/conferences/rules.py): table-driven cases for the boundaries
DOMAIN.md (Voting) names, and hypothesis properties for everything in between."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.conferences import rules
from thidua.conferences.rules import (
    BallotContent,
    BallotError,
    Base,
    Method,
    PollSpec,
    SecondRound,
    Threshold,
    paper_count_problems,
    percent_words,
    tally,
    tally_counts,
    validate_ballot,
)

F = Fraction
REPO_ROOT = Path(__file__).resolve().parents[3]
MORE_THAN_HALF = Threshold(F(1, 2), inclusive=False)
FOUR_FIFTHS = Threshold(F(4, 5), inclusive=True)
TWO_THIRDS = Threshold(F(2, 3), inclusive=True)
DEFAULT_QUORUM = F(2, 3)  # DOMAIN.md: 2/3 outside award sessions


def spec(
    method: Method = Method.APPROVE_EACH,
    choices: tuple[str, ...] = ("A", "B", "C"),
    *,
    seats: int = 1,
    max_picks: int = 1,
    threshold: Threshold = MORE_THAN_HALF,
    base: Base = Base.PRESENT,
    eligible: int = 7,
    members: int = 7,
    quorum: Fraction = DEFAULT_QUORUM,
    adopt_choice: str | None = None,
    labels: tuple[str, ...] = (),
    second_round: SecondRound = SecondRound.TOP_TWO,
) -> PollSpec:
    return PollSpec(
        method=method,
        choices=choices,
        seats=seats,
        max_picks=max_picks,
        threshold=threshold,
        base=base,
        eligible=eligible,
        members=members,
        quorum=quorum,
        adopt_choice=adopt_choice,
        labels=labels,
        second_round=second_round,
    )


def motion(**overrides: object) -> PollSpec:
    return spec(Method.MOTION, ("yes", "no", "abstain"), adopt_choice="yes", **overrides)  # type: ignore[arg-type]


def ballots(*groups: tuple[int, str]) -> list[BallotContent]:
    """ballots((4, "A"), (2, "AB"), (1, "")): 4 ballots for A, 2 for A and B, 1 blank."""
    return [BallotContent(frozenset(letters)) for number, letters in groups for _ in range(number)]


def votes(result: rules.Tally) -> dict[str, int]:
    return {c.key: c.votes for c in result.choices}


# --- thresholds: exact boundaries


@pytest.mark.parametrize(
    ("threshold", "base", "needed"),
    [
        (FOUR_FIFTHS, 7, 6),  # 80% of 7 is 5.6 (DOMAIN.md, Voting)
        (FOUR_FIFTHS, 10, 8),  # exactly 8.0: inclusive, so 8 is enough
        (MORE_THAN_HALF, 6, 4),  # more than 3
        (MORE_THAN_HALF, 7, 4),  # more than 3.5
        (MORE_THAN_HALF, 1, 1),
        (TWO_THIRDS, 6, 4),  # 4 exactly, inclusive
        (TWO_THIRDS, 7, 5),  # 4.67
        (Threshold(F(1, 2), inclusive=True), 6, 3),
        (Threshold(F(9, 10), inclusive=True), 7, 7),  # individual high titles ≥ 90%: 6.3 → 7
        (Threshold(F(1), inclusive=True), 7, 7),
        (Threshold(F(0), inclusive=True), 7, 0),
        (Threshold(F(0), inclusive=False), 7, 1),
        (MORE_THAN_HALF, 0, 1),  # nothing passes with a base of 0
        (Threshold(F(0), inclusive=True), 0, 1),
    ],
)
def test_the_votes_needed_are_the_least_integer_meeting_the_threshold_exactly(
    threshold: Threshold, base: int, needed: int
) -> None:
    assert threshold.votes_needed(base) == needed


@pytest.mark.parametrize(
    ("threshold", "votes", "base", "passes"),
    [
        (FOUR_FIFTHS, 5, 7, False),
        (FOUR_FIFTHS, 6, 7, True),
        (FOUR_FIFTHS, 7, 7, True),
        (MORE_THAN_HALF, 3, 6, False),  # exactly half is not more than half
        (MORE_THAN_HALF, 4, 6, True),
        (MORE_THAN_HALF, 3, 7, False),
        (MORE_THAN_HALF, 4, 7, True),
        (TWO_THIRDS, 3, 6, False),
        (TWO_THIRDS, 4, 6, True),
        (TWO_THIRDS, 4, 7, False),
        (TWO_THIRDS, 5, 7, True),
        (MORE_THAN_HALF, 0, 0, False),
        (MORE_THAN_HALF, 3, 0, False),
        (Threshold(F(0), inclusive=True), 0, 0, False),
    ],
)
def test_a_vote_passes_only_at_or_beyond_the_exact_boundary(
    threshold: Threshold, votes: int, base: int, passes: bool
) -> None:
    assert threshold.passes(votes, base) is passes


@pytest.mark.parametrize(
    ("threshold", "words"),
    [
        (MORE_THAN_HALF, "quá 1/2 (50%)"),
        (FOUR_FIFTHS, "từ 4/5 (80%) trở lên"),
        (TWO_THIRDS, "từ 2/3 (66,67%) trở lên"),
        (Threshold(F(51, 100), inclusive=False), "quá 51/100 (51%)"),
        (Threshold(F(1), inclusive=True), "từ 100% trở lên"),
        (Threshold(F(0), inclusive=False), "quá 0%"),
    ],
)
def test_a_threshold_is_written_as_the_regulation_writes_it(threshold: Threshold, words: str) -> None:
    assert threshold.words() == words


def test_a_threshold_accepts_exact_numbers_and_stores_a_fraction() -> None:
    from decimal import Decimal

    assert Threshold(Decimal("0.8"), inclusive=True).fraction == F(4, 5)  # type: ignore[arg-type]
    assert Threshold(1, inclusive=True).fraction == F(1)  # type: ignore[arg-type]
    assert isinstance(Threshold(1, inclusive=True).fraction, Fraction)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fraction", "inclusive", "error", "message"),
    [
        (0.8, True, TypeError, "never float"),
        (True, True, TypeError, "never float"),
        ("4/5", True, TypeError, "never float"),
        (F(3, 2), True, ValueError, "từ 0 đến 1"),
        (F(-1, 2), True, ValueError, "từ 0 đến 1"),
        (F(1), False, ValueError, "quá 100%"),
    ],
)
def test_a_threshold_that_is_not_an_exact_ratio_between_0_and_1_is_refused(
    fraction: object, inclusive: bool, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        Threshold(fraction, inclusive)  # type: ignore[arg-type]


def test_a_negative_base_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        MORE_THAN_HALF.votes_needed(-1)


# --- percentages


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (F(6, 7), "85,71%"),
        (F(1, 2), "50%"),
        (F(2, 3), "66,67%"),
        (F(1, 3), "33,33%"),
        (F(4, 7), "57,14%"),
        (F(1, 8), "12,50%"),  # 12.5: two decimals once it is not an integer
        (F(1, 32), "3,13%"),  # 3.125: half up, not half even
        (F(1, 800), "0,13%"),  # 0.125
        (F(0), "0%"),
        (F(1), "100%"),
        (F(10), "1.000%"),
        (F(-1, 32), "-3,13%"),
        (F(1, 3000000), "0,00%"),  # not an integer: it must not read as an exact 0%
    ],
)
def test_a_share_is_written_as_a_vietnamese_percentage(share: Fraction, words: str) -> None:
    assert percent_words(share) == words


# --- poll rules


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"choices": ("A", "A")}, ValueError, "phải khác nhau"),
        ({"labels": ("Một",)}, ValueError, "labels"),
        ({"seats": 0}, ValueError, "Số suất"),
        ({"max_picks": 0}, ValueError, "tối đa"),
        ({"eligible": -1}, ValueError, "không được âm"),
        ({"members": -1}, ValueError, "không được âm"),
        ({"quorum": F(4, 3)}, ValueError, "Tỉ lệ đại biểu tối thiểu"),
        ({"quorum": 0.8}, TypeError, "never float"),
        ({"adopt_choice": "A"}, ValueError, "motions only"),
        ({"second_round": "top_three"}, ValueError, "top_three"),
    ],
)
def test_poll_rules_that_cannot_be_counted_are_refused(
    overrides: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        spec(**overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"seats": 2}, "số suất phải là 1"), ({"adopt_choice": "maybe"}, "adopt_choice")],
)
def test_a_motion_needs_one_result_and_its_adopt_answer(overrides: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"adopt_choice": "yes", **overrides}
    with pytest.raises(ValueError, match=re.escape(message)):
        spec(Method.MOTION, ("yes", "no", "abstain"), **values)  # type: ignore[arg-type]


def test_poll_rules_read_from_model_fields_become_enums_and_tuples() -> None:
    poll = PollSpec(
        method="pick_up_to",  # type: ignore[arg-type]
        choices=["A", "B"],  # type: ignore[arg-type]
        seats=1,
        threshold=MORE_THAN_HALF,
        base="members",  # type: ignore[arg-type]
        eligible=7,
        members=7,
        quorum=F(2, 3),
        labels=["Một", "Hai"],  # type: ignore[arg-type]
        second_round="none",  # type: ignore[arg-type]
    )
    assert (poll.method, poll.base, poll.choices, poll.labels, poll.max_picks, poll.second_round) == (
        Method.PICK_UP_TO,
        Base.MEMBERS,
        ("A", "B"),
        ("Một", "Hai"),
        1,
        SecondRound.NONE,
    )
    assert spec().second_round is SecondRound.TOP_TWO  # DOMAIN.md, Voting [L]: the default
    assert poll.label("B") == "Hai"
    assert spec().label("B") == "B"


# --- ballots


@pytest.mark.parametrize(
    ("poll", "selections", "expected"),
    [
        (spec(), ["A", "B", "C"], {"A", "B", "C"}),  # approve each: any number
        (spec(), [], set()),  # blank
        (spec(), ["A", "A"], {"A"}),  # a duplicate is one selection
        (spec(Method.PICK_UP_TO, max_picks=2), ["A", "C"], {"A", "C"}),
        (spec(Method.PICK_UP_TO, max_picks=2), ("B", "B", "C"), {"B", "C"}),
        (motion(), ["no"], {"no"}),
    ],
)
def test_an_acceptable_ballot_comes_back_as_a_set(
    poll: PollSpec, selections: list[str], expected: set[str]
) -> None:
    assert validate_ballot(poll, selections) == frozenset(expected)


@pytest.mark.parametrize(
    ("poll", "selections", "message"),
    [
        (spec(), ["A", "Z", "Y"], "không thuộc cuộc bỏ phiếu này: «Y», «Z»"),
        (spec(Method.PICK_UP_TO, max_picks=2), ["A", "B", "C"], "tối đa 2 phương án; phiếu đã chọn 3"),
        (spec(Method.PICK_UP_TO), ["A", "B"], "tối đa 1 phương án"),
        (motion(), [], "đúng một ý kiến; phiếu đã chọn 0"),
        (motion(), ["yes", "no"], "đúng một ý kiến; phiếu đã chọn 2"),
    ],
)
def test_an_unacceptable_ballot_is_refused_in_vietnamese(
    poll: PollSpec, selections: list[str], message: str
) -> None:
    with pytest.raises(BallotError, match=re.escape(message)):
        validate_ballot(poll, selections)


def test_a_single_string_is_not_taken_for_a_list_of_choices() -> None:
    with pytest.raises(TypeError, match="single string"):
        validate_ballot(spec(), "AB")


def test_a_ballot_content_built_from_any_iterable_holds_a_frozenset() -> None:
    assert BallotContent({"A"}).selections == frozenset({"A"})  # type: ignore[arg-type]
    assert isinstance(BallotContent(["A", "A"]).selections, frozenset)  # type: ignore[arg-type]


def test_a_ballot_the_poll_does_not_accept_stops_the_tally() -> None:
    with pytest.raises(BallotError, match="tối đa 1"):
        tally(spec(Method.PICK_UP_TO), ballots((3, "A"), (1, "AB")))


# --- quorum


@pytest.mark.parametrize(("participants", "met"), [(4, False), (5, True), (7, True)])
def test_a_quorum_of_two_thirds_of_7_needs_5_participants(participants: int, met: bool) -> None:
    result = tally(spec(), ballots((participants, "A")))
    assert (result.quorum_needed, result.quorum_met) == (5, met)
    assert result.elected == (("A",) if met else ())


def test_without_a_quorum_nothing_is_elected_and_the_outcome_says_so() -> None:
    result = tally(spec(), ballots((4, "A")))
    assert result.outcome == (
        "Không đủ số đại biểu tối thiểu: 4/7 đại biểu có quyền biểu quyết tham gia bỏ phiếu, cần ít nhất 5. "
        "Không có phương án nào trúng."
    )
    assert result.choices[
        0
    ].passes_threshold  # 4/4: the arithmetic is reported, the vote still does not count
    assert not any(c.elected or c.tied_for_last_seat for c in result.choices)
    assert result.runoff == ()


def test_without_a_quorum_a_tie_opens_no_runoff() -> None:
    result = tally(spec(seats=1), ballots((2, "AB")), invalid=2)
    assert (result.quorum_met, result.elected, result.runoff) == (False, (), ())


def test_a_poll_nobody_has_the_right_to_vote_in_has_no_quorum() -> None:
    result = tally_counts(spec(eligible=0, quorum=F(0)), {"A": 3}, valid=3, blank=0, invalid=0)
    assert (result.quorum_needed, result.quorum_met, result.elected) == (0, False, ())


def test_a_quorum_of_0_is_met_by_nobody_but_nothing_passes_with_a_present_base_of_0() -> None:
    result = tally(spec(quorum=F(0)), [])
    assert (result.quorum_met, result.base, result.votes_needed, result.elected) == (True, 0, 1, ())
    assert all(c.share == 0 and not c.passes_threshold for c in result.choices)


# --- seats and ties


def test_a_three_way_tie_for_one_seat_goes_to_a_runoff_of_all_three() -> None:
    poll = spec(eligible=9, members=9, choices=("A", "B", "C"))
    result = tally(poll, ballots((9, "ABC")))
    assert (result.elected, result.runoff) == ((), ("A", "B", "C"))
    assert all(c.tied_for_last_seat and c.passes_threshold and not c.elected for c in result.choices)
    assert result.outcome.endswith(" Cần bỏ phiếu lại giữa A, B và C cho 1 suất còn lại.")


def test_a_tie_for_the_second_of_two_seats_elects_the_first_and_sends_the_two_to_a_runoff() -> None:
    result = tally(spec(seats=2), ballots((4, "ABC"), (3, "A")))
    assert votes(result) == {"A": 7, "B": 4, "C": 4}
    assert (result.elected, result.runoff) == (("A",), ("B", "C"))
    assert [c.tied_for_last_seat for c in result.choices] == [False, True, True]
    assert result.outcome == (
        "A đạt 7/7 phiếu (100%), trúng; B đạt 4/7 phiếu (57,14%), bằng phiếu; "
        "C đạt 4/7 phiếu (57,14%), bằng phiếu. Cần bỏ phiếu lại giữa B và C cho 1 suất còn lại."
    )


def test_a_tie_that_fits_the_seats_elects_both_without_a_runoff() -> None:
    result = tally(spec(seats=2), ballots((5, "AB"), (2, "C")))
    assert (result.elected, result.runoff) == (("A", "B"), ())
    assert all(not c.tied_for_last_seat for c in result.choices)


def test_a_tie_below_the_last_seat_decides_nothing() -> None:
    result = tally(spec(seats=1), ballots((2, "A"), (4, "ABC")))
    assert votes(result) == {"A": 6, "B": 4, "C": 4}
    assert (result.elected, result.runoff) == (("A",), ())
    assert "B đạt 4/6 phiếu (66,67%), không trúng, hết suất" in result.outcome


def test_a_tie_among_choices_below_the_threshold_decides_nothing() -> None:
    result = tally(spec(seats=1), ballots((3, "AB"), (4, "")))
    assert (result.votes_needed, result.elected, result.runoff) == (4, (), ())
    assert "A đạt 3/7 phiếu (42,86%), không trúng, cần quá 1/2 (50%)" in result.outcome


def test_the_runoff_is_for_the_seats_left_after_those_above_the_tie() -> None:
    poll = spec(seats=3, choices=("A", "B", "C", "D", "E"))
    result = tally(poll, ballots((5, "ABCDE"), (2, "AB")))
    assert (result.elected, result.runoff) == (("A", "B"), ("C", "D", "E"))
    assert result.outcome.endswith("Cần bỏ phiếu lại giữa C, D và E cho 1 suất còn lại.")


# --- second rounds: too few reach the threshold (DOMAIN.md, Voting [L])

EIGHT = {"eligible": 8, "members": 8}


@pytest.mark.parametrize(
    ("overrides", "cast", "second_round", "open_seats"),
    [
        # The case: one seat, A 4 and B 4 of 8 under "more than 1/2" (4 is not more than 4).
        ({}, ((4, "A"), (4, "B")), ("A", "B"), 1),
        ({"choices": ("A", "B", "C")}, ((4, "A"), (3, "B"), (1, "C")), ("A", "B"), 1),
        # All tied with the second go too: the listing order decides nothing.
        ({"choices": ("A", "B", "C", "D")}, ((3, "A"), (2, "B"), (2, "C"), (1, "D")), ("A", "B", "C"), 1),
        (
            {"choices": ("A", "B", "C", "D")},
            ((2, "A"), (2, "B"), (2, "C"), (2, "D")),
            ("A", "B", "C", "D"),
            1,
        ),
        # A choice nobody voted for is still "tied with" a second that nobody voted for either.
        ({"choices": ("A", "B", "C")}, ((3, "A"), (5, "")), ("A", "B", "C"), 1),
        # Two seats, one filled: the top two of the rest for the seat still open.
        ({"seats": 2, "choices": ("A", "B", "C", "D")}, ((5, "A"), (2, "BC"), (1, "D")), ("B", "C"), 1),
        # Two seats, none filled: two per open seat.
        (
            {"seats": 2, "method": Method.PICK_UP_TO, "choices": ("A", "B", "C", "D", "E")},
            ((3, "A"), (2, "B"), (2, "C"), (1, "D")),
            ("A", "B", "C", "D"),
            2,
        ),
        # No more candidates than open seats: a second round would offer nothing to choose from.
        ({"choices": ("A",)}, ((3, "A"), (5, "")), (), 1),
        ({"seats": 2, "choices": ("A", "B")}, ((3, "AB"), (5, "")), (), 2),
        # Every seat filled: nothing left for a second round.
        ({"choices": ("A", "B")}, ((5, "A"), (3, "B")), (), 0),
    ],
)
def test_when_too_few_pass_the_top_two_per_open_seat_and_all_tied_with_them_go_to_a_second_round(
    overrides: dict[str, object],
    cast: tuple[tuple[int, str], ...],
    second_round: tuple[str, ...],
    open_seats: int,
) -> None:
    values: dict[str, object] = {"choices": ("A", "B"), **EIGHT, **overrides}
    method = values.pop("method", Method.APPROVE_EACH)
    result = tally(spec(method, **values), ballots(*cast))  # type: ignore[arg-type]
    assert (result.second_round, result.open_seats, result.runoff) == (second_round, open_seats, ())
    assert {c.key for c in result.choices if c.in_second_round} == set(second_round)


def test_a_4_to_4_tie_of_8_under_more_than_half_elects_nobody_and_names_the_second_round() -> None:
    poll = spec(Method.PICK_UP_TO, ("nb", "th"), labels=("Ninh Bình", "Thanh Hóa"), eligible=8, members=8)
    result = tally(poll, [BallotContent(frozenset({"nb"}))] * 4 + [BallotContent(frozenset({"th"}))] * 4)
    assert (result.elected, result.runoff, result.second_round) == ((), (), ("nb", "th"))
    assert result.outcome == (
        "Ninh Bình đạt 4/8 phiếu (50%), không trúng, cần quá 1/2 (50%); "
        "Thanh Hóa đạt 4/8 phiếu (50%), không trúng, cần quá 1/2 (50%). "
        "Bỏ phiếu vòng 2 giữa Ninh Bình và Thanh Hóa cho 1 suất còn lại."
    )


def test_a_regulation_without_second_rounds_leaves_the_seat_empty() -> None:
    result = tally(spec(second_round=SecondRound.NONE, eligible=8, members=8), ballots((4, "A"), (4, "B")))
    assert (result.elected, result.runoff, result.second_round, result.open_seats) == ((), (), (), 1)
    assert not any(c.in_second_round for c in result.choices)
    assert "vòng 2" not in result.outcome


def test_a_tie_on_the_last_seat_still_goes_to_a_runoff_and_not_to_a_second_round() -> None:
    result = tally(spec(eligible=8, members=8), ballots((5, "AB"), (3, "C")))
    assert (result.elected, result.runoff, result.second_round, result.open_seats) == ((), ("A", "B"), (), 0)
    assert result.outcome.endswith(" Cần bỏ phiếu lại giữa A và B cho 1 suất còn lại.")


@pytest.mark.parametrize(
    ("poll", "counts", "valid"),
    [
        (spec(eligible=8, members=8), {"A": 3, "B": 2}, 5),  # 5 of 8 took part; 2/3 of 8 needs 6
        (motion(eligible=8, members=8), {"yes": 4, "no": 4}, 8),  # a motion is adopted or not
        (spec(base=Base.MEMBERS, members=0, eligible=8), {"A": 4, "B": 4}, 8),  # nothing can ever pass
    ],
)
def test_no_second_round_without_a_quorum_for_a_motion_or_with_a_base_of_0(
    poll: PollSpec, counts: dict[str, int], valid: int
) -> None:
    result = tally_counts(poll, counts, valid=valid, blank=0, invalid=0)
    assert (result.elected, result.second_round) == ((), ())
    assert not any(c.in_second_round for c in result.choices)


def test_the_choices_are_listed_by_votes_then_in_the_poll_s_order() -> None:
    result = tally(spec(choices=("A", "B", "C", "D")), ballots((4, "C"), (3, "BD"), (1, "")))
    assert [c.key for c in result.choices] == ["C", "B", "D", "A"]


def test_the_outcome_names_each_choice_by_its_label() -> None:
    poll = spec(choices=("nb", "th"), labels=("Liên hiệp hội X", "Liên hiệp hội Y"))
    result = tally(poll, [BallotContent(frozenset({"nb"}))] * 6 + [BallotContent(frozenset({"th"}))])
    assert result.outcome == (
        "Liên hiệp hội X đạt 6/7 phiếu (85,71%), trúng; "
        "Liên hiệp hội Y đạt 1/7 phiếu (14,29%), không trúng, cần quá 1/2 (50%)."
    )


def test_an_election_of_one_with_one_pick_elects_the_majority() -> None:
    poll = spec(Method.PICK_UP_TO, ("Nghệ An", "Hà Tĩnh", "Quảng Bình"))
    result = tally(
        poll,
        [BallotContent(frozenset({"Nghệ An"}))] * 4
        + [BallotContent(frozenset({"Hà Tĩnh"}))] * 2
        + [BallotContent(frozenset())],
    )
    assert (result.elected, result.valid, result.blank, result.participants) == (("Nghệ An",), 6, 1, 7)


def test_a_poll_without_choices_counts_without_failing() -> None:
    result = tally(spec(choices=()), ballots((5, "")))
    assert (result.choices, result.elected, result.blank) == ((), (), 5)
    assert result.outcome == "Cuộc bỏ phiếu không có phương án nào."


# --- the base


def test_blank_ballots_count_in_the_present_base_and_lower_every_share() -> None:
    four_of_seven = tally(spec(), ballots((4, "A"), (3, "")))
    assert (four_of_seven.base, four_of_seven.choices[0].share, four_of_seven.elected) == (7, F(4, 7), ("A",))
    four_of_eight = tally(spec(eligible=8), ballots((4, "A"), (4, "")))
    assert (four_of_eight.base, four_of_eight.choices[0].share, four_of_eight.elected) == (8, F(1, 2), ())


def test_invalid_paper_ballots_count_as_participants_and_in_the_present_base() -> None:
    # DOMAIN.md leaves the base to the regulation [L]; the default counts invalid ballots as present.
    result = tally_counts(spec(eligible=8), {"A": 4}, valid=4, blank=0, invalid=4)
    assert (result.participants, result.base, result.elected) == (8, 8, ())
    assert tally(spec(eligible=8), ballots((4, "A")), invalid=4) == result


@pytest.mark.parametrize(
    ("base", "expected_base", "elected"),
    [(Base.PRESENT, 6, ("A",)), (Base.ELIGIBLE, 9, ()), (Base.MEMBERS, 7, ("A",))],
)
def test_the_base_is_what_the_regulation_says(
    base: Base, expected_base: int, elected: tuple[str, ...]
) -> None:
    poll = spec(base=base, eligible=9, members=7)
    result = tally(poll, ballots((4, "A"), (2, "")))
    assert (result.base, result.choices[0].share, result.elected) == (
        expected_base,
        F(4, expected_base),
        elected,
    )


def test_with_a_base_of_0_nothing_passes_and_every_share_is_0() -> None:
    result = tally_counts(spec(base=Base.MEMBERS, members=0), {"A": 6}, valid=6, blank=0, invalid=0)
    assert (result.base, result.votes_needed, result.elected) == (0, 1, ())
    assert result.choices[0] == rules.ChoiceResult("A", 6, F(0), False, False, False)
    assert "A đạt 6/0 phiếu (0%)" in result.outcome


def test_the_parent_council_s_80_percent_of_7_needs_6() -> None:
    poll = spec(threshold=FOUR_FIFTHS, base=Base.MEMBERS, quorum=F(4, 5))
    five = tally(poll, ballots((5, "A"), (1, "")))
    six = tally(poll, ballots((6, "A")))
    assert (five.quorum_needed, five.votes_needed, five.elected) == (6, 6, ())
    assert six.elected == ("A",)
    assert "cần từ 4/5 (80%) trở lên" in tally(poll, ballots((5, "A"), (2, ""))).outcome


# --- motions


@pytest.mark.parametrize(
    ("groups", "outcome"),
    [
        (((4, "y"), (2, "n"), (1, "a")), "Thông qua: Đồng ý đạt 4/7 phiếu (57,14%), quá 1/2 (50%)."),
        (
            ((3, "y"), (3, "n"), (1, "a")),
            "Không thông qua: Đồng ý đạt 3/7 phiếu (42,86%), cần quá 1/2 (50%).",
        ),
        (((3, "y"), (1, "n"), (2, "a")), "Không thông qua: Đồng ý đạt 3/6 phiếu (50%), cần quá 1/2 (50%)."),
    ],
)
def test_a_motion_is_adopted_when_its_agree_answer_passes(
    groups: tuple[tuple[int, str], ...], outcome: str
) -> None:
    poll = spec(
        Method.MOTION, ("y", "n", "a"), adopt_choice="y", labels=("Đồng ý", "Không đồng ý", "Không có ý kiến")
    )
    result = tally(poll, ballots(*groups))
    assert result.outcome == outcome
    assert result.elected == (("y",) if outcome.startswith("Thông qua") else ())
    assert result.runoff == ()


def test_a_motion_without_a_quorum_is_not_adopted() -> None:
    result = tally(motion(), [BallotContent(frozenset({"yes"}))] * 4)
    assert result.elected == ()
    assert result.outcome.startswith("Không đủ số đại biểu tối thiểu")
    assert result.outcome.endswith("Không thông qua.")


def test_a_motion_is_decided_by_its_agree_answer_only() -> None:
    # "Không đồng ý" passing the threshold adopts nothing; it is reported, never "elected".
    result = tally_counts(motion(), {"no": 5, "yes": 2}, valid=7, blank=0, invalid=0)
    assert result.elected == ()
    assert [(c.key, c.passes_threshold, c.elected) for c in result.choices] == [
        ("no", True, False),
        ("yes", False, False),
        ("abstain", False, False),
    ]


# --- paper counts


def test_paper_counts_give_the_same_tally_as_the_ballots_they_count() -> None:
    paper = tally_counts(spec(seats=2), {"A": 7, "B": 4, "C": 4}, valid=7, blank=0, invalid=0)
    assert paper == tally(spec(seats=2), ballots((4, "ABC"), (3, "A")))


@pytest.mark.parametrize(
    ("counts", "numbers", "message"),
    [
        ({"Z": 1}, (1, 0, 0), "không thuộc cuộc bỏ phiếu này: Z"),
        ({"A": -1}, (1, 0, 0), "không được âm"),
        ({"A": 1}, (-1, 0, 0), "không được âm"),
        ({"A": 1}, (1, -1, 0), "không được âm"),
        ({"A": 1}, (1, 0, -1), "không được âm"),
    ],
)
def test_paper_counts_that_cannot_be_counted_are_refused(
    counts: dict[str, int], numbers: tuple[int, int, int], message: str
) -> None:
    valid, blank, invalid = numbers
    with pytest.raises(ValueError, match=re.escape(message)):
        tally_counts(spec(), counts, valid=valid, blank=blank, invalid=invalid)


def test_a_negative_number_of_invalid_ballots_is_refused() -> None:
    with pytest.raises(ValueError, match="không được âm"):
        tally(spec(), [], invalid=-1)


def problems(poll: PollSpec | None = None, **figures: object) -> list[str]:
    values: dict[str, object] = {
        "issued": 7,
        "returned": 7,
        "valid": 6,
        "blank": 1,
        "invalid": 0,
        "counts": {"A": 5, "B": 2},
        **figures,
    }
    return paper_count_problems(spec=poll or spec(), **values)  # type: ignore[arg-type]


def test_paper_counts_that_add_up_have_no_problems() -> None:
    assert problems() == []
    assert problems(counts={}) == []
    assert problems(issued=9, returned=7, valid=5, blank=1, invalid=1) == []


@pytest.mark.parametrize(
    ("poll", "figures", "expected"),
    [
        (
            None,
            {"returned": 8, "valid": 7},
            ["Số phiếu thu về (8) nhiều hơn số phiếu phát ra (7)."],
        ),
        (
            None,
            {"valid": 5},
            ["Số phiếu hợp lệ (5) + phiếu trắng (1) + phiếu không hợp lệ (0) = 6, khác số phiếu thu về (7)."],
        ),
        (
            spec(labels=("Liên hiệp hội X", "Y", "Z")),
            {"counts": {"A": 7}},
            ["«Liên hiệp hội X» có 7 phiếu, nhiều hơn số phiếu hợp lệ (6)."],
        ),
        (
            None,
            {"counts": {"A": 1, "Q": 1}},
            ["Phương án «Q» không thuộc cuộc bỏ phiếu này."],
        ),
        (
            None,
            {"issued": -1, "returned": -1, "valid": -1, "blank": 1, "invalid": -1, "counts": {"A": -2}},
            [
                "Số phiếu phát ra không được âm (-1).",
                "Số phiếu thu về không được âm (-1).",
                "Số phiếu hợp lệ không được âm (-1).",
                "Số phiếu không hợp lệ không được âm (-1).",
                "Số phiếu của «A» không được âm (-2).",
            ],
        ),
        (
            spec(Method.PICK_UP_TO, max_picks=2),
            {"counts": {"A": 6, "B": 6, "C": 1}},
            ["Tổng số lượt chọn (13) vượt quá số phiếu hợp lệ × số phương án được chọn tối đa (6 × 2 = 12)."],
        ),
        (spec(Method.PICK_UP_TO, max_picks=2), {"counts": {"A": 6, "B": 6}}, []),
        (
            motion(),
            {"counts": {"yes": 4, "no": 1}},
            ["Tổng số phiếu của các ý kiến (5) khác số phiếu hợp lệ (6)."],
        ),
        (motion(), {"counts": {"yes": 4, "no": 1, "abstain": 1}}, []),
        (spec(), {"counts": {"A": 6, "B": 6, "C": 6}}, []),  # approve each: every choice may reach valid
    ],
)
def test_paper_counts_that_do_not_add_up_are_named_in_vietnamese(
    poll: PollSpec | None, figures: dict[str, object], expected: list[str]
) -> None:
    assert problems(poll, **figures) == expected


# --- purity


def test_the_rules_load_in_a_fresh_interpreter_without_pulling_in_django() -> None:
    # A fresh interpreter, because this pytest process has Django loaded by the root conftest.
    code = "import sys, thidua.conferences.rules; sys.exit('django' in sys.modules)"
    result = subprocess.run(  # noqa: S603 -- fixed arguments, no user input
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr or "django was imported"


# --- properties

CHOICE_KEYS = ("A", "B", "C", "D", "E", "F")

fractions_0_to_1 = st.integers(1, 12).flatmap(lambda d: st.builds(Fraction, st.integers(0, d), st.just(d)))


@st.composite
def threshold_strategy(draw: st.DrawFn) -> Threshold:
    fraction = draw(fractions_0_to_1)
    inclusive = draw(st.booleans()) if fraction < 1 else True
    return Threshold(fraction, inclusive)


@st.composite
def poll_specs(draw: st.DrawFn) -> PollSpec:
    method = draw(st.sampled_from(Method))
    size = draw(st.integers(2 if method is Method.MOTION else 1, len(CHOICE_KEYS)))
    choices = CHOICE_KEYS[:size]
    return PollSpec(
        method=method,
        choices=choices,
        seats=1 if method is Method.MOTION else draw(st.integers(1, size + 1)),
        max_picks=draw(st.integers(1, size)),
        threshold=draw(threshold_strategy()),
        base=draw(st.sampled_from(Base)),
        eligible=draw(st.integers(0, 40)),
        members=draw(st.integers(0, 40)),
        quorum=draw(fractions_0_to_1),
        adopt_choice=choices[0] if method is Method.MOTION else None,
        second_round=draw(st.sampled_from(SecondRound)),
    )


@st.composite
def ballots_for(draw: st.DrawFn, poll: PollSpec) -> list[BallotContent]:
    if poll.method is Method.MOTION:
        one = st.sampled_from(poll.choices).map(lambda key: frozenset({key}))
        selection = st.one_of(one, st.just(frozenset()))  # an empty one is a blank ballot
    else:
        most = len(poll.choices) if poll.method is Method.APPROVE_EACH else poll.max_picks
        selection = st.frozensets(st.sampled_from(poll.choices), max_size=most)
    return draw(st.lists(selection.map(BallotContent), max_size=40))


@st.composite
def polls_with_ballots(draw: st.DrawFn) -> tuple[PollSpec, list[BallotContent], int]:
    poll = draw(poll_specs())
    return poll, draw(ballots_for(poll)), draw(st.integers(0, 5))


@given(polls_with_ballots())
def test_a_tally_elects_at_most_the_seats_and_only_choices_that_pass(
    case: tuple[PollSpec, list[BallotContent], int],
) -> None:
    poll, cast, invalid = case
    result = tally(poll, cast, invalid=invalid)
    by_key = {c.key: c for c in result.choices}
    assert len(result.elected) <= poll.seats
    assert all(by_key[key].passes_threshold for key in result.elected)
    assert all(by_key[key].passes_threshold for key in result.runoff)
    assert not set(result.elected) & set(result.runoff)
    assert len(result.elected) < poll.seats or not result.runoff
    assert len(result.elected) + len(result.runoff) > poll.seats or not result.runoff
    assert {c.key for c in result.choices if c.elected} == set(result.elected)
    assert {c.key for c in result.choices if c.tied_for_last_seat} == set(result.runoff)
    assert len({by_key[key].votes for key in result.runoff}) <= 1
    if not result.quorum_met:
        assert result.elected == result.runoff == ()


@given(polls_with_ballots())
def test_a_tally_counts_every_ballot_once_and_each_choice_at_most_once_per_ballot(
    case: tuple[PollSpec, list[BallotContent], int],
) -> None:
    poll, cast, invalid = case
    result = tally(poll, cast, invalid=invalid)
    assert result.participants == len(cast) + invalid == result.valid + result.blank + result.invalid
    assert result.blank == sum(1 for b in cast if not b.selections)
    assert all(0 <= c.votes <= result.valid <= len(cast) for c in result.choices)
    assert sorted(c.key for c in result.choices) == sorted(poll.choices)
    assert [(-c.votes, poll.choices.index(c.key)) for c in result.choices] == sorted(
        (-c.votes, poll.choices.index(c.key)) for c in result.choices
    )


@given(polls_with_ballots())
def test_shares_are_exact_fractions_of_the_base(case: tuple[PollSpec, list[BallotContent], int]) -> None:
    poll, cast, invalid = case
    result = tally(poll, cast, invalid=invalid)
    for choice in result.choices:
        assert type(choice.share) is Fraction
        assert choice.share == (Fraction(choice.votes, result.base) if result.base else 0)
        exact = result.base > 0 and (
            choice.share >= poll.threshold.fraction
            if poll.threshold.inclusive
            else choice.share > poll.threshold.fraction
        )
        assert choice.passes_threshold is exact


@given(polls_with_ballots(), st.randoms(use_true_random=False))
def test_the_order_of_the_ballots_does_not_change_the_tally(
    case: tuple[PollSpec, list[BallotContent], int], rnd: Random
) -> None:
    poll, cast, invalid = case
    shuffled = list(cast)
    rnd.shuffle(shuffled)
    assert tally(poll, shuffled, invalid=invalid) == tally(poll, cast, invalid=invalid)


@given(polls_with_ballots())
def test_paper_counts_of_the_same_ballots_give_the_same_tally_and_add_up(
    case: tuple[PollSpec, list[BallotContent], int],
) -> None:
    poll, cast, invalid = case
    counts = Counter(key for ballot in cast for key in ballot.selections)
    blank = sum(1 for b in cast if not b.selections)
    valid = len(cast) - blank
    assert tally_counts(poll, counts, valid=valid, blank=blank, invalid=invalid) == tally(
        poll, cast, invalid=invalid
    )
    returned = len(cast) + invalid
    figures = {"valid": valid, "blank": blank, "invalid": invalid, "counts": counts}
    # Motion ballots carry one answer each, except the blank ones, which are not in `valid`.
    assert paper_count_problems(spec=poll, issued=returned, returned=returned, **figures) == []  # type: ignore[arg-type]


@given(threshold_strategy(), st.integers(0, 500), st.integers(-3, 503))
def test_the_votes_needed_are_the_least_number_of_votes_that_passes(
    threshold: Threshold, base: int, some_votes: int
) -> None:
    needed = threshold.votes_needed(base)

    def meets(v: int) -> bool:
        if base == 0:
            return False
        share = Fraction(v, base)
        return share >= threshold.fraction if threshold.inclusive else share > threshold.fraction

    assert threshold.passes(some_votes, base) is meets(some_votes)
    if base > 0:
        assert needed <= base
        assert meets(needed)
        if needed > 0:
            assert not meets(needed - 1)
    else:
        assert needed == 1 and not meets(needed)


@settings(max_examples=50)
@given(poll_specs(), st.integers(0, 40))
def test_the_quorum_is_the_least_number_of_participants_reaching_its_share(
    poll: PollSpec, participants: int
) -> None:
    result = tally_counts(poll, {}, valid=0, blank=participants, invalid=0)
    assert result.quorum_needed >= poll.quorum * poll.eligible
    assert result.quorum_needed == 0 or result.quorum_needed - 1 < poll.quorum * poll.eligible
    assert result.quorum_met is (poll.eligible > 0 and Fraction(participants) >= poll.quorum * poll.eligible)


@given(polls_with_ballots())
def test_a_second_round_takes_the_top_of_those_that_did_not_pass_for_the_seats_still_open(
    case: tuple[PollSpec, list[BallotContent], int],
) -> None:
    poll, cast, invalid = case
    result = tally(poll, cast, invalid=invalid)
    by_key = {c.key: c for c in result.choices}
    second = result.second_round
    assert {c.key for c in result.choices if c.in_second_round} == set(second)
    assert not set(second) & (set(result.elected) | set(result.runoff))
    assert not any(by_key[key].passes_threshold for key in second)
    assert [by_key[key].votes for key in second] == sorted(
        (by_key[key].votes for key in second), reverse=True
    )
    if result.runoff or not result.quorum_met or poll.method is Method.MOTION:
        assert result.open_seats == 0
    else:
        assert result.open_seats == poll.seats - len(result.elected)
    if not second:
        return
    assert poll.second_round is SecondRound.TOP_TWO and result.quorum_met and result.base > 0
    assert len(second) > result.open_seats > 0
    below = [c for c in result.choices if not c.passes_threshold]
    # The top two per open seat, and every choice tied with the last of them: nobody left out has as
    # many votes as someone taken.
    assert len(second) >= min(2 * result.open_seats, len(below))
    assert all(c.votes < by_key[second[-1]].votes for c in below if c.key not in second)
    if len(second) > 2 * result.open_seats:
        assert by_key[second[-1]].votes == by_key[second[2 * result.open_seats - 1]].votes


@given(polls_with_ballots())
def test_the_second_round_rule_changes_nothing_but_the_second_round(
    case: tuple[PollSpec, list[BallotContent], int],
) -> None:
    poll, cast, invalid = case
    without = tally(replace(poll, second_round=SecondRound.NONE), cast, invalid=invalid)
    with_top_two = tally(replace(poll, second_round=SecondRound.TOP_TWO), cast, invalid=invalid)
    assert without.second_round == ()
    assert (without.elected, without.runoff, without.open_seats) == (
        with_top_two.elected,
        with_top_two.runoff,
        with_top_two.open_seats,
    )
    assert with_top_two.outcome.startswith(without.outcome)
