"""Speed of the home page with its to-dos and of the year page with its stages (issue 12), each as a ratio
against a bare Django view in the same run.

Goal: both pages, for the 2026 head's officer of Cụm 4 (to-dos as a member and as the secretariat; the
year at self-scoring with its gate), serve at least half the requests per second of a bare Django view,
all served by gunicorn (2 workers) on PostgreSQL. Their query counts are fixed whatever the size: that
is asserted in thidua/years/tests/test_queries.py.

What it does, loopback only, every loop bounded:
1. creates the database `thidua_bench_todo` (dropped first if a crashed run left it), migrates it and
   loads the whole demo;
2. opens a session for `quangtri` directly in the database;
3. starts gunicorn on bench.bench_wsgi on a free port;
4. warms the URLs up, then for each round measures the bare view, the home page and the year page:
   N client threads (stdlib http.client), until S seconds or R requests, whichever first;
5. reports requests/second, p50/p99 latency and the ratios; kills gunicorn, drops the database and its
   temporary directory even on failure or Ctrl+C.

Usage, from the project root:
    .venv/bin/python -m bench.todo_bench [--seconds 10] [--requests 2000] [--concurrency 8] [--rounds 3]
"""

from __future__ import annotations

import datetime
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import HOST, ROOT, create_database, free_port, signed_in_cookie, start_gunicorn
from bench.httpload import (
    Measurement,
    combine,
    finish,
    get,
    load,
    machine,
    median_ratio,
    page_options,
    raise_exit,
    row,
    wait_ready,
)

DATABASE = "thidua_bench_todo"
USERNAME = "quangtri"
WARMUP_REQUESTS = 60
GOAL_RATIO = 0.5


def _prepare_data() -> tuple[str, str, str, str]:
    """Migrate and load the demo; return the home path, the year page's path, the Cookie header of a
    signed-in browser and the PostgreSQL version."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.urls import reverse

    from thidua.demo.loader import load_full_demo

    call_command("migrate", verbosity=0, interactive=False)
    load_full_demo()
    cookie = signed_in_cookie(USERNAME)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = str(cursor.fetchone()[0])
    year_path = reverse("years:dashboard", args=["vusta-cum-4", 2026])
    connections.close_all()
    return "/", year_path, cookie, pg_version


def main(argv: list[str] | None = None) -> int:
    args = page_options(__doc__, argv)
    signal.signal(signal.SIGTERM, raise_exit)
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="thidua-bench-todo-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "THIDUA_ALLOWED_HOSTS": HOST,
        "THIDUA_SECRET_KEY": secrets.token_urlsafe(50),
        "THIDUA_VAR_DIR": str(workdir / "var"),
        "THIDUA_DEBUG": "",
        "PYTHONPATH": str(ROOT),
        "THIDUA_REDIS_URL": args.redis,
    }
    server: subprocess.Popen[bytes] | None = None
    created = False
    try:
        print(f"Creating database {DATABASE}, migrating, loading the demo…")
        create_database(args.server, DATABASE)
        created = True
        os.environ.update({**env, "THIDUA_DB_POOL": "0"})
        home, year_page, cookie, pg_version = _prepare_data()
        port = free_port()
        log = workdir / "gunicorn.log"
        with log.open("wb") as log_file:
            server = start_gunicorn(port, args.workers, env, log_file, threads=args.threads)
        wait_ready(port, server, log)
        for path, expected in ((home, "Việc cần làm"), (year_page, "Các giai đoạn của năm")):
            status, body = get(port, path, {"Cookie": cookie})
            if status != 200 or expected not in body.decode():
                raise RuntimeError(
                    f"{path} answered {status}:\n{body.decode()[:2000]}\n{log.read_text()[-3000:]}"
                )

        urls = {"bare view": "/bench/bare/", "home with to-dos": home, "year page with stages": year_page}
        for url in urls.values():
            load(
                port, url, {"Cookie": cookie}, concurrency=args.concurrency, seconds=10, limit=WARMUP_REQUESTS
            )
        runs: dict[str, list[Measurement]] = {label: [] for label in urls}
        for number in range(1, args.rounds + 1):
            for label, url in urls.items():
                m = load(
                    port,
                    url,
                    {"Cookie": cookie},
                    concurrency=args.concurrency,
                    seconds=args.seconds,
                    limit=args.requests,
                )
                runs[label].append(m)
                print(f"round {number} {label:22} {m.rps:8.1f} req/s  p50 {m.percentile(50) * 1000:6.1f} ms")

        pooled = {label: combine(runs[label]) for label in urls}
        home_ratio = median_ratio(runs["home with to-dos"], runs["bare view"])
        year_ratio = median_ratio(runs["year page with stages"], runs["bare view"])
        errors = sum(m.errors for m in pooled.values())
        print()
        print(f"Date: {datetime.date.today().isoformat()}")
        print(f"Machine: {machine(pg_version)}")
        print(
            f"Load: {args.concurrency} client threads on the same machine, {args.rounds} rounds of up to "
            f"{args.seconds:g} s or {args.requests} requests per URL; gunicorn {args.workers} sync workers"
        )
        print()
        print("| URL | requests | errors | seconds | req/s | p50 ms | p99 ms |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        print(row("bare view (`/bench/bare/`)", pooled["bare view"]))
        print(row(f"home page with to-dos (`{USERNAME}`)", pooled["home with to-dos"]))
        print(row("year page with stages (Cụm 4, 2026)", pooled["year page with stages"]))
        print()
        for label, ratio in (("home / bare", home_ratio), ("year page / bare", year_ratio)):
            verdict = "meets" if ratio >= GOAL_RATIO else "MISSES"
            print(
                f"Ratio {label}: {ratio:.3f}, median of {args.rounds} rounds; {verdict} the goal of ≥ {GOAL_RATIO:g}"
            )
        return 0 if min(home_ratio, year_ratio) >= GOAL_RATIO and errors == 0 else 1
    finally:
        finish(server, database_server=args.server, database=DATABASE if created else None, workdir=workdir)


if __name__ == "__main__":
    sys.exit(main())
