"""The main pages on a 320 px screen, the narrowest phones in use: nothing scrolls the page sideways
(wide tables scroll inside their own box), and the app's pages can be walked with the keyboard from a
skip link, with a visible focus ring."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _open_page
from tests.browser.walk import close_db_connections, log_in

pytestmark = pytest.mark.browser

WIDTH = 320
YEAR_2026 = "/nam-thi-dua/vusta-cum-4/2026/"
YEAR_2023 = "/nam-thi-dua/vusta-cum-4/2023/"
SEED_ARTICLE = (
    "/tin-tuc/lhh-ninh-binh/tin-tuc-su-kien/"
    "hoi-nghi-tong-ket-cong-tac-thi-dua-khen-thuong-cum-thi-dua-so-4-2023/"
)


@pytest.fixture
def narrow_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A 320×640 phone."""
    yield from _open_page(
        browser, request, viewport={"width": WIDTH, "height": 640}, is_mobile=True, has_touch=True
    )


def _conference_path() -> str:
    from thidua.conferences.models import Conference

    conference = Conference.objects.get(emulation_year__group__slug="vusta-cum-4", emulation_year__year=2023)
    close_db_connections()
    return f"{YEAR_2023}hoi-nghi/{conference.pk}/"


def assert_fits(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        # The outermost elements that stick out, to say what to fix.
        culprits = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > limit)
                .filter(e => !e.parentElement.closest('.scroll, .table-scroll'))
                .slice(0, 8)
                .map(e => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`)""",
            WIDTH,
        )
        pytest.fail(f"{what}: page is {width}px wide on a {WIDTH}px screen; sticking out: {culprits}")


def test_an_officers_pages_fit_a_320_pixel_screen(narrow_page: Any, demo_site: str) -> None:
    conference = _conference_path()
    log_in(narrow_page, demo_site, "ninhbinh")
    for what, path in [
        ("home", "/"),
        ("year dashboard", YEAR_2026),
        ("score sheet", f"{YEAR_2026}cham-diem/lhh-ninh-binh/"),
        ("summary", f"{YEAR_2023}tong-hop/"),
        ("conferences", f"{YEAR_2023}hoi-nghi/"),
        ("conference", conference),
    ]:
        response = narrow_page.goto(f"{demo_site}{path}")
        assert response.status == 200, path
        assert_fits(narrow_page, what)


def test_a_readers_news_pages_fit_a_320_pixel_screen_with_the_search_wrapped(
    narrow_page: Any, demo_site: str
) -> None:
    for what, path in [("news home", "/tin-tuc/lhh-ninh-binh/"), ("article", SEED_ARTICLE)]:
        narrow_page.goto(f"{demo_site}{path}")
        assert_fits(narrow_page, what)
        search = narrow_page.get_by_role("search").bounding_box()
        assert search["x"] >= 0 and search["x"] + search["width"] <= WIDTH, what


def test_the_news_header_search_wraps_at_200_percent_zoom(
    browser: Any, request: pytest.FixtureRequest, demo_site: str
) -> None:
    # 200% zoom of a 1280 px window: a 640 px wide layout with twice the pixels.
    for page in _open_page(browser, request, viewport={"width": 640, "height": 400}, device_scale_factor=2):
        page.goto(f"{demo_site}/tin-tuc/lhh-ninh-binh/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 640
        field = page.get_by_label("Tìm tin bài").bounding_box()
        button = page.get_by_role("button", name="Tìm").bounding_box()
        assert field["x"] >= 0 and button["x"] + button["width"] <= 640


def test_a_keyboard_user_skips_to_the_content_and_sees_where_the_focus_is(page: Any, demo_site: str) -> None:
    log_in(page, demo_site, "ninhbinh")
    page.goto(f"{demo_site}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#noi-dung"
    # On the red bar: a link and the sign-out button each show a ring when the keyboard reaches them.
    for target in [
        page.locator(".topbar").get_by_role("link", name="Đơn vị"),
        page.get_by_role("button", name="Đăng xuất"),
    ]:
        target.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        expect(target).to_be_focused()
        assert target.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
        assert float(target.evaluate("e => parseFloat(getComputedStyle(e).outlineWidth)")) >= 2
