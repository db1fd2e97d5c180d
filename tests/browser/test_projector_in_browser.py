"""The projector's result of a published poll with nine choices under long Vietnamese organization names,
at the two screen sizes of a conference hall's projector (1366×768 and 1920×1080): nothing overflows the
screen and the elected choice is highlighted.

The poll is set up through the services on Cụm 4's 2026 conference: the election of 2027's head, its six
members' names lengthened and three more candidates added, voted by the six members' delegates (four for
the elected one), closed, confirmed and published.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _open_page
from tests.browser.walk import close_db_connections, log_in

pytestmark = pytest.mark.browser

ELECTED = "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Huế (tên đầy đủ kèm ghi chú minh họa rất dài)"
EXTRA = [
    ("them-1", "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Bà Rịa – Vũng Tàu (đơn vị minh họa, tên dài)"),
    ("them-2", "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Thừa Thiên Huế (tên cũ trước ngày 01/01/2025)"),
    ("them-3", "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Hồ Chí Minh (đơn vị minh họa, tên dài)"),
]


@pytest.fixture
def published_poll(demo_site: str) -> Iterator[str]:
    """The projector's URL, with a published nine-choice election."""
    from thidua.accounts.models import User
    from thidua.conferences import services
    from thidua.conferences.models import Choice
    from thidua.organizations.models import Organization
    from thidua.years.models import EmulationYear

    quangtri = User.objects.get(username="quangtri")
    emulation_year = EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026)
    conference = services.create_conference(
        actor=quangtri,
        emulation_year=emulation_year,
        values={
            "title": "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2026 — Cụm thi đua số 4",
            "starts_at": datetime.datetime(2026, 12, 22, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
            "place": "Đông Hà",
            "host": Organization.objects.get(code="lhh-quang-tri"),
        },
    )
    members = Organization.objects.filter(memberships__group=emulation_year.group, memberships__year=2026)
    delegates = [
        services.add_delegate(
            actor=quangtri,
            conference=conference,
            organization=m,
            full_name=f"Trưởng đoàn {m.code}",
            votes=True,
            counting_board=index < 3,
        )
        for index, m in enumerate(members.order_by("code"))
    ]
    poll = services.create_election_poll(actor=quangtri, conference=conference, role="head")
    for choice in poll.choices.all():
        choice.label = (
            ELECTED if choice.key == "lhh-hue" else f"{choice.label} (tên đầy đủ kèm ghi chú minh họa)"
        )
        choice.save(update_fields=["label"])
    Choice.objects.bulk_create(
        Choice(poll=poll, key=key, label=label, position=20 + index)
        for index, (key, label) in enumerate(EXTRA)
    )
    assert poll.choices.count() == 9
    poll = services.open_poll(actor=quangtri, poll=poll)
    picks = ["lhh-hue", "lhh-hue", "lhh-hue", "lhh-hue", "them-1", "lhh-ha-tinh"]
    for delegate, pick in zip(delegates, picks, strict=True):
        services.cast_vote(poll=poll, delegate=delegate, selections=[pick])
    shares = poll.board_shares
    poll = services.close_poll(actor=quangtri, poll=poll)
    poll = services.count_poll(actor=quangtri, poll=poll, typed={s.index: s.code for s in shares[:2]})
    services.confirm_results(actor=quangtri, poll=poll)
    services.publish(actor=quangtri, poll=poll)
    close_db_connections()
    yield f"{demo_site}/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference.pk}/trinh-chieu/"
    close_db_connections()


@pytest.fixture(params=[(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def screen(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    width, height = request.param
    yield from _open_page(browser, request, viewport={"width": width, "height": height})


def test_nine_published_choices_fit_the_projector_screen_with_the_elected_highlighted(
    screen: Any, published_poll: str, demo_site: str
) -> None:
    log_in(screen, demo_site, "quangtri")
    screen.goto(published_poll)
    rows = screen.locator(".projector-table tbody tr")
    expect(rows).to_have_count(9)
    expect(screen.locator("#result-rule")).to_have_text(
        "Tỷ lệ tính trên 6 (số người bỏ phiếu có mặt) · Ngưỡng quá 1/2 (50%): cần 4 phiếu"
    )
    elected = screen.locator(".projector-table tr.elected")
    expect(elected).to_have_count(1)
    expect(elected.locator("td")).to_have_text([ELECTED, "4", "66,67%", "", "✔ Trúng"])
    screen.wait_for_function("document.body.hasAttribute('data-scale')")
    sizes = screen.evaluate(
        """() => {
            const root = document.documentElement;
            const table = document.querySelector('.projector-table').getBoundingClientRect();
            const cell = document.querySelector('.projector-table td.label');
            return {
                scrollWidth: root.scrollWidth, scrollHeight: root.scrollHeight,
                width: window.innerWidth, height: window.innerHeight,
                tableBottom: table.bottom, tableRight: table.right,
                font: parseFloat(getComputedStyle(cell).fontSize),
                scale: Number(document.body.getAttribute('data-scale')),
            };
        }"""
    )
    # The page is no larger than the screen in either direction: nothing to scroll, nothing cut off.
    assert sizes["scrollWidth"] <= sizes["width"], f"wider than the screen: {sizes}"
    assert sizes["scrollHeight"] <= sizes["height"], f"taller than the screen: {sizes}"
    assert sizes["tableBottom"] <= sizes["height"] and sizes["tableRight"] <= sizes["width"], sizes
    # Readable from the back of a hall: the choices' text is not shrunk to nothing to make it fit.
    assert sizes["font"] >= 0.022 * sizes["height"], f"text too small for the back of the hall: {sizes}"
    # The elected row stands out from the others.
    backgrounds = rows.evaluate_all("rows => rows.map(r => getComputedStyle(r.cells[0]).backgroundColor)")
    highlighted = elected.locator("td").first.evaluate("c => getComputedStyle(c).backgroundColor")
    assert backgrounds.count(highlighted) == 1, backgrounds
