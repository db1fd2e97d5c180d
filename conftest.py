"""Personas for the whole suite.

The test database starts with the Cụm 4 demo loaded once per session (each test then runs in its
own rolled-back transaction), so tests speak of real cases: "an officer of Nghệ An cannot change
Hà Tĩnh's records", not of user #3.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client


def pytest_configure(config: pytest.Config) -> None:
    # Password hashing dominates the demo load; tests do not need it slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests do not run collectstatic; the manifest storage of production would refuse to render.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Wagtail's apps open the static storage while Django sets up, before this runs: drop the storage
    # already made, as override_settings would.
    from django.test.signals import setting_changed

    setting_changed.send(sender=None, setting="STORAGES", value=settings.STORAGES, enter=True)
    # Tasks run where they are enqueued, as Wagtail's did before thidua had a queue; the tests of the
    # worker itself put the database queue back (thidua/years/tests/test_worker.py).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Tests sign in as staff all the time, with the password or force_login: the second sign-in step is
    # off for them, and turned on by the tests of the step itself (thidua/accounts/tests/test_two_factor.py).
    settings.TWO_FACTOR_REQUIRED = False
    # No thread making ballot kits behind every test that opens a poll; the tests of kits turn it on.
    settings.BALLOT_KITS = 0
    # A browser test's live server and Playwright share the process; Django must allow it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from thidua.demo.loader import load_full_demo

    with django_db_blocker.unblock():
        load_full_demo()


@pytest.fixture(scope="module")
def demo_restored_after_module(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Transactional tests commit for real, and pytest-django empties every table after each of them;
    this puts the demo back once the module's last test (and its flush) is done, for whatever runs next."""
    yield
    from django.db import connections

    from thidua.demo.loader import load_full_demo

    with django_db_blocker.unblock():
        load_full_demo()
        connections.close_all()


@pytest.fixture
def committed_demo(transactional_db: Any, demo_restored_after_module: None) -> Iterator[None]:
    """For tests whose threads or processes need committed rows: the registry demo, committed."""
    from django.db import connections

    from thidua.organizations.demo import load_demo

    load_demo()
    yield
    # Threads open connections of their own; on PostgreSQL one left open keeps the test database
    # from being dropped at the end of the session.
    connections.close_all()


def _user(username: str) -> Any:
    from thidua.accounts.models import User

    return User.objects.get(username=username)


@pytest.fixture
def staff(db: Any) -> Any:
    """Parent-body staff of VUSTA: manages groups, memberships, leadership, regulations."""
    return _user("vusta")


@pytest.fixture
def officer_ninh_binh(db: Any) -> Any:
    """Officer of Ninh Bình, head of Cụm 4 in 2023 (demo): the secretariat of 2023."""
    return _user("ninhbinh")


@pytest.fixture
def officer_nghe_an(db: Any) -> Any:
    return _user("nghean")


@pytest.fixture
def officer_ha_tinh(db: Any) -> Any:
    return _user("hatinh")


@pytest.fixture
def editor(db: Any) -> Any:
    """News editor of Ninh Bình's union."""
    return _user("bientap")


@pytest.fixture
def client_for(db: Any) -> Callable[[Any], Client]:
    """A logged-in client for a persona; `client_for(None)` is anonymous."""

    def make(user: Any) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def cluster4(db: Any) -> Any:
    from thidua.organizations.models import EmulationGroup

    return EmulationGroup.objects.get(slug="vusta-cum-4")


@pytest.fixture
def org(db: Any) -> Callable[[str], Any]:
    """An organization by the province part of its code: org("nghe-an")."""
    from thidua.organizations.models import Organization

    return lambda province: Organization.objects.get(code=f"lhh-{province}")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test's rolled-back transaction returns the audit chain to the same version, so a page
    cached by one test under that version must not be served to the next."""
    _empty_caches()


def _empty_caches() -> None:
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture
def cold_queries() -> Callable[[], contextlib.AbstractContextManager[Any]]:
    """Capture the queries of what runs inside, every cache emptied first: a query count compared
    between two data sizes must not depend on what an earlier request left in a cache (the signed-in
    user, a year, a drawn page)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextlib.contextmanager
    def capture() -> Iterator[CaptureQueriesContext]:
        _empty_caches()
        with CaptureQueriesContext(connection) as queries:
            yield queries

    return capture


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An S3-compatible server (moto's) in a process of its own, for the session (tests/s3.py)."""
    from tests.s3 import s3_server

    with s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture
def media_on_s3(s3_server: Any, settings: Any, tmp_path: Any) -> Any:
    """The default storage on an empty bucket of the S3 server, as THIDUA_S3_BUCKET sets it; MEDIA_ROOT an
    empty folder that must stay empty."""
    server = s3_server.with_new_bucket()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": server.storage()}
    return server
