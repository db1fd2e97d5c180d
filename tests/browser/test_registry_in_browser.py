"""The registry as a person sees it in Chromium: log in, open Cụm 4, switch years, on desktop and phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "ThiDua@2026"
HUE_OLD = "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Thừa Thiên Huế"
HUE_NEW = "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Huế"
QUANG_BINH = "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Quảng Bình"
QUANG_TRI = "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Quảng Trị"


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def member_rows(page: Any) -> Any:
    return page.locator("table.members tbody tr")


def test_an_officer_logs_in_and_opens_the_cluster_4_page(page: Any, demo_site: str) -> None:
    log_in(page, demo_site, "nghean", PASSWORD)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()

    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Cụm, khối thi đua"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cụm, khối thi đua")
    page.get_by_role("link", name="Cụm thi đua số 4", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cụm thi đua số 4")

    years = page.get_by_role("navigation", name="Chọn năm")
    years.get_by_role("link", name="2023", exact=True).click()
    expect(years.locator("[aria-current=page]")).to_have_text("2023")
    expect(member_rows(page)).to_have_count(7)
    expect(member_rows(page).filter(has_text=HUE_OLD)).to_have_count(1)
    expect(member_rows(page).filter(has_text=QUANG_BINH)).to_have_count(1)

    years.get_by_role("link", name="2026", exact=True).click()
    expect(years.locator("[aria-current=page]")).to_have_text("2026")
    expect(member_rows(page)).to_have_count(6)
    expect(member_rows(page).filter(has_text=HUE_NEW)).to_have_count(1)
    expect(member_rows(page).filter(has_text="Quảng Bình")).to_have_count(0)


def test_the_cluster_4_page_fits_a_360_pixel_phone_without_scrolling_sideways(
    phone_page: Any, demo_site: str
) -> None:
    for year, members in ((2023, 7), (2026, 6)):
        phone_page.goto(f"{demo_site}/cum-khoi/vusta-cum-4/?nam={year}")
        expect(member_rows(phone_page)).to_have_count(members)
        # The stylesheet is what makes the page fit; without it this test would prove nothing.
        expect(phone_page.locator("header.topbar")).to_have_css("display", "flex")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        if width > 360 + 2:
            # Name what sticks out, so the failure says where to look.
            culprits = phone_page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > 362)
                    .slice(0, 8)
                    .map(e => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`)"""
            )
            pytest.fail(f"year {year}: page is {width}px wide on a 360px phone; overflowing: {culprits}")


def test_quang_binh_s_page_shows_its_merger_into_quang_tri_from_1_july_2025(
    page: Any, demo_site: str
) -> None:
    page.goto(f"{demo_site}/cum-khoi/vusta-cum-4/?nam=2025")
    page.get_by_role("link", name=QUANG_BINH, exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(QUANG_BINH)
    notice = page.locator("p.notice").filter(has_text="Đã sáp nhập vào")
    expect(notice).to_have_text(f"Đã sáp nhập vào {QUANG_TRI} từ ngày 01/07/2025.")
    notice.get_by_role("link", name=QUANG_TRI).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(QUANG_TRI)
    expect(page.locator("p.notice").filter(has_text="Tiếp nhận")).to_contain_text(
        f"{QUANG_BINH} (từ 01/07/2025)"
    )


def test_a_wrong_password_is_refused_with_a_plain_message(page: Any, demo_site: str) -> None:
    log_in(page, demo_site, "nghean", "not-the-password")

    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    expect(page).to_have_url(f"{demo_site}/tai-khoan/dang-nhap/")
