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

import argparse
import datetime
import http.client
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
from bench.harness import create_database, drop_database, free_port, start_gunicorn  # noqa: E402

DATABASE = "thidua_bench_summary"
HOST = "127.0.0.1"
YEAR = 2027
MEMBERS = 10
CRITERIA = 80
READY_SECONDS = 30
WARMUP_REQUESTS = 60
GOAL_RATIO = 0.5


@dataclass(frozen=True)
class Measurement:
    path: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _prepare_data() -> tuple[str, str, str, str]:
    """Migrate, load the registry, build the year; return the summary page's path, the permission-only
    path of the same year, the Cookie header a signed-in browser sends and the PostgreSQL version."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.db import connection, connections
    from django.db.models import Max
    from django.urls import reverse

    from thidua.accounts.models import User
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
    staff = User.objects.get(username="vusta")
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(staff.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = str(cursor.fetchone()[0])
    # What a browser sends after its first page: the session, and the CSRF cookie that page's forms set.
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={_new_csrf_secret()}"
    slug = emulation_year.group.slug
    path = reverse("score_summary:summary", args=[slug, YEAR])
    floor = reverse("bench_year_permission", args=[slug, YEAR])
    connections.close_all()
    return path, floor, cookie, pg_version


def _new_csrf_secret() -> str:
    from django.middleware.csrf import _get_new_csrf_string

    return _get_new_csrf_string()


def _get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _wait_ready(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if _get(port, "/bench/bare/", "")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {READY_SECONDS} s:\n{log.read_text()[-3000:]}")


def _load(port: int, path: str, cookie: str, *, concurrency: int, seconds: float, limit: int) -> Measurement:
    """Up to `limit` requests from `concurrency` threads, none started after `seconds`."""
    lock = threading.Lock()
    issued = 0
    errors = 0
    latencies: list[float] = []
    start = time.perf_counter()
    deadline = start + seconds

    def worker() -> None:
        nonlocal issued, errors
        while True:
            with lock:
                if issued >= limit or time.perf_counter() >= deadline:
                    return
                issued += 1
            began = time.perf_counter()
            try:
                status, _ = _get(port, path, cookie)
                ok = status == 200
            except OSError:
                ok = False
            elapsed = time.perf_counter() - began
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)  # each request has a 30 s timeout: bounded even if the server hangs
    total = time.perf_counter() - start
    return Measurement(path, len(latencies), errors, total, latencies)


def _stop(server: subprocess.Popen[bytes] | None) -> None:
    if server is None or server.poll() is not None:
        return
    # gunicorn's master stops its workers on SIGTERM; the process group catches any it left behind.
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def _machine(pg_version: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import django

    gunicorn = subprocess.run(  # noqa: S603 — our own venv's binary, fixed arguments
        [str(ROOT / ".venv/bin/gunicorn"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Django {django.get_version()}, {gunicorn}, PostgreSQL {pg_version}"
    )


def _row(label: str, m: Measurement) -> str:
    return (
        f"| {label} | {m.requests} | {m.errors} | {m.seconds:.1f} | {m.rps:.1f} "
        f"| {m.percentile(50) * 1000:.1f} | {m.percentile(99) * 1000:.1f} |"
    )


def _combine(parts: list[Measurement]) -> Measurement:
    return Measurement(
        parts[0].path,
        sum(p.requests for p in parts),
        sum(p.errors for p in parts),
        sum(p.seconds for p in parts),
        [latency for p in parts for latency in p.latencies],
    )


def _median_ratio(page: list[Measurement], baseline: list[Measurement]) -> float:
    return statistics.median(p.rps / b.rps if b.rps else 0.0 for p, b in zip(page, baseline, strict=True))


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # so that SIGTERM runs the cleanup in `finally`


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="time limit per measurement")
    parser.add_argument("--requests", type=int, default=2000, help="request limit per measurement")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--rounds", type=int, default=3, help="every URL in turn, this many times")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/8",
        help="shared cache (THIDUA_REDIS_URL) for sessions and users, as a production setup has; "
        "'' for none (sessions and users then come from PostgreSQL on every request)",
    )
    args = parser.parse_args(argv)
    if urlsplit(args.server).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("a loopback PostgreSQL server only, e.g. postgres://postgres@127.0.0.1:5432")

    signal.signal(signal.SIGTERM, _raise_exit)
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
            server = start_gunicorn(port, args.workers, env, log_file)
        _wait_ready(port, server, log)
        status, body = _get(port, path, cookie)
        page = body.decode()
        if status != 200 or f"Tổng hợp kết quả chấm điểm năm {YEAR}" not in page:
            raise RuntimeError(
                f"the summary page answered {status}:\n{page[:2000]}\n{log.read_text()[-3000:]}"
            )
        if page.count('<g class="bar"') != MEMBERS:
            raise RuntimeError("the summary page does not show one bar per member")
        if _get(port, floor, cookie) != (200, b"ok"):
            raise RuntimeError("the permission-only view did not answer ok")

        urls = {"bare view": "/bench/bare/", "permission only": floor, "summary page": path}
        for url in urls.values():
            _load(port, url, cookie, concurrency=args.concurrency, seconds=10, limit=WARMUP_REQUESTS)
        runs: dict[str, list[Measurement]] = {label: [] for label in urls}
        for number in range(1, args.rounds + 1):
            # Interleaved, so that a slow drift of the machine weighs on every URL alike.
            for label, url in urls.items():
                m = _load(
                    port, url, cookie, concurrency=args.concurrency, seconds=args.seconds, limit=args.requests
                )
                runs[label].append(m)
                print(f"round {number} {label:16} {m.rps:8.1f} req/s  p50 {m.percentile(50) * 1000:6.1f} ms")

        bare_all, floor_all, summary_all = (_combine(runs[label]) for label in urls)
        # Each round's ratio compares URLs measured seconds apart; their median shrugs off a round that
        # another process on the machine slowed down. The pooled ratio is shown beside it.
        ratio = _median_ratio(runs["summary page"], runs["bare view"])
        floor_ratio = _median_ratio(runs["permission only"], runs["bare view"])
        pooled = summary_all.rps / bare_all.rps if bare_all.rps else 0.0
        errors = bare_all.errors + floor_all.errors + summary_all.errors
        print()
        print(f"Date: {datetime.date.today().isoformat()}")
        print(f"Machine: {_machine(pg_version)}")
        print(
            f"Load: {args.concurrency} client threads on the same machine, {args.rounds} rounds of up to "
            f"{args.seconds:g} s or {args.requests} requests per URL; gunicorn {args.workers} sync workers"
        )
        print()
        print("| URL | requests | errors | seconds | req/s | p50 ms | p99 ms |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        print(_row("bare view (`/bench/bare/`)", bare_all))
        print(_row("permission only (session, user, year, roles)", floor_all))
        print(_row(f"summary page, {MEMBERS} members × {CRITERIA} criteria", summary_all))
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
        _stop(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 — Django may not be set up yet; nothing to close then
            pass
        if created:
            drop_database(args.server, DATABASE)
            print(f"Dropped database {DATABASE}.")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
