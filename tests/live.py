"""A live gunicorn serving the test database, and browsers talking to it over real HTTP: what the tests
that need several app processes share (tests/test_faults.py, tests/test_two_sessions.py).

gunicorn runs `bench.bench_wsgi` (the production settings but for static files) on a free loopback port
and reads the committed rows of the test database, so the tests using it are transactional. PostgreSQL
only: on SQLite the suite's database lives in the test process's memory, out of gunicorn's reach.
Linux only (the workers are found in /proc).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from bench.harness import HOST, free_port, start_gunicorn

TIMEOUT = 10.0
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# What a request that failed on the server leaves in gunicorn's log: a traceback, or a 5xx in the
# access log's «"POST /path HTTP/1.1" 500 …».
PROBLEM_RE = re.compile(r'Traceback|" 5\d\d ')


@dataclass
class Reply:
    status: int
    cookies: dict[str, str]  # set by the response ("" when it deletes one)
    body: str
    location: str = ""  # the path a redirect points to

    def __str__(self) -> str:
        return f"{self.status} {self.location or self.body[-2000:]}"


def exchange(
    port: int,
    method: str,
    path: str,
    form: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> Reply:
    """One request on a fresh connection, as a browser sends it."""
    client = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        headers = {"Connection": "close"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{port}{path}"
        client.request(method, path, body=body, headers=headers)
        response = client.getresponse()
        text = response.read().decode("utf-8", "replace")
        set_cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                set_cookies[key] = rest.split(";", 1)[0]
        location = urlsplit(response.getheader("Location") or "")
        where = location.path + (f"?{location.query}" if location.query else "")
        return Reply(response.status, set_cookies, text, where)
    finally:
        client.close()


def request(
    port: int,
    method: str,
    path: str,
    form: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    """One request on a fresh connection: (status, cookies set, body)."""
    reply = exchange(port, method, path, form, cookies)
    return reply.status, reply.cookies, reply.body


@dataclass
class Server:
    port: int
    env: dict[str, str]
    log: Path
    processes: int = 2
    access_log: bool = False
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = start_gunicorn(
            self.port, self.processes, self.env, self.log.open("ab"), access_log=self.access_log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _, _ = request(self.port, "GET", "/")
                if status == 200:
                    return
            except OSError:
                pass
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            time.sleep(0.2)
        raise AssertionError("gunicorn did not answer within 30 s:\n" + self.log.read_text()[-3000:])

    def workers(self) -> list[int]:
        assert self.process is not None
        found = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(
                    line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
                )
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid):
                found.append(int(status.parent.name))
        return found

    def kill_all(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def problems(self) -> list[str]:
        """The log's lines that tell of a request failing on the server."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if PROBLEM_RE.search(line)]


@contextmanager
def serving(
    tmp_path: Path, *, processes: int = 2, access_log: bool = False, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """A gunicorn, not yet started, for the test database, with `env` added to its environment; killed
    when the block ends."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: gunicorn must reach the test database, which SQLite keeps in this process's memory"
        )
    db = connection.settings_dict
    url = f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": url,
        "THIDUA_SECRET_KEY": settings.SECRET_KEY,  # the sessions made here must be valid there
        "THIDUA_ALLOWED_HOSTS": HOST,
        "THIDUA_VAR_DIR": str(tmp_path / "var"),
        "THIDUA_DEBUG": "",
        # As in the test process (conftest.py): the sessions made here skip the second sign-in step.
        "THIDUA_TWO_FACTOR_REQUIRED": "0",
        **(env or {}),
    }
    running = Server(free_port(), env, tmp_path / "gunicorn.log", processes, access_log)
    try:
        yield running
    finally:
        running.kill_all()


def session_cookie(username: str) -> str:
    """The session cookie of `username` signed in: a session in the shared store, made here."""
    from thidua.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@dataclass
class Browser:
    """One browser's cookie jar against the live server, and the CSRF token of the last page it drew.
    `tab()` is the same browser's second tab, or the second request of a double click."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    @classmethod
    def signed_in(cls, port: int, username: str) -> Browser:
        return cls(port, {settings.SESSION_COOKIE_NAME: session_cookie(username)})

    def tab(self) -> Browser:
        return Browser(self.port, dict(self.cookies), self.token)

    def _keep(self, reply: Reply) -> Reply:
        for name, value in reply.cookies.items():
            if value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        token = TOKEN_RE.search(reply.body)
        if token is not None:
            self.token = token.group(1)
        return reply

    def get(self, path: str) -> Reply:
        return self._keep(exchange(self.port, "GET", path, cookies=self.cookies))

    def post(self, path: str, form: dict[str, str]) -> Reply:
        data = {**form, "csrfmiddlewaretoken": self.token}
        return self._keep(exchange(self.port, "POST", path, data, self.cookies))

    def follow(self, reply: Reply) -> Reply:
        """The page a redirect leads to (with the messages the redirecting request left)."""
        assert reply.status == 302, reply
        return self.get(reply.location)
