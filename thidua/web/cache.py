"""Cache backends: Django's Redis backend with one client per connection pool instead of one per
operation and a "raise, never lower" for a shared counter, and a per-process cache of objects that are
never copied.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache operation, and building
one fills its table of some two hundred reply callbacks: about a tenth of a millisecond each time, more
than the round trip to a local Redis. A `redis.Redis` is safe to share between threads (it borrows a
connection from its pool per command), so each pool gets one, built once.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        this: Any = self  # the stubs leave out the base class's private helpers used here
        pool = this._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = this._client(connection_pool=pool)
        return client


# SET the key to ARGV[1] for ARGV[2] ms unless it already holds a number at least as large: one step on
# the server, so two processes publishing 7 and 8 in either order leave 8.
_RAISE_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]))
if current == nil or current < tonumber(ARGV[1]) then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return 1
end
return 0
"""


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._raise: Any = None

    def raise_to(self, key: Any, value: int, seconds: float) -> bool:
        """Store the integer `value` at `key` for `seconds`, unless the key holds a number at least as
        large; True if it was stored. Integers are stored as they are (Django's Redis serializer leaves
        them unpickled), so `get` and `get_many` read the number back."""
        full_key = self.make_and_validate_key(key)
        this: Any = self  # the stubs leave out the backend's client
        client = this._cache.get_client(full_key, write=True)
        if self._raise is None:
            self._raise = client.register_script(_RAISE_SCRIPT)
        return bool(
            self._raise(keys=[full_key], args=[int(value), max(1, int(seconds * 1000))], client=client)
        )


class ObjectCache(LocMemCache):
    """This process's memory, holding the objects themselves: LocMemCache without the pickling, which
    hands every reader a copy. A reader of this cache gets the very object every other request of the
    process gets, so only code that never changes what it reads may use it (`versioned(shared=True)`):
    for the delegate's phone, unpickling the conference and the poll was a tenth of a vote's cost."""

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        this: Any = self  # the stubs leave out the base class's private helpers used here
        with this._lock:
            if this._has_expired(key):
                this._set(key, value, timeout)
                return True
            return False

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        this: Any = self  # the stubs leave out the base class's private helpers used here
        with this._lock:
            if this._has_expired(key):
                this._delete(key)
                return default
            value = this._cache[key]
            this._cache.move_to_end(key, last=False)
        return value

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        key = self.make_and_validate_key(key, version=version)
        this: Any = self  # the stubs leave out the base class's private helpers used here
        with this._lock:
            this._set(key, value, timeout)
