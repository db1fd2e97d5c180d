"""A real Chromium, driven through Playwright, against pytest-django's live server.

Chromium is Debian's package (`apt-get install chromium`), never a browser Playwright downloads:
set THIDUA_CHROMIUM to use another executable. Without it the browser tests are skipped, except
under CI (CI set), where a missing browser fails the run instead of hiding the tests.

The database. The suite loads the Cụm 4 demo once per session and every ordinary test runs
inside a transaction that is rolled back, so the demo is always there. The live server answers
from another thread, so it only sees committed rows: a browser test is transactional, and
pytest-django flushes (empties) every table after a transactional test. Two fixtures keep the
demo where the rest of the suite expects it:

- `demo_site` (each browser test) loads the demo, committed, before the test: the test starts
  from the demo whatever the previous transactional test left (nothing, after its flush);
- `_demo_back_after_browser_tests` (once for this package) loads it again after the last
  browser test's flush, so any test that runs after the browser tests finds the demo as the
  session left it. pytest-django already runs transactional tests after the others; this does
  not depend on that order.

`load_demo` is idempotent, so loading on a database that still holds the demo adds nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # The machine has no network: without these Chromium stalls on its background connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


def _chromium_path() -> str:
    return os.environ.get("THIDUA_CHROMIUM") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium_path()
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        if os.environ.get("CI"):
            pytest.fail(
                f"Chromium not found at {executable}: CI must run the browser tests "
                "(install Debian's chromium package, or set THIDUA_CHROMIUM)",
                pytrace=False,
            )
        pytest.skip(
            f"Chromium not found at {executable}: browser tests skipped (install Debian's chromium package)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    # Keep each phase's report on the test item, so a page fixture knows whether its test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _open_page(browser: Any, request: pytest.FixtureRequest, **context_options: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    # The pages run under a Content-Security-Policy without inline scripts or styles: anything the policy
    # blocks is reported on the console, and fails the test that met it.
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield page
        assert not violations, f"blocked by the Content-Security-Policy: {violations}"
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            RESULTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            try:
                page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
            except Exception as error:  # a screenshot must never hide the test's own failure
                print(f"screenshot failed: {error}")
        context.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh desktop browser context and page (1280×800)."""
    yield from _open_page(browser, request, viewport={"width": 1280, "height": 800})


@pytest.fixture
def phone_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh phone-sized context and page (360×740, touch)."""
    yield from _open_page(
        browser, request, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )


@pytest.fixture(scope="package", autouse=True)
def _demo_back_after_browser_tests(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    yield
    # Runs after the last browser test's flush (package scope ends after its function fixtures).
    with django_db_blocker.unblock():
        _load_demo_committed()


@pytest.fixture
def demo_site(live_server: Any) -> str:
    """The live server's base URL, over a committed copy of the Cụm 4 demo."""
    # live_server has made this test transactional (pytest-django): these rows are committed.
    _load_demo_committed()
    return str(live_server.url)


def _load_demo_committed() -> None:
    from django.db import connections

    from thidua.demo.loader import load_full_demo

    load_full_demo()
    # Playwright's sync API runs test code in its own context, where Django (whose connections are
    # per context) opens a connection of its own. Hand it back now: on PostgreSQL a connection
    # left open keeps the test database from being dropped at the end of the session. (Closing
    # an in-memory SQLite connection is a no-op in Django, so the SQLite test database is safe.)
    connections.close_all()
