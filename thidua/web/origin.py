"""Where a POST came from, for the few views whose forms carry their own credential.

Django's CSRF token protects what a browser sends by itself: the session cookie. The delegate's phone
sends none — no session, no account; the card's code, typed into the form, is the credential — so a
forged post from another site could only vote with a code that site already knows, which it could as
well use itself. Such views are exempt from the token and check the Origin header instead (OWASP CSRF
Prevention Cheat Sheet, "Verifying Origin with standard headers"; ASVS 5.0 3.5.1): every current browser
sends it with a form POST, and a post another site's page made is refused by it. A request without the
header (a script, an old browser) has no page of another site behind it and is let through.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def posted_from_here(request: HttpRequest) -> bool:
    """True unless the browser says this POST came from a page of another origin."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return request.META.get("HTTP_SEC_FETCH_SITE", "same-origin") in ("same-origin", "none")
    if origin == f"{request.scheme}://{request.get_host()}":
        return True
    return origin in settings.CSRF_TRUSTED_ORIGINS
