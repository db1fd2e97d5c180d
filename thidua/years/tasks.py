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


@task()
def sweep_notices() -> dict[str, int]:
    now = timezone.now()
    result = notices.sweep(today=timezone.localdate(now), now=now, enqueue=enqueue_send)
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
