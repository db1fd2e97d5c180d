"""Helpers shared by the conference tests."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from thidua.accounts.models import User
from thidua.conferences import services
from thidua.conferences.models import Conference
from thidua.organizations.models import Organization
from thidua.years.models import EmulationYear


def conference_2026(actor: User, *, title: str) -> Conference:
    """Cụm 4's 2026 year-end conference at Đông Hà, hosted by Quảng Trị, with no delegate yet."""
    return services.create_conference(
        actor=actor,
        emulation_year=EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026),
        values={
            "title": title,
            "starts_at": datetime.datetime(2026, 12, 22, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
            "place": "Đông Hà",
            "host": Organization.objects.get(code="lhh-quang-tri"),
        },
    )


def members_2026() -> list[Organization]:
    return list(
        Organization.objects.filter(memberships__group__slug="vusta-cum-4", memberships__year=2026).order_by(
            "code"
        )
    )
