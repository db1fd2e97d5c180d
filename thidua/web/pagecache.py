"""Pages kept for one session while nothing they depend on changes.

A year page shows the same thing to the same signed-in user for as long as the data version (the audit
chain's last sequence number) and the user's generation token (thidua/accounts/backends.py) stay the
same: the first changes with every state change, the second with any change to the user or their roles,
so both the page and the permission to see it are functions of the two. `cached_for_session` keeps such
a page in the process's memory under the session, the CSRF cookie (the page's forms carry a token made
from it), the user's token, the data version and the full path, and serves it again without running the
view: no lookup, no permission check, no template. Only the forms' one-time keys are made anew each time
(a key is spent by the first submit that carries it).

It stays out of the way whenever that reasoning does not hold: without a shared cache (no user token),
for anyone not signed in, for anything but GET, while messages are waiting to be shown (showing them
consumes them), when the browser has no CSRF cookie yet (the view must set one), and for any response
but a plain 200 that sets no cookie.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from thidua.audit.submits import FIELD_NAME, new_key
from thidua.audit.version import VERSIONED_CACHE_SECONDS, data_version
from thidua.web.tokens import AUTH_TOKEN_ATTRIBUTE

View = Callable[..., HttpResponse]

# A form's one-time key (thidua/audit/submits.py), with the prefix a form may give its fields.
_SUBMIT_KEY = re.compile(rb'(name="(?:[\w-]+-)?' + FIELD_NAME.encode() + rb'" value=")[^"]*(")')


def _with_fresh_submit_keys(content: bytes) -> bytes:
    """A kept page's forms with new one-time keys: served twice with the same key (two tabs of one page),
    the second tab's submit would be taken for a repeat of the first's and do nothing."""
    return _SUBMIT_KEY.sub(lambda match: match[1] + new_key().encode() + match[2], content)


def _key(request: HttpRequest) -> str | None:
    return _session_key(request, lambda _request: "")


def _session_key(request: HttpRequest, part: Callable[[HttpRequest], str | None]) -> str | None:
    if request.method != "GET" or not settings.SHARED_CACHE:
        return None
    user = request.user
    token = getattr(user, AUTH_TOKEN_ATTRIBUTE, None)
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    session_key = request.session.session_key
    if not user.is_authenticated or token is None or not csrf_cookie or not session_key:
        return None
    if len(messages.get_messages(request)):  # counts without consuming them
        return None
    # Both read before the view runs: what it draws is then at least as new as the key it is kept
    # under (thidua/audit/version.py).
    version = str(data_version(request))
    more = part(request)
    if more is None:
        return None
    parts = (session_key, csrf_cookie, token, version, request.get_full_path(), more)
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def kept_responses(
    key: Callable[[HttpRequest], str | None], seconds: Callable[[], int]
) -> Callable[[View], View]:
    """A view decorator: the response kept in this process's memory under `key(request)` for `seconds()`,
    and served from there without running the view. None from `key` runs the view and keeps nothing; only
    a plain, rendered 200 that sets no cookie and is not private is kept."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            cache_key = key(request)
            if cache_key is None:
                return view(request, *args, **kwargs)
            local = caches["local"]
            kept: tuple[bytes, str] | None = local.get(cache_key)
            if kept is not None:
                response = HttpResponse(_with_fresh_submit_keys(kept[0]), content_type=kept[1])
                patch_vary_headers(response, ("Cookie",))
                return response
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if render is not None and not getattr(response, "is_rendered", True):
                render()  # a TemplateResponse (Wagtail's pages) is drawn only on the way out
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and "private" not in response.get("Cache-Control", "")
            ):
                local.set(cache_key, (response.content, response["Content-Type"]), seconds())
            return response

        return wrapper

    return decorate


cached_for_session = kept_responses(_key, lambda: VERSIONED_CACHE_SECONDS)


def cached_for_session_with(extra: Callable[[], str]) -> Callable[[View], View]:
    """`cached_for_session` for a page that also depends on what `extra()` stands for (the day, a token
    that changes without an audited change)."""
    return cached_for_session_by(lambda _request: extra())


def cached_for_session_by(part: Callable[[HttpRequest], str | None]) -> Callable[[View], View]:
    """`cached_for_session_with` for a page whose unaudited part depends on what it shows (the URL's
    conference): `part(request)` is asked only once the page may be kept at all; None keeps nothing."""
    return kept_responses(lambda request: _session_key(request, part), lambda: VERSIONED_CACHE_SECONDS)
