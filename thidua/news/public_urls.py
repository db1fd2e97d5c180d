"""Wagtail's public URLs, with the pages themselves served through the news page cache."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views

from thidua.news.cache import cached_news_page

urlpatterns: list[Any] = [
    *(p for p in wagtail_urls.urlpatterns if not (isinstance(p, URLPattern) and p.name == "wagtail_serve")),
    re_path(wagtail_urls.serve_pattern, cached_news_page(wagtail_views.serve), name="wagtail_serve"),
]
