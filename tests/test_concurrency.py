"""Concurrent writers on PostgreSQL: the audit chain stays one chain.

Transactional tests commit for real, so pytest-django empties the tables afterwards; the fixture
puts the demo back for whatever runs next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from thidua.audit.models import AuditEvent
from thidua.audit.services import record, verify_chain


@pytest.mark.usefixtures("committed_demo")
def test_eight_writers_at_once_append_to_a_single_unbroken_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers with its own lock; the row lock matters on PostgreSQL")
    from thidua.accounts.models import User
    from thidua.organizations.models import EmulationGroup

    staff = User.objects.get(username="vusta")
    group = EmulationGroup.objects.get(slug="vusta-cum-4")
    before = AuditEvent.objects.count()
    start = threading.Barrier(8)
    failures: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            start.wait()
            for step in range(10):
                with transaction.atomic():
                    record(
                        actor=staff,
                        verb="test.concurrent",
                        target=group,
                        group=group,
                        data={"w": index, "s": step},
                    )
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert AuditEvent.objects.count() == before + 80
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert verify_chain() is None


@pytest.fixture
def committed_year_demo(committed_demo: None) -> None:
    """The whole demo, committed: Cụm 4's years and the replayed 2023 conference, for the threads."""
    from thidua.demo.loader import load_full_demo

    load_full_demo()


def _at_once(count: int, work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run `work(i)` in `count` threads released together, each in its own transaction and connection."""
    start = threading.Barrier(count)
    results: list[object] = []
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait()
            results.append(work(index))
        except BaseException as error:  # reported in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, failures


@pytest.mark.usefixtures("committed_year_demo")
def test_a_double_click_on_create_conference_makes_one_conference_and_a_plain_refusal() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers with its own lock; the row lock matters on PostgreSQL")
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from thidua.accounts.models import User
    from thidua.conferences.models import Conference
    from thidua.conferences.services import create_conference
    from thidua.organizations.models import Organization
    from thidua.years.models import EmulationYear

    head = User.objects.get(username="quangtri")
    year = EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026)
    values = {
        "title": "Hội nghị tổng kết công tác thi đua năm 2026",
        "starts_at": timezone.now() + datetime.timedelta(days=10),
        "place": "Quảng Trị",
        "host": Organization.objects.get(code="lhh-quang-tri"),
    }
    results, failures = _at_once(
        2, lambda _: create_conference(actor=head, emulation_year=year, values=values)
    )
    assert len(results) == 1 and len(failures) == 1
    assert isinstance(failures[0], ValidationError) and "đã có hội nghị tổng kết" in str(failures[0])
    assert Conference.objects.filter(emulation_year=year).count() == 1


@pytest.mark.usefixtures("committed_year_demo")
def test_two_requests_adding_a_members_voting_delegate_at_once_leave_one_vote_per_member() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers with its own lock; the row lock matters on PostgreSQL")
    from django.core.exceptions import ValidationError

    from thidua.accounts.models import User
    from thidua.conferences.models import Conference, Delegate
    from thidua.conferences.services import add_delegate
    from thidua.organizations.models import Organization

    conference = Conference.objects.get(emulation_year__year=2023)
    head = User.objects.get(username="ninhbinh")
    thanh_hoa = Organization.objects.get(code="lhh-thanh-hoa")
    Delegate.objects.filter(conference=conference, organization=thanh_hoa).update(votes=False)
    results, failures = _at_once(
        2,
        lambda i: add_delegate(
            actor=head,
            conference=conference,
            organization=thanh_hoa,
            full_name=f"Đại biểu {i}",
            votes=True,
        ),
    )
    assert len(results) == 1 and len(failures) == 1 and isinstance(failures[0], ValidationError)
    assert Delegate.objects.filter(conference=conference, organization=thanh_hoa, votes=True).count() == 1
