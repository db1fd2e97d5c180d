"""Encrypted ballots made ahead, in this process's memory only (issue 14, speed).

A ballot's encryption is mostly multiplications that do not depend on the choice: the randomness, its
products with the poll's key, the proofs' commitments (`thidua.lib.elgamal.ballots.prepare_kit`). While a
poll is open and waits for votes — the chair reads out the candidates, the delegates read the ballot — a
thread of each web process makes up to `settings.BALLOT_KITS` such kits per open poll, at the lowest CPU
priority and only while the process serves no request, so a cast only finishes one with the voter's picks (a few hashes instead of about fifty
multiplications). When the shelf is empty, the cast encrypts from scratch, as it always could.

A kit is as secret as the choice it will carry, since its randomness decrypts the ballot. So kits live in
this process's memory and nowhere else: not in a cache (Django's caches pickle, and Redis is another
process), a table, a file or a log; each is used for one ballot, then dropped; a forked child starts with
none of its parent's (two processes sharing randomness would tie their ballots together); and the shelves
of polls that are no longer open are dropped. The adversary of DESIGN.md holds files, not the memory of the
running server, which sees each choice anyway while it encrypts it (docs/security.md).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.signals import request_finished, request_started

from thidua.lib import elgamal

# What a kit is made for: the poll's public key, its number of slots (the blank's included), its limit.
Shape = tuple[bytes, int, int]


@dataclass
class _Shelf:
    shape: Shape
    kits: deque[elgamal.Kit] = field(default_factory=deque)


_lock = threading.Lock()
_wanted = threading.Condition(_lock)  # a shelf may have room: the making thread wakes
_shelves: dict[int, _Shelf] = {}  # poll pk → its kits
_filler: threading.Thread | None = None


# Kits are made only while this process serves no request, and has served none for this long: the
# making thread holds Python's lock through each multiplication (the bindings do not release it), so a
# request arriving meanwhile waits for it, and votes coming in are better served than kits made.
QUIET_SECONDS = 0.05
# A request that began this long ago and has not been seen to end is taken as gone: a response that is
# never closed (a test client's, an aborted stream) must not stop kits for the life of the process.
LONGEST_REQUEST_SECONDS = 5.0
_in_flight = 0
_last_started = 0.0
_last_finished = 0.0


def _request_started(**_: object) -> None:
    global _in_flight, _last_started
    _in_flight, _last_started = _in_flight + 1, time.monotonic()


def _request_finished(**_: object) -> None:
    global _in_flight, _last_finished
    _in_flight, _last_finished = max(0, _in_flight - 1), time.monotonic()


def _serving() -> bool:
    now = time.monotonic()
    if now - _last_finished < QUIET_SECONDS:
        return True
    return _in_flight > 0 and now - _last_started < LONGEST_REQUEST_SECONDS


request_started.connect(_request_started, dispatch_uid="thidua.conferences.kits.started", weak=False)
request_finished.connect(_request_finished, dispatch_uid="thidua.conferences.kits.finished", weak=False)


def _start_afresh_in_child() -> None:
    """A child forked from a process with kits must not use them: its parent may use the same ones. Its
    lock may also have been held by the parent's making thread, which the child does not have."""
    global _lock, _wanted, _shelves, _filler
    _lock = threading.Lock()
    _wanted = threading.Condition(_lock)
    _shelves, _filler = {}, None


os.register_at_fork(after_in_child=_start_afresh_in_child)


def keep_ready(polls: Mapping[int, Shape]) -> None:
    """The polls open now, by pk, with their shapes: keep a shelf for each, drop every other, and make
    kits until each shelf holds `settings.BALLOT_KITS`."""
    if settings.BALLOT_KITS <= 0:
        return
    with _lock:
        for pk in [pk for pk, shelf in _shelves.items() if polls.get(pk) != shelf.shape]:
            del _shelves[pk]
        for pk, shape in polls.items():
            _shelves.setdefault(pk, _Shelf(shape))
        _start_filling()


def take(poll_pk: int, shape: Shape) -> elgamal.Kit | None:
    """A kit for this poll, never handed out again; None when there is none (or kits are off). Only the
    voting page starts a shelf (`keep_ready`): a vote cast elsewhere (the demo's, a command's) makes no
    kits in a process that serves no phone."""
    if settings.BALLOT_KITS <= 0:
        return None
    with _lock:
        shelf = _shelves.get(poll_pk)
        if shelf is None or shelf.shape != shape or not shelf.kits:
            return None
        kit = shelf.kits.popleft()
        _start_filling()
        return kit


def on_shelf(poll_pk: int) -> int:
    """How many kits this process holds for the poll (for tests and benchmarks)."""
    with _lock:
        shelf = _shelves.get(poll_pk)
        return len(shelf.kits) if shelf else 0


def _start_filling() -> None:
    # Under `_lock`. One thread per process makes kits, for as long as the process lives: it sleeps while
    # every shelf is full and is woken here.
    global _filler
    if _filler is None or not _filler.is_alive():
        _filler = threading.Thread(target=_fill, name="thidua-ballot-kits", daemon=True)
        _filler.start()
    _wanted.notify()


def _next_to_fill() -> _Shelf | None:
    # Under `_lock`.
    return next((shelf for shelf in _shelves.values() if len(shelf.kits) < settings.BALLOT_KITS), None)


def _fill() -> None:
    # The lowest priority for this thread alone (Linux gives each thread its own nice value): requests,
    # PostgreSQL and the task worker go first, and kits are made with the CPU they leave idle.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    while True:
        with _lock:
            while (shelf := _next_to_fill()) is None:
                _wanted.wait()
        while _serving():
            time.sleep(QUIET_SECONDS)
        kit = elgamal.prepare_kit(*shelf.shape)
        with _lock:
            # The shelf may have been dropped meanwhile (the poll closed): then the kit goes with it.
            if any(kept is shelf for kept in _shelves.values()):
                shelf.kits.append(kit)
