"""The background worker `make run` starts beside the web server: django-tasks-db's `db_worker`, which runs
the queued tasks, plus a thread that beats for the worker, hands back the tasks of workers that died
(thidua/years/workers.py) and enqueues the recurring jobs when their period comes (db_worker has no
clock). Every option of db_worker applies; several workers may run at once, on several machines against
one database, each job still runs once per period (thidua/years/schedule.py)."""

from __future__ import annotations

import logging
import os
import threading
from argparse import ArgumentParser
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from thidua.lib.priority import lower_own_session
from thidua.years import workers
from thidua.years.schedule import Scheduler

logger = logging.getLogger("thidua.years.worker")


def run_scheduler(stop: threading.Event, interval: float, worker_id: str) -> None:
    """Tick until `stop` is set: beat for this worker, hand back the tasks of dead workers, enqueue the
    recurring jobs whose period began. A failed tick (the database restarting) is logged and tried again
    at the next one, so the recurring jobs outlive a passing outage."""
    scheduler = Scheduler()
    while not stop.is_set():
        try:
            close_old_connections()
            now = timezone.now()
            workers.beat(worker_id, now)
            workers.requeue_orphans(now)
            started = scheduler.tick(now=now)
            if started:
                logger.info("enqueued: %s", ", ".join(started))
        except Exception:
            logger.exception("the recurring jobs could not be enqueued; trying again")
            scheduler = Scheduler()  # forget the periods tried: the failed one must be tried again
        stop.wait(interval)
    connection.close()


class Command(db_worker.Command):
    help = "Chạy tác vụ nền (thư nhắc việc, đăng tin theo lịch) và xếp lịch các việc định kỳ."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--tick",
            type=float,
            default=5.0,
            help="Seconds between two looks at the recurring jobs (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # A worker started in a session of its own would otherwise take the CPU from the web server as a
        # whole session's equal (thidua/lib/priority.py).
        lowered = lower_own_session()
        if lowered is not None:
            logger.info("the worker's session now runs at nice %s", lowered)
        # With --reload the first process only watches the files and restarts a child that does the work:
        # only the child schedules.
        stop = threading.Event()
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            # A daemon: a worker told to stop by a signal exits without waiting for the next tick.
            threading.Thread(
                target=run_scheduler,
                args=(stop, options["tick"], options["worker_id"]),
                name="scheduler",
                daemon=True,
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
