"""The task bench/queue_bench.py queues: a module of its own, imported once Django is set up (a task is
made against the configured backends) and importable by the workers by this name."""

from __future__ import annotations

import os
import time

from django_tasks import task


@task()
def touch(number: int, path: str, work_ms: int) -> None:
    """One unit of work: a line of its own in the shared file, then the work's time."""
    with open(path, "a", encoding="utf-8") as lines:
        lines.write(f"{number} {os.getpid()}\n")
    time.sleep(work_ms / 1000)
