"""Fixtures shared by the conference tests."""

from __future__ import annotations

from typing import Any

import pytest

from thidua.accounts.models import User
from thidua.conferences import services
from thidua.conferences.models import Conference
from thidua.conferences.tests import helpers


@pytest.fixture
def quangtri(db: Any) -> User:
    return User.objects.get(username="quangtri")  # head of Cụm 4 in 2026 (demo): the secretariat


@pytest.fixture
def conference_2026(quangtri: User) -> Conference:
    """Cụm 4's 2026 conference, as the secretariat makes it: one voting delegate per member."""
    conference = helpers.conference_2026(quangtri, title="Hội nghị tổng kết năm 2026")
    for member in helpers.members_2026():
        services.add_delegate(
            actor=quangtri,
            conference=conference,
            organization=member,
            full_name=f"Đại biểu {member.code}",
            votes=True,
        )
    return conference
