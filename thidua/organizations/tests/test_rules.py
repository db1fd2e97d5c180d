from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.organizations import rules

D = datetime.date


@pytest.mark.parametrize(
    ("valid_froms", "day", "expected"),
    [
        ([], D(2023, 1, 1), None),
        ([D(1995, 1, 1)], D(2023, 12, 31), 0),
        ([D(1995, 1, 1), D(2025, 1, 1)], D(2024, 12, 31), 0),
        ([D(1995, 1, 1), D(2025, 1, 1)], D(2025, 1, 1), 1),
        ([D(1995, 1, 1), D(2025, 1, 1)], D(1990, 1, 1), 0),
    ],
)
def test_the_name_in_force_is_the_latest_one_started_on_or_before_the_day(
    valid_froms: list[datetime.date], day: datetime.date, expected: int | None
) -> None:
    assert rules.name_index_on(valid_froms, day) == expected


@pytest.mark.parametrize(
    ("year", "ended_on", "expected"),
    [
        (2023, None, D(2023, 12, 31)),
        (2025, D(2025, 7, 1), D(2025, 6, 30)),
        (2024, D(2025, 7, 1), D(2024, 12, 31)),
        (2025, D(2025, 1, 1), D(2025, 1, 1)),
    ],
)
def test_a_year_is_named_by_its_last_day_or_the_last_day_the_organization_existed(
    year: int, ended_on: datetime.date | None, expected: datetime.date
) -> None:
    assert rules.reference_day(year, ended_on) == expected


@pytest.mark.parametrize(
    ("year", "ended_on", "active"),
    [
        (2025, D(2025, 7, 1), True),
        (2026, D(2025, 7, 1), False),
        (2025, D(2025, 1, 1), False),
        (2026, None, True),
    ],
)
def test_an_organization_merged_by_new_year_cannot_be_a_member_that_year(
    year: int, ended_on: datetime.date | None, active: bool
) -> None:
    assert rules.is_active_in_year(year, ended_on) is active


@pytest.mark.parametrize(
    ("year", "ok"), [(1999, False), (2000, True), (2026, True), (2028, True), (2029, False)]
)
def test_years_run_from_2000_to_two_years_ahead(year: int, ok: bool) -> None:
    assert rules.year_in_range(year, D(2026, 11, 24)) is ok


@pytest.mark.parametrize(
    ("value", "words"),
    [(Fraction(1, 2), "1/2 (50%)"), (Fraction(2, 3), "2/3 (66,67%)"), (Fraction(4, 5), "4/5 (80%)")],
)
def test_fractions_are_shown_exactly_with_a_percentage_to_read(value: Fraction, words: str) -> None:
    assert rules.fraction_words(value) == words


def test_rotation_moves_the_deputy_up_and_offers_the_longest_waiting_member_as_deputy() -> None:
    members = ["nb", "th", "na", "ht", "qt", "hue"]
    headed = {"th": [2022], "nb": [2023], "na": [2024], "ht": [2025]}
    assert rules.suggest_rotation(members, headed, "qt") == ("qt", "hue")


def test_rotation_without_a_deputy_offers_members_that_never_headed_first() -> None:
    assert rules.suggest_rotation(["a", "b", "c"], {"a": [2020], "b": [2019]}, None) == ("c", "b")


def test_rotation_of_an_empty_group_suggests_nobody() -> None:
    assert rules.suggest_rotation([], {}, None) == (None, None)


def test_rotation_of_a_single_member_group_suggests_only_a_head() -> None:
    assert rules.suggest_rotation(["a"], {}, "a") == ("a", None)


@given(
    st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True),
    st.dictionaries(st.sampled_from("abcdefgh"), st.lists(st.integers(2000, 2030), min_size=1, max_size=3)),
    st.one_of(st.none(), st.sampled_from("abcdefgh")),
)
def test_rotation_always_suggests_two_different_members_of_the_group(
    members: list[str], headed: dict[str, list[int]], deputy: str | None
) -> None:
    head, new_deputy = rules.suggest_rotation(members, headed, deputy)
    assert head in members
    assert new_deputy is None or (new_deputy in members and new_deputy != head)
    if deputy in members:
        assert head == deputy


@pytest.mark.parametrize(
    ("percent", "problem"),
    [
        ("0", None),
        ("70", None),
        ("72.5", None),
        ("69.99", None),
        ("100", None),
        ("100.00", None),
        ("-1", "Tỷ lệ nữ (%) phải từ 0 đến 100, không phải -1."),
        ("100.01", "Tỷ lệ nữ (%) phải từ 0 đến 100, không phải 100,01."),
        ("120", "Tỷ lệ nữ (%) phải từ 0 đến 100, không phải 120."),
        ("NaN", "Tỷ lệ nữ (%) phải từ 0 đến 100, không phải NaN."),
        ("69.995", "Tỷ lệ nữ (%) chỉ ghi tối đa hai chữ số thập phân, ví dụ 72,5."),
    ],
)
def test_a_women_share_is_a_percentage_from_0_to_100_with_at_most_two_decimals(
    percent: str, problem: str | None
) -> None:
    assert rules.women_percent_problem(Decimal(percent)) == problem
