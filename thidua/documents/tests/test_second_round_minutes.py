"""The counting board's minutes of a poll that sends choices to a second round (issue 14, item 8): they
name the round, as they name a runoff, and never the rule's source, which is for staff (DOMAIN.md,
Documents: internal notes and confidence marks never appear in a document)."""

from __future__ import annotations

import pytest

from thidua.accounts.models import User
from thidua.conferences.tests import helpers
from thidua.documents.generators import vote_count_minutes
from thidua.documents.tests.test_generators import read

pytestmark = pytest.mark.django_db


def test_the_vote_count_minutes_name_the_second_round_but_not_the_rule_s_source() -> None:
    secretariat = User.objects.get(username="quangtri")  # head of Cụm 4 in 2026 (demo)
    conference = helpers.conference_of_8_voters(secretariat)
    poll = helpers.published_head_election(secretariat, conference, {"lhh-nghe-an": 4, "lhh-ha-tinh": 4})
    docx, text = read(vote_count_minutes(poll, number_text="07/BB-CTĐ4"))
    table = next(t for t in docx.tables if t.rows[0].cells[0].text == "TT")
    verdicts = [row.cells[4].text for row in table.rows[1:]]
    assert verdicts[:2] == ["Vào vòng 2", "Vào vòng 2"]
    assert set(verdicts[2:]) == {"Không trúng"}
    assert "Bỏ phiếu vòng 2 giữa Liên hiệp các Hội" in text
    assert "cho 1 suất còn lại." in text
    assert poll.rule_sources["second_round"] not in text
