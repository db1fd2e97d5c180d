"""What the HTTP benchmarks share: a measurement of many GETs, the threaded stdlib client that makes it,
waiting for and stopping gunicorn, the machine line and the table rows of docs/benchmarks.md."""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import signal
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from bench.harness import HOST, ROOT, drop_database

READY_SECONDS = 30


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


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One GET on a fresh connection (gunicorn's sync workers close each one anyway)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_ready(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if get(port, "/bench/bare/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {READY_SECONDS} s:\n{log.read_text()[-3000:]}")


def load(
    port: int, path: str, headers: dict[str, str], *, concurrency: int, seconds: float, limit: int
) -> Measurement:
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
                status, _ = get(port, path, headers)
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


def stop(server: subprocess.Popen[bytes] | None) -> None:
    if server is None or server.poll() is not None:
        return
    # gunicorn's master stops its workers on SIGTERM; the process group catches any it left behind.
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def machine(pg_version: str) -> str:
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


def row(label: str, m: Measurement) -> str:
    return (
        f"| {label} | {m.requests} | {m.errors} | {m.seconds:.1f} | {m.rps:.1f} "
        f"| {m.percentile(50) * 1000:.1f} | {m.percentile(99) * 1000:.1f} |"
    )


def combine(parts: list[Measurement]) -> Measurement:
    return Measurement(
        parts[0].path,
        sum(p.requests for p in parts),
        sum(p.errors for p in parts),
        sum(p.seconds for p in parts),
        [latency for p in parts for latency in p.latencies],
    )


def median_ratio(page: list[Measurement], baseline: list[Measurement]) -> float:
    return statistics.median(p.rps / b.rps if b.rps else 0.0 for p, b in zip(page, baseline, strict=True))


def raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # so that SIGTERM runs the cleanup in `finally`


def page_options(doc: str | None, argv: list[str] | None) -> argparse.Namespace:
    """The options of the page benchmarks (summary_bench, news_bench), parsed; a loopback server only."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument(
        "--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="time limit per measurement")
    parser.add_argument("--requests", type=int, default=2000, help="request limit per measurement")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--rounds", type=int, default=3, help="every URL in turn, this many times")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/8",
        help="shared cache (THIDUA_REDIS_URL), as a production setup has; '' for none",
    )
    args = parser.parse_args(argv)
    if urlsplit(args.server).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("a loopback PostgreSQL server only, e.g. postgres://postgres@127.0.0.1:5432")
    return args


def finish(
    server: subprocess.Popen[bytes] | None, *, database_server: str, database: str | None, workdir: Path
) -> None:
    """Stop gunicorn, close this process's connections, drop the throwaway database (None: not created)
    and remove the temporary directory: at the end of every benchmark, on failure too."""
    stop(server)
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: S110 — Django may not be set up yet; nothing to close then
        pass
    if database is not None:
        drop_database(database_server, database)
        print(f"Dropped database {database}.")
    shutil.rmtree(workdir, ignore_errors=True)
