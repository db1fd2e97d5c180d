"""Check-in at the door: the list of delegates to tick (all at once, or those chosen) and the field a
QR scanner types a card into. Thin: permission → input → service → message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thidua.conferences import attendance, services
from thidua.conferences.views import acting_user, conference_from_url, sorted_delegates


@login_required
def check_in_page(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    conference = conference_from_url(request, slug, year, pk, run=True)
    delegates = sorted_delegates(conference)
    try:
        quorum = services.quorum(conference)
    except ValidationError:
        quorum = None
    return render(
        request,
        "conferences/check_in.html",
        {
            "conference": conference,
            "emulation_year": conference.emulation_year,
            "group": conference.emulation_year.group,
            "delegates": delegates,
            "absent": [d for d in delegates if d.checked_in_at is None],
            "quorum": quorum,
        },
    )


@login_required
@require_POST
def check_in_list(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """ "Điểm danh tất cả đại biểu có tên" (every delegate on the list) or those ticked."""
    conference = conference_from_url(request, slug, year, pk, run=True)
    if request.POST.get("action") == "tat-ca":
        ids = list(conference.delegates.values_list("pk", flat=True))
    else:
        chosen = request.POST.getlist("dai_bieu")
        if not all(value.isascii() and value.isdigit() and len(value) <= 10 for value in chosen):
            messages.error(request, "Danh sách đại biểu gửi lên không đọc được; chưa điểm danh ai.")
            return redirect("conferences:check_in_page", slug=slug, year=year, pk=pk)
        ids = [int(value) for value in chosen]
    try:
        arrived = attendance.check_in_many(
            actor=acting_user(request), conference=conference, delegate_ids=ids
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if arrived:
            names = ", ".join(d.full_name for d in arrived)
            messages.success(request, f"Đã điểm danh {len(arrived)} đại biểu: {names}.")
        else:
            messages.info(request, "Các đại biểu đã chọn đều đã điểm danh trước đó.")
    return redirect("conferences:check_in_page", slug=slug, year=year, pk=pk)


@login_required
@require_POST
def check_in_scan(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """What a QR scanner typed, followed by Enter: the card's delegate is checked in, and the page comes
    back with the field focused for the next card."""
    conference = conference_from_url(request, slug, year, pk, run=True)
    try:
        result = attendance.check_in_by_card(
            actor=acting_user(request), conference=conference, scanned=request.POST.get("the", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        (messages.info if result.already else messages.success)(request, result.message)
    return redirect("conferences:check_in_page", slug=slug, year=year, pk=pk)
