"""A reader's page comes from memory until something published changes, and then never again."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from thidua.news.tests.helpers import HOST, SEED_PATH, category, publish_article, seed

pytestmark = pytest.mark.django_db


def _read(client: Client, path: str = SEED_PATH) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST=HOST)
    return response, len(queries)


def test_a_readers_second_visit_to_an_article_runs_no_query_and_gets_the_same_page() -> None:
    reader = Client()
    first, first_queries = _read(reader)
    again, queries = _read(reader)
    assert first_queries > 0 and queries == 0
    assert again.status_code == 200 and again.content == first.content
    assert "Cookie" in again["Vary"]


def test_an_article_published_elsewhere_shows_in_the_other_news_at_once() -> None:
    reader = Client()
    _read(reader)
    publish_article(category(), "Tin mới vừa đăng", day=datetime.date(2024, 1, 20))
    page, queries = _read(reader)
    assert queries > 0 and "Tin mới vừa đăng" in page.content.decode()


def test_an_unpublished_article_is_gone_at_once() -> None:
    reader = Client()
    assert _read(reader)[0].status_code == 200
    seed().unpublish()
    assert _read(reader)[0].status_code == 404


def test_a_visitor_with_a_session_such_as_an_editor_is_always_served_a_fresh_page(editor: Any) -> None:
    client = Client()
    client.force_login(editor)
    _read(client)
    _, queries = _read(client)
    assert queries > 0


def test_the_home_page_is_drawn_again_when_the_day_changes_in_vietnam(monkeypatch: Any) -> None:
    reader = Client()
    _read(reader, "/")
    # 17:00 UTC is already midnight in Hà Nội: the banner must show the new day.
    monkeypatch.setattr(
        "thidua.news.cache.timezone.now",
        lambda: datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
    )
    _, queries = _read(reader, "/")
    assert queries > 0


@override_settings(NEWS_CACHE_SECONDS=0)
def test_with_the_cache_turned_off_every_visit_is_drawn() -> None:
    reader = Client()
    _read(reader)
    assert _read(reader)[1] > 0
