"""The signed-in user of each request, with their roles, served from the shared cache.

Every page reads the session's user and, to decide what it may show, the user's roles: two queries per
request that answer the same thing thousands of times between two changes. With a shared cache
(settings.SHARED_CACHE: one Redis for all app processes) both are kept there under a generation token
per user, and the entry holds the token it was stored under. Any change to the user or one of their
roles, through a service or the admin, replaces the token, so every process misses and reads the
database again at once.

Why a token and not a plain delete: a request that read the old rows just before a change commits could
store them after the change deleted the entry, and serve them until it expires. The token is read
before the rows, so such a late write carries the old token and is never served.
The token is replaced when the change is made and again when it commits: the first keeps a
transaction's own later reads right, the second covers readers that ran while it was uncommitted.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from thidua.accounts import permissions
from thidua.accounts.models import Role, User
from thidua.web.tokens import AUTH_TOKEN_ATTRIBUTE, current_token, replace_token

# The attribute of a signed-in user that holds the generation token it was read under: pages cached for
# a session (thidua/web/pagecache.py) key on it.


def _generation_key(user_id: object) -> str:
    return f"auth:gen:{user_id}"


def _user_key(user_id: object) -> str:
    return f"auth:user:{user_id}"


def user_cache_keys(user_id: object) -> list[str]:
    """What `get_user` reads from the shared cache, in one round trip."""
    return [_generation_key(user_id), _user_key(user_id)]


# What this request's session read fetched for its user (thidua/accounts/sessions.py): (user id,
# {cache key: value}), or None. Set by every session load, taken and cleared by `get_user`, which always
# follows a session load in the same request (`django.contrib.auth.get_user` reads the user's id from the
# session first).
fetched_with_session: ContextVar[tuple[str, dict[str, Any]] | None] = ContextVar(
    "thidua_fetched_with_session", default=None
)


def _take_fetched(user_id: object) -> dict[str, Any] | None:
    fetched = fetched_with_session.get()
    fetched_with_session.set(None)
    if fetched is None or fetched[0] != str(user_id):
        return None
    return fetched[1]


def forget_user(user_id: object) -> None:
    """Drop the cached user and roles of `user_id` in every process, now and when the change commits."""
    if settings.SHARED_CACHE:
        replace_token(_generation_key(user_id))


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend (passwords, `is_active`), with `get_user` served from the shared cache."""

    def get_user(self, user_id: Any) -> User | None:
        if not settings.SHARED_CACHE:
            return super().get_user(user_id)
        # One round trip for both: the entry holds the token it was stored under. None at all when the
        # session's read brought them along.
        found = _take_fetched(user_id)
        if found is None:
            found = cache.get_many(user_cache_keys(user_id))
        token = current_token(_generation_key(user_id), found.get(_generation_key(user_id)))
        entry: tuple[str, User] | None = found.get(_user_key(user_id))
        if entry is not None and entry[0] == token:
            user: User | None = entry[1]
        else:
            user = super().get_user(user_id)
            if user is None:
                return None
            permissions.load_roles(user)  # cached with the user: pages ask about roles on every request
            cache.set(_user_key(user_id), (token, user), settings.AUTH_CACHE_SECONDS)
        # What this user may see changes only with this token (or with the data version).
        setattr(user, AUTH_TOKEN_ATTRIBUTE, str(token))
        return user


def _user_changed(sender: type, instance: User, **kwargs: object) -> None:
    forget_user(instance.pk)


def _role_changed(sender: type, instance: Role, **kwargs: object) -> None:
    forget_user(instance.user_id)


def connect_signals() -> None:
    """Called from AccountsConfig.ready: saves and deletes from anywhere, the admin included, reach us.
    (A queryset `.update()` sends no signal; thidua changes users and roles only by saving or deleting.)"""
    post_save.connect(_user_changed, sender=User, dispatch_uid="thidua-auth-user-saved")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="thidua-auth-user-deleted")
    post_save.connect(_role_changed, sender=Role, dispatch_uid="thidua-auth-role-saved")
    post_delete.connect(_role_changed, sender=Role, dispatch_uid="thidua-auth-role-deleted")
