"""The conference page kept for a session (thidua/web/pagecache.py): drawn again when anyone becomes
present, even through a vote that writes no audit event, and with fresh one-time keys each time it is
shown, so two tabs of it each create what they ask for."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.conferences import services
from thidua.conferences.models import Conference, Poll

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_shared_cache")]
SUBMIT_KEY = re.compile(r'name="submit_key" value="([^"]+)"')


@pytest.fixture
def _shared_cache() -> Iterator[None]:
    with override_settings(SHARED_CACHE=True):
        yield


def _url(conference: Conference) -> str:
    return f"/nam-thi-dua/vusta-cum-4/{conference.emulation_year.year}/hoi-nghi/{conference.pk}/"


def _signed_in(user: User, conference: Conference) -> Client:
    client = Client()
    client.force_login(user)
    client.get(_url(conference))  # the first visit sets the CSRF cookie; from the next one the page is kept
    return client


def _page(client: Client, conference: Conference) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(_url(conference))
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in captured.captured_queries]


def _drawn(sql: list[str]) -> bool:
    """Whether the view ran: it reads the polls; a kept page is served without them."""
    return any("conferences_poll" in q for q in sql)


def test_a_delegate_checked_in_by_their_vote_shows_present_at_once_though_no_audit_event_was_written(
    quangtri: User, conference_2026: Conference
) -> None:
    client = _signed_in(quangtri, conference_2026)
    _page(client, conference_2026)  # kept while no poll is open
    poll = services.open_poll(
        actor=quangtri,
        poll=services.create_election_poll(actor=quangtri, conference=conference_2026, role="head"),
    )
    before, _ = _page(client, conference_2026)
    again, sql = _page(client, conference_2026)
    assert not _drawn(sql) and SUBMIT_KEY.sub("", again) == SUBMIT_KEY.sub("", before), "kept while unchanged"
    voters = conference_2026.delegates.filter(votes=True)
    assert "<strong>0 / " in before and not voters.exclude(checked_in_at=None).exists()

    events = AuditEvent.objects.count()
    services.cast_vote(poll=poll, delegate=voters.order_by("pk").first(), selections=["lhh-hue"])  # type: ignore[arg-type]
    assert AuditEvent.objects.count() == events  # a vote writes no event: the data version stays

    after, sql = _page(client, conference_2026)
    assert _drawn(sql) and "<strong>1 / " in after and "✔" in after


def test_with_no_poll_open_the_kept_page_is_served_without_counting_who_is_present(
    quangtri: User, conference_2026: Conference
) -> None:
    # No vote can check anyone in: only an audited change (a poll opened) could change what it shows.
    client = _signed_in(quangtri, conference_2026)
    _page(client, conference_2026)
    _, sql = _page(client, conference_2026)
    assert not _drawn(sql) and not [q for q in sql if "conferences_delegate" in q], sql


def test_each_showing_of_the_kept_page_carries_its_own_one_time_key_and_two_tabs_each_create_their_poll(
    quangtri: User, conference_2026: Conference
) -> None:
    client = _signed_in(quangtri, conference_2026)
    first, _ = _page(client, conference_2026)
    second, sql = _page(client, conference_2026)
    assert not _drawn(sql)
    first_keys, second_keys = SUBMIT_KEY.findall(first), SUBMIT_KEY.findall(second)
    assert first_keys and len(first_keys) == len(second_keys) and not set(first_keys) & set(second_keys)
    assert SUBMIT_KEY.sub("", first) == SUBMIT_KEY.sub("", second)  # the same page otherwise

    create = f"{_url(conference_2026)}bo-phieu/them/"
    for kind, key in (("head", first_keys[0]), ("deputy", second_keys[0])):
        response = client.post(create, {"kind": kind, "mode": "electronic", "submit_key": key})
        assert response.status_code == 302
    elected = Poll.objects.filter(conference=conference_2026).values_list("leadership_role", flat=True)
    assert sorted(elected) == ["deputy", "head"]


def test_a_submit_sent_twice_with_the_key_of_one_showing_still_creates_once(
    quangtri: User, conference_2026: Conference
) -> None:
    client = _signed_in(quangtri, conference_2026)
    _page(client, conference_2026)
    page, _ = _page(client, conference_2026)
    key = SUBMIT_KEY.findall(page)[0]
    create = f"{_url(conference_2026)}bo-phieu/them/"
    for _ in range(2):
        client.post(create, {"kind": "head", "mode": "electronic", "submit_key": key})
    assert Poll.objects.filter(conference=conference_2026).count() == 1
