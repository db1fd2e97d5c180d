"""Which news site a request is for, for the one address Wagtail and thidua share: "/"."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail.models import Site
from wagtail.views import serve

from thidua.news.cache import cached_news_page


def serve_organization_home(request: HttpRequest) -> HttpResponse | None:
    """On an organization's own hostname (a Wagtail Site other than the default), "/" is its news home;
    on thidua's own host it stays thidua's home. None: not an organization's host."""
    site = Site.find_for_request(request)
    if site is None or site.is_default_site:
        return None
    return cached_news_page(serve)(request, "")
