"""Wagtail's public URLs, with the pages themselves served through the news page cache."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views

from thidua.news.cache import cached_news_page
from thidua.news.views import news_image

urlpatterns: list[Any] = [
    # On every news site's host as on thidua's own: the images its pages show (thidua.news.images).
    path("anh-tin/<path:name>", news_image, name="news_image"),
    *(p for p in wagtail_urls.urlpatterns if not (isinstance(p, URLPattern) and p.name == "wagtail_serve")),
    re_path(wagtail_urls.serve_pattern, cached_news_page(wagtail_views.serve), name="wagtail_serve"),
]
