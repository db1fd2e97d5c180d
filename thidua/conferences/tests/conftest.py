"""Fixtures shared by the conference tests."""

from __future__ import annotations

from typing import Any

import pytest

from thidua.accounts.models import User
from thidua.conferences.models import Conference
from thidua.conferences.tests import helpers


@pytest.fixture
def quangtri(db: Any) -> User:
    return User.objects.get(username="quangtri")  # head of Cụm 4 in 2026 (demo): the secretariat


@pytest.fixture
def conference_2026(quangtri: User) -> Conference:
    """Cụm 4's 2026 conference, as the secretariat makes it: one voting delegate per member, the first
    three on the counting board (they hold the electronic polls' key, 2 of 3 by default)."""
    return helpers.conference_2026_with_voters(quangtri, title="Hội nghị tổng kết năm 2026")
