"""What a signed-in session still owes before any page opens: nothing, a code, or setting up an
authenticator (thidua/accounts/rules.py, SecondStep).

It is decided once, when the password is accepted (`user_logged_in`, which Django sends for every sign-in,
the tests' `force_login` included), and kept in the session: every later request reads it from there
without a query, and the signed-in user the backend caches across sessions (thidua/accounts/backends.py)
never carries it. Passing the step is django-otp's `login`, which puts the device in the session, so it
is this session's alone: another browser, or this one after signing out and in again, is asked again.
A session without the mark (opened before the step existed) is decided on its next request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.models import Device

from thidua.accounts import selectors
from thidua.accounts.models import User
from thidua.accounts.rules import SecondStep

SESSION_KEY = "thidua_second_step"


def is_verified(user: Any) -> bool:
    """Whether this request's session passed the second step (django-otp's middleware sets the device)."""
    return getattr(user, "otp_device", None) is not None


def remember(request: HttpRequest, step: SecondStep) -> None:
    request.session[SESSION_KEY] = step.value


def pending(request: HttpRequest) -> SecondStep:
    """What this request's session owes."""
    user = request.user
    if not user.is_authenticated or is_verified(user):
        return SecondStep.NONE
    try:
        step = SecondStep(request.session.get(SESSION_KEY))
    except ValueError:
        assert isinstance(user, User)
        step = selectors.second_step(user)
        remember(request, step)
    # Setting up an authenticator is owed only while the setting requires it; a code is owed whenever the
    # account has a device, whatever the setting.
    if step is SecondStep.ENROL and not settings.TWO_FACTOR_REQUIRED:
        return SecondStep.NONE
    return step


def verified(request: HttpRequest, device: Device) -> None:
    """This session passed the step with `device`: a new session key, as at any sign-in (ASVS 7.2.4), so
    a key seen before the step is worth nothing after it. Marked as owing a code: should the device be
    removed (a lost phone, reset by the staff), the session is asked again rather than let through."""
    request.session.cycle_key()
    otp_login(request, device)
    remember(request, SecondStep.VERIFY)


def next_url(request: HttpRequest) -> str:
    """Where to go once the step is passed: `next` when it stays on this site (no open redirect, ASVS
    3.7.2), else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        remember(request, selectors.second_step(user))


def connect_signals() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="thidua-second-step-signed-in")
