"""Background tasks of the years app: the to-do e-mail sweep and the send of one e-mail.

Both are idempotent: a sweep makes each notice once (a unique constraint), and a send task that finds its
notice sent, dropped or handed to a newer task does nothing.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from thidua.years import notices, services


@task()
def send_notice(notice_id: int, claim: int) -> str:
    return notices.send(notice_id=notice_id, claim=claim)


def enqueue_send(notice_id: int, claim: int) -> None:
    send_notice.enqueue(notice_id, claim)


# Below every other task: between two parts of a sweep the worker takes the PDFs and sends queued
# meanwhile first (the database queue hands out the highest priority first).
SWEEP_PRIORITY = -10
# Recipients per part: at national size (44,000 recipients, 12,000 sets of roles) a part takes seconds,
# where the whole sweep took minutes of the only worker `make run` starts.
SWEEP_PART_USERS = 500


@task()
def sweep_notices() -> dict[str, int]:
    """Queue the sweep in parts (notices.parts), each a task of its own below every other task."""
    queued = notices.parts(SWEEP_PART_USERS)
    for first, last in queued:
        sweep_notice_part.enqueue(first, last)
    return {"parts": len(queued)}


@task(priority=SWEEP_PRIORITY)
def sweep_notice_part(first: int | None, last: int | None) -> dict[str, int]:
    now = timezone.now()
    result = notices.sweep(today=timezone.localdate(now), now=now, enqueue=enqueue_send, part=(first, last))
    return {"created": len(result.created), "enqueued": result.enqueued, "dropped": result.dropped}


@task()
def advance_years() -> dict[str, int]:
    """Every open year asked to move on: the stage that ends on a date (an agreement in force from
    1 January) moves without anyone's action, and the to-dos of the next stage appear."""
    return {"moved": services.advance_open_years()}


@task()
def purge_submit_keys() -> dict[str, int]:
    """Forget the one-time keys of forms sent more than a day ago: nobody retries a form after that, and
    the table stays small however many forms are sent (issue 13)."""
    from thidua.audit import submits

    return {"purged": submits.purge()}
