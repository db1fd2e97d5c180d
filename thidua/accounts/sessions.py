"""Sessions in the shared cache, written through to the database (Django's "cached_db"), read together
with the signed-in user in one round trip.

A signed-in request reads its session, then its user and their roles (thidua/accounts/backends.py): two
round trips to Redis, one after the other, because the user's id is inside the session. A session key
belongs to one user for as long as it lives — Django gives a session a new key whenever someone signs in
— so once a process has seen a session, it knows whose it is and asks for the session, the user's entry
and the user's generation token in one MGET. What the backend then takes is exactly what its own read
would have returned a moment later, in the same request, before any view code. A key this process has not
seen yet, or a session that names another user, is read as before.

The same MGET fetches the shared copy of the data version (thidua/audit/version.py): a page kept for the
session (thidua/web/pagecache.py) is then served with no other round trip. The copy is left on the
session, so that only this request uses it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from thidua.accounts.backends import fetched_with_session, user_cache_keys
from thidua.audit.version import MIRROR_KEY, NO_COPY, SESSION_ATTRIBUTE

# session key -> the user id it holds, as this process last read it. Bounded: forgetting costs only the
# shortcut, for a session's next request.
_users_by_session: dict[str, str] = {}
KNOWN_SESSIONS = 20_000


class SessionStore(CachedDBStore):
    def load(self) -> dict[str, Any]:
        user_id = _users_by_session.get(self.session_key) if self.session_key else None
        if user_id is None:
            fetched_with_session.set(None)
            data: dict[str, Any] = super().load()
        else:
            keys = user_cache_keys(user_id)
            try:
                this: Any = self  # the stubs leave out cached_db's `_cache`
                found = this._cache.get_many([self.cache_key, *keys, MIRROR_KEY])
            except Exception:  # as Django's cached_db: a cache that fails falls back to the database
                found = None
            if found is not None:
                version = found.get(MIRROR_KEY)
                setattr(self, SESSION_ATTRIBUTE, version if isinstance(version, int) else NO_COPY)
            fetched_with_session.set(
                None if found is None else (user_id, {k: found[k] for k in keys if k in found})
            )
            cached = None if found is None else found.get(self.cache_key)
            data = cached if cached is not None else super().load()
        owner = data.get(SESSION_KEY)
        if owner is not None and self.session_key:
            if len(_users_by_session) >= KNOWN_SESSIONS:
                _users_by_session.clear()
            _users_by_session[self.session_key] = str(owner)
        return data
