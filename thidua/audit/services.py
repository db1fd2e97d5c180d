"""Writing and verifying the audit chain.

`record` is called by every other service, inside that service's transaction, so a change and
its audit event commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from thidua.audit import rules
from thidua.audit.models import CHAIN_HEAD_ID, AuditChainHead, AuditEvent
from thidua.audit.version import publish_on_commit
from thidua.lib.dates import moment

if TYPE_CHECKING:
    from thidua.accounts.models import User
    from thidua.organizations.models import EmulationGroup


def _normalize(data: Mapping[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so the hashed value is exactly what the database will give back
    # (Decimals and dates become strings, tuples become lists).
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))
    return result


def _timestamp(value: Any) -> str:
    return str(value.astimezone(UTC).isoformat(timespec="microseconds"))


def record(
    *,
    actor: User | None,
    verb: str,
    target: models.Model,
    data: Mapping[str, Any] | None = None,
    group: EmulationGroup | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=CHAIN_HEAD_ID, defaults={"last_seq": 0, "last_hash": rules.GENESIS_HASH}
    )
    created_at = timezone.now()
    payload = _normalize(data or {})
    event = AuditEvent(
        seq=head.last_seq + 1,
        created_at=created_at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=(actor.display_name if actor is not None and actor.is_authenticated else "hệ thống"),
        verb=verb,
        target_type=target._meta.label,
        target_id=str(target.pk or ""),
        target_label=str(target)[:300],
        group=group,
        data=payload,
        prev_hash=head.last_hash,
    )
    event.hash = rules.event_hash(
        seq=event.seq,
        created_at=_timestamp(created_at),
        actor_id=event.actor_id,
        verb=verb,
        target_type=event.target_type,
        target_id=event.target_id,
        group_id=event.group_id,
        data=payload,
        prev_hash=event.prev_hash,
    )
    event.save()
    head.last_seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    publish_on_commit(event.seq)
    return event


def _links() -> Iterator[rules.ChainLink]:
    rows = AuditEvent.objects.order_by("seq").values_list(
        "seq",
        "created_at",
        "actor_id",
        "verb",
        "target_type",
        "target_id",
        "group_id",
        "data",
        "prev_hash",
        "hash",
    )
    for (
        seq,
        created_at,
        actor_id,
        verb,
        target_type,
        target_id,
        group_id,
        data,
        prev,
        digest,
    ) in rows.iterator(chunk_size=2000):
        yield rules.ChainLink(
            seq=seq,
            created_at=_timestamp(created_at),
            actor_id=actor_id,
            verb=verb,
            target_type=target_type,
            target_id=target_id,
            group_id=group_id,
            data=data,
            prev_hash=prev,
            hash=digest,
        )


def verify_chain() -> rules.ChainBreak | None:
    """Recompute every hash; return the first broken event, or None when the chain is intact."""
    with transaction.atomic():
        broken = rules.first_break(_links())
        if broken is not None:
            return broken
        head = AuditChainHead.objects.filter(pk=CHAIN_HEAD_ID).first()
        last = AuditEvent.objects.order_by("-seq").first()
        if head is not None and (last is None or head.last_seq != last.seq):
            # The newest events were deleted: the chain itself is consistent but shorter.
            return rules.ChainBreak(head.last_seq, "the newest events are missing from the chain")
    return None


def when_and_who(target: models.Model, verb: str) -> str:
    """«lúc 15:02 ngày 04/12/2026 bởi Cán bộ thi đua Ninh Bình»: the latest `verb` on `target`, for a
    refusal that must say what someone else did, when and by whom; "" when the chain has no such event."""
    event = (
        AuditEvent.objects.filter(target_type=target._meta.label, target_id=str(target.pk), verb=verb)
        .order_by("-seq")
        .only("created_at", "actor_label")
        .first()
    )
    if event is None:
        return ""
    return f"lúc {moment(event.created_at)} bởi {event.actor_label}"
