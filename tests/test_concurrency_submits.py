"""Every submit happens once, on PostgreSQL with real concurrent transactions (issue 13): the same form
sent twice at once, or two officers at once, make one poll, one document, one conference.

SQLite serializes writers with its own lock, so these run on PostgreSQL only.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.test_concurrency import _at_once, committed_year_demo  # noqa: F401 — the fixture

pytestmark = pytest.mark.usefixtures("committed_year_demo")


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers with its own lock; the row lock matters on PostgreSQL")


def _conference_2026() -> Any:
    from thidua.accounts.models import User
    from thidua.conferences.services import create_conference
    from thidua.organizations.models import Organization
    from thidua.years.models import EmulationYear

    return create_conference(
        actor=User.objects.get(username="quangtri"),
        emulation_year=EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026),
        values={
            "title": "Hội nghị tổng kết năm 2026",
            "starts_at": timezone.now() + datetime.timedelta(days=10),
            "place": "Đông Hà",
            "host": Organization.objects.get(code="lhh-quang-tri"),
        },
    )


def _signed_in(username: str, count: int) -> list[Client]:
    from thidua.accounts.models import User

    user = User.objects.get(username=username)
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_one_poll_form_sent_twice_at_once_makes_one_poll_and_both_see_it() -> None:
    _postgresql_only()
    from thidua.audit.models import AuditEvent
    from thidua.conferences.models import Poll

    conference = _conference_2026()
    url = f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference.pk}/bo-phieu/them/"
    clients = _signed_in("quangtri", 2)
    data = {"kind": "head", "mode": "electronic", "submit_key": "bam-hai-lan"}
    results, failures = _at_once(2, lambda i: clients[i].post(url, data))
    assert not failures, failures
    poll = Poll.objects.get(conference=conference)
    assert {r.url for r in results} == {
        f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference.pk}/bo-phieu/{poll.pk}/"
    }  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(verb="poll.create", target_id=str(poll.pk)).count() == 1


def test_two_polls_created_at_once_take_two_positions() -> None:
    _postgresql_only()
    from thidua.accounts.models import User
    from thidua.conferences.services import create_motion_poll

    conference = _conference_2026()
    head = User.objects.get(username="quangtri")
    _, failures = _at_once(
        2, lambda i: create_motion_poll(actor=head, conference=conference, title=f"Biểu quyết {i}")
    )
    assert not failures, failures
    assert sorted(conference.polls.values_list("position", flat=True)) == [1, 2]


def test_the_conference_form_resent_while_the_first_runs_is_answered_with_the_first() -> None:
    _postgresql_only()
    from thidua.conferences.models import Conference
    from thidua.organizations.models import Organization

    clients = _signed_in("quangtri", 2)
    data = {
        "title": "Hội nghị tổng kết năm 2026",
        "starts_at": "2026-12-22T08:00",
        "place": "Đông Hà",
        "host": Organization.objects.get(code="lhh-quang-tri").pk,
        "submit_key": "gui-lai-sau-khi-het-gio",
    }
    results, failures = _at_once(
        2, lambda i: clients[i].post("/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/", data)
    )
    assert not failures, failures
    conference = Conference.objects.get(emulation_year__year=2026)
    assert [r.status_code for r in results] == [302, 302]  # type: ignore[attr-defined]
    assert {r.url for r in results} == {f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference.pk}/"}  # type: ignore[attr-defined]


def test_the_minutes_issued_twice_at_once_are_one_document(settings: Any, tmp_path: Any) -> None:
    _postgresql_only()
    from thidua.accounts.models import User
    from thidua.conferences.models import Conference
    from thidua.documents import issuing
    from thidua.documents.models import Document, DocumentStatus

    settings.MEDIA_ROOT = str(tmp_path)
    conference = Conference.objects.get(emulation_year__year=2023)
    Document.objects.filter(conference=conference, kind="minutes").update(status=DocumentStatus.DISCARDED)
    secretariat = User.objects.get(username="ninhbinh")
    results, failures = _at_once(
        2,
        lambda _: issuing.issue(actor=secretariat, kind="minutes", conference=conference, with_pdf=False),
    )
    assert len(results) == 1 and len(failures) == 1
    assert isinstance(failures[0], issuing.AlreadyIssued) and failures[0].document == results[0]
    assert isinstance(failures[0], ValidationError)
    current = Document.objects.filter(conference=conference, kind="minutes").exclude(
        status=DocumentStatus.DISCARDED
    )
    assert current.count() == 1
