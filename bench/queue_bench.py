"""Does the database queue hold with several workers against one PostgreSQL (issue 16)? Throughput of 1, 2
and 4 `run_worker` processes draining the same queue, as a ratio against one worker in the same run, and
how many tasks ran more than once.

Each task writes one line (its number and the worker's pid) to a file opened for appending and sleeps
`--work` milliseconds, standing for a small unit of real work (an e-mail handed to SMTP). A task that ran
twice shows as two lines of one number. Workers on several machines reach PostgreSQL over TCP exactly as
these do over the loopback; what can differ is the claim: django-tasks-db takes the next task with
`SELECT … FOR UPDATE SKIP LOCKED`, which is what is measured here.

What it does, loopback only, every loop bounded:
1. creates the database `thidua_bench_queue` (dropped first if a crashed run left it) and migrates it;
2. for each worker count: enqueues T tasks, starts the workers, waits until every task finished, stops
   the workers, reads the lines; the time from start to the last task is the drain time;
3. reports tasks/second, the ratio against one worker and the tasks run twice; drops the database and the
   temporary directory even on failure or Ctrl+C.

Usage, from the project root:
    .venv/bin/python -m bench.queue_bench [--tasks 400] [--work 20]
"""

from __future__ import annotations

import argparse
import datetime
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.harness import ROOT, cpu_name, create_database, drop_database, replace_section
from bench.httpload import raise_exit

DATABASE = "thidua_bench_queue"
WORKER_COUNTS = (1, 2, 4)
DRAIN_LIMIT = 600.0  # seconds; a queue that does not drain in ten minutes is broken


def _enqueue(count: int, path: Path, work_ms: int) -> None:
    from bench.queue_tasks import touch

    for number in range(count):
        touch.enqueue(number, str(path), work_ms)


def _unfinished() -> int:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.exclude(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    ).count()


def _drain(
    workers: int, count: int, work_ms: int, env: dict[str, str], workdir: Path
) -> tuple[float, int, int]:
    """Seconds to drain `count` tasks with `workers` processes; the tasks run twice; the failed."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    lines = workdir / f"runs-{workers}.txt"
    _enqueue(count, lines, work_ms)
    processes = []
    started = time.monotonic()
    try:
        for number in range(workers):
            with (workdir / f"worker-{workers}-{number}.log").open("wb") as log:
                processes.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "manage.py",
                            "run_worker",
                            "--no-reload",
                            "--no-startup-delay",
                            "--interval",
                            "0.05",
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        while _unfinished():
            if time.monotonic() - started > DRAIN_LIMIT:
                raise RuntimeError(f"{workers} workers did not drain the queue in {DRAIN_LIMIT:.0f} s")
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
    runs = Counter(line.split()[0] for line in lines.read_text().splitlines())
    if len(runs) != count:
        raise RuntimeError(f"{count - len(runs)} tasks never ran with {workers} workers")
    failed = DBTaskResult.objects.filter(status="FAILED").count()
    return elapsed, sum(1 for times in runs.values() if times > 1), failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=400)
    parser.add_argument("--work", type=int, default=20, help="milliseconds of work per task")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, raise_exit)
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="thidua-bench-queue-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{DATABASE}",
        "THIDUA_SECRET_KEY": secrets.token_urlsafe(50),
        "THIDUA_VAR_DIR": str(workdir / "var"),
        "THIDUA_DB_POOL": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        # The recurring jobs' ticks would add tasks of their own to the count: far in the future.
        "THIDUA_NOTICE_SWEEP_SECONDS": str(24 * 3600),
    }
    created = False
    try:
        print(f"Creating database {DATABASE} and migrating…")
        create_database(args.server, DATABASE)
        created = True
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        results: dict[int, tuple[float, int, int]] = {}
        for workers in WORKER_COUNTS:
            results[workers] = _drain(workers, args.tasks, args.work, env, workdir)
            elapsed, twice, failed = results[workers]
            print(
                f"{workers} worker(s): {args.tasks / elapsed:7.1f} tasks/s, run twice {twice}, failed {failed}"
            )
        base = args.tasks / results[1][0]
        rows = "\n".join(
            f"| {workers} | {args.tasks / elapsed:.1f} | {args.tasks / elapsed / base:.2f} | {twice} | {failed} |"
            for workers, (elapsed, twice, failed) in results.items()
        )
        text = f"""## Task queue with several workers (issue 16)

`bench/queue_bench.py`, {datetime.date.today().isoformat()}: {args.tasks} tasks of {args.work} ms each drained by
1, 2 and 4 `run_worker` processes against one PostgreSQL (django-tasks-db, claims by `SELECT … FOR UPDATE
SKIP LOCKED`); {os.cpu_count()} cores ({cpu_name()}), load average {os.getloadavg()[0]:.1f} at the end. Ratio:
tasks per second against one worker, same run. The drain time counts the workers' start (about 3 s of
Django's setup each), as a deploy or a restart pays it.

| workers | tasks/s | ratio to one worker | tasks run twice | failed |
|---:|---:|---:|---:|---:|
{rows}
"""
        replace_section("## Task queue with several workers (issue 16)", text)
        print(text)
        return 0 if all(twice == 0 and failed == 0 for _, twice, failed in results.values()) else 1
    finally:
        from django.db import connections

        connections.close_all()
        if created:
            drop_database(args.server, DATABASE)
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
