"""RSS of a news category: the latest articles, each with its summary (the lead, or the opening of its body)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import Rss201rev2Feed

from thidua.lib.dates import VIETNAM_TZ

if TYPE_CHECKING:
    from thidua.news.models import ArticlePage, NewsIndexPage

FEED_ITEMS = 20


class CategoryFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "vi"

    def __init__(self, category: NewsIndexPage) -> None:
        super().__init__()
        self.category = category
        self.request: HttpRequest | None = None

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self) -> str:
        home = self.category.site_home()
        return f"{self.category.title} — {home.title}" if home else self.category.title

    def link(self) -> str:
        return self.category.get_url(self.request) or "/"

    def description(self) -> str:
        return self.category.intro or f"Tin mới nhất của chuyên mục {self.category.title}"

    def items(self) -> list[ArticlePage]:
        from thidua.news.models import articles

        return list(articles().child_of(self.category)[:FEED_ITEMS])

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        return item.summary

    def item_link(self, item: ArticlePage) -> str:
        return item.get_url(self.request) or "/"

    def item_author_name(self, item: ArticlePage) -> str:
        return item.author

    def item_pubdate(self, item: ArticlePage) -> datetime.datetime:
        # The article's date (what the page prints), at midnight in Vietnam.
        return datetime.datetime.combine(item.date, datetime.time(), tzinfo=VIETNAM_TZ)
