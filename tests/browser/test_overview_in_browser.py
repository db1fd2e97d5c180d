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
