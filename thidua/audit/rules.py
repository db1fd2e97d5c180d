"""The audit chain's arithmetic: pure, stdlib only.

Each event's hash covers its own fields and the previous event's hash, so editing, deleting or
reordering any stored event breaks every hash after it (DESIGN.md: AuditEvent is hash-chained).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainLink:
    seq: int
    created_at: str  # ISO 8601 in UTC, microseconds included
    actor_id: int | None
    verb: str
    target_type: str
    target_id: str
    group_id: int | None
    data: Mapping[str, Any]
    prev_hash: str
    hash: str


def event_hash(
    *,
    seq: int,
    created_at: str,
    actor_id: int | None,
    verb: str,
    target_type: str,
    target_id: str,
    group_id: int | None,
    data: Mapping[str, Any],
    prev_hash: str,
) -> str:
    # Canonical JSON: sorted keys and no whitespace, so the same event always hashes the same on
    # SQLite and on PostgreSQL (whose jsonb does not keep key order).
    payload = json.dumps(
        {
            "seq": seq,
            "created_at": created_at,
            "actor_id": actor_id,
            "verb": verb,
            "target_type": target_type,
            "target_id": target_id,
            "group_id": group_id,
            "data": data,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def first_break(links: Iterable[ChainLink]) -> ChainBreak | None:
    """The first event whose stored hash, predecessor or position does not match, or None."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for link in links:
        if link.seq != expected_seq:
            return ChainBreak(link.seq, f"expected event #{expected_seq}, found #{link.seq} (missing event)")
        if link.prev_hash != expected_prev:
            return ChainBreak(link.seq, "previous hash does not match the event before it")
        recomputed = event_hash(
            seq=link.seq,
            created_at=link.created_at,
            actor_id=link.actor_id,
            verb=link.verb,
            target_type=link.target_type,
            target_id=link.target_id,
            group_id=link.group_id,
            data=link.data,
            prev_hash=link.prev_hash,
        )
        if recomputed != link.hash:
            return ChainBreak(link.seq, "stored hash does not match the event's contents")
        expected_prev = link.hash
        expected_seq += 1
    return None
