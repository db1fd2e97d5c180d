"""The project's URLs plus three reference views for benchmarks.

- `bench/bare/`: the baseline every page's speed is reported against (DESIGN.md).
- `bench/bare-insert/`: the baseline of a write (bench/vote_bench.py): one row into a table with a
  unique key, in a transaction, 409 if the key exists. The table `bench_bare_insert` is no project
  model: the benchmark creates it with raw SQL in its own throwaway database.
- `bench/tin-khong-cache/<path>`: a news page drawn by Wagtail's own `serve`, without the page cache
  (bench/news_bench.py measures the cache against it).
- `bench/quyen-xem/<slug>/<year>/`: what any page of a group's year pays before its own work — session,
  user, the year and the permission to see it — then "ok". It is the ceiling for a year page however its
  own work is made faster (cached, say), so a benchmark can tell how much is left to gain, and where.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail import views as wagtail_views

from config import urls as project_urls
from thidua.agreements.lookups import year_for_viewer


def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: the same middleware and server, no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt  # bench-only: no form page to take a token from, and nothing here to protect
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    """The least a write through Django can do: a POST's form body parsed, one INSERT under a unique
    constraint in a transaction (the vote's Participation has the same shape), no ORM, no template."""
    key = request.POST.get("k", "")
    if not key:
        return HttpResponse("k missing", status=400, content_type="text/plain")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_bare_insert (k) VALUES (%s)", [key])
    except IntegrityError:
        return HttpResponse("exists", status=409, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@login_required
def year_permission_only(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    year_for_viewer(request, slug, year)
    return HttpResponse("ok", content_type="text/plain")


urlpatterns: list[Any] = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/bare-insert/", bare_insert, name="bench_bare_insert"),
    path("bench/quyen-xem/<slug:slug>/<int:year>/", year_permission_only, name="bench_year_permission"),
    re_path(r"^bench/tin-khong-cache/((?:[\w\-]+/)*)$", wagtail_views.serve, name="bench_news_uncached"),
    *project_urls.urlpatterns,
]

handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
