"""The shared page links: first and last pages are one click away on a long list (a walk of the national
demo had 24 pages of groups reachable only one by one), and every link keeps the list's filters."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _links(number: int, pages: int = 10) -> str:
    page = Paginator(list(range(pages * 5)), 5).page(number)
    return render_to_string("pagination.html", {"items": page, "page_query": "q=ha+tinh"})


def test_a_middle_page_links_to_the_first_the_previous_the_next_and_the_last_keeping_the_filters() -> None:
    html = _links(5)
    assert '?q=ha+tinh&amp;trang=1">« Trang đầu' in html
    assert '?q=ha+tinh&amp;trang=4" rel="prev"' in html and '?q=ha+tinh&amp;trang=6" rel="next"' in html
    assert '?q=ha+tinh&amp;trang=10">Trang cuối »' in html
    assert "Trang 5/10" in html


def test_the_first_and_last_links_appear_only_where_they_save_a_click() -> None:
    assert "Trang đầu" not in _links(2) and "Trang cuối" in _links(2)
    assert "Trang đầu" in _links(9) and "Trang cuối" not in _links(9)
    assert "Trang đầu" not in _links(1) and "Trang cuối" not in _links(10)
