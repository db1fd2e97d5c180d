"""An article page runs a fixed number of queries, whatever the size of the site."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from thidua.news.models import NewsIndexPage
from thidua.news.tests.helpers import HOST, SEED_PATH, category, home, publish_article

pytestmark = pytest.mark.django_db


def _count(cold_queries: Any) -> int:
    client = Client()
    with cold_queries() as queries:
        response = client.get(SEED_PATH, HTTP_HOST=HOST)
    assert response.status_code == 200
    return len(queries)


def test_the_article_page_runs_the_same_queries_with_three_or_many_other_articles_and_categories(
    cold_queries: Any,
) -> None:
    small = _count(cold_queries)
    index = category()
    for number in range(12):
        publish_article(
            index,
            f"Tin thêm số {number}",
            day=datetime.date(2024, 3, 1) + datetime.timedelta(days=number),
            tags=["Thêm"],
        )
    for name in ("Hoạt động hội viên", "Khoa học - Công nghệ"):
        other = home().add_child(instance=NewsIndexPage(title=name, slug=name.lower().replace(" ", "-")))
        other.save_revision().publish()
        publish_article(other, f"Bài của {name}", day=datetime.date(2024, 3, 1), slug="bai")
    large = _count(cold_queries)
    assert large == small
