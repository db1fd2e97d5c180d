"""The organization list at a parent body's size (issue 16): in Vietnamese dictionary order, a page at a
time, searched without diacritics, in the same few queries whatever the number of organizations."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from thidua.lib.text import fold, vietnamese_sort_key
from thidua.organizations.models import Organization, OrganizationKind, OrganizationName
from thidua.organizations.views import ORGANIZATIONS_PER_PAGE

pytestmark = pytest.mark.django_db
ROW = re.compile(r'<tr><td><a href="/don-vi/([^"/]+)/">([^<]+)</a></td><td>([^<]*)</td>')


def _add(count: int) -> None:
    """`count` more unions under VUSTA, named with and without diacritics, bulk-written."""
    vusta = Organization.objects.get(code="vusta")
    made = Organization.objects.bulk_create(
        Organization(code=f"hoi-{i:05d}", kind=OrganizationKind.ASSOCIATION, parent=vusta)
        for i in range(count)
    )
    words = ("Ánh", "Anh", "Ăn", "Đông", "Dương", "Yên", "Zeta")
    OrganizationName.objects.bulk_create(
        OrganizationName(
            organization=o,
            name=f"Hội {words[i % len(words)]} {i:05d}",
            short_name="",
            valid_from=datetime.date(2020, 1, 1),
        )
        for i, o in enumerate(made)
    )
    for organization in Organization.objects.filter(code__startswith="hoi-").prefetch_related("names"):
        organization.refresh_search_text()
        organization.save(update_fields=["search_text", "sort_key"])


def _rows(client: Client, **params: str) -> list[tuple[str, str, str]]:
    return ROW.findall(client.get("/don-vi/", params).content.decode())


def test_the_list_runs_the_same_queries_with_forty_organizations_or_several_hundred(
    client_for: Callable[[Any], Client], cold_queries: Any
) -> None:
    client = client_for(None)
    with cold_queries() as small:
        assert client.get("/don-vi/").status_code == 200
    _add(3 * ORGANIZATIONS_PER_PAGE)
    with cold_queries() as large:
        assert client.get("/don-vi/", {"trang": "2"}).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_pages_follow_each_other_in_dictionary_order_with_each_parent_named(
    client_for: Callable[[Any], Client],
) -> None:
    _add(2 * ORGANIZATIONS_PER_PAGE)
    client = client_for(None)
    total = Organization.objects.count()
    pages = -(-total // ORGANIZATIONS_PER_PAGE)
    seen = []
    for number in range(1, pages + 1):
        rows = _rows(client, trang=str(number))
        assert len(rows) == (ORGANIZATIONS_PER_PAGE if number < pages else total - len(seen))
        seen += rows
    names = [name for _, name, _ in seen]
    assert names == sorted(names, key=vietnamese_sort_key)
    assert len({code for code, _, _ in seen}) == total
    parents = {code: parent for code, _, parent in seen}
    assert parents["hoi-00000"] == "Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam"
    page = client.get("/don-vi/", {"trang": "2"}).content.decode()
    assert f"Trang 2/{pages}" in page and 'rel="prev"' in page


def test_a_search_without_diacritics_pages_and_keeps_its_words(client_for: Callable[[Any], Client]) -> None:
    _add(2 * ORGANIZATIONS_PER_PAGE)
    client = client_for(None)
    rows = _rows(client, q="dong")
    assert rows and all("dong" in fold(name) for _, name, _ in rows)
    assert any("Đồng Tháp" in name for _, name, _ in rows) and any("Hội Đông" in name for _, name, _ in rows)
    page = client.get("/don-vi/", {"q": "hoi", "trang": "2"}).content.decode()
    assert "q=hoi&amp;trang=3" in page or "q=hoi&amp;trang=1" in page


def test_a_searched_word_must_begin_a_word_of_the_name_and_the_words_as_typed_come_first(
    client_for: Callable[[Any], Client],
) -> None:
    client = client_for(None)
    names = [name for _, name, _ in _rows(client, q="ha")]
    # "ha" begins "Hà" (Hà Tĩnh) but sits inside "Thanh" (Thanh Hóa) and "Khoa học", which it must not find.
    assert any("Hà Tĩnh" in name for name in names)
    assert not any("Thanh Hóa" in name for name in names)
    assert all(any(word.startswith("ha") for word in fold(name).split()) for name in names)
    # Every union of the demo is "… tỉnh …": those of Hà Tĩnh, the words as typed, come first.
    first, *_ = [name for _, name, _ in _rows(client, q="ha tinh")]
    assert "Hà Tĩnh" in first
