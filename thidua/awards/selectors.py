"""Reads of awards that several pages share: an organization's awards, on its page and in the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from thidua.awards import rules
from thidua.awards.models import Award
from thidua.organizations.models import Organization


@dataclass(frozen=True)
class OrganizationAward:
    year: int
    form: str
    decision_number: str
    decision_date: datetime.date
    note: str


def organization_awards(*, organization: Organization) -> list[OrganizationAward]:
    """An organization's awards, newest year first, each named as its parent body names it."""
    awards = list(Award.objects.filter(organization=organization).order_by("-year", "award_form"))
    if not awards:
        return []
    parent_name = organization.parent.current_short_name if organization.parent else "cơ quan cấp trên"
    return [
        OrganizationAward(
            year=a.year,
            form=rules.parent_award_label(a.get_award_form_display(), parent_name),
            decision_number=a.decision_number,
            decision_date=a.decision_date,
            note=a.note,
        )
        for a in awards
    ]
