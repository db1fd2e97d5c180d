"""API tokens: created and revoked by their owner, audited; checked on every API request.

A token reads `thidua_<prefix>_<secret>`. The prefix finds the row without a scan and is shown on the
account page so an owner can tell tokens apart; the secret is 256 random bits, so one SHA-256 pass is
enough to store it (a slow password hash guards low-entropy secrets, which this is not).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from thidua.accounts.models import User
from thidua.accounts.permissions import require
from thidua.api.models import ApiToken
from thidua.audit.services import record
from thidua.lib.text import clean_text

TOKEN_PATTERN = re.compile(r"thidua_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})")
# More than enough for the client programs one person runs; a bound keeps the page readable.
MAX_ACTIVE_TOKENS = 20
# `last_used_at` is written at most this often, so reading the API does not write on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@transaction.atomic
def create_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `actor`; returns it with the whole token text, which is never stored."""
    name = clean_text(name)
    if not name:
        raise ValidationError({"name": "Cần đặt tên cho mã truy cập (ví dụ: tên chương trình dùng nó)."})
    if len(name) > 100:
        raise ValidationError({"name": "Tên mã truy cập dài tối đa 100 ký tự."})
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            f"Bạn đã có {MAX_ACTIVE_TOKENS} mã truy cập đang dùng; hãy thu hồi mã không còn dùng trước."
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name, prefix=prefix, secret_sha256=_digest(secret))
    record(actor=actor, verb="api_token.create", target=token, data={"name": name, "prefix": prefix})
    return token, f"thidua_{prefix}_{secret}"


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Stop a token working at once; the row stays, so the account page and the audit trail keep it."""
    require(token.user_id == actor.pk, "Bạn chỉ thu hồi được mã truy cập của chính mình.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=actor, verb="api_token.revoke", target=token, data={"name": token.name, "prefix": token.prefix}
    )
    return token


def user_for_token(text: str) -> User | None:
    """The active user a token belongs to, or None for a malformed, unknown or revoked token."""
    match = TOKEN_PATTERN.fullmatch(text.strip())
    if match is None:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=match["prefix"], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_sha256, _digest(match["secret"])):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # An UPDATE of this one column: no audit event (it is not a change anyone made) and no race
        # with a concurrent revocation, which sets another column.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
