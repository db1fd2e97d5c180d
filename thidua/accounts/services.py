"""Login throttling, per username.

Delegates at one venue share the venue's IP address, so counting by IP would lock a whole
conference out after a few typos; counting by username stops guessing at one account.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from thidua.accounts.models import LoginFailure
from thidua.lib.text import fold


def _key(username: str) -> str:
    return fold(username)[:150]


def login_locked(username: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(username=_key(username), created_at__gte=since).count()
    return recent >= settings.LOGIN_FAILURE_LIMIT


@transaction.atomic
def note_login_failure(username: str) -> None:
    LoginFailure.objects.create(username=_key(username))
    # Keep the table small: old failures no longer count.
    cutoff = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS * 4)
    LoginFailure.objects.filter(created_at__lt=cutoff).delete()


@transaction.atomic
def clear_login_failures(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()
