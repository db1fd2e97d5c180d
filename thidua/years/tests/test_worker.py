"""The worker as `make run` starts it: a separate `manage.py run_worker` process, with the database queue,
that sweeps the to-dos on its own clock and sends the e-mails through the SMTP server the test runs.

It needs the demo's committed rows in a database another process can open. On SQLite the suite's
database lives in this process's memory: it is copied, as the demo left it, to a file the worker opens. On
PostgreSQL the worker opens the test database, where the demo was committed before the tests began; what
the worker writes there is deleted afterwards through a connection of its own, outside the test's
transaction, so that later tests start from the demo alone.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, connections

from bench.harness import HOST, ROOT
from thidua.years.tests.conftest import Inbox, SmtpServer, subject, text_of

WAIT = 90.0  # seconds; the worker ticks at once on start, this only bounds a hung worker


def _worker_tables() -> list[str]:
    from django_tasks_db.models import DBTaskResult

    from thidua.years.models import Notice, PeriodicRun, WorkerBeat

    return [model._meta.db_table for model in (Notice, PeriodicRun, DBTaskResult, WorkerBeat)]


@pytest.fixture(scope="module")
def sqlite_copy(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Path | None:
    """The demo database in a file, copied before any test's transaction holds its write lock (sqlite3's
    backup would wait for that lock to go); None on PostgreSQL."""
    if connection.vendor != "sqlite":
        return None
    copy = Path(tmp_path_factory.mktemp("worker")) / "worker.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        assert not connection.in_atomic_block
        target = sqlite3.connect(copy)
        connection.connection.backup(target)  # type: ignore[union-attr]
        target.close()
    return copy


@pytest.fixture
def worker_env(
    sqlite_copy: Path | None, db: None, tmp_path: Path, smtp: SmtpServer
) -> Iterator[dict[str, str]]:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "THIDUA_SECRET_KEY": settings.SECRET_KEY,
        "THIDUA_VAR_DIR": str(tmp_path / "var"),
        "THIDUA_EMAIL_HOST": HOST,
        "THIDUA_EMAIL_PORT": str(smtp.port),
        "THIDUA_EMAIL_TIMEOUT": "5",
        "THIDUA_PUBLIC_URL": "https://thidua.example.vn",
        "THIDUA_LOG_LEVEL": "INFO",
    }
    if sqlite_copy is not None:
        yield env | {"DATABASE_URL": "", "THIDUA_SQLITE_PATH": str(sqlite_copy)}
        return
    db = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    try:
        yield env
    finally:
        cleaner = connections.create_connection("default")
        try:
            cleaner.set_autocommit(True)
            with cleaner.cursor() as cursor:
                for table in _worker_tables():
                    cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 — our own table names
        finally:
            cleaner.close()


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--tick",
            "0.5",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for(inbox: Inbox, address: str, worker: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not inbox.to(address):
        assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, "no e-mail arrived:\n" + log.read_text(errors="replace")[-3000:]
        time.sleep(0.2)


def test_the_worker_process_sweeps_on_its_own_clock_and_the_email_reaches_the_smtp_server(
    smtp: SmtpServer, worker_env: dict[str, str], tmp_path: Path, officer_ninh_binh: Any
) -> None:
    smtp.start()
    log = tmp_path / "worker.log"
    worker = _start_worker(worker_env, log)
    try:
        _wait_for(smtp.inbox, officer_ninh_binh.email, worker, log)
        time.sleep(2)  # several more ticks and polls: nothing is sent twice
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert worker.returncode == 0, log.read_text(errors="replace")[-3000:]

    subjects = smtp.inbox.subjects(officer_ninh_binh.email)
    assert subjects.count("[thidua] Việc cần làm: Tự chấm điểm — Cụm thi đua số 4 năm 2026") == 1
    (message,) = [m for m in smtp.inbox.to(officer_ninh_binh.email) if "năm 2026" in subject(m)]
    assert "https://thidua.example.vn/nam-thi-dua/vusta-cum-4/2026/cham-diem/lhh-ninh-binh/" in text_of(
        message
    )
    # Every e-mail the worker sent, it sent once.
    keys = [(str(m["To"]), subject(m)) for m in smtp.inbox.messages]
    assert len(keys) == len(set(keys))
