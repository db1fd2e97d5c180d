"""Every submit happens once, on PostgreSQL with real concurrent transactions (issue 13): the same form
sent twice at once, or two officers at once, make one poll, one document, one conference.

SQLite serializes writers with its own lock, so these run on PostgreSQL only.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
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


def test_the_minutes_drafted_twice_at_once_are_one_draft_and_take_no_number(
    settings: Any, tmp_path: Any
) -> None:
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
    assert not failures and len(results) == 2 and results[0].pk == results[1].pk
    current = Document.objects.filter(conference=conference, kind="minutes").exclude(
        status=DocumentStatus.DISCARDED
    )
    assert current.count() == 1 and current.get().number is None


def test_twenty_documents_issued_at_once_take_twenty_consecutive_numbers(
    settings: Any, tmp_path: Any
) -> None:
    """Conference drafts issued («Ban hành») and documents registered by hand, twenty at once: each takes
    the issuer's next number in the transaction that issues it, so the numbers run on without a gap or
    a repeat (NĐ 30/2020; issue 15)."""
    _postgresql_only()
    import datetime

    from thidua.accounts.models import User
    from thidua.conferences.models import Conference, PollStatus
    from thidua.documents import issuing
    from thidua.documents import services as documents
    from thidua.documents.models import Document, DocumentStatus

    settings.MEDIA_ROOT = str(tmp_path)
    conference = Conference.objects.get(emulation_year__year=2023)
    group = conference.emulation_year.group
    # The demo issued the 2023 conference's documents: set aside, so its buttons draft them again.
    Document.objects.filter(conference=conference).update(status=DocumentStatus.DISCARDED)
    secretariat, staff = User.objects.get(username="ninhbinh"), User.objects.get(username="vusta")
    drafts = [
        issuing.issue(actor=secretariat, kind=kind, conference=conference, with_pdf=False)
        for kind in ("minutes", "proposal", "summary")
    ] + [
        issuing.issue(actor=secretariat, kind="count", conference=conference, poll=poll, with_pdf=False)
        for poll in conference.polls.filter(status=PollStatus.PUBLISHED)
    ]
    day = datetime.date(2030, 1, 5)  # a year no document has a number in yet

    def one(index: int) -> Document:
        if index < len(drafts):
            return issuing.issue_draft(actor=secretariat, document=drafts[index], date=day, with_pdf=False)
        return documents.register(
            actor=staff,
            doc_type="BC",
            date=day,
            place="Ninh Bình",
            summary=f"Báo cáo {index}",
            group=group,
            issuer_code="CTĐ4",
        )

    results, failures = _at_once(20, one)
    assert not failures, failures
    assert sorted(d.number for d in results) == list(range(1, 21))  # type: ignore[attr-defined]
