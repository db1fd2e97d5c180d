"""The project's URLs plus two reference views for benchmarks.

- `bench/bare/`: the baseline every page's speed is reported against (DESIGN.md).
- `bench/quyen-xem/<slug>/<year>/`: what any page of a group's year pays before its own work — session,
  user, the year and the permission to see it — then "ok". It is the ceiling for a year page however its
  own work is made faster (cached, say), so a benchmark can tell how much is left to gain, and where.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as project_urls
from thidua.agreements.lookups import year_for_viewer


def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: the same middleware and server, no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def year_permission_only(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    year_for_viewer(request, slug, year)
    return HttpResponse("ok", content_type="text/plain")


urlpatterns: list[Any] = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/quyen-xem/<slug:slug>/<int:year>/", year_permission_only, name="bench_year_permission"),
    *project_urls.urlpatterns,
]

handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
