"""Recurring jobs of the worker: the to-do e-mail sweep, scheduled news publishing.

The database worker of django-tasks runs what is queued and has no clock of its own, so `run_worker`
calls `Scheduler.tick` every few seconds beside it. A job runs once per period however many worker
processes tick: the first to insert the period's `PeriodicRun` row enqueues the job, the others hit the
unique constraint. A period whose job still has a run queued or running is skipped. Apps register their jobs in `AppConfig.ready()`, as they do their to-do providers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from thidua.lib.schedule import period_start
from thidua.years.notice_models import PeriodicRun

logger = logging.getLogger(__name__)

# Claimed periods are kept this long, for whoever wonders when a job last ran; then deleted.
KEEP_RUNS = timedelta(days=2)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    task: Task[[], Any]
    # Tasks the job's run queues (the sweep's parts): while any is queued or running, so is the run.
    parts: tuple[Task[Any, Any], ...] = ()


_jobs: dict[str, Job] = {}


def register(
    *, name: str, every: timedelta, task: Task[[], Any], parts: tuple[Task[Any, Any], ...] = ()
) -> None:
    """Run `task` (which takes no arguments) once every `every`; registering a name again replaces it.
    `parts` are the tasks a run queues, which count as the run until they are done."""
    _jobs[name] = Job(name, every, task, parts)


def jobs() -> list[Job]:
    return list(_jobs.values())


class Scheduler:
    """One worker process's view of the recurring jobs. It remembers the periods it has already tried, so
    that a tick every second costs nothing until a new period begins."""

    def __init__(self) -> None:
        self._tried: dict[str, datetime] = {}

    def tick(self, *, now: datetime) -> list[str]:
        """Enqueue every job whose period holding `now` nobody has claimed yet; the names enqueued."""
        started = []
        for job in jobs():
            start = period_start(now, job.every)
            if self._tried.get(job.name) == start:
                continue
            self._tried[job.name] = start
            if _claim(job, start, now):
                started.append(job.name)
        return started


def _unfinished(job: Job) -> bool:
    """Whether the job's last run is still queued or running. A job that takes longer than its period
    (the e-mail sweep of a national parent body) would otherwise pile up runs that repeat each other's
    work and keep the PDFs waiting behind them. A run whose worker died is handed back to the queue or
    given up (thidua/years/workers.py), so this never holds a job back for ever."""
    return DBTaskResult.objects.filter(
        task_path__in=[t.module_path for t in (job.task, *job.parts)],
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()


def _claim(job: Job, start: datetime, now: datetime) -> bool:
    if _unfinished(job):
        logger.info(
            "periodic job %s still has a run queued or running: period from %s skipped", job.name, start
        )
        return False
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(job=job.name, period_start=start, claimed_at=now)
            PeriodicRun.objects.filter(job=job.name, period_start__lt=now - KEEP_RUNS).delete()
            # Should this process die between the commit and the enqueue, the period is lost, not the
            # work: every job sweeps up all that is due, and the next period runs it.
            transaction.on_commit(job.task.enqueue)
    except IntegrityError:
        return False  # another worker claimed this period first
    logger.info("periodic job %s enqueued for the period from %s", job.name, start.isoformat())
    return True
