"""The signed-in user and their roles come from the shared cache, and every change reaches it at once.

The shared cache here is the test's own memory cache: one process, so it is as shared as Redis is
between app processes (the PostgreSQL run of `make test` uses Redis itself where one answers)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from thidua.accounts import permissions
from thidua.accounts.backends import CachedModelBackend, fetched_with_session, forget_user, user_cache_keys
from thidua.accounts.models import Role, RoleKind
from thidua.accounts.services import revoke_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_shared_cache")]


@pytest.fixture
def _shared_cache() -> Any:
    # The session engine that goes with the shared cache in production, on both passes of the suite.
    with override_settings(SHARED_CACHE=True, SESSION_ENGINE="thidua.accounts.sessions"):
        yield


def _user_queries(user_id: int) -> list[str]:
    backend = CachedModelBackend()
    with CaptureQueriesContext(connection) as queries:
        backend.get_user(user_id)
    return [q["sql"] for q in queries.captured_queries]


def test_a_signed_in_user_and_their_roles_are_read_once_then_served_without_a_query(staff: Any) -> None:
    assert len(_user_queries(staff.pk)) == 2  # the user, their roles
    assert _user_queries(staff.pk) == []
    user = CachedModelBackend().get_user(staff.pk)
    assert user is not None and user.username == "vusta"
    assert permissions.staff_parent_ids(user)  # the roles came with it


def test_a_revoked_role_is_gone_from_the_next_request(staff: Any, officer_nghe_an: Any) -> None:
    client = Client()
    client.force_login(officer_nghe_an)
    client.get("/")  # the officer is now cached with the role
    assert permissions.officer_org_ids(CachedModelBackend().get_user(officer_nghe_an.pk))
    for role in Role.objects.filter(user=officer_nghe_an, kind=RoleKind.OFFICER):
        revoke_role(actor=staff, role=role)
    assert not permissions.officer_org_ids(CachedModelBackend().get_user(officer_nghe_an.pk))


def test_a_password_changed_anywhere_ends_the_other_sessions_at_once(officer_nghe_an: Any) -> None:
    client = Client()
    client.force_login(officer_nghe_an)
    assert client.get("/").context["user"].is_authenticated
    officer_nghe_an.set_password("Mật-khẩu-mới-2026")
    officer_nghe_an.save()  # as the admin or the password page would: a save, not a service
    assert not client.get("/").context["user"].is_authenticated


def test_an_entry_stored_from_rows_read_before_a_change_is_never_served(officer_nghe_an: Any) -> None:
    # A request reads the token, then the rows; meanwhile a change commits and replaces the token;
    # then that request stores what it read. The next request must not be served the old rows.
    backend = CachedModelBackend()
    backend.get_user(officer_nghe_an.pk)
    stale_entry = cache.get(f"auth:user:{officer_nghe_an.pk}")
    forget_user(officer_nghe_an.pk)
    cache.set(f"auth:user:{officer_nghe_an.pk}", stale_entry)
    assert len(_user_queries(officer_nghe_an.pk)) == 2


def test_a_deactivated_user_is_signed_out(officer_nghe_an: Any) -> None:
    client = Client()
    client.force_login(officer_nghe_an)
    assert client.get("/").context["user"].is_authenticated
    officer_nghe_an.is_active = False
    officer_nghe_an.save()
    assert not client.get("/").context["user"].is_authenticated


def test_an_evicted_generation_token_starts_a_new_one_rather_than_reusing_an_old(
    officer_nghe_an: Any,
) -> None:
    backend = CachedModelBackend()
    backend.get_user(officer_nghe_an.pk)
    first = cache.get(f"auth:gen:{officer_nghe_an.pk}")
    cache.delete(f"auth:gen:{officer_nghe_an.pk}")
    assert len(_user_queries(officer_nghe_an.pk)) == 2
    assert cache.get(f"auth:gen:{officer_nghe_an.pk}") not in (None, first)


@override_settings(SHARED_CACHE=False)
def test_without_a_shared_cache_every_request_reads_the_user_from_the_database(staff: Any) -> None:
    assert len(_user_queries(staff.pk)) == 1
    assert len(_user_queries(staff.pk)) == 1
    assert cache.get(f"auth:user:{staff.pk}") is None


def test_a_logout_ends_the_session_for_every_process(officer_nghe_an: Any) -> None:
    client = Client()
    client.force_login(officer_nghe_an)
    session_key = client.session.session_key
    client.post("/tai-khoan/dang-xuat/")
    stolen = Client()
    stolen.cookies["sessionid"] = session_key
    assert not stolen.get("/").context["user"].is_authenticated
    assert SESSION_KEY not in stolen.session


def test_a_session_seen_before_comes_with_its_user_and_roles_in_one_cache_read(
    officer_nghe_an: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    client.force_login(officer_nghe_an)
    client.get("/")  # this process now knows whose session it is
    reads: list[list[str]] = []
    real_get, real_get_many = cache.get, cache.get_many
    inside_get_many = False  # the memory cache's get_many calls get for each key: one read, not several

    def get(key: str, *args: Any, **kwargs: Any) -> Any:
        if not inside_get_many:
            reads.append([key])
        return real_get(key, *args, **kwargs)

    def get_many(keys: list[str], *args: Any, **kwargs: Any) -> Any:
        nonlocal inside_get_many
        reads.append(list(keys))
        inside_get_many = True
        try:
            return real_get_many(keys, *args, **kwargs)
        finally:
            inside_get_many = False

    monkeypatch.setattr(cache, "get", get)
    monkeypatch.setattr(cache, "get_many", get_many)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/").context["user"] == officer_nghe_an
    about_the_session = [r for r in reads if any(session_key in k or k.startswith("auth:") for k in r)]
    assert len(about_the_session) == 1, about_the_session
    assert set(user_cache_keys(officer_nghe_an.pk)) < set(about_the_session[0])


def test_what_a_session_read_brought_for_one_user_is_never_given_to_another(
    staff: Any, officer_nghe_an: Any
) -> None:
    CachedModelBackend().get_user(staff.pk)
    staff_entries = {k: cache.get(k) for k in user_cache_keys(staff.pk)}
    fetched_with_session.set((str(staff.pk), staff_entries))
    user = CachedModelBackend().get_user(officer_nghe_an.pk)
    assert user is not None and user.pk == officer_nghe_an.pk
    assert fetched_with_session.get() is None  # taken once, whoever asked
