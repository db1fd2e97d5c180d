"""To-do e-mails: the sweep that finds which notices are due, and the send of one notice.

The sweep asks `todos_for` what waits for every user who takes the e-mails, makes the notices that are due
today (`thidua.lib.schedule.notice_due`) and enqueues one send task each once they are committed. A notice
stays pending until it is sent: a send that fails is tried again by a later sweep, after a delay that grows
with each failure, so a mail server that is down for a while loses nothing. An address the server refuses
for good is not tried again; the user finds why on the account page.

Each sweep or send is the worker's own state change, not a user's: no audit event, the Notice row is the
record.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.lib import schedule
from thidua.years.models import EmulationYear
from thidua.years.notice_models import Notice, NoticeKind, NoticeStatus
from thidua.years.todos import Todo, todos_for

logger = logging.getLogger(__name__)

# How long a send may take before the sweep assumes its worker died and enqueues it again. Well above
# EMAIL_TIMEOUT, so that a slow send is not doubled.
SEND_LEASE = timedelta(minutes=15)

Enqueue = Callable[[int, int], None]

# Users whose roles are read in one query.
_ROLES_BATCH = 2000


@dataclass
class SweepResult:
    created: list[Notice] = field(default_factory=list)
    enqueued: int = 0
    dropped: int = 0


def recipients() -> QuerySet[User]:
    """Users the to-do e-mails go to: active, with an address the server has not refused, not opted out."""
    return (
        User.objects.filter(is_active=True, email_reminders=True, email_refused="")
        .exclude(email="")
        .order_by("pk")
        # What the sweep reads of a user: the notices it makes only refer to them.
        .only("pk", "is_active")
    )


# One part of the sweep: the users whose id is above the first bound and at most the second; None leaves
# that end open, so that the parts together cover every user, recipient or not.
Part = tuple[int | None, int | None]
WHOLE: Part = (None, None)


def parts(size: int) -> list[Part]:
    """The sweep cut into parts of `size` recipients, in id order: the first open below, the last open
    above. A unit's officers have neighbouring ids, so each part still asks about most roles once."""
    ids = list(recipients().values_list("pk", flat=True))
    bounds: list[int | None] = [None, *ids[size - 1 : -1 : size], None]
    return list(pairwise(bounds))


def _in_part(field: str, part: Part) -> dict[str, int]:
    first, last = part
    return {
        **({f"{field}__gt": first} if first is not None else {}),
        **({f"{field}__lte": last} if last is not None else {}),
    }


def sweep(*, today: date, now: datetime, enqueue: Enqueue, part: Part = WHOLE) -> SweepResult:
    """Make today's notices for the to-dos of every recipient in `part` (all of them by default), drop the
    pending ones whose work is done, and enqueue a send for each notice of the part's users waiting to
    go. `enqueue(notice_id, claim)` runs after the commit."""
    result = SweepResult()
    reminder_days = dict(EmulationYear.objects.values_list("pk", "reminder_days"))
    # A user's to-dos follow from their roles alone (thidua/years/todos.py, Provider): the officers who
    # share a unit's role, four of them in the national demo, are asked about once.
    by_roles: dict[frozenset[tuple[str, int]], list[Todo]] = {}
    users = list(recipients().filter(**_in_part("pk", part)))
    for start in range(0, len(users), _ROLES_BATCH):
        batch = users[start : start + _ROLES_BATCH]
        permissions.load_roles_of(batch)
        for user in batch:
            signature = permissions.role_signature(user)
            todos = by_roles.get(signature)
            if todos is None:
                todos = by_roles[signature] = todos_for(user, today)
            _sweep_user(user, todos, today, now, reminder_days, result)
    # Pending notices of anyone, due for a (first or next) try: those just made, those whose send failed
    # and waited long enough, and those whose send task was lost with its worker.
    due = Notice.objects.filter(
        status=NoticeStatus.PENDING, next_attempt_at__lte=now, **_in_part("user_id", part)
    ).order_by("pk")
    for notice_id, claim in due.values_list("pk", "claim"):
        result.enqueued += _claim_for_send(notice_id, claim, now, enqueue)
    return result


def _sweep_user(
    user: User,
    todos: list[Todo],
    today: date,
    now: datetime,
    reminder_days: dict[int, int],
    result: SweepResult,
) -> None:
    open_keys = {todo.key for todo in todos}
    with transaction.atomic():
        notices = list(Notice.objects.filter(user=user).only("key", "kind", "day", "status"))
        done = [n.pk for n in notices if n.status == NoticeStatus.PENDING and n.key not in open_keys]
        if done:
            result.dropped += Notice.objects.filter(pk__in=done, status=NoticeStatus.PENDING).update(
                status=NoticeStatus.DROPPED, reason="Việc đã xong trước khi thư được gửi."
            )
        by_key: dict[str, dict[str, date]] = {}
        for notice in notices:
            by_key.setdefault(notice.key, {})[notice.kind] = notice.day
        for todo in todos:
            sent = by_key.get(todo.key, {})
            days = (
                reminder_days.get(todo.emulation_year_id, schedule.DEFAULT_REMINDER_DAYS)
                if todo.emulation_year_id
                else schedule.DEFAULT_REMINDER_DAYS
            )
            kind = schedule.notice_due(
                due=todo.due,
                today=today,
                reminder_days=days,
                appeared_on=sent.get(schedule.APPEARED),
                sent=sent.keys(),
            )
            if kind is not None and (made := _create(user, todo, kind, today, now)) is not None:
                result.created.append(made)


def _create(user: User, todo: Todo, kind: str, today: date, now: datetime) -> Notice | None:
    try:
        with transaction.atomic():
            return Notice.objects.create(
                user=user,
                key=todo.key,
                kind=kind,
                emulation_year_id=todo.emulation_year_id,
                text=todo.text[:300],
                url=todo.url[:500],
                due=todo.due,
                day=today,
                # Due now: the sweep's last step enqueues it with the others.
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:
        return None  # a sweep running at the same time made it first


def _claim_for_send(notice_id: int, claim: int, now: datetime, enqueue: Enqueue) -> int:
    """Hand the notice to one send task: the claim number moves on only if nobody moved it meanwhile."""
    with transaction.atomic():
        taken = Notice.objects.filter(
            pk=notice_id, claim=claim, status=NoticeStatus.PENDING, next_attempt_at__lte=now
        ).update(claim=F("claim") + 1, next_attempt_at=now + SEND_LEASE)
        if taken:
            transaction.on_commit(lambda: enqueue(notice_id, claim + 1))
    return taken


def send(*, notice_id: int, claim: int) -> str:
    """Send one notice, unless it was sent, dropped or handed to a newer task meanwhile. Returns what
    happened: "sent", "failed" (tried again later), "refused", "dropped" or "skipped"."""
    now = timezone.now()
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update()
            .select_related("user")
            .filter(pk=notice_id, claim=claim, status=NoticeStatus.PENDING)
            .first()
        )
        if notice is None:
            return "skipped"
        user = notice.user
        if not (user.is_active and user.email and user.email_reminders):
            notice.status = NoticeStatus.DROPPED
            notice.reason = "Người nhận đã tắt thư nhắc việc hoặc không còn địa chỉ e-mail."
            notice.next_attempt_at = None
            notice.save(update_fields=["status", "reason", "next_attempt_at"])
            return "dropped"
        if user.email_refused:
            _refuse(notice, user.email_refused)
            return "refused"
        notice.attempts += 1
        notice.address = user.email
        # The lease: should this worker die during the send, a sweep after it enqueues the notice again.
        notice.next_attempt_at = now + SEND_LEASE
        notice.save(update_fields=["attempts", "address", "next_attempt_at"])
    message = _message(notice, user)
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            return _refused_for_good(notice, user, codes[0])
        return _failed(notice, error, now)
    except (smtplib.SMTPException, OSError) as error:  # server down, timeout, TLS, login, 4xx
        return _failed(notice, error, now)
    # Marked sent whatever the claim is now: a newer task for this notice must not send it again.
    Notice.objects.filter(pk=notice.pk, status=NoticeStatus.PENDING).update(
        status=NoticeStatus.SENT, sent_at=timezone.now(), next_attempt_at=None, reason=""
    )
    return "sent"


def _failed(notice: Notice, error: Exception, now: datetime) -> str:
    wait = schedule.retry_delay(notice.attempts)
    # The class and the server's reply code only: the message may echo addresses or the login.
    code = getattr(error, "smtp_code", None)
    logger.warning(
        "to-do e-mail %s not sent (attempt %d, %s%s); next try in %s",
        notice.pk,
        notice.attempts,
        type(error).__name__,
        f" {code}" if code else "",
        wait,
    )
    Notice.objects.filter(pk=notice.pk, status=NoticeStatus.PENDING).update(
        next_attempt_at=now + wait,
        reason=f"Chưa gửi được (lần {notice.attempts}): máy chủ thư không nhận; sẽ gửi lại sau.",
    )
    return "failed"


def _refused_for_good(notice: Notice, user: User, code: int) -> str:
    reason = (
        f"Máy chủ thư từ chối địa chỉ {notice.address} (mã {code}); "
        "hãy sửa địa chỉ e-mail để nhận thư nhắc việc."
    )
    logger.warning("to-do e-mail %s: the mail server refused the address for good (%d)", notice.pk, code)
    with transaction.atomic():
        _refuse(notice, reason)
        # The user may have changed the address while the server answered: the new one is not refused.
        # Saved, not updated, so that the signed-in user cached for the web processes is dropped.
        current = User.objects.select_for_update().filter(pk=user.pk, email=notice.address).first()
        if current is not None:
            current.email_refused = reason
            current.save(update_fields=["email_refused"])
    return "refused"


def _refuse(notice: Notice, reason: str) -> None:
    Notice.objects.filter(pk=notice.pk, status=NoticeStatus.PENDING).update(
        status=NoticeStatus.REFUSED, reason=reason[:300], next_attempt_at=None
    )


def public_url(path: str) -> str:
    """The absolute address of a page of thidua, as a link in an e-mail must be."""
    base = settings.PUBLIC_URL or settings.WAGTAILADMIN_BASE_URL
    return base.rstrip("/") + path


SUBJECTS = {
    NoticeKind.APPEARED: "Việc cần làm: {text}",
    NoticeKind.REMINDER: "Nhắc việc: {text}",
    NoticeKind.LATE: "Quá hạn: {text}",
}


def _message(notice: Notice, user: User) -> EmailMultiAlternatives:
    context = {
        "notice": notice,
        "user": user,
        # As on the day the notice was made: a send retried days later still tells the same story.
        "overdue": bool(notice.due and notice.due < notice.day),
        "link": public_url(notice.url),
        "account_link": public_url(reverse("accounts:profile")),
    }
    subject = "[thidua] " + SUBJECTS[NoticeKind(notice.kind)].format(text=notice.text)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # no line break may reach a header
        body=render_to_string("email/todo_notice.txt", context),
        to=[notice.address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("email/todo_notice.html", context), "text/html")
    return message
