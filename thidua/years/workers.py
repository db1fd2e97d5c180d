"""Workers' signs of life, and the tasks a dead worker leaves behind.

django-tasks-db's worker claims a task by marking it running, in a transaction of its own, and records
the outcome when the task returns. Should the process be killed in between (a deploy, the OOM killer, a
machine lost), the task would stay "running" for ever: lost. So every `run_worker` beats (`beat`) from
its scheduler thread, and at each tick hands back to the queue (`requeue_orphans`) each running task whose
worker has stopped beating. The task runs again on whichever worker takes it next; our tasks are written
to be run again (each says how: a claim, a unique row, a comparison under a row lock), so a task is
neither lost nor done twice.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from thidua.years.notice_models import WorkerBeat

logger = logging.getLogger(__name__)

# Beats of workers gone this long are deleted: kept a day for whoever wonders which workers ran.
KEEP_BEATS = timedelta(days=1)

GIVEN_UP = "Tác vụ đã bị dừng giữa chừng {attempts} lần (tiến trình nền bị tắt); không chạy lại nữa."


def beat(worker_id: str, now: datetime) -> None:
    """Record that `worker_id` is alive at `now`."""
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerBeat.objects.get_or_create(
            worker_id=worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "seen_at": now,
            },
        )


def requeue_orphans(now: datetime) -> int:
    """Hand back to the queue every running task whose worker stopped beating; the number handed back.
    Several workers may call this at once: the rows are taken with SKIP LOCKED, so each is handled once."""
    dead_after = timedelta(seconds=settings.WORKER_DEAD_SECONDS)
    alive = set(WorkerBeat.objects.filter(seen_at__gte=now - dead_after).values_list("worker_id", flat=True))
    handed_back = 0
    with transaction.atomic():
        running = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status=TaskResultStatus.RUNNING)
            # A task claimed a moment ago may belong to a worker that has not beaten yet.
            .filter(started_at__lt=now - dead_after)
        )
        for result in running:
            worker = result.worker_ids[-1] if result.worker_ids else ""
            if worker in alive:
                continue
            attempts = len(result.worker_ids)
            if attempts >= settings.TASK_ATTEMPTS:
                result.set_failed(RuntimeError(GIVEN_UP.format(attempts=attempts)))
                logger.error(
                    "task %s (%s) given up after %d lost workers", result.pk, result.task_path, attempts
                )
                continue
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            handed_back += 1
            logger.warning(
                "task %s (%s) of dead worker %s handed back to the queue", result.pk, result.task_path, worker
            )
    WorkerBeat.objects.filter(seen_at__lt=now - KEEP_BEATS).delete()
    return handed_back
