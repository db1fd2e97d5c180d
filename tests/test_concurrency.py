"""Concurrent writers on PostgreSQL: the audit chain stays one chain.

Transactional tests commit for real, so pytest-django empties the tables afterwards; the fixture
puts the demo back for whatever runs next.
"""

from __future__ import annotations

import threading

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
