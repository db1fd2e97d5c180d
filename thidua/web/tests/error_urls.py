"""The project's URLs and error handlers, plus views that fail on purpose, for the error-page tests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as project_urls


def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("loi/400/", bad_request),
    path("loi/403/", forbidden),
    path("loi/500/", broken),
    *project_urls.urlpatterns,
]

handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
