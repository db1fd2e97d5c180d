"""Every page of the year's walk against a bare Django view (issue 16), served by gunicorn as production
serves them, with the demo and, with `--national`, a whole parent body at national size beside it.

Goal: each page at least 0.5 of a bare Django view's requests per second in the same run. The query
count of each page does not grow with the data (asserted in tests/test_page_queries.py and the apps'
query tests); this measures what a page costs beyond its queries.

What it does, loopback only, every loop bounded:
1. creates the database `thidua_bench_pages` (dropped first if a crashed run left it), migrates it, loads
   the demo and, with `--national [SCALE]`, `load_demo --national --scale SCALE`;
2. opens a session for each user the walk needs directly in the database (no password round trip);
3. starts gunicorn on bench.bench_wsgi (config.urls plus /bench/bare/) on a free port;
4. checks every page answers 200, warms them up, then for each round measures the bare view and every
   page in turn: N client threads (stdlib http.client), until S seconds or R requests;
5. reports requests/second, p50/p99 and the median ratio per page; `--write` puts the table in
   docs/benchmarks.md; kills gunicorn and drops the database even on failure or Ctrl+C.

Usage, from the project root:
    .venv/bin/python -m bench.pages_bench [--national 1.0] [--seconds 5] [--rounds 3] [--write]
"""

from __future__ import annotations

import datetime
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.harness import (
    HOST,
    ROOT,
    create_database,
    free_port,
    replace_section,
    signed_in_cookie,
    start_gunicorn,
)
from bench.httpload import (
    Measurement,
    finish,
    get,
    load,
    machine,
    median_ratio,
    page_options,
    raise_exit,
    wait_ready,
)

DATABASE = "thidua_bench_pages"
WARMUP_REQUESTS = 40
GOAL_RATIO = 0.5
SECTION = "## Every page of the year's walk (issue 16)"
NEWS_HOST = "ninhbinh.localhost"


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    headers: dict[str, str]


def _prepare(national: float | None) -> tuple[list[Page], dict[str, str], str, str]:
    """Migrate, load the data; the walk's pages with the headers of who reads each, the parent body's
    staff's headers, the data's size, and the PostgreSQL version."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.urls import reverse

    from thidua.accounts.models import Role, RoleKind
    from thidua.assessments.models import ReviewAssignment
    from thidua.conferences.models import Conference
    from thidua.news.demo import SEED_SLUG
    from thidua.organizations.models import EmulationGroup, Organization

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", verbosity=0)
    if national is not None:
        call_command("load_demo", "--national", "--scale", str(national), verbosity=0)
    cookies = {name: {"Cookie": signed_in_cookie(name)} for name in ("vusta", "quangtri", "ninhbinh")}
    slug = "vusta-cum-4"
    review = ReviewAssignment.objects.filter(
        emulation_year__group__slug=slug, emulation_year__year=2023
    ).first()
    conference = Conference.objects.filter(
        emulation_year__group__slug=slug, emulation_year__year=2023
    ).first()
    assert review is not None and conference is not None, "the demo's 2023 has cross-checks and a conference"
    staff = cookies["vusta"]
    # The cross-check is read by the reviewing member's officer (staff see the year, not the review form).
    reviewer = (
        Role.objects.filter(kind=RoleKind.OFFICER, organization=review.reviewer)
        .select_related("user")
        .first()
    )
    assert reviewer is not None, "the demo's reviewing members have officers"
    cookies["reviewer"] = {"Cookie": signed_in_cookie(reviewer.user.username)}
    pages = [
        Page("home with to-dos", reverse("home"), cookies["quangtri"]),
        Page("group", reverse("organizations:group_detail", args=[slug]), staff),
        Page("year dashboard", reverse("years:dashboard", args=[slug, 2026]), cookies["quangtri"]),
        Page("summary (ranking)", reverse("score_summary:summary", args=[slug, 2023]), cookies["ninhbinh"]),
        Page(
            "score sheet",
            reverse("scoring:sheet", args=[slug, 2023, "lhh-ninh-binh"]),
            cookies["ninhbinh"],
        ),
        Page(
            "review", reverse("scoring:review", args=[slug, 2023, review.reviewed.code]), cookies["reviewer"]
        ),
        Page("conference", reverse("conferences:detail", args=[slug, 2023, conference.pk]), staff),
        Page("documents", reverse("documents:list", args=[slug, 2023]), staff),
        Page("dossier", reverse("awards:dossier", args=[slug, 2023]), staff),
        Page("parent body's overview", reverse("parent_awards:overview", args=["vusta", 2026]), staff),
        Page("organization list", reverse("organizations:organization_list"), staff),
        Page("news article", f"/tin-tuc-su-kien/{SEED_SLUG}/", {"Host": NEWS_HOST}),
    ]
    size = (
        f"{EmulationGroup.objects.count():,} groups, {Organization.objects.count():,} organizations".replace(
            ",", "."
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = str(cursor.fetchone()[0])
    connections.close_all()
    return pages, staff, size, pg_version


def main(argv: list[str] | None = None) -> int:
    import argparse

    extra = argparse.ArgumentParser(add_help=False)
    extra.add_argument(
        "--national", type=float, default=None, help="also load the national demo at this scale"
    )
    extra.add_argument("--write", action="store_true", help="replace this section of docs/benchmarks.md")
    known, rest = extra.parse_known_args(argv)
    args = page_options(__doc__, rest)
    signal.signal(signal.SIGTERM, raise_exit)
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="thidua-bench-pages-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "THIDUA_ALLOWED_HOSTS": f"{HOST},{NEWS_HOST}",
        "THIDUA_SECRET_KEY": secrets.token_urlsafe(50),
        "THIDUA_VAR_DIR": str(workdir / "var"),
        "THIDUA_DEBUG": "",
        "PYTHONPATH": str(ROOT),
        "THIDUA_REDIS_URL": args.redis,
    }
    server: subprocess.Popen[bytes] | None = None
    created = False
    try:
        print(f"Creating database {DATABASE}, migrating, loading the data…", flush=True)
        create_database(args.server, DATABASE)
        created = True
        os.environ.update({**env, "THIDUA_DB_POOL": "0"})
        pages, staff, size, pg_version = _prepare(known.national)
        port = free_port()
        log = workdir / "gunicorn.log"
        with log.open("wb") as log_file:
            server = start_gunicorn(port, args.workers, env, log_file, threads=args.threads)
        wait_ready(port, server, log)
        for page in pages:
            status, body = get(port, page.path, page.headers)
            if status != 200:
                raise RuntimeError(f"{page.label} {page.path} answered {status}:\n{body.decode()[:1500]}")
        bare = Page("bare view", "/bench/bare/", {})
        # Not a page of the walk: the same bare view signed in, to show what every signed-in request pays
        # before any view runs (the session and its user read by the middleware). Not in the goal.
        signed_in = Page("bare view, signed in", "/bench/bare/", staff)
        every = [bare, signed_in, *pages]
        for page in every:
            load(
                port, page.path, page.headers, concurrency=args.concurrency, seconds=10, limit=WARMUP_REQUESTS
            )
        runs: dict[str, list[Measurement]] = {page.label: [] for page in every}
        for number in range(1, args.rounds + 1):
            for page in every:
                m = load(
                    port,
                    page.path,
                    page.headers,
                    concurrency=args.concurrency,
                    seconds=args.seconds,
                    limit=args.requests,
                )
                runs[page.label].append(m)
                print(
                    f"round {number} {page.label:24} {m.rps:8.1f} req/s  p50 {m.percentile(50) * 1000:6.1f} ms"
                )
        rows = []
        met = 0
        for page in pages:
            ratio = median_ratio(runs[page.label], runs[bare.label])
            met += ratio >= GOAL_RATIO
            best = max(runs[page.label], key=lambda m: m.rps)
            rows.append(
                f"| {page.label} | `{page.path}` | {best.rps:.0f} | {best.percentile(50) * 1000:.0f} | "
                f"{best.percentile(99) * 1000:.0f} | {ratio:.3f} | {'met' if ratio >= GOAL_RATIO else 'missed'} |"
            )
        reference = median_ratio(runs[signed_in.label], runs[bare.label])
        best = max(runs[signed_in.label], key=lambda m: m.rps)
        rows.append(
            f"| *{signed_in.label} (reference, not a page)* | `{signed_in.path}` | {best.rps:.0f} | "
            f"{best.percentile(50) * 1000:.0f} | {best.percentile(99) * 1000:.0f} | {reference:.3f} | — |"
        )
        bare_best = max(runs[bare.label], key=lambda m: m.rps)
        text = f"""{SECTION}

`bench/pages_bench.py{" --national " + str(known.national) if known.national is not None else ""}`,
{datetime.date.today().isoformat()}: {size}; gunicorn ({args.workers} workers × {args.threads} threads), {args.concurrency}
client threads, {args.rounds} rounds of {args.seconds:.0f} s; {machine(pg_version)}. Ratio: the median over the
rounds of the page's requests per second against the bare view's in the same round (bare view: {bare_best.rps:.0f}
req/s at best). Goal: at least {GOAL_RATIO}; met by {met} of {len(pages)} pages.

| page | path | req/s | p50 ms | p99 ms | ratio to bare view | goal |
|---|---|---:|---:|---:|---:|---|
{chr(10).join(rows)}
"""
        print(text)
        if known.write:
            replace_section(SECTION, text)
        return 0
    finally:
        finish(server, database_server=args.server, database=DATABASE if created else None, workdir=workdir)


if __name__ == "__main__":
    raise SystemExit(main())
