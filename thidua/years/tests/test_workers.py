"""The tasks a dead worker leaves running go back to the queue, a live worker's stay with it, and a task
that keeps killing its workers is given up (thidua/years/workers.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from thidua.years import workers
from thidua.years.models import WorkerBeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def db_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_DEAD_SECONDS = 60
    settings.TASK_ATTEMPTS = 3


def _running(*worker_ids: str, started: timedelta = timedelta(minutes=5)) -> DBTaskResult:
    from thidua.years.tasks import purge_submit_keys

    result = purge_submit_keys.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.started_at = timezone.now() - started
    row.worker_ids = list(worker_ids)
    row.save()
    return row


def test_a_task_of_a_worker_that_stopped_beating_goes_back_to_the_queue() -> None:
    now = timezone.now()
    workers.beat("dead", now - timedelta(minutes=3))
    orphan = _running("dead")

    assert workers.requeue_orphans(now) == 1

    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY and orphan.started_at is None
    assert orphan.worker_ids == ["dead"]  # the next worker adds itself: the attempts are counted
    assert DBTaskResult.objects.ready().filter(pk=orphan.pk).exists()


def test_a_task_of_a_live_worker_or_claimed_a_moment_ago_stays_running() -> None:
    now = timezone.now()
    workers.beat("alive", now - timedelta(seconds=5))
    busy = _running("alive")
    fresh = _running("not-yet-beaten", started=timedelta(seconds=10))

    assert workers.requeue_orphans(now) == 0

    for row in (busy, fresh):
        row.refresh_from_db()
        assert row.status == TaskResultStatus.RUNNING


def test_a_task_that_killed_every_worker_it_was_given_to_is_marked_failed_in_vietnamese() -> None:
    doomed = _running("one", "two", "three")

    assert workers.requeue_orphans(timezone.now()) == 0

    doomed.refresh_from_db()
    assert doomed.status == TaskResultStatus.FAILED
    assert "Tác vụ đã bị dừng giữa chừng 3 lần" in doomed.traceback


def test_a_beat_updates_the_workers_row_and_old_beats_are_forgotten() -> None:
    now = timezone.now()
    workers.beat("w1", now - timedelta(days=2))
    workers.beat("w2", now - timedelta(minutes=1))
    workers.beat("w2", now)
    workers.requeue_orphans(now)
    ours = WorkerBeat.objects.filter(worker_id__in=["w1", "w2"])
    assert list(ours.values_list("worker_id", "seen_at")) == [("w2", now)]
