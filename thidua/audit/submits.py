"""Every submit happens once: one-time keys issued with a form and spent by the work it asks for.

Where the domain has a rule (one conference of a kind a year, one current minutes per conference) a
constraint and a row lock keep it. Everything else a form creates is guarded by its key: the form
carries a fresh random key, the request spends it in the same transaction as its work, and a second
request with the same key (a double click, a retry after a timeout, the page sent again) finds it spent
and is answered with the first request's result. Disabling the button is a courtesy, never this.
"""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from thidua.audit.models import SubmitKey

if TYPE_CHECKING:
    from thidua.accounts.models import User

FIELD_NAME = "submit_key"
KEY_LENGTH = 64
KEPT_FOR = datetime.timedelta(days=1)


def new_key() -> str:
    """A fresh key for a form (URL-safe, 128 bits)."""
    return secrets.token_urlsafe(16)


def clean_key(raw: object) -> str:
    """The posted key, or "" when the request carried none or an unusable one (no protection then)."""
    if not isinstance(raw, str):
        return ""
    key = raw.strip()
    return key if 0 < len(key) <= KEY_LENGTH and key.isascii() else ""


def spend(*, key: str, actor: User, verb: str) -> SubmitKey | None:
    """Spend `key` inside the caller's transaction. Returns the earlier row when the key was already
    spent (the caller then writes nothing and answers with `result_url`), else None: the key is now this
    transaction's, and `finish` records where its result is.

    A twin request running at the same moment blocks on the unique index until the first commits, then
    fails to insert and reads the first's row; if the first rolled back, the twin's insert goes through
    and it does the work itself."""
    if not key:
        return None
    try:
        with transaction.atomic():  # a savepoint: the failed insert must not break the caller's transaction
            SubmitKey.objects.create(key=key, user=actor, verb=verb)
    except IntegrityError:
        return SubmitKey.objects.get(key=key, user=actor)
    return None


def finish(*, key: str, actor: User, result_url: str) -> None:
    """Record where the result of the work done under `key` is shown, in the same transaction."""
    if key:
        SubmitKey.objects.filter(key=key, user=actor).update(result_url=result_url)


def purge(*, now: datetime.datetime | None = None) -> int:
    """Forget keys older than a day: nobody retries a form after that. Returns how many were removed."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    deleted, _ = SubmitKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
