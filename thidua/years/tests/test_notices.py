"""To-do e-mails, sent through a real SMTP server the test starts (issue 12, "Done when").

The sweep is given its day: the frozen clock of these tests. Sends go through the task, run at once by
the test settings' ImmediateBackend when the sweep's transaction commits.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from thidua.accounts import permissions
from thidua.accounts import services as accounts
from thidua.accounts.models import Role, User
from thidua.agreements.models import AgreementStatus, Signature
from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment
from thidua.years import notices, schedule, tasks, todos
from thidua.years.models import EmulationYear, Notice, NoticeStatus
from thidua.years.tasks import enqueue_send
from thidua.years.tests.conftest import Inbox, SmtpServer, html_of, subject, text_of
from thidua.years.todos import Todo

# Before every 2026 deadline of the demo (self-scoring 05/12/2026, reviews 12/12, answers 16/12).
EARLY = datetime.date(2026, 11, 2)


SITE = "https://thidua.example.vn"


@pytest.fixture
def sweep(django_capture_on_commit_callbacks: Any, settings: Any) -> Callable[..., notices.SweepResult]:
    """Run a sweep on `today` (and at `now`, default the real time), and the sends it enqueues."""
    settings.PUBLIC_URL = SITE

    def run(today: datetime.date, now: datetime.datetime | None = None) -> notices.SweepResult:
        with django_capture_on_commit_callbacks(execute=True):
            return notices.sweep(today=today, now=now or timezone.now(), enqueue=enqueue_send)

    return run


@pytest.fixture
def year_2026(cluster4: Any) -> EmulationYear:
    return EmulationYear.objects.get(group=cluster4, year=2026)


@pytest.fixture
def extra_todos(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[Todo]]]:
    """A provider of the test's own, registered as any app registers one: to-dos by username, which the
    demo's users, each with roles of their own, stand in for their roles by."""
    by_user: dict[str, list[Todo]] = {}

    def provider(user: User, today: datetime.date) -> list[Todo]:
        return by_user.get(user.username, [])

    monkeypatch.setattr(todos, "_providers", [*todos._providers])
    todos.register(provider)
    yield by_user


def _cross_checks_in_progress(year: EmulationYear, org: Callable[[str], Any]) -> None:
    """Ninh Bình cross-checks Nghệ An's submitted 2026 sheet; Hà Tĩnh's reviewer disagreed on one
    criterion, which Hà Tĩnh has not answered and the secretariat (Quảng Trị in 2026) has not settled."""
    ReviewAssignment.objects.filter(emulation_year=year).delete()
    ReviewAssignment.objects.create(emulation_year=year, reviewer=org("ninh-binh"), reviewed=org("nghe-an"))
    ha_tinh = Assessment.objects.get(emulation_year=year, organization=org("ha-tinh"))
    assert ha_tinh.status == AssessmentStatus.SUBMITTED
    score = ha_tinh.scores.exclude(self_points__isnull=True).order_by("pk").first()
    assert score is not None
    score.reviewed_points = (score.self_points or Decimal(0)) + Decimal("0.5")
    score.final_points = None
    score.answer = ""
    score.save()


def test_each_officer_and_secretariat_todo_sends_one_email_with_its_deadline_link_and_opt_out(
    inbox: Inbox, sweep: Any, year_2026: EmulationYear, org: Any
) -> None:
    _cross_checks_in_progress(year_2026, org)

    sweep(EARLY)

    def subjects(username: str) -> list[str]:
        return inbox.subjects(f"{username}@thidua.example")

    assert "[thidua] Việc cần làm: Tự chấm điểm — Cụm thi đua số 4 năm 2026" in subjects("ninhbinh")
    assert (
        "[thidua] Việc cần làm: Chấm chéo Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Nghệ An — Cụm thi đua số 4 năm 2026"
        in (subjects("ninhbinh"))
    )
    assert "[thidua] Việc cần làm: Giải trình 1 tiêu chí — Cụm thi đua số 4 năm 2026" in subjects("hatinh")
    assert any(s.startswith("[thidua] Việc cần làm: Chốt điểm 1 tiêu chí") for s in subjects("quangtri"))
    # One e-mail per to-do, for every user who has to-dos.
    for user in User.objects.exclude(email=""):
        assert len(inbox.to(user.email)) == len(todos.todos_for(user, EARLY)), user.username

    review = next(m for m in inbox.to("ninhbinh@thidua.example") if "Chấm chéo" in subject(m))
    text, html = text_of(review), html_of(review)
    link = SITE + reverse("scoring:review", args=["vusta-cum-4", 2026, "lhh-nghe-an"])
    for body in (text, html):
        assert "Hạn: " in body and "12/12/2026" in body
        assert link in body
        assert f"{SITE}/tai-khoan/" in body  # where to turn the e-mails off
    assert "Để không nhận thư nhắc việc nữa" in text
    assert f'<a href="{link}"' in html
    assert Notice.objects.filter(status=NoticeStatus.SENT).count() == len(inbox.messages)

    # The next sweep, the same day or a week on (before any reminder is due), sends nothing more.
    sweep(EARLY)
    sweep(EARLY + datetime.timedelta(days=7))
    assert len(inbox.messages) == Notice.objects.count()


def _colleague_of(username: str) -> User:
    """A second account holding exactly the roles of `username`, as a unit's office shares its role."""
    original = User.objects.get(username=username)
    colleague = User.objects.create_user(
        username=f"{username}-2", password="x", email=f"{username}-2@thidua.example"
    )
    for role in Role.objects.filter(user=original):
        Role.objects.create(user=colleague, kind=role.kind, organization=role.organization)
    return colleague


def test_every_provider_gives_two_users_who_hold_the_same_roles_the_same_todos(
    year_2026: EmulationYear, org: Any
) -> None:
    _cross_checks_in_progress(year_2026, org)
    pairs = [
        (User.objects.get(username=name), _colleague_of(name))
        for name in ("ninhbinh", "hatinh", "quangtri", "vusta", "bientap", "duyettin")
    ]
    asked = 0
    for day in (EARLY, datetime.date(2026, 12, 14), datetime.date(2027, 1, 20)):
        for provider in todos._providers:
            for user, colleague in pairs:
                mine = list(provider(User.objects.get(pk=user.pk), day))
                theirs = list(provider(User.objects.get(pk=colleague.pk), day))
                assert mine == theirs, (provider.__qualname__, user.username, day)
                asked += bool(mine)
    assert asked, "some provider must have to-dos for these users, or the comparison proves nothing"


def test_the_sweep_asks_for_the_todos_once_per_set_of_roles_and_emails_every_holder(
    inbox: Inbox, sweep: Any, year_2026: EmulationYear, org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cross_checks_in_progress(year_2026, org)
    _colleague_of("ninhbinh")
    asked: list[str] = []
    real = notices.todos_for

    def counted(user: User, today: datetime.date) -> list[Todo]:
        asked.append(str(user.pk))
        return real(user, today)

    monkeypatch.setattr(notices, "todos_for", counted)
    sweep(EARLY)
    recipients = list(notices.recipients())
    sets_of_roles = {permissions.role_signature(user) for user in recipients}
    assert len(asked) == len(sets_of_roles) < len(recipients)  # the two Ninh Bình officers: once
    ninh_binh = sorted(subject(m) for m in inbox.to("ninhbinh@thidua.example"))
    assert ninh_binh and sorted(subject(m) for m in inbox.to("ninhbinh-2@thidua.example")) == ninh_binh


def test_the_sweep_in_parts_covers_each_recipient_once_and_makes_the_notices_one_sweep_makes(
    inbox: Inbox, sweep: Any, year_2026: EmulationYear, django_capture_on_commit_callbacks: Any
) -> None:
    recipients = list(notices.recipients().values_list("pk", flat=True))
    cut = notices.parts(2)
    assert len(cut) == -(-len(recipients) // 2) and cut[0][0] is None and cut[-1][1] is None
    covered = [
        pk
        for first, last in cut
        for pk in recipients
        if (first is None or pk > first) and (last is None or pk <= last)
    ]
    assert covered == recipients
    with django_capture_on_commit_callbacks(execute=True):
        for part in cut:
            notices.sweep(today=EARLY, now=timezone.now(), enqueue=enqueue_send, part=part)
    in_parts = sorted(Notice.objects.values_list("user_id", "key", "kind", "status"))
    assert in_parts and {status for *_, status in in_parts} == {NoticeStatus.SENT}
    sent = len(inbox.messages)
    assert sent == len(in_parts)

    Notice.objects.all().delete()
    sweep(EARLY)
    assert sorted(Notice.objects.values_list("user_id", "key", "kind", "status")) == in_parts
    assert len(inbox.messages) == 2 * sent


def test_the_scheduled_sweep_queues_its_parts_below_every_other_task_and_holds_the_next_period(
    year_2026: EmulationYear, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert tasks.sweep_notices.call() == {"parts": len(notices.parts(tasks.SWEEP_PART_USERS))}
    parts = DBTaskResult.objects.filter(task_path=tasks.sweep_notice_part.module_path)
    assert parts.exists() and set(parts.values_list("priority", flat=True)) == {tasks.SWEEP_PRIORITY}
    # A send queued after the parts is handed out before them.
    send = tasks.send_notice.enqueue(1, 1)
    assert str(DBTaskResult.objects.ready().first().id) == send.id  # type: ignore[union-attr]
    job = next(j for j in schedule.jobs() if j.name == "years.sweep_notices")
    assert schedule._unfinished(job)
    parts.update(status=TaskResultStatus.SUCCESSFUL)
    assert not schedule._unfinished(job)


def test_each_member_that_has_not_signed_the_agreement_is_asked_to_sign_once(
    inbox: Inbox, sweep: Any, year_2026: EmulationYear, org: Any
) -> None:
    agreement = year_2026.agreements.get(status=AgreementStatus.IN_FORCE)
    agreement.status = AgreementStatus.SIGNING
    agreement.save(update_fields=["status"])
    Signature.objects.filter(agreement=agreement, organization__in=[org("ninh-binh"), org("hue")]).delete()

    sweep(datetime.date(2026, 1, 10))
    sweep(datetime.date(2026, 1, 11))

    for username in ("ninhbinh", "hue"):
        (message,) = [m for m in inbox.to(f"{username}@thidua.example") if "Ký giao ước" in subject(m)]
        assert subject(message) == "[thidua] Việc cần làm: Ký giao ước — Cụm thi đua số 4 năm 2026"
        assert "31/01/2026" in text_of(message)
        assert f"{SITE}/nam-thi-dua/vusta-cum-4/2026/giao-uoc/" in text_of(message)
    assert not [m for m in inbox.to("nghean@thidua.example") if "Ký giao ước" in subject(m)]


def test_any_apps_provider_gets_its_todos_emailed_with_the_reminder_and_late_notice_on_their_days(
    inbox: Inbox, sweep: Any, extra_todos: dict[str, list[Todo]], year_2026: EmulationYear
) -> None:
    due = datetime.date(2027, 3, 10)
    year_2026.reminder_days = 5
    year_2026.save(update_fields=["reminder_days"])
    extra_todos["bientap"] = [
        Todo("news:1", "Duyệt tin «Hội nghị»", "/tin-tuc/", due, False),  # no year: 3 days ahead
        Todo("year:1", "Nộp báo cáo thành tích", "/nam-thi-dua/", due, False, year_2026.pk),  # 5 days
    ]
    editor = "bientap@thidua.example"
    sent_on: dict[datetime.date, list[str]] = {}
    for offset in range(-12, 4):
        day = due + datetime.timedelta(days=offset)
        before = len(inbox.to(editor))
        sweep(day)
        sweep(day)  # a second worker the same day changes nothing
        new = [subject(m) for m in inbox.to(editor)[before:]]
        if new:
            sent_on[day] = sorted(new)

    assert sent_on == {
        due - datetime.timedelta(days=12): [
            "[thidua] Việc cần làm: Duyệt tin «Hội nghị»",
            "[thidua] Việc cần làm: Nộp báo cáo thành tích",
        ],
        due - datetime.timedelta(days=5): ["[thidua] Nhắc việc: Nộp báo cáo thành tích"],
        due - datetime.timedelta(days=3): ["[thidua] Nhắc việc: Duyệt tin «Hội nghị»"],
        due + datetime.timedelta(days=1): [
            "[thidua] Quá hạn: Duyệt tin «Hội nghị»",
            "[thidua] Quá hạn: Nộp báo cáo thành tích",
        ],
    }
    late = next(m for m in inbox.to(editor) if subject(m) == "[thidua] Quá hạn: Duyệt tin «Hội nghị»")
    assert "đã quá hạn" in text_of(late) and "10/03/2027" in text_of(late)


def test_a_user_who_turned_the_emails_off_gets_none_and_a_pending_one_is_dropped(
    smtp: SmtpServer, sweep: Any, officer_ninh_binh: User, client_for: Any, year_2026: EmulationYear
) -> None:
    # Made while the server was down: pending when the officer turns the e-mails off on the account page.
    sweep(EARLY)
    pending = Notice.objects.get(user=officer_ninh_binh, key__startswith=f"self-score:{year_2026.pk}:")
    assert pending.status == NoticeStatus.PENDING
    response = client_for(officer_ninh_binh).post(
        "/tai-khoan/", {"email": officer_ninh_binh.email}, follow=True
    )
    assert "Đã lưu thiết lập thư." in response.content.decode()
    officer_ninh_binh.refresh_from_db()
    assert officer_ninh_binh.email_reminders is False

    smtp.start()
    sweep(EARLY, timezone.now() + datetime.timedelta(hours=1))
    sweep(datetime.date(2026, 12, 6), timezone.now() + datetime.timedelta(days=35))  # late for others

    assert smtp.inbox.to(officer_ninh_binh.email) == []
    assert smtp.inbox.to("quangtri@thidua.example")  # the others still get theirs
    pending.refresh_from_db()
    assert pending.status == NoticeStatus.DROPPED
    assert not Notice.objects.filter(user=officer_ninh_binh).exclude(status=NoticeStatus.DROPPED).exists()


def test_with_the_mail_server_down_the_email_is_kept_and_arrives_once_when_a_later_sweep_retries(
    smtp: SmtpServer, sweep: Any, officer_ninh_binh: User, caplog: Any, year_2026: EmulationYear
) -> None:
    now = timezone.now()
    sweep(EARLY, now)
    notice = Notice.objects.get(user=officer_ninh_binh, key__startswith=f"self-score:{year_2026.pk}:")
    assert (notice.status, notice.attempts) == (NoticeStatus.PENDING, 1)
    assert notice.next_attempt_at is not None and notice.next_attempt_at > now
    assert "not sent (attempt 1, ConnectionRefusedError)" in caplog.text
    assert officer_ninh_binh.email not in caplog.text  # the log names the notice, not the person

    smtp.start()
    sweep(EARLY, now)  # too early for the retry: it waits its turn
    assert smtp.inbox.to(officer_ninh_binh.email) == []

    sweep(EARLY, now + datetime.timedelta(hours=1))
    sweep(EARLY, now + datetime.timedelta(hours=2))
    assert smtp.inbox.subjects(officer_ninh_binh.email) == [
        "[thidua] Việc cần làm: Tự chấm điểm — Cụm thi đua số 4 năm 2026",
    ]
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.reason) == (NoticeStatus.SENT, 2, "")
    # Nothing about any to-do was lost: every pending notice went out, once.
    assert not Notice.objects.exclude(status=NoticeStatus.SENT).exists()
    assert len(smtp.inbox.messages) == Notice.objects.count()


def test_a_pending_email_about_work_done_meanwhile_is_dropped_not_sent(
    db: None, smtp: SmtpServer, sweep: Any, extra_todos: dict[str, list[Todo]]
) -> None:
    extra_todos["bientap"] = [Todo("news:2", "Duyệt tin", "/tin-tuc/", None, False)]
    sweep(EARLY)
    extra_todos["bientap"] = []  # approved while the mail server was down
    smtp.start()
    sweep(EARLY, timezone.now() + datetime.timedelta(hours=1))
    assert smtp.inbox.to("bientap@thidua.example") == []
    assert Notice.objects.get(key="news:2").status == NoticeStatus.DROPPED


def test_an_address_the_server_refuses_is_shown_on_the_account_page_and_not_tried_again(
    inbox: Inbox, sweep: Any, officer_ninh_binh: User, client_for: Any, caplog: Any
) -> None:
    inbox.refuse.add(officer_ninh_binh.email)
    sweep(EARLY)

    refused = Notice.objects.filter(user=officer_ninh_binh)
    assert {n.status for n in refused} == {NoticeStatus.REFUSED}
    message = "Máy chủ thư từ chối địa chỉ ninhbinh@thidua.example (mã 550); hãy sửa địa chỉ e-mail"
    assert all(n.reason.startswith(message) for n in refused)
    assert "refused the address for good (550)" in caplog.text
    client = client_for(officer_ninh_binh)
    assert message in client.get("/tai-khoan/").content.decode()
    assert inbox.to("quangtri@thidua.example")  # the others' mail went out

    # Neither retried nor followed by new notices while the address stays refused.
    count = Notice.objects.count()
    sweep(datetime.date(2026, 12, 6), timezone.now() + datetime.timedelta(days=1))
    assert Notice.objects.filter(user=officer_ninh_binh).count() == refused.count()
    assert Notice.objects.count() > count  # late notices for the others
    assert inbox.to(officer_ninh_binh.email) == []

    # A corrected address clears the message; the next notice goes to it.
    client.post("/tai-khoan/", {"email": "can-bo.ninhbinh@thidua.example", "email_reminders": "on"})
    assert message not in client.get("/tai-khoan/").content.decode()
    sweep(datetime.date(2026, 12, 7), timezone.now() + datetime.timedelta(days=2))
    assert inbox.to("can-bo.ninhbinh@thidua.example")


def test_an_invalid_address_on_the_account_page_is_refused_by_name_and_nothing_changes(
    officer_ninh_binh: User, client_for: Any
) -> None:
    response = client_for(officer_ninh_binh).post(
        "/tai-khoan/", {"email": "ninhbinh@", "email_reminders": ""}
    )
    assert response.status_code == 200
    assert "Địa chỉ e-mail không hợp lệ." in response.content.decode()
    officer_ninh_binh.refresh_from_db()
    assert (officer_ninh_binh.email, officer_ninh_binh.email_reminders) == ("ninhbinh@thidua.example", True)


def test_turning_the_emails_off_and_changing_the_address_are_audited_for_the_user_only(
    officer_ninh_binh: User, officer_nghe_an: User
) -> None:
    from django.core.exceptions import PermissionDenied

    from thidua.audit.models import AuditEvent

    assert accounts.set_email_reminders(actor=officer_ninh_binh, user=officer_ninh_binh, enabled=False)
    assert not accounts.set_email_reminders(actor=officer_ninh_binh, user=officer_ninh_binh, enabled=False)
    assert accounts.change_email(actor=officer_ninh_binh, user=officer_ninh_binh, email="nb@thidua.example")
    verbs = list(AuditEvent.objects.order_by("-seq").values_list("verb", flat=True)[:2])
    assert verbs == ["account.email", "account.email_reminders"]
    with pytest.raises(PermissionDenied):
        accounts.set_email_reminders(actor=officer_nghe_an, user=officer_ninh_binh, enabled=True)
