"""Opening a group's year: the page the head, the deputy or the parent body's staff use."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.organizations.models import EmulationGroup
from thidua.web.forms import apply_service_errors
from thidua.years import rules, services
from thidua.years.forms import OpenYearForm
from thidua.years.models import EmulationYear


@login_required
def open_year(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(EmulationGroup.objects.select_related("parent"), slug=slug)
    this_year = timezone.localdate().year
    permissions.require(
        any(permissions.can_open_year(request.user, group, y) for y in (this_year, this_year + 1)),
        "Chỉ cụm trưởng, cụm phó năm trước hoặc cơ quan cấp trên được mở năm thi đua.",
    )
    asked = request.GET.get("nam", "")
    # The year a to-do names (?nam=2027), else the first of this year and next not opened yet.
    proposed = (
        int(asked)
        if asked.isdigit() and this_year <= int(asked) <= this_year + 1
        else this_year + 1
        if EmulationYear.objects.filter(group=group, year=this_year).exists()
        else this_year
    )
    # Last year's deadlines, moved on a year, as the suggestion: a year opened with none shows «chưa đặt»
    # everywhere and sends no reminder (found by a walk of the year).
    previous = EmulationYear.objects.filter(group=group, year__lt=proposed).order_by("-year").first()
    suggested = (
        rules.deadlines_moved_on(
            {name: getattr(previous, name) for name in services.DEADLINE_FIELDS}, proposed - previous.year
        )
        if previous is not None
        else {}
    )
    form = OpenYearForm(request.POST or None, initial={"year": proposed, **suggested})
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data.pop("year")
        try:
            services.open_year(actor=_actor(request), group=group, year=year, deadlines=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã mở năm thi đua {year}.")
            return redirect("years:dashboard", slug=group.slug, year=year)
    return render(
        request, "organizations/form_page.html", {"form": form, "title": f"Mở năm thi đua — {group}"}
    )


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required let only a signed-in user through
    return request.user
