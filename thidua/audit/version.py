"""The data version: the audit chain's last sequence number.

Every state change writes an audit event in its own transaction (DESIGN.md), so this number changes
whenever anything at all has changed. Whatever is cached under it (a year looked up from its URL, a
drawn summary) is right for as long as the number stays the same, in every process, without any
invalidation. Read it before the data it versions: the data is then at least as new as its version. Data
newer than its version is harmless, since that version is no longer asked for once the change that made
it newer has committed.

With a shared cache (Redis), the number is also published there when each change commits, and a
signed-in request reads it in the one round trip that fetches its session and user
(thidua/accounts/sessions.py): a page kept for the session is then served without asking the database
anything. The database stays the source:
- The shared copy is raised, never lowered (a change that commits first may publish last), and only after
  the commit, so it is never ahead of what a reader can see.
- It expires MIRROR_SECONDS after the last change that raised it. Should a process die between its commit
  and its publish, or Redis refuse the publish, a reader finds no copy within that time, reads the
  database and puts its number back (only if no change has published meanwhile).
- A connection inside a transaction reads the database: it may see its own changes, which nobody has
  published yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any, Final, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.http import HttpRequest

from thidua.audit.models import CHAIN_HEAD_ID, AuditChainHead

T = TypeVar("T")

logger = logging.getLogger(__name__)

# An entry whose version is no longer asked for leaves the cache within this time.
VERSIONED_CACHE_SECONDS = 600
# The shared cache's copy of the version: its key, and how long it is trusted after the last change that
# raised it, the longest a page can be served stale when a change's publish was lost.
MIRROR_KEY: Final = "audit:data-version"
MIRROR_SECONDS: Final = 2
# What the session's read leaves on the session when the shared cache had no copy (thidua/accounts/sessions.py).
NO_COPY: Final = -1
# The attribute of a loaded session that holds the copy read with it.
SESSION_ATTRIBUTE: Final = "fetched_data_version"

_SQL = f"SELECT last_seq FROM {AuditChainHead._meta.db_table} WHERE id = %s"  # noqa: S608 — a model's own table name  # nosec B608


def data_version(request: HttpRequest | None = None) -> int:
    """The current version, read once per request (kept on `request`): pages that ask twice must see
    the same number, or one half of a page could be cached under the other half's version."""
    if request is not None:
        known: int | None = getattr(request, "_thidua_data_version", None)
        if known is not None:
            return known
    shared = _shared_copy(request)
    if shared is not None and shared != NO_COPY:
        version = shared
    else:
        version = _from_database()
        if shared == NO_COPY:
            _put_back(version)
    if request is not None:
        setattr(request, "_thidua_data_version", version)  # noqa: B010 — per-request memo, not a field
    return version


def _from_database() -> int:
    # Plain SQL: every year page reads this, and building the ORM query costs more than running it.
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [CHAIN_HEAD_ID])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _shared_copy(request: HttpRequest | None) -> int | None:
    """The shared copy read with this request's session, NO_COPY if there was none, or None: no shared
    cache, no session read with it yet, or a transaction open (its own changes are not published)."""
    if request is None or not settings.SHARED_CACHE or connection.in_atomic_block:
        return None
    # Only a session this request has already loaded: reading it now would read the version after
    # whatever the request has read so far.
    found: Any = getattr(getattr(request, "session", None), SESSION_ATTRIBUTE, None)
    return found if isinstance(found, int) else None


def _put_back(version: int) -> None:
    """Put the database's number back for the next readers, unless a change has published one meanwhile
    (Redis SET NX): a number read before that change's commit must not replace the one it published."""
    try:
        cache.add(MIRROR_KEY, version, MIRROR_SECONDS)
    except Exception:  # the cache's own errors: the next reader asks the database again
        logger.warning("không ghi được phiên bản dữ liệu vào bộ nhớ đệm chung", exc_info=True)


def publish_on_commit(seq: int) -> None:
    """Raise the shared copy to `seq` once the current transaction commits (nothing without a shared
    cache). Called by `audit.record` for every change."""
    if settings.SHARED_CACHE:
        transaction.on_commit(partial(publish, seq))


def publish(seq: int) -> None:
    """Raise the shared copy to `seq`. A failure is logged, not raised: the change has committed, and the
    copy expires within MIRROR_SECONDS, after which readers ask the database again."""
    try:
        raise_to = getattr(cache, "raise_to", None)
        if raise_to is not None:
            raise_to(MIRROR_KEY, seq, MIRROR_SECONDS)
        else:
            # One process's memory (tests that stand it in for Redis): nobody else to race with.
            current = cache.get(MIRROR_KEY)
            if not isinstance(current, int) or current < seq:
                cache.set(MIRROR_KEY, seq, MIRROR_SECONDS)
    except Exception:  # the cache's own errors: redis-py's, a connection refused
        logger.warning("không cập nhật được phiên bản dữ liệu trong bộ nhớ đệm chung", exc_info=True)


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
