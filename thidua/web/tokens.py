"""Generation tokens in the shared cache: what cached entries are stored under, replaced to drop them all.

A cached entry records the token it was stored under, or is keyed on it; replacing the token makes every
process miss at once, with no list of entries to delete. The token is replaced when the change is made
(the changing transaction's own later reads) and again when it commits: a request that read the old rows
meanwhile stored them under the old token, which nobody asks for any more. Used for signed-in users and
their roles (thidua/accounts/backends.py) and for readers' news pages (thidua/news/cache.py).
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import transaction

# Where the auth backend (thidua/accounts/backends.py) leaves the signed-in user's generation token on the
# user object, for the per-session page cache to read; web stands below accounts and names it here.
AUTH_TOKEN_ATTRIBUTE = "_thidua_auth_token"  # noqa: S105 — an attribute name, not a secret


def current_token(key: str, found: object = None) -> str:
    """The token at `key` (`found`: already read with other keys in one round trip). A token that expired
    or was evicted starts a new generation, never an old one again."""
    token = found if found is not None else cache.get(key)
    if token is None:
        cache.add(key, secrets.token_hex(8), None)
        token = cache.get(key)
    return str(token)


def replace_token(key: str) -> None:
    def replace() -> None:
        cache.set(key, secrets.token_hex(8), None)

    replace()
    transaction.on_commit(replace)
