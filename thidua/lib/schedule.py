"""When the background work is due: which e-mail notice a to-do gets on a day, how long a failed send waits,
and which period a recurring job is in. Pure functions: the worker and its tests pass the clock in."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta

APPEARED, REMINDER, LATE = "appeared", "reminder", "late"

# A to-do outside any emulation year (news work) is reminded as many days ahead as a year is by default.
DEFAULT_REMINDER_DAYS = 3

# The first retry of a failed send waits this long, each next one twice as long, up to the cap: an SMTP
# server down for a day is tried about every six hours, and its queue is not hammered meanwhile.
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)


def notice_due(
    *, due: date | None, today: date, reminder_days: int, appeared_on: date | None, sent: Collection[str]
) -> str | None:
    """The notice a to-do gets today, if any: one kind per day at most.

    `appeared_on` is the day its first notice was made (None: not yet), `sent` the kinds it already has.
    The first notice names the deadline and says when it is close or past, so a reminder follows only a
    first notice made before the reminder day, and a late notice only one made by the deadline: nobody
    gets two messages about one piece of work on the same day.
    """
    if appeared_on is None:
        return APPEARED
    if due is None:
        return None
    if today > due:
        return LATE if LATE not in sent and appeared_on <= due else None
    remind_on = due - timedelta(days=reminder_days)
    if reminder_days > 0 and REMINDER not in sent and appeared_on < remind_on <= today:
        return REMINDER
    return None


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before trying again a send that failed `attempts` times (1 or more)."""
    if attempts < 1:
        raise ValueError("attempts counts the failed sends, from 1")
    # 5 min doubled 7 times passes the cap already; bounding the exponent keeps the number small.
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 16), LONGEST_RETRY)


def period_start(moment: datetime, every: timedelta) -> datetime:
    """The start of the period of length `every` that holds `moment`, periods counted from the Unix
    epoch: every process computes the same periods whatever its clock's time zone."""
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    seconds = int(every.total_seconds())
    if seconds <= 0:
        raise ValueError("the period must be at least one second")
    stamp = int(moment.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=UTC)
