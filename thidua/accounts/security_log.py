"""Security events in the operational log (ASVS 16.3.1): sign-ins, sign-outs, refused sign-ins, and the
second step's events (enrolment, refused codes, recovery codes used or replaced, devices removed).

One line each on the logger "thidua.security", at INFO for the ordinary and WARNING for refusals, with the
username and the client address, never a password, a code or a device's secret. Delegates' voting codes never reach it: they are no
sign-in, and a vote is never logged (DESIGN.md, secret ballot).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

logger = logging.getLogger("thidua.security")


def _address(request: HttpRequest | None) -> str:
    return str(request.META.get("REMOTE_ADDR", "?")) if request is not None else "?"


def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    logger.info("sign-in user=%s from=%s", user.get_username(), _address(request))


def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    logger.info("sign-out user=%s from=%s", user.get_username() if user else "?", _address(request))


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django passes the credentials with the password already masked; only the username is written.
    logger.warning("sign-in refused user=%s from=%s", credentials.get("username", "?"), _address(request))


def locked_out(username: str, request: HttpRequest | None) -> None:
    """A sign-in refused before the password is even checked: the username is locked after failures."""
    logger.warning("sign-in refused, username locked user=%s from=%s", username, _address(request))


def second_step(
    event: str, user: Any, request: HttpRequest | None, *, refused: bool = False, **facts: object
) -> None:
    """One event of the second sign-in step: `event` says what happened ("enrolled", "code refused",
    "recovery code used" …); `facts` add counts, never a code."""
    extra = "".join(f" {name}={value}" for name, value in facts.items())
    logger.log(
        logging.WARNING if refused else logging.INFO,
        "second step %s user=%s from=%s%s",
        event,
        user.get_username(),
        _address(request),
        extra,
    )


def connect_signals() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="thidua-security-logged-in")
    user_logged_out.connect(_logged_out, dispatch_uid="thidua-security-logged-out")
    user_login_failed.connect(_login_failed, dispatch_uid="thidua-security-login-failed")
