"""Article page of a news site (issue 6): the cached page against a bare Django view and against the same
article drawn by Wagtail without the cache, in one run on gunicorn (2 workers) and PostgreSQL.

Goals (issue 6): with the page cache, an article serves at least half the requests per second of a bare
Django view and at least five times the uncached article page.

It creates the database `thidua_bench_news` on the loopback PostgreSQL server, migrates, loads the whole demo
(`manage.py load_demo`: Ninh Bình's news site with the seed article and its "Các tin khác"), starts
`gunicorn bench.bench_wsgi` on a free loopback port with the loopback Redis as the shared cache, and
measures, as an anonymous reader of ninhbinh.localhost, in interleaved rounds: `/bench/bare/`, the seed
article through `/bench/tin-khong-cache/…` (Wagtail's own `serve`, no cache) and the seed article at its
address (through the cache). The ratios are the medians of the rounds' ratios. The database, gunicorn and
the temporary directory are removed at the end, on failure too.

Usage, from the project root: .venv/bin/python -m bench.news_bench [--rounds 3] [--seconds 10]
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

from bench.harness import ROOT, create_database, free_port, start_gunicorn
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

DATABASE = "thidua_bench_news"
NEWS_HOST = "ninhbinh.localhost"
WARMUP_REQUESTS = 60
GOAL_BARE = 0.5
GOAL_UNCACHED = 5.0


def _prepare_data() -> tuple[str, str]:
    """Migrate and load the demo; return the seed article's path and the PostgreSQL version."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from thidua.news.demo import SEED_SLUG

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = str(cursor.fetchone()[0])
    connections.close_all()
    return f"/tin-tuc-su-kien/{SEED_SLUG}/", pg_version


def main(argv: list[str] | None = None) -> int:
    args = page_options(__doc__, argv)

    signal.signal(signal.SIGTERM, raise_exit)
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="thidua-bench-news-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "THIDUA_ALLOWED_HOSTS": f"127.0.0.1,{NEWS_HOST}",
        "THIDUA_SECRET_KEY": secrets.token_urlsafe(50),
        "THIDUA_VAR_DIR": str(workdir / "var"),  # nothing of the project's var/ is read or written
        "THIDUA_MEDIA_ROOT": str(workdir / "media"),
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
        article, pg_version = _prepare_data()

        port = free_port()
        log = workdir / "gunicorn.log"
        with log.open("wb") as log_file:
            server = start_gunicorn(port, args.workers, env, log_file, threads=args.threads)
        wait_ready(port, server, log)
        reader = {"Host": NEWS_HOST}
        urls = {
            "bare view": "/bench/bare/",
            "article, no cache": f"/bench/tin-khong-cache{article}",
            "article": article,
        }
        cached_page = get(port, article, reader)
        drawn_page = get(port, urls["article, no cache"], reader)
        for label, (status, body) in (("article", cached_page), ("article, no cache", drawn_page)):
            if status != 200 or "Các tin khác" not in body.decode():
                raise RuntimeError(f"{label} answered {status}:\n{body[:2000]!r}\n{log.read_text()[-3000:]}")

        for url in urls.values():
            load(port, url, reader, concurrency=args.concurrency, seconds=10, limit=WARMUP_REQUESTS)
        runs: dict[str, list[Measurement]] = {label: [] for label in urls}
        for number in range(1, args.rounds + 1):
            for label, url in urls.items():
                m = load(
                    port, url, reader, concurrency=args.concurrency, seconds=args.seconds, limit=args.requests
                )
                runs[label].append(m)
                print(f"round {number} {label:18} {m.rps:8.1f} req/s  p50 {m.percentile(50) * 1000:6.1f} ms")

        bare_all, uncached_all, cached_all = (combine(runs[label]) for label in urls)
        to_bare = median_ratio(runs["article"], runs["bare view"])
        to_uncached = median_ratio(runs["article"], runs["article, no cache"])
        errors = bare_all.errors + uncached_all.errors + cached_all.errors
        print()
        print(f"Date: {datetime.date.today().isoformat()}")
        print(f"Machine: {machine(pg_version)}")
        print(
            f"Load: {args.concurrency} client threads on the same machine, {args.rounds} rounds of up to "
            f"{args.seconds:g} s or {args.requests} requests per URL; gunicorn {args.workers} sync workers; "
            f"Redis {'on' if args.redis else 'off'}"
        )
        print()
        print("| URL | requests | errors | seconds | req/s | p50 ms | p99 ms |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        print(row("bare view (`/bench/bare/`)", bare_all))
        print(row("seed article, drawn by Wagtail (no cache)", uncached_all))
        print(row("seed article (page cache)", cached_all))
        print()
        met = to_bare >= GOAL_BARE and to_uncached >= GOAL_UNCACHED
        print(f"Ratio article / bare: {to_bare:.3f} (goal ≥ {GOAL_BARE:g}), median of {args.rounds} rounds")
        print(f"Ratio article / article without cache: {to_uncached:.2f} (goal ≥ {GOAL_UNCACHED:g})")
        print("Goals: " + ("met" if met else "MISSED") + f"; failed requests: {errors}")
        return 0 if met and errors == 0 else 1
    finally:
        finish(server, database_server=args.server, database=DATABASE if created else None, workdir=workdir)


if __name__ == "__main__":
    sys.exit(main())
