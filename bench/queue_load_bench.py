"""December's peak (issue 16): 40 documents issued at once while 1,000 delegates vote. The PDFs are made by
the worker, not by the web requests, so the voters' p99 must stay under 300 ms and every PDF must be made.

What it does, loopback only, every loop bounded (the voting side is bench/vote_bench.py's):
1. creates `thidua_bench_vote` (as vote_bench: the registry, Cụm 4's 2026 conference with `--voters`
   delegates and their codes) and 40 drafts of Cụm 4 with a DOCX each, rendered by the real layout;
2. starts gunicorn (2 sync workers, as vote_bench) and one `run_worker` as `make run` does, at the lower
   CPU priority docs/deployment.md gives it;
3. round A: the cast burst of every voter alone, on a fresh poll (the baseline of the same run);
4. round B: the 40 PDF tasks queued at once (as 40 «Lập» clicks queue them), then at once the cast burst
   of every voter on another fresh poll; waits until every PDF is made;
5. reports both bursts' p50/p99 and rate, the ratio B/A, and the time until the 40th PDF; checks every
   vote is recorded once (vote_bench's check) and every document has its PDF.

Usage, from the project root:
    .venv/bin/python -m bench.queue_load_bench [--voters 1000] [--documents 40] [--concurrency 64]
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
from pathlib import Path

from bench.harness import HOST, ROOT, cpu_name, create_database, drop_database, free_port, start_gunicorn
from bench.harness import replace_section as write_section
from bench.httpload import raise_exit, stop, wait_ready
from bench.vote_bench import (
    DATABASE,
    GOAL_P99_MS,
    Burst,
    Pause,
    _check,
    _clean_cast_burst,
    _close_poll,
    _open_election_poll,
    _prepare_data,
    _prepare_voters,
    _settle,
)

SECTION = "## Documents issued during a vote (issue 16)"
PDF_LIMIT = 600.0  # seconds for the 40 PDFs; a worker slower than this is broken
# The worker's CPU priority under the web server's (docs/deployment.md, "The worker"): Linux's idle class,
# which runs it only on CPU time nothing else wants, as `make run` and the systemd unit do.
WORKER_NICENESS = 10


def _below_the_web() -> None:
    os.nice(WORKER_NICENESS)
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _drafts(count: int) -> list[tuple[int, str]]:
    """`count` drafts of Cụm 4's 2026 conference with a DOCX of the real layout each, made as «Lập» makes
    them but without queueing their PDF yet: (document, DOCX SHA-256) pairs."""
    import hashlib

    from django.core.files.base import ContentFile

    from thidua.accounts.models import User
    from thidua.conferences.models import Conference
    from thidua.documents import issuing
    from thidua.documents.models import Document

    staff = User.objects.get(username="vusta")
    conference = Conference.objects.get(emulation_year__year=2026, place="Máy đo tải")
    first = issuing.issue(actor=staff, kind="minutes", conference=conference, with_pdf=False)
    with first.docx.open("rb") as source:
        content = source.read()
    made = []
    for number in range(count):
        # The same minutes under another summary: each its own DOCX and its own conversion.
        copy = Document.objects.get(pk=first.pk)
        copy.pk = None
        copy.kind, copy.conference, copy.summary = "", None, f"Biên bản đo tải số {number + 1}"
        data = content + f"<!-- {number} -->".encode()
        copy.docx_sha256 = hashlib.sha256(data).hexdigest()
        copy.docx.save(f"do-tai-{number + 1}.docx", ContentFile(data), save=False)
        copy.save()
        made.append((copy.pk, copy.docx_sha256))
    return made


def _pdfs_made(ids: list[int]) -> int:
    from thidua.documents.models import Document

    return sum(1 for document in Document.objects.filter(pk__in=ids) if document.pdf_state == "ready")


def _row(label: str, burst: Burst) -> str:
    return (
        f"| {label} | {burst.rate:.1f} | {burst.ms(50):.0f} | {burst.ms(99):.0f} | {len(burst.successes)} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default=os.environ.get("THIDUA_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="replace this section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, raise_exit)
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="thidua-bench-queue-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "THIDUA_ALLOWED_HOSTS": HOST,
        "THIDUA_SECRET_KEY": secrets.token_urlsafe(50),
        "THIDUA_VAR_DIR": str(workdir / "var"),
        "THIDUA_DEBUG": "",
        "THIDUA_REDIS_URL": args.redis,
        "PYTHONPATH": str(ROOT),
    }
    server: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    created = False
    try:
        print(f"Creating database {DATABASE}, {args.voters} delegates, {args.documents} drafts…", flush=True)
        create_database(args.server, DATABASE)
        created = True
        os.environ.update({**env, "THIDUA_DB_POOL": "0"})
        setup = _prepare_data(args.voters)
        drafts = _drafts(args.documents)
        from django.db import connections

        connections.close_all()
        port = free_port()
        log = workdir / "gunicorn.log"
        with log.open("wb") as log_file:
            server = start_gunicorn(port, args.workers, env, log_file)
        wait_ready(port, server, log)
        with (workdir / "worker.log").open("wb") as worker_log:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "run_worker",
                    "--no-reload",
                ],
                cwd=ROOT,
                env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                stdout=worker_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_below_the_web,
            )
        bursts: dict[str, Burst] = {}
        checks = []
        pdf_seconds = 0.0
        for label in ("alone", "with PDFs"):
            poll = _open_election_poll(setup.conference_pk)
            _prepare_voters(port, setup.conference_pk, setup.voters, args.concurrency)
            # As vote_bench: the poll waits a moment while the workers make its ballot kits.
            pauses: list[Pause] = []
            _settle(port, server.pid, setup.conference_pk, pauses)
            started = time.monotonic()
            if label == "with PDFs":
                from thidua.documents import tasks

                for document_id, sha in drafts:
                    tasks.make_pdf.enqueue(document_id, sha)
            burst = _clean_cast_burst(port, setup.conference_pk, poll, setup.voters, args.concurrency)
            bursts[label] = burst
            checks.append(
                _check(
                    label,
                    poll,
                    list(zip(setup.voters, burst.outcomes, strict=True)),
                    expected_participations=len(setup.voters),
                )
            )
            if label == "with PDFs":
                ids = [document_id for document_id, _ in drafts]
                while _pdfs_made(ids) < len(ids):
                    if time.monotonic() - started > PDF_LIMIT:
                        raise RuntimeError(f"only {_pdfs_made(ids)} of {len(ids)} PDFs in {PDF_LIMIT:.0f} s")
                    time.sleep(0.2)
                pdf_seconds = time.monotonic() - started
            _close_poll(poll)
            print(f"{label}: {burst.rate:.1f} casts/s, p99 {burst.ms(99):.0f} ms", flush=True)
        alone, loaded = bursts["alone"], bursts["with PDFs"]
        ok = loaded.ms(99) < GOAL_P99_MS and all(check.ok for check in checks)
        text = f"""{SECTION}

`bench/queue_load_bench.py`, {datetime.date.today().isoformat()}: {args.voters} delegates cast at
concurrency {args.concurrency} against gunicorn ({args.workers} sync workers) and PostgreSQL, once every
phone has opened the page and the workers have made the poll's ballot kits (as `bench/vote_bench.py`),
first alone, then while one `run_worker` (idle CPU class) makes the PDFs of {args.documents} documents queued at
the same moment; {os.cpu_count()} cores ({cpu_name()}).

| cast burst | casts/s | p50 ms | p99 ms | recorded |
|---|---:|---:|---:|---:|
{_row("alone", alone)}
{_row(f"while {args.documents} PDFs are made", loaded)}

Ratio of the casts' rate with the PDFs to without: {loaded.rate / alone.rate if alone.rate else 0:.2f}. All
{args.documents} PDFs made {pdf_seconds:.1f} s after they were queued. Goal p99 under {GOAL_P99_MS:.0f} ms with
the PDFs: **{"met" if loaded.ms(99) < GOAL_P99_MS else "missed"}**; every vote recorded once:
**{"yes" if all(check.ok for check in checks) else "no"}**.
"""
        print(text)
        if args.write:
            write_section(SECTION, text)
        return 0 if ok else 1
    finally:
        for process in (worker, server):
            if process is not None:
                stop(process)
        from django.db import connections

        connections.close_all()
        if created:
            drop_database(args.server, DATABASE)


if __name__ == "__main__":
    raise SystemExit(main())
