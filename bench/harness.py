"""What the server benchmarks share: a throwaway PostgreSQL database, gunicorn on a free loopback port,
and writing one section of docs/benchmarks.md without touching the others."""

from __future__ import annotations

import platform
import socket
import subprocess
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DOCS = ROOT / "docs" / "benchmarks.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def admin_connect(server: str) -> Any:
    import psycopg

    return psycopg.connect(f"{server}/postgres", autocommit=True)


def drop_database(server: str, name: str) -> None:
    with admin_connect(server) as connection:
        # FORCE ends the sessions a killed worker may have left (PostgreSQL 13+).
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(server: str, name: str) -> None:
    drop_database(server, name)
    with admin_connect(server) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def start_gunicorn(
    port: int,
    workers: int,
    env: dict[str, str],
    log_file: IO[bytes],
    threads: int = 1,
    *,
    access_log: bool = False,
) -> subprocess.Popen[bytes]:
    """`bench.bench_wsgi` (the project plus the bench's reference views) in its own process group;
    `access_log` adds a line per request to the log, its status included."""
    return subprocess.Popen(  # noqa: S603 — our own venv's gunicorn, fixed arguments
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "bench.bench_wsgi",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            *(["--access-logfile", "-"] if access_log else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def cpu_name() -> str:
    """The processor's model, for the line that says where a benchmark ran."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.machine()


def replace_section(section: str, text: str) -> None:
    """Replace `section` ("## …") of docs/benchmarks.md, or append it, leaving the rest as is: the file is
    read again just before writing, as other benchmarks write other sections."""
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    start = current.find(section + "\n")
    if start == -1:
        updated = current.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        following = current.find("\n## ", start + len(section))
        tail = current[following + 1 :] if following != -1 else ""
        updated = current[:start] + text.rstrip("\n") + "\n" + ("\n" + tail if tail else "")
    DOCS.write_text(updated, encoding="utf-8")


def signed_in_cookie(username: str) -> str:
    """The Cookie header a signed-in browser sends after its first page: a session opened directly through
    the configured session engine (no password round trip) and the CSRF cookie that page's forms set."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import _get_new_csrf_string

    from thidua.accounts.models import User

    user = User.objects.get(username=username)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"
