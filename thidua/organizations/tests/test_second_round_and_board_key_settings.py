"""The regulation's second-round rule and the split of the counting board's key (issue 14): set by
parent-body staff, shown with their sources, held by the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from thidua.audit.models import AuditEvent
from thidua.organizations.models import Regulation, SecondRound

pytestmark = pytest.mark.django_db
EDIT = "/cap-tren/vusta/quy-che/2028/"


def _form_data(client: Any) -> dict[str, Any]:
    """What the form for a new 2028 version shows, drawn from the version in force, as a browser posts it."""
    form = client.get(EDIT).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    for name in ("self_vote_allowed", "threshold_inclusive", "supervisor_holds_share"):
        if data.pop(name, False):
            data[name] = "on"
    return data


def test_the_regulation_page_shows_the_second_round_and_the_board_key_with_their_sources(
    client_for: Any,
) -> None:
    regulation = Regulation.objects.get(parent__code="vusta", valid_from_year=2026)
    page = client_for(None).get(f"/quy-che/{regulation.pk}/").content.decode()
    assert "Khi không đủ phương án đạt ngưỡng" in page
    assert "Bỏ phiếu vòng 2 giữa hai phương án nhiều phiếu nhất và các phương án bằng phiếu với họ" in page
    assert regulation.second_round_source in page
    assert "Cần 2 trong 3 mảnh khóa do thành viên ban kiểm phiếu giữ" in page
    assert "Mặc định của thidua [M]" in page


def test_the_demo_regulations_take_the_defaults_with_sources_that_say_so() -> None:
    for regulation in Regulation.objects.filter(parent__code="vusta"):
        assert regulation.second_round == SecondRound.TOP_TWO and "[L]" in regulation.second_round_source
        assert (regulation.board_key_threshold, regulation.board_key_holders) == (2, 3)
        assert regulation.supervisor_holds_share is False and "[M]" in regulation.board_key_source


def test_staff_turn_second_rounds_off_and_set_the_board_key_through_the_form(
    client_for: Any, staff: Any
) -> None:
    client = client_for(staff)
    data = _form_data(client)
    assert data["second_round"] == SecondRound.TOP_TWO and data["board_key_threshold"] == 2
    data.update(
        {
            "second_round": SecondRound.NONE,
            "second_round_source": "Quy chế 2028, Điều 9",
            "board_key_threshold": 3,
            "board_key_holders": 5,
            "supervisor_holds_share": "on",
            "board_key_source": "Quy chế 2028, Điều 10",
        }
    )
    response = client.post(EDIT, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    new = Regulation.objects.get(parent__code="vusta", valid_from_year=2028)
    assert (new.second_round, new.board_key_threshold, new.board_key_holders, new.supervisor_holds_share) == (
        SecondRound.NONE,
        3,
        5,
        True,
    )
    changes = AuditEvent.objects.filter(verb="regulation.create").latest("seq").data["changes"]
    assert changes["second_round"] == [None, "none"] and changes["board_key_holders"] == [None, 5]
    page = client.get(f"/quy-che/{new.pk}/").content.decode()
    assert "Cần 3 trong 5 mảnh khóa" in page and "đại diện cơ quan cấp trên giữ thêm một mảnh" in page
    # Years already run keep their rules.
    assert (
        Regulation.objects.get(parent__code="vusta", valid_from_year=2026).second_round == SecondRound.TOP_TWO
    )


@pytest.mark.parametrize(
    ("threshold", "holders", "message"),
    [
        (4, 3, "Số mảnh khóa cần để kiểm phiếu phải từ 1 đến số thành viên giữ mảnh khóa"),
        (0, 3, "Cần một số từ 1 đến 9."),
        (2, 10, "Cần một số từ 1 đến 9."),
    ],
)
def test_a_board_key_that_cannot_be_split_is_refused_in_vietnamese_and_nothing_is_saved(
    client_for: Any, staff: Any, threshold: int, holders: int, message: str
) -> None:
    client = client_for(staff)
    data = {**_form_data(client), "board_key_threshold": threshold, "board_key_holders": holders}
    response = client.post(EDIT, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Regulation.objects.filter(valid_from_year=2028).exists()


@pytest.mark.parametrize(("threshold", "holders"), [(0, 3), (4, 3), (2, 10)])
def test_the_database_holds_one_to_k_to_n_to_nine_whatever_skips_the_form(
    threshold: int, holders: int
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Regulation.objects.filter(valid_from_year=2026).update(
            board_key_threshold=threshold, board_key_holders=holders
        )
