"""Failures counted per client in the shared cache, in fixed windows: the first failure of a client starts
its window, and the count goes when the window ends. With Redis (THIDUA_REDIS_URL) every app process shares
the count; without, each counts on its own, which on a laptop's two workers only doubles the limit.

Used where a lock on the thing attacked would let anyone lock it: voting codes (no card is ever locked,
thidua/conferences/throttle.py) and second-step codes (counted per account as well, thidua/accounts).
"""

from __future__ import annotations

from django.core.cache import cache


def failures(key: str) -> int:
    """The failures counted under `key` in its current window."""
    return int(cache.get(key, 0))


def note_failure(key: str, window: int) -> int:
    """Count one more failure under `key`; returns the count in the current window."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # the window ended between the two calls: this failure starts the next one
        cache.set(key, 1, timeout=window)
        return 1
