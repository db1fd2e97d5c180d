from __future__ import annotations

from typing import Any

import pytest

from thidua.accounts.models import User
from thidua.years.todos import todos_for as todos


@pytest.mark.django_db
def test_an_officer_whose_sheet_is_a_draft_is_asked_to_self_score_with_the_deadline(
    client_for: Any, officer_ninh_binh: User
) -> None:
    items = todos(officer_ninh_binh)
    assert any(t.text.startswith("Tự chấm điểm — Cụm thi đua số 4 năm 2026") for t in items)
    page = client_for(officer_ninh_binh).get("/").content.decode()
    assert "Việc cần làm" in page and "05/12/2026" in page


@pytest.mark.django_db
def test_an_officer_who_submitted_has_nothing_left_for_2026(officer_nghe_an: User) -> None:
    assert not [t for t in todos(officer_nghe_an) if "2026" in t.text]


@pytest.mark.django_db
def test_staff_and_editors_without_an_officer_role_have_no_member_todos(staff: User, editor: User) -> None:
    # The staff follow the late groups up (thidua/awards/todo.py); a member's work is not theirs.
    assert [t for t in todos(staff) if not t.key.startswith("late:")] == [] and todos(editor) == []


@pytest.mark.django_db
def test_the_group_page_links_a_member_to_its_year(client_for: Any, officer_nghe_an: User) -> None:
    page = client_for(officer_nghe_an).get("/cum-khoi/vusta-cum-4/?nam=2026").content.decode()
    assert "/nam-thi-dua/vusta-cum-4/2026/" in page
    anonymous = client_for(None).get("/cum-khoi/vusta-cum-4/?nam=2026").content.decode()
    assert "/nam-thi-dua/vusta-cum-4/2026/" not in anonymous
