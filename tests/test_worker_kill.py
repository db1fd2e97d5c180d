"""A worker killed in the middle of a task loses nothing and does nothing twice (issue 16).

Real processes: PDF tasks of six documents are queued, a `run_worker` takes the first and is killed with
SIGKILL while LibreOffice converts it; a second worker, started after, finds the first silent, hands its
task back to the queue and runs every task. Each document then has its PDF, made of its own DOCX, kept
once: one file on the media storage per document, however many conversions ran.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from bench.harness import ROOT
from thidua.years.tests import conftest as worker_conftest
from thidua.years.tests import test_worker

# The worker's fixtures, shared with the years app's worker test: its database, environment and SMTP server.
smtp = worker_conftest.smtp
sqlite_copy = test_worker.sqlite_copy
worker_env = test_worker.worker_env
_start_worker = test_worker._start_worker

pytestmark = pytest.mark.once

DOCUMENTS = 6
MARK = "Kiểm thử tiến trình bị tắt"
WAIT = 180.0

# Run by `manage.py shell` against the worker's database: six drafts of Cụm 4 with a DOCX each, their PDF
# tasks queued on the database queue, committed as the web request that issues them commits.
SETUP = f"""
import datetime, hashlib, io
import docx
from django.core.files.base import ContentFile
from thidua.accounts.models import User
from thidua.documents import tasks
from thidua.documents.models import Document
from thidua.organizations.models import EmulationGroup

group = EmulationGroup.objects.get(slug="vusta-cum-4")
actor = User.objects.get(username="vusta")
for n in range({DOCUMENTS}):
    page = docx.Document()
    for line in range(40):
        page.add_paragraph(f"Văn bản số {{n}}, dòng {{line}}: hội nghị tổng kết công tác thi đua.")
    buffer = io.BytesIO()
    page.save(buffer)
    content = buffer.getvalue()
    document = Document(
        issuer_group=group, doc_type="BB", year=2026, number_text="…/BB-CTĐ4",
        date=datetime.date(2026, 12, 5), place="Ninh Bình", summary=f"{MARK} {{n}}",
        created_by=actor, docx_sha256=hashlib.sha256(content).hexdigest(),
    )
    document.docx.save(f"tien-trinh-{{n}}.docx", ContentFile(content), save=False)
    document.save()
    tasks.make_pdf.enqueue(document.pk, document.docx_sha256)
"""


def _tables() -> tuple[str, str, str]:
    from django_tasks_db.models import DBTaskResult

    from thidua.documents.models import Document
    from thidua.years.models import WorkerBeat

    return DBTaskResult._meta.db_table, Document._meta.db_table, WorkerBeat._meta.db_table


@pytest.fixture
def query(
    sqlite_copy: Path | None, worker_env: dict[str, str]
) -> Iterator[Callable[..., list[tuple[Any, ...]]]]:
    """Read the worker's database as it commits, outside the test's transaction; afterwards delete what
    the test added there (the queue's rows go with worker_env's own clean-up)."""
    if sqlite_copy is not None:
        reader = sqlite3.connect(sqlite_copy, isolation_level=None)

        def run(sql: str, *params: Any) -> list[tuple[Any, ...]]:
            return reader.execute(sql.replace("%s", "?"), params).fetchall()

        yield run
        reader.close()
        return
    outside = connections.create_connection("default")
    outside.set_autocommit(True)

    def run_pg(sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with outside.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    try:
        yield run_pg
    finally:
        _, documents, beats = _tables()
        run_pg(f'DELETE FROM "{documents}" WHERE summary LIKE %s', f"{MARK}%")  # noqa: S608 — our tables
        run_pg(f'DELETE FROM "{beats}"')  # noqa: S608
        outside.close()


def _kill_strays(marker: str) -> None:
    """SIGKILL leaves the killed worker's LibreOffice running (it has a session of its own): end every
    process whose command line holds the test's temporary directory."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in command:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)


def _pdf_tasks(query: Callable[..., list[tuple[Any, ...]]]) -> list[tuple[str, str, list[str]]]:
    results, _, _ = _tables()
    rows = query(
        f'SELECT id, status, worker_ids FROM "{results}" WHERE task_path = %s',  # noqa: S608
        "thidua.documents.tasks.make_pdf",
    )
    return [(str(pk), status, ids if isinstance(ids, list) else json.loads(ids)) for pk, status, ids in rows]


def _wait(condition: Callable[[], bool], what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(log.read_text(errors="replace")[-2000:] for log in logs if log.exists())
            pytest.fail(f"{what} did not happen within {WAIT:.0f} s\n{tails}")
        time.sleep(0.1)


def test_a_worker_killed_mid_task_loses_no_task_and_no_pdf_is_kept_twice(
    worker_env: dict[str, str], query: Callable[..., list[tuple[Any, ...]]], tmp_path: Path
) -> None:
    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs LibreOffice (.ci/run)")
        pytest.skip("LibreOffice is not installed here")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = worker_env | {"THIDUA_WORKER_DEAD_SECONDS": "3", "TMPDIR": str(scratch)}
    subprocess.run(  # noqa: S603 — our own manage.py
        [sys.executable, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, timeout=120
    )
    assert [status for _, status, _ in _pdf_tasks(query)] == ["READY"] * DOCUMENTS
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    first = _start_worker(env, logs[0])
    second = None
    try:
        _wait(lambda: any(s == "RUNNING" for _, s, _ in _pdf_tasks(query)), "a PDF task starting", logs)
        os.killpg(first.pid, signal.SIGKILL)  # mid-conversion: LibreOffice takes a second to start
        first.wait(timeout=30)
        (killed,) = [pk for pk, status, _ in _pdf_tasks(query) if status == "RUNNING"]

        second = _start_worker(env, logs[1])
        _wait(
            lambda: all(s in {"SUCCESSFUL", "FAILED"} for _, s, _ in _pdf_tasks(query)),
            "every PDF task finishing",
            logs,
        )
    finally:
        if second is not None:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=30)
        _kill_strays(str(scratch))

    tasks = {pk: (status, ids) for pk, status, ids in _pdf_tasks(query)}
    assert {status for status, _ in tasks.values()} == {"SUCCESSFUL"}, logs[1].read_text()[-3000:]
    # The killed worker's task was handed to the second worker, not lost; no other task ran twice.
    assert len(tasks[killed][1]) == 2 and tasks[killed][1][0] != tasks[killed][1][1]
    assert all(len(ids) == 1 for pk, (_, ids) in tasks.items() if pk != killed)
    assert "handed back to the queue" in logs[1].read_text()

    _, documents, _ = _tables()
    rows = query(
        f'SELECT pdf, pdf_source, docx_sha256 FROM "{documents}" WHERE summary LIKE %s',  # noqa: S608
        f"{MARK}%",
    )
    assert len(rows) == DOCUMENTS
    assert all(pdf and source == sha for pdf, source, sha in rows)
    media = Path(env["THIDUA_VAR_DIR"]) / "media"
    kept = sorted(path.name for path in media.rglob("tien-trinh-*.pdf"))
    assert kept == [f"tien-trinh-{n}.pdf" for n in range(DOCUMENTS)]  # one file each, no "_x7Yz" twin
    for path in media.rglob("tien-trinh-*.pdf"):
        assert path.read_bytes()[:5] == b"%PDF-"
