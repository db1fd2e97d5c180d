"""Wrong voting codes, counted per client in the shared cache — never per card.

A card that locks after a few wrong codes can be locked by anyone who knows its number. A code of 80
random bits needs no lock: at the default limit (100 wrong codes in 10 minutes) a client would need more
than 10^14 years to hit any of a hundred cards. The throttle only keeps one client from making the server check codes without end, and
a delegate on another client is never held up by it (DESIGN.md; issue 14, part 5).

A fixed window per client, counted by `thidua.web.throttle`.
"""

from __future__ import annotations

import logging

from django.conf import settings

from thidua.web import throttle

logger = logging.getLogger("thidua.security")


def _key(client: str) -> str:
    return f"vote:wrong-codes:{client}"


def blocked(client: str) -> bool:
    """True while `client` has reached the limit of wrong codes in the current window."""
    return throttle.failures(_key(client)) >= settings.VOTE_CODE_FAILURE_LIMIT


def note_wrong_code(client: str) -> None:
    count = throttle.note_failure(_key(client), settings.VOTE_CODE_FAILURE_WINDOW_SECONDS)
    if count == settings.VOTE_CODE_FAILURE_LIMIT:
        # Once per window and client; the codes tried are never written (ASVS 16.3.3).
        logger.warning("voting codes refused, client throttled from=%s", client)


def wait_minutes() -> int:
    """The longest a blocked client waits, in whole minutes, as the refusal says it."""
    return -(-settings.VOTE_CODE_FAILURE_WINDOW_SECONDS // 60)
