"""When notices are due, how long a failed send waits, and which period a recurring job is in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from thidua.lib.schedule import APPEARED, LATE, REMINDER, notice_due, period_start, retry_delay

DUE = date(2026, 12, 5)
D = timedelta(days=1)

# (today, reminder_days, appeared_on, already sent, expected), for a to-do due on DUE.
CASES = [
    (DUE - 20 * D, 3, None, set(), APPEARED),  # first seen: always the first notice
    (DUE + 4 * D, 3, None, set(), APPEARED),  # first seen late: one notice, which says it is late
    (DUE - 19 * D, 3, DUE - 20 * D, {APPEARED}, None),
    (DUE - 4 * D, 3, DUE - 20 * D, {APPEARED}, None),  # the day before the reminder day
    (DUE - 3 * D, 3, DUE - 20 * D, {APPEARED}, REMINDER),
    (DUE - 1 * D, 3, DUE - 20 * D, {APPEARED}, REMINDER),  # the worker was down on the reminder day
    (DUE - 2 * D, 3, DUE - 20 * D, {APPEARED, REMINDER}, None),
    (DUE, 3, DUE - 20 * D, {APPEARED, REMINDER}, None),  # the deadline itself is not late
    (DUE + D, 3, DUE - 20 * D, {APPEARED, REMINDER}, LATE),
    (DUE + 9 * D, 3, DUE - 20 * D, {APPEARED}, LATE),  # the reminder missed is not sent late
    (DUE + 2 * D, 3, DUE - 20 * D, {APPEARED, REMINDER, LATE}, None),
    (DUE - 2 * D, 3, DUE - 2 * D, {APPEARED}, None),  # appeared inside the window: no reminder too
    (DUE - 3 * D, 3, DUE - 3 * D, {APPEARED}, None),  # appeared on the reminder day itself
    (DUE + D, 3, DUE + D, {APPEARED}, None),  # appeared late: that first notice said so
    (DUE + D, 3, DUE, {APPEARED}, LATE),  # appeared on the deadline day: late the day after
    (DUE - 3 * D, 0, DUE - 20 * D, {APPEARED}, None),  # 0 days: no reminder
    (DUE - 10 * D, 10, DUE - 11 * D, {APPEARED}, REMINDER),  # the year's own setting
]


@pytest.mark.parametrize(("today", "days", "appeared_on", "sent", "expected"), CASES)
def test_a_todo_gets_its_first_notice_then_a_reminder_then_a_late_notice_each_on_its_day(
    today: date, days: int, appeared_on: date | None, sent: set[str], expected: str | None
) -> None:
    assert (
        notice_due(due=DUE, today=today, reminder_days=days, appeared_on=appeared_on, sent=sent) == expected
    )


def test_a_todo_without_a_deadline_gets_its_first_notice_only() -> None:
    assert notice_due(due=None, today=DUE, reminder_days=3, appeared_on=None, sent=set()) == APPEARED
    assert notice_due(due=None, today=DUE, reminder_days=3, appeared_on=DUE - D, sent={APPEARED}) is None


def test_each_failed_send_waits_twice_as_long_as_the_one_before_up_to_six_hours() -> None:
    waits = [retry_delay(n) for n in range(1, 10)]
    assert waits[:4] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert waits[-1] == timedelta(hours=6) and max(waits) == timedelta(hours=6)
    assert retry_delay(10**6) == timedelta(hours=6)
    with pytest.raises(ValueError, match="from 1"):
        retry_delay(0)


def test_every_process_finds_the_same_period_whatever_its_time_zone() -> None:
    moment = datetime(2026, 12, 5, 9, 7, 42, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    start = period_start(moment, timedelta(minutes=5))
    assert start == datetime(2026, 12, 5, 2, 5, tzinfo=UTC)
    assert period_start(moment.astimezone(UTC), timedelta(minutes=5)) == start
    assert period_start(start + timedelta(minutes=4, seconds=59), timedelta(minutes=5)) == start
    assert period_start(start + timedelta(minutes=5), timedelta(minutes=5)) == start + timedelta(minutes=5)


def test_a_period_needs_an_aware_moment_and_a_length() -> None:
    with pytest.raises(ValueError, match="aware"):
        period_start(datetime(2026, 12, 5), timedelta(minutes=5))
    with pytest.raises(ValueError, match="one second"):
        period_start(datetime.now(UTC), timedelta(0))
