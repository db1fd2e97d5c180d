"""Content-Security-Policy on every response (docs/decisions.md: why our own middleware).

Pages get ``settings.CONTENT_SECURITY_POLICY`` (Wagtail's admin, which cannot work without inline code,
``settings.NEWS_ADMIN_CONTENT_SECURITY_POLICY``): scripts and styles from our static files only, so an
injected ``<script>`` or ``onclick=`` does not run even if a template forgot to escape it. A file sent as
an attachment (evidence, signed originals, documents) may hold whatever an uploader put in it: should a
browser render it anyway, it runs in a sandbox with no right to load or run anything.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"
DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


def is_attachment(response: HttpResponse) -> bool:
    return str(response.get("Content-Disposition", "")).lower().startswith("attachment")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:  # a view that set its own policy knows better
            if is_attachment(response):
                response[HEADER] = DOWNLOAD_POLICY
            elif request.path.startswith(settings.NEWS_ADMIN_PREFIX):
                response[HEADER] = settings.NEWS_ADMIN_CONTENT_SECURITY_POLICY
            else:
                response[HEADER] = settings.CONTENT_SECURITY_POLICY
        return response
