from __future__ import annotations

from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from thidua.audit import rules
from thidua.audit.models import AuditEvent
from thidua.audit.services import record, verify_chain


@pytest.mark.django_db
def test_the_demo_leaves_an_intact_chain_and_verify_audit_says_so() -> None:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "nguyên vẹn" in out.getvalue()
    assert verify_chain() is None


@pytest.mark.django_db
def test_editing_an_audit_row_by_hand_makes_verify_audit_fail_and_name_it() -> None:
    victim = AuditEvent.objects.order_by("seq")[10]
    # "By hand": straight SQL, as someone with database access would, bypassing the ORM.
    with connection.cursor() as cursor:
        table = AuditEvent._meta.db_table
        sql = f"UPDATE {table} SET verb = %s WHERE id = %s"  # noqa: S608 — the table name comes from the model
        cursor.execute(sql, ["membership.remove", victim.pk])
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert f"#{victim.seq}" in str(failure.value)


@pytest.mark.django_db
def test_changing_the_data_of_an_event_is_caught_even_when_its_json_keys_are_reordered() -> None:
    victim = AuditEvent.objects.filter(verb="membership.add").order_by("seq").first()
    assert victim is not None
    AuditEvent.objects.filter(pk=victim.pk).update(data={**victim.data, "year": 1999})
    broken = verify_chain()
    assert broken is not None and broken.seq == victim.seq


@pytest.mark.django_db
def test_deleting_an_event_in_the_middle_names_the_gap() -> None:
    victim = AuditEvent.objects.order_by("seq")[5]
    AuditEvent.objects.filter(pk=victim.pk).delete()
    broken = verify_chain()
    assert broken is not None and broken.seq == victim.seq + 1


@pytest.mark.django_db
def test_deleting_the_newest_events_is_caught_by_the_chain_head() -> None:
    newest = AuditEvent.objects.order_by("-seq").first()
    assert newest is not None
    newest.delete()
    broken = verify_chain()
    assert broken is not None and broken.seq == newest.seq


@pytest.mark.django_db
def test_recording_outside_a_transaction_is_refused(staff: Any, cluster4: Any, monkeypatch: Any) -> None:
    # The test itself runs in a transaction; pretend it does not, as a careless caller would.
    monkeypatch.setattr("thidua.audit.services.connection", SimpleNamespace(in_atomic_block=False))
    with pytest.raises(RuntimeError):
        record(actor=staff, verb="test", target=cluster4)


@pytest.mark.django_db
def test_events_chain_one_after_another_with_their_predecessor_hash(staff: Any, cluster4: Any) -> None:
    with transaction.atomic():
        first = record(actor=staff, verb="test.one", target=cluster4, group=cluster4, data={"a": 1})
        second = record(actor=staff, verb="test.two", target=cluster4, group=cluster4, data={"b": [1, 2]})
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    assert verify_chain() is None


def test_an_empty_chain_is_intact_and_a_wrong_genesis_is_not() -> None:
    assert rules.first_break([]) is None
    link = rules.ChainLink(
        seq=1, created_at="2026-01-01T00:00:00.000000+00:00", actor_id=None, verb="x", target_type="t",
        target_id="1", group_id=None, data={}, prev_hash="f" * 64, hash="0" * 64,
    )  # fmt: skip
    broken = rules.first_break([link])
    assert broken is not None and "previous hash" in broken.reason
