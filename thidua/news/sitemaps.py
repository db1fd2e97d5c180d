"""/sitemap.xml: the news pages of the site asked for, at the address it is served at."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from wagtail.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Page


class NewsSitemap(Sitemap):
    def items(self) -> Any:
        # thidua's own site has a plain page at its root, never shown: its "/" is thidua's home page.
        return super().items().not_exact_type(Page)


def sitemap(request: HttpRequest) -> HttpResponse:
    response: HttpResponse = wagtail_sitemap(request, sitemaps={"news": NewsSitemap})
    return response
