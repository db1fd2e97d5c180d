"""The data version: the audit chain's last sequence number.

Every state change writes an audit event in its own transaction (DESIGN.md), so this number changes
whenever anything at all has changed. Whatever is cached under it (a year looked up from its URL, a
drawn summary) is right for as long as the number stays the same, in every process, without any
invalidation. Read it before the data it versions: the data is then at least as new as its version. Data
newer than its version is harmless, since that version is no longer asked for once the change that made
it newer has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest

from thidua.audit.models import AuditChainHead
from thidua.audit.services import CHAIN_HEAD_ID

T = TypeVar("T")

# An entry whose version is no longer asked for leaves the cache within this time.
VERSIONED_CACHE_SECONDS = 600

_SQL = f"SELECT last_seq FROM {AuditChainHead._meta.db_table} WHERE id = %s"  # noqa: S608 — a model's own table name  # nosec B608


def data_version(request: HttpRequest | None = None) -> int:
    """The current version, read once per request (kept on `request`): pages that ask twice must see
    the same number, or one half of a page could be cached under the other half's version."""
    if request is not None:
        known: int | None = getattr(request, "_thidua_data_version", None)
        if known is not None:
            return known
    # Plain SQL: every year page reads this, and building the ORM query costs more than running it.
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [CHAIN_HEAD_ID])
        row = cursor.fetchone()
    version = int(row[0]) if row else 0
    if request is not None:
        setattr(request, "_thidua_data_version", version)  # noqa: B010 — per-request memo, not a field
    return version


def versioned(request: HttpRequest, key: str, load: Callable[[], T], *, shared: bool = False) -> T:
    """`load()`, kept in this process's own cache under `key` and the current data version: right in
    every process for as long as nothing changes, so no process ever has to tell another to forget it.
    `load` must not return None (None is what a miss looks like).

    Each caller gets its own copy, unless `shared`: then every request of the process gets the same
    object, which saves unpickling a copy and is only for callers that never change what they get."""
    cache = caches["objects" if shared else "local"]
    full_key = f"{key}:{data_version(request)}"
    value: T | None = cache.get(full_key)
    if value is None:
        value = load()
        cache.set(full_key, value, VERSIONED_CACHE_SECONDS)
    return value
