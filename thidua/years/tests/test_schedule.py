"""The worker's recurring jobs: each runs once per period however many worker processes tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from thidua.years import schedule
from thidua.years.models import PeriodicRun

RUNS: list[str] = []


@task()
def count_run() -> None:
    RUNS.append("run")


@pytest.fixture
def job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule, "_jobs", {})
    RUNS.clear()
    schedule.register(name="test.count", every=timedelta(minutes=5), task=count_run)


def test_three_workers_ticking_every_second_run_a_job_once_per_period(
    db: None, job: None, django_capture_on_commit_callbacks: Any
) -> None:
    workers = [schedule.Scheduler() for _ in range(3)]
    start = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        started = [w.tick(now=start + timedelta(seconds=s)) for s in range(0, 600, 7) for w in workers]
    assert sum(len(names) for names in started) == 2  # 02:00 and 02:05
    assert RUNS == ["run", "run"]
    assert sorted(PeriodicRun.objects.filter(job="test.count").values_list("period_start", flat=True)) == [
        start,
        start + timedelta(minutes=5),
    ]


@pytest.mark.parametrize("status", [TaskResultStatus.READY, TaskResultStatus.RUNNING])
def test_a_period_is_skipped_while_the_jobs_last_run_is_still_queued_or_running(
    db: None, job: None, django_capture_on_commit_callbacks: Any, status: str
) -> None:
    # A run of the job that has not finished, as the database queue holds it.
    DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=count_run.module_path,
        backend_name="default",
        run_after=datetime(2026, 12, 5, 1, 59, tzinfo=UTC),
    )
    start = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule.Scheduler().tick(now=start) == []
    assert RUNS == []
    assert not PeriodicRun.objects.filter(job="test.count").exists()
    # Once it has finished, the next period runs the job again.
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule.Scheduler().tick(now=start + timedelta(minutes=5)) == ["test.count"]
    assert RUNS == ["run"]


def test_claimed_periods_older_than_two_days_are_forgotten(
    db: None, job: None, django_capture_on_commit_callbacks: Any
) -> None:
    start = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        schedule.Scheduler().tick(now=start)
        schedule.Scheduler().tick(now=start + timedelta(days=3))
    assert list(PeriodicRun.objects.filter(job="test.count").values_list("period_start", flat=True)) == [
        start + timedelta(days=3)
    ]


def test_the_worker_sweeps_the_todo_emails_every_five_minutes_and_publishes_news_every_minute() -> None:
    periods = {job.name: job.every for job in schedule.jobs()}
    assert periods == {
        "years.sweep_notices": timedelta(minutes=5),
        "years.advance_years": timedelta(hours=1),
        "audit.purge_submit_keys": timedelta(hours=1),
        "news.publish_scheduled": timedelta(minutes=1),
    }


@pytest.mark.django_db
def test_the_hourly_job_forgets_the_one_time_keys_of_forms_sent_over_a_day_ago() -> None:
    from django.utils import timezone

    from thidua.accounts.models import User
    from thidua.audit.models import SubmitKey
    from thidua.years.tasks import purge_submit_keys

    SubmitKey.objects.all().delete()
    user = User.objects.get(username="quangtri")
    old = SubmitKey.objects.create(key="cu", user=user, verb="conference.create")
    SubmitKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    SubmitKey.objects.create(key="moi", user=user, verb="conference.create")
    assert purge_submit_keys.call() == {"purged": 1}
    assert list(SubmitKey.objects.values_list("key", flat=True)) == ["moi"]
