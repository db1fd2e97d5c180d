"""Speed of the ranking summary page (issue 3), as a ratio against a bare Django view in the same run.

Goal: the summary page of a settled year of 10 members × 80 criteria serves at least half the requests
per second of a bare Django view, both served by gunicorn (2 workers) on PostgreSQL. (Its query count
is fixed whatever the size: that is asserted in thidua/assessments/tests/test_summary.py.)

What it does, loopback only, every loop bounded:
1. creates the database `thidua_bench_summary` on the PostgreSQL server (dropped first if a crashed
   run left it), migrates it, loads the demo registry (VUSTA, its regulation, its staff user) and
   builds the 10 × 80 settled year with the same function the query-count test uses;
2. opens a session for VUSTA's staff user directly in the database (no password round trip);
3. starts gunicorn on bench.bench_wsgi (config.urls plus /bench/bare/) on a free port;
4. warms the URLs up, then for each round measures the bare view, a view that only checks the
   permission to see the year (bench.bench_urls: the ceiling of any year page, cached or not), then the
   summary page: N client threads (stdlib http.client), until S seconds or R requests, whichever first;
5. reports requests/second, p50/p99 latency and the ratio; kills gunicorn, drops the database and its
   temporary directory even on failure or Ctrl+C.

Usage, from the project root:
    .venv/bin/python -m bench.summary_bench [--seconds 10] [--requests 2000] [--concurrency 8] [--rounds 3]

The client runs on the same machine and competes with the server for the CPU: both URLs pay that
equally, which is why only the ratio is meaningful, never the absolute figures across machines.
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

DATABASE = "thidua_bench_summary"
YEAR = 2027
MEMBERS = 10
CRITERIA = 80
READY_SECONDS = 30
WARMUP_REQUESTS = 60
GOAL_RATIO = 0.5


def _prepare_data() -> tuple[str, str, str, str]:
    """Migrate, load the registry, build the year; return the summary page's path, the permission-only
    path of the same year, the Cookie header a signed-in browser sends and the PostgreSQL version."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.db.models import Max
    from django.urls import reverse

    from thidua.assessments.tests.test_summary import build_settled_year
    from thidua.organizations.demo import load_demo
    from thidua.organizations.models import EmulationGroup, Organization

    call_command("migrate", verbosity=0, interactive=False)
    load_demo()
    number = (EmulationGroup.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    emulation_year = build_settled_year(
        parent=Organization.objects.get(code="vusta"),
        number=number,
        year=YEAR,
        members=MEMBERS,
        criteria=CRITERIA,
    )
    cookie = signed_in_cookie("vusta")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = str(cursor.fetchone()[0])
    slug = emulation_year.group.slug
    path = reverse("score_summary:summary", args=[slug, YEAR])
    floor = reverse("bench_year_permission", args=[slug, YEAR])
    connections.close_all()
    return path, floor, cookie, pg_version


def main(argv: list[str] | None = None) -> int:
    args = page_options(__doc__, argv)

    signal.signal(signal.SIGTERM, raise_exit)
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="thidua-bench-summary-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "THIDUA_ALLOWED_HOSTS": HOST,
        "THIDUA_SECRET_KEY": secrets.token_urlsafe(
            50
        ),  # shared by this process and gunicorn, for the session
        "THIDUA_VAR_DIR": str(workdir / "var"),  # nothing of the project's var/ is read or written
        "THIDUA_DEBUG": "",
        "PYTHONPATH": str(ROOT),
        "THIDUA_REDIS_URL": args.redis,
    }
    server: subprocess.Popen[bytes] | None = None
    created = False
    try:
        print(f"Creating database {DATABASE}, migrating, building {MEMBERS} members × {CRITERIA} criteria…")
        create_database(args.server, DATABASE)
        created = True
        # This process only prepares data; gunicorn's workers keep the production setting (a pool each).
        os.environ.update({**env, "THIDUA_DB_POOL": "0"})
        path, floor, cookie, pg_version = _prepare_data()

        port = free_port()
        log = workdir / "gunicorn.log"
        with log.open("wb") as log_file:
            server = start_gunicorn(port, args.workers, env, log_file, threads=args.threads)
        wait_ready(port, server, log)
        status, body = get(port, path, {"Cookie": cookie})
        page = body.decode()
        if status != 200 or f"Tổng hợp kết quả chấm điểm năm {YEAR}" not in page:
            raise RuntimeError(
                f"the summary page answered {status}:\n{page[:2000]}\n{log.read_text()[-3000:]}"
            )
        if page.count('<g class="bar"') != MEMBERS:
            raise RuntimeError("the summary page does not show one bar per member")
        if get(port, floor, {"Cookie": cookie}) != (200, b"ok"):
            raise RuntimeError("the permission-only view did not answer ok")

        urls = {"bare view": "/bench/bare/", "permission only": floor, "summary page": path}
        for url in urls.values():
            load(
                port, url, {"Cookie": cookie}, concurrency=args.concurrency, seconds=10, limit=WARMUP_REQUESTS
            )
        runs: dict[str, list[Measurement]] = {label: [] for label in urls}
        for number in range(1, args.rounds + 1):
            # Interleaved, so that a slow drift of the machine weighs on every URL alike.
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
                print(f"round {number} {label:16} {m.rps:8.1f} req/s  p50 {m.percentile(50) * 1000:6.1f} ms")

        bare_all, floor_all, summary_all = (combine(runs[label]) for label in urls)
        # Each round's ratio compares URLs measured seconds apart; their median shrugs off a round that
        # another process on the machine slowed down. The pooled ratio is shown beside it.
        ratio = median_ratio(runs["summary page"], runs["bare view"])
        floor_ratio = median_ratio(runs["permission only"], runs["bare view"])
        pooled = summary_all.rps / bare_all.rps if bare_all.rps else 0.0
        errors = bare_all.errors + floor_all.errors + summary_all.errors
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
        print(row("bare view (`/bench/bare/`)", bare_all))
        print(row("permission only (session, user, year, roles)", floor_all))
        print(row(f"summary page, {MEMBERS} members × {CRITERIA} criteria", summary_all))
        print()
        verdict = "meets" if ratio >= GOAL_RATIO else "MISSES"
        print(
            f"Ratio summary / bare: {ratio:.3f}, median of {args.rounds} rounds (pooled {pooled:.3f}); "
            f"{verdict} the goal of ≥ {GOAL_RATIO:g}"
        )
        print(
            f"Ratio permission only / bare: {floor_ratio:.3f}, median of {args.rounds} rounds "
            "(the ceiling of any year page on this server)"
        )
        return 0 if ratio >= GOAL_RATIO and errors == 0 else 1
    finally:
        finish(server, database_server=args.server, database=DATABASE if created else None, workdir=workdir)


if __name__ == "__main__":
    sys.exit(main())
