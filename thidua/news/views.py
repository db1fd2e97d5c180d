"""thidua's own news views (the pages themselves are Wagtail's): "Soạn tin" from a conference."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from thidua.accounts.models import User
from thidua.conferences.models import Conference
from thidua.news import services


@login_required
@require_POST
def draft_from_conference(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    # The host's editors may ask too, and they cannot see the year's pages: the service decides who may.
    conference = get_object_or_404(
        Conference.objects.select_related("emulation_year__group__parent", "host"),
        pk=pk,
        emulation_year__group__slug=slug,
        emulation_year__year=year,
    )
    user = request.user
    assert isinstance(user, User)
    try:
        article = services.draft_article(actor=user, conference=conference)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("conferences:detail", slug=slug, year=year, pk=pk)
    messages.success(request, f"Đã soạn bản nháp tin bài «{article.title}»; biên tập viên sửa và xuất bản.")
    if user.has_perm("wagtailadmin.access_admin"):
        return redirect("wagtailadmin_pages:edit", article.pk)
    return redirect("conferences:detail", slug=slug, year=year, pk=pk)
