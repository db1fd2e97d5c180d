"""thidua's own news views (the pages themselves are Wagtail's): "Soạn tin" from a conference, and the
images that the pages show."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from thidua.accounts.models import User
from thidua.conferences.selectors import conference_in_year
from thidua.news import selectors, services
from thidua.news.images import rendition_storage
from thidua.news.models import HomePage


@login_required
@require_POST
def draft_from_conference(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    # The host's editors may ask too, and they cannot see the year's pages: the service decides who may.
    conference = conference_in_year(slug=slug, year=year, pk=pk)
    user = request.user
    assert isinstance(user, User)
    chosen = request.POST.get("trang_tin", "").strip()
    # The site is chosen only where the host has none; the service says which sites may be chosen.
    readable = chosen.isascii() and chosen.isdigit() and len(chosen) <= 10
    site = HomePage.objects.filter(pk=int(chosen)).first() if readable else None
    try:
        if chosen and site is None:
            raise ValidationError("Trang tin đã chọn không còn tồn tại; hãy chọn lại.")
        article = services.draft_article(actor=user, conference=conference, site=site)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("conferences:detail", slug=slug, year=year, pk=pk)
    messages.success(request, f"Đã soạn bản nháp tin bài «{article.title}»; biên tập viên sửa và xuất bản.")
    if user.has_perm("wagtailadmin.access_admin"):
        return redirect("wagtailadmin_pages:edit", article.pk)
    return redirect("conferences:detail", slug=slug, year=year, pk=pk)


@require_safe
def news_image(request: HttpRequest, name: str) -> FileResponse:
    """A size of a news image, as the news pages and the editors' admin show it (thidua.news.images).
    Anyone may load it, signed in or not: Wagtail's images are public, it has no private ones. But only
    a file that is a rendition is sent: the same store holds the private files (evidence, signed
    originals), which must never be reached through this address."""
    if not selectors.is_rendition(name):
        raise Http404
    try:
        stored = rendition_storage().open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stored, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    # An edited image gets renditions of new names; an hour is the longest a deleted one lingers.
    response["Cache-Control"] = "public, max-age=3600"
    return response
