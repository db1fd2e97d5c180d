"""The secretariat's to-do at the conference: publish every poll's result, then end the conference
("Kết thúc hội nghị"), one click from the conference's page."""

from __future__ import annotations

from datetime import date

from django.db.models import F
from django.urls import reverse

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.conferences.models import Conference, ConferenceKind
from thidua.years.models import YearStage
from thidua.years.todos import Todo, todo


def closing_todos(user: User, today: date) -> list[Todo]:
    officer_of = permissions.officer_org_ids(user)
    if not officer_of:
        return []
    conferences = Conference.objects.filter(
        kind=ConferenceKind.YEAR_END,
        closed_at__isnull=True,
        emulation_year__stage=YearStage.CONFERENCE,
        emulation_year__group__leaderships__role=permissions.HEAD,
        emulation_year__group__leaderships__organization_id__in=officer_of,
        emulation_year__group__leaderships__year=F("emulation_year__year"),
    ).select_related("emulation_year__group")
    items = []
    for conference in conferences:
        emulation_year = conference.emulation_year
        group = emulation_year.group
        url = reverse("conferences:detail", args=[group.slug, emulation_year.year, conference.pk])
        # A title that already names the group and its year ("… năm 2026 — Cụm thi đua số 4") is not
        # followed by them again.
        where = f"{group} năm {emulation_year.year}"
        named = str(group) in conference.title and str(emulation_year.year) in conference.title
        items.append(
            todo(
                key=f"close-conference:{conference.pk}",
                text=f"Công bố kết quả và kết thúc {conference.title}" + ("" if named else f" — {where}"),
                url=f"{url}#ket-thuc",
                due=emulation_year.conference_date,
                today=today,
                emulation_year_id=emulation_year.pk,
            )
        )
    return items
