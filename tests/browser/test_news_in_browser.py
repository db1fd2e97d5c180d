"""Ninh Bình's news site in Chromium, on a desktop and a 360 px phone: the home page and the seed article,
their date lines and "Các tin khác". Screenshots go to test-results/, or to docs/samples/ when `make samples`
runs this test (THIDUA_SAMPLES_DIR): the home page shows today's date, so a plain test run must not
change files the repository keeps."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from thidua.lib.dates import portal_date, vietnam_today

pytestmark = pytest.mark.browser

SAMPLES = Path(os.environ.get("THIDUA_SAMPLES_DIR") or Path(__file__).resolve().parents[2] / "test-results")
UNION = "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình"
SEED_TITLE = (
    "Hội nghị Tổng kết công tác thi đua khen thưởng cụm thi đua số 4 Liên hiệp các Hội KKH&KT Việt Nam"
)


def _fits_the_width(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _read_the_seed_article(page: Any, base_url: str, device: str) -> None:
    page.goto(f"{base_url}/tin-tuc/lhh-ninh-binh/")
    expect(page.get_by_role("heading", level=1)).to_have_text(UNION)
    # White on the banner's dark blue, not the headings' blue on blue.
    expect(page.get_by_role("heading", level=1)).to_have_css("color", "rgb(255, 255, 255)")
    # The banner's date line is today in Vietnam, whatever the browser's or the server's clock.
    expect(page.locator(".dateline")).to_have_text(portal_date(vietnam_today(timezone.now())))
    assert _fits_the_width(page)
    SAMPLES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SAMPLES / f"news-home-{device}.png"), full_page=True)

    page.get_by_role("link", name=SEED_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE)
    expect(page.locator("article .date")).to_have_text("Thứ Hai, 18/12/2023")
    expect(page.locator(".author")).to_have_text("Đinh Liên")
    other = page.get_by_role("complementary", name="Các tin khác")
    expect(other.get_by_role("link")).to_have_count(3)
    expect(other.get_by_role("link").first).to_have_text(
        "Triển khai giao ước thi đua năm 2024 của Cụm thi đua số 4"
    )
    assert _fits_the_width(page)
    page.screenshot(path=str(SAMPLES / f"news-article-{device}.png"), full_page=True)


def test_a_reader_opens_the_seed_article_from_the_unions_home_page_on_a_desktop(
    page: Any, demo_site: str
) -> None:
    _read_the_seed_article(page, demo_site, "desktop")


def test_a_reader_opens_the_seed_article_from_the_unions_home_page_on_a_360_pixel_phone(
    phone_page: Any, demo_site: str
) -> None:
    _read_the_seed_article(phone_page, demo_site, "phone")


def test_a_reader_finds_the_seed_article_without_typing_diacritics(page: Any, demo_site: str) -> None:
    page.goto(f"{demo_site}/tin-tuc/lhh-ninh-binh/")
    page.get_by_label("Tìm tin bài").fill("hoi nghi tong ket")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tìm kiếm tin bài")
    expect(page.get_by_role("link", name=SEED_TITLE)).to_be_visible()
