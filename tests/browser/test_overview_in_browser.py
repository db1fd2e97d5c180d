"""The parent body's statistics in a real browser: every chart's labels are whole, from their first letter,
on a desktop screen, and still readable on a 375 px phone (issue 16)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import _open_page
from tests.browser.walk import log_in

pytestmark = pytest.mark.browser

STATISTICS = "/cap-tren/vusta/tong-quan/2023/thong-ke/"
SMALLEST_TEXT = 12  # CSS pixels: the smallest label a phone's reader can read

# For each chart on the page: its box, and each label's box, its computed font size and whether its text
# overflows (is cut) inside the label's own box.
_MEASURE = """() => [...document.querySelectorAll('.overview-chart')].map(chart => ({
    chart: chart.getBoundingClientRect().toJSON(),
    labels: [...chart.querySelectorAll('.label')].map(label => ({
        text: label.textContent,
        box: label.getBoundingClientRect().toJSON(),
        size: parseFloat(getComputedStyle(label).fontSize),
        cut: label.scrollWidth > label.clientWidth + 1,
    })),
}))"""


def _charts(page: Any, base: str) -> list[dict[str, Any]]:
    log_in(page, base, "vusta")
    page.goto(f"{base}{STATISTICS}")
    charts: list[dict[str, Any]] = page.evaluate(_MEASURE)
    # The demo's 2023: awards by form, by group and by year, and the scores by work area.
    assert len(charts) == 4 and all(chart["labels"] for chart in charts)
    return charts


def _inside(box: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        box["left"] >= outer["left"] - 0.5
        and box["right"] <= outer["right"] + 0.5
        and box["top"] >= outer["top"] - 0.5
        and box["bottom"] <= outer["bottom"] + 0.5
    )


def _assert_whole_and_readable(charts: list[dict[str, Any]]) -> None:
    for chart in charts:
        for label in chart["labels"]:
            assert _inside(label["box"], chart["chart"]), f"{label['text']!r} lies outside its chart"
            assert not label["cut"], f"{label['text']!r} is cut"
            # What the reader sees: the computed size, and the height the text takes on the screen (a
            # picture scaled down to the screen keeps its computed size but draws smaller).
            assert label["size"] >= SMALLEST_TEXT, label
            assert label["box"]["height"] >= SMALLEST_TEXT, label


def test_the_statistics_charts_show_each_label_whole_on_a_desktop_screen(page: Any, demo_site: str) -> None:
    _assert_whole_and_readable(_charts(page, demo_site))


def test_the_statistics_charts_labels_stay_readable_on_a_375_pixel_phone(
    browser: Any, request: pytest.FixtureRequest, demo_site: str
) -> None:
    for phone in _open_page(
        browser, request, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    ):
        charts = _charts(phone, demo_site)
        _assert_whole_and_readable(charts)
        assert all(chart["chart"]["right"] <= 375 for chart in charts)


# For each wide statistics table: its scrolling box, the hint above it, and its row names' boxes and line
# counts, before and after the box is scrolled to its right end.
_TABLES = """() => [...document.querySelectorAll('.scroll.wide-stats')].map(box => {
    const hint = box.previousElementSibling;
    const names = () => [...box.querySelectorAll('tbody th[scope=row]')].map(th => {
        const style = getComputedStyle(th);
        return {
            left: th.getBoundingClientRect().left,
            lines: Math.round(th.clientHeight / parseFloat(style.lineHeight || '24')),
            text: th.textContent,
        };
    });
    const before = names();
    box.scrollLeft = box.scrollWidth;
    return {
        box: box.getBoundingClientRect().toJSON(),
        overflows: box.scrollWidth > box.clientWidth + 1,
        scrolled: box.scrollLeft,
        hint: hint && hint.classList.contains('scroll-hint') ? hint.getBoundingClientRect().height : null,
        before,
        after: names(),
    };
})"""


def test_the_wide_statistics_tables_keep_their_names_in_view_on_a_375_pixel_phone(
    browser: Any, request: pytest.FixtureRequest, demo_site: str
) -> None:
    for phone in _open_page(
        browser, request, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    ):
        log_in(phone, demo_site, "vusta")
        phone.goto(f"{demo_site}{STATISTICS}")
        tables = phone.evaluate(_TABLES)
        assert len(tables) == 3
        for table in tables:
            assert table["hint"], "the swipe hint shows on a phone"
            if not table["overflows"]:
                continue
            assert table["scrolled"] > 0
            for before, after in zip(table["before"], table["after"], strict=True):
                # The name stays at the box's left edge while the figures scroll under it...
                assert abs(after["left"] - before["left"]) < 1, before["text"]
                assert after["left"] >= table["box"]["left"] - 1
        # ...and a group's or a work area's name takes a few lines, not one word a line.
        names = [name for table in tables for name in table["before"] if len(name["text"].split()) > 3]
        assert names
        assert all(name["lines"] <= len(name["text"].split()) // 2 + 1 for name in names), names


def test_the_swipe_hint_stays_hidden_on_a_desktop_screen(page: Any, demo_site: str) -> None:
    log_in(page, demo_site, "vusta")
    page.goto(f"{demo_site}{STATISTICS}")
    assert page.locator(".scroll-hint").count() == 3
    assert all(not hint.is_visible() for hint in page.locator(".scroll-hint").all())
