"""The data version's copy in the shared cache: read with the session, raised when a change commits,
never ahead of the database, and never trusted for long when a publish is lost.

These tests commit (a published version follows a commit). The shared cache is Redis in the PostgreSQL
pass of `make test`, and this process's memory standing in for it in the SQLite pass."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thidua.accounts.models import User
from thidua.audit import version
from thidua.audit.services import record
from thidua.organizations.models import EmulationGroup

GROUP_PAGE = reverse("organizations:group_detail", args=["vusta-cum-4"])


@pytest.fixture
def shared(committed_demo: None) -> Iterator[None]:
    with override_settings(SHARED_CACHE=True, SESSION_ENGINE="thidua.accounts.sessions"):
        cache.clear()
        yield
        cache.clear()


def _change(actor: User) -> int:
    """One committed change, as any service makes one; its sequence number."""
    group = EmulationGroup.objects.get(slug="vusta-cum-4")
    with transaction.atomic():
        event = record(actor=actor, verb="test.change", target=group, group=group, data={})
    return int(event.seq)


def _signed_in() -> tuple[Client, User]:
    user = User.objects.get(username="vusta")
    client = Client()
    client.force_login(user)
    client.get(GROUP_PAGE)  # sets the CSRF cookie; nothing is kept before it
    client.get(GROUP_PAGE)  # this process now knows whose session it is: one round trip from here on
    return client, user


def _queries(client: Client) -> tuple[bytes, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(GROUP_PAGE)
    assert response.status_code == 200
    return response.content, [q["sql"] for q in captured.captured_queries]


@pytest.mark.usefixtures("shared")
def test_a_kept_page_is_served_without_asking_the_database_anything() -> None:
    client, _ = _signed_in()
    first, _ = _queries(client)
    again, sql = _queries(client)
    assert sql == []
    assert again == first


@pytest.mark.usefixtures("shared")
def test_a_committed_change_reaches_the_next_request_at_once() -> None:
    client, user = _signed_in()
    _queries(client)
    seq = _change(user)
    assert cache.get(version.MIRROR_KEY) == seq
    _, sql = _queries(client)
    assert sql, "the change must draw the page again"
    _, sql = _queries(client)
    assert sql == []


@pytest.mark.usefixtures("shared")
def test_the_shared_copy_is_raised_and_never_lowered() -> None:
    version.publish(41)
    version.publish(40)  # a change that committed earlier but publishes later
    assert cache.get(version.MIRROR_KEY) == 41
    version.publish(42)
    assert cache.get(version.MIRROR_KEY) == 42


@pytest.mark.usefixtures("shared")
def test_a_number_put_back_from_the_database_never_replaces_a_newer_published_one() -> None:
    # A reader found no copy and read the database (7); meanwhile a change committed and published 8.
    version.publish(8)
    version._put_back(7)
    assert cache.get(version.MIRROR_KEY) == 8


@pytest.mark.usefixtures("shared")
def test_a_lost_publish_leaves_a_stale_copy_for_at_most_its_lifetime(monkeypatch: Any) -> None:
    client, user = _signed_in()
    _queries(client)
    before = version._from_database()
    version.publish(before)
    # The process dies between its commit and its publish: the copy still says the old number.
    monkeypatch.setattr(version, "publish", lambda seq: None)
    _change(user)
    assert cache.get(version.MIRROR_KEY) == before
    if hasattr(cache, "raise_to"):  # Redis: the copy expires on its own within MIRROR_SECONDS
        client_ = cache._cache.get_client(write=False)  # type: ignore[attr-defined]
        remaining = client_.pttl(cache.make_and_validate_key(version.MIRROR_KEY))
        assert 0 < remaining <= version.MIRROR_SECONDS * 1000
    cache.delete(version.MIRROR_KEY)  # what the expiry does
    _, sql = _queries(client)
    assert sql, "without a copy the database's number is read, and the page drawn again"
    assert cache.get(version.MIRROR_KEY) == version._from_database()


@pytest.mark.usefixtures("shared")
def test_inside_a_transaction_the_version_comes_from_the_database() -> None:
    client, user = _signed_in()
    _queries(client)
    group = EmulationGroup.objects.get(slug="vusta-cum-4")
    with transaction.atomic():
        event = record(actor=user, verb="test.change", target=group, group=group, data={})
        # Nothing is published before the commit, yet this transaction sees its own change.
        assert cache.get(version.MIRROR_KEY) != event.seq
        request = client.get(GROUP_PAGE).wsgi_request
        assert version.data_version(request) == event.seq


@pytest.mark.usefixtures("shared")
def test_a_publish_the_cache_refuses_is_logged_and_the_change_stands(
    monkeypatch: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "raise_to" if hasattr(cache, "raise_to") else "set", refuse)
    user = User.objects.get(username="vusta")
    seq = _change(user)
    assert version._from_database() == seq
    assert "phiên bản dữ liệu" in caplog.text
