"""An amendment mid-year, in Chromium (issue 13, part 3): Quảng Trị's officer, heading Cụm 4 in 2026,
lowers 1.2's maximum to 3 and removes 1.3; the page says what the amendment changes; the six members
sign; Ninh Bình, whose 1.2 stood at 5, finds a to-do on its home page saying what changed, reads it on
its sheet and marks it read; the year's summary and settling pages still answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.walk import close_db_connections, log_in, messages

pytestmark = pytest.mark.browser

Y = "/nam-thi-dua/vusta-cum-4/2026"
SIGNERS = ["ninhbinh", "thanhhoa", "nghean", "hatinh", "quangtri", "hue"]
TODO = "Giao ước sửa đổi lần 1 đã thay đổi bản tự chấm"


@pytest.fixture
def ninh_binh_at_five(demo_site: str) -> Iterator[str]:
    from thidua.assessments.models import Score

    Score.objects.filter(
        assessment__emulation_year__year=2026,
        assessment__organization__code="lhh-ninh-binh",
        criterion__code="1.2",
    ).update(self_value=Decimal(5), self_points=Decimal(5))
    close_db_connections()
    yield demo_site
    close_db_connections()


def test_an_amendment_signed_by_every_member_reaches_the_sheets_it_changed(
    ninh_binh_at_five: str, page: Any
) -> None:
    base = ninh_binh_at_five
    log_in(page, base, "quangtri")
    page.goto(f"{base}{Y}/giao-uoc/")
    page.get_by_text("Lập bản sửa đổi (các đơn vị ký lại)").click()
    page.get_by_label("Lý do sửa đổi").fill("Hạ điểm tối đa tiêu chí 1.2, bỏ tiêu chí 1.3")
    page.get_by_role("button", name="Lập bản sửa đổi").click()
    expect(messages(page)).to_contain_text("Đã lập dự thảo sửa đổi")

    page.get_by_role("row").filter(has=page.get_by_role("cell", name="1.2", exact=True)).get_by_role(
        "link", name="Sửa"
    ).click()
    page.get_by_label("Điểm tối đa").fill("3")
    page.get_by_role("button", name="Lưu").click()
    page.goto(f"{base}{Y}/giao-uoc/")
    page.get_by_role("row").filter(has=page.get_by_role("cell", name="1.3", exact=True)).get_by_role(
        "button", name="Xóa"
    ).click()
    changes = page.locator("section").filter(
        has=page.get_by_role("heading", name="Thay đổi so với bản đang có hiệu lực")
    )
    expect(changes).to_contain_text("Sửa 1.2: điểm tối đa")
    expect(changes).to_contain_text("Bỏ 1.3")
    page.get_by_role("button", name="Mở để các đơn vị ký").click()
    expect(page.get_by_text("Trạng thái: Đang ký")).to_be_visible()

    for number, username in enumerate(SIGNERS, start=1):
        page.context.clear_cookies()
        log_in(page, base, username)
        page.goto(f"{base}{Y}/giao-uoc/")
        signing = page.locator("form").filter(has=page.get_by_role("button", name="Ký giao ước"))
        signing.get_by_label("Người ký (thủ trưởng đơn vị)").fill(f"Chủ tịch số {number}")
        signing.get_by_label("Chức vụ").fill("Chủ tịch")
        signing.get_by_role("checkbox").check()
        signing.get_by_role("button", name="Ký giao ước").click()
        expect(messages(page)).to_contain_text("đã ký giao ước.")
    expect(page.get_by_text("Trạng thái: Có hiệu lực")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, base, "ninhbinh")
    page.goto(f"{base}/")
    page.get_by_role("link", name=re.compile(TODO)).first.click()
    expect(page.get_by_role("heading", name=re.compile("đã thay đổi bản tự chấm này"))).to_be_visible()
    expect(page.get_by_text("1.2: điểm tự chấm 5 → 3")).to_be_visible()
    expect(page.get_by_role("heading", name="Điểm các tiêu chí đã bỏ theo sửa đổi giao ước")).to_be_visible()
    page.get_by_role("button", name="Đã xem các thay đổi").click()
    expect(messages(page)).to_contain_text("Đã ghi nhận bạn đã xem")
    page.goto(f"{base}/")
    expect(page.get_by_role("link", name=re.compile(TODO))).to_have_count(0)

    page.context.clear_cookies()
    log_in(page, base, "quangtri")
    for path in ("/", "/tong-hop/", "/chot-diem/", "/cham-diem/lhh-ha-tinh/"):
        response = page.goto(f"{base}{Y}{path}")
        assert response is not None and response.status == 200, path
