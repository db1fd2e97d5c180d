"""Cache backends: Django's Redis backend with one client per connection pool instead of one per
operation, and a per-process cache of objects that are never copied.

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


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient


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
