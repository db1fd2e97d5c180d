"""A page cached for a session is served only while the session, its user and the data are unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thidua.accounts.models import Role, RoleKind
from thidua.accounts.services import revoke_role
from thidua.audit.services import record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_shared_cache")]

SUMMARY_2023 = reverse("score_summary:summary", args=["vusta-cum-4", 2023])


@pytest.fixture
def _shared_cache() -> Any:
    with override_settings(SHARED_CACHE=True):
        yield


def _signed_in(user: Any, **client_options: Any) -> Client:
    client = Client(**client_options)
    client.force_login(user)
    # The first page a browser opens sets its CSRF cookie; until then nothing is cached.
    client.get(SUMMARY_2023)
    return client


def _queries(client: Client, url: str = SUMMARY_2023) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, [q["sql"] for q in captured.captured_queries]


def test_a_page_seen_again_in_the_same_session_skips_the_view_and_its_permission_lookups(staff: Any) -> None:
    client = _signed_in(staff)
    first, _ = _queries(client)
    again, sql = _queries(client)
    assert again.status_code == 200 and again.content == first.content
    # The session (in the database when no Redis is configured) and the data version; no year, no roles.
    assert len(sql) <= 2 and not [q for q in sql if "years_emulationyear" in q], sql
    assert again["Vary"] and "Cookie" in again["Vary"]


def test_any_change_to_the_data_draws_the_page_again(staff: Any, cluster4: Any) -> None:
    client = _signed_in(staff)
    _queries(client)
    record(actor=staff, verb="test.change", target=cluster4, group=cluster4, data={})
    _, sql = _queries(client)
    assert [q for q in sql if "years_emulationyear" in q]


def test_a_role_revoked_after_the_page_was_kept_is_refused_at_once(staff: Any, officer_nghe_an: Any) -> None:
    client = _signed_in(officer_nghe_an)
    assert client.get(SUMMARY_2023).status_code == 200
    for role in Role.objects.filter(user=officer_nghe_an, kind=RoleKind.OFFICER):
        revoke_role(actor=staff, role=role)
    assert client.get(SUMMARY_2023).status_code == 403


def test_a_role_removed_in_the_admin_without_an_audit_event_is_refused_at_once(officer_nghe_an: Any) -> None:
    client = _signed_in(officer_nghe_an)
    assert client.get(SUMMARY_2023).status_code == 200
    Role.objects.filter(user=officer_nghe_an, kind=RoleKind.OFFICER).delete()  # no service, no audit
    assert client.get(SUMMARY_2023).status_code == 403


def test_a_message_waiting_to_be_shown_is_shown_rather_than_a_kept_page(staff: Any) -> None:
    client = _signed_in(staff)
    client.get(SUMMARY_2023)  # kept from here on
    storage = CookieStorage(client.get(SUMMARY_2023).wsgi_request)
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Đã lưu điểm.")])
    assert "Đã lưu điểm." in client.get(SUMMARY_2023).content.decode()


def test_two_sessions_of_one_user_each_get_a_form_token_their_own_cookie_accepts(staff: Any) -> None:
    first = _signed_in(staff, enforce_csrf_checks=True)
    second = _signed_in(staff, enforce_csrf_checks=True)
    for client in (first, second, first, second):
        page = client.get(SUMMARY_2023).content.decode()
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        assert token
        client._token = token  # type: ignore[attr-defined]
    for client in (first, second):
        logout = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": client._token})  # type: ignore[attr-defined]
        assert logout.status_code == 302  # 403 if the token came from the other session's cookie


def test_a_new_csrf_cookie_in_the_same_session_gets_a_page_whose_form_token_matches_it(staff: Any) -> None:
    client = _signed_in(staff, enforce_csrf_checks=True)
    client.get(SUMMARY_2023)  # kept for the first cookie
    client.cookies["csrftoken"] = _get_new_csrf_string()  # the browser's CSRF cookie was replaced
    page = client.get(SUMMARY_2023).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token}).status_code == 302


def test_nothing_is_kept_for_a_browser_without_a_csrf_cookie(staff: Any) -> None:
    client = Client()
    client.force_login(staff)
    response, _ = _queries(client)
    assert response.cookies.get("csrftoken")  # the view ran and set it


@override_settings(SHARED_CACHE=False)
def test_without_a_shared_cache_every_view_runs(staff: Any) -> None:
    client = _signed_in(staff)
    client.get(SUMMARY_2023)
    _, sql = _queries(client)
    assert [q for q in sql if "years_emulationyear" in q or "accounts_user" in q]
