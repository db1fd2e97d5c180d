from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from typing import Any

from thidua.news.demo import SEED_SLUG
from thidua.news.models import ArticlePage, HomePage, NewsIndexPage

HOST = "ninhbinh.localhost"
SEED_PATH = f"/tin-tuc-su-kien/{SEED_SLUG}/"


def home() -> HomePage:
    return HomePage.objects.get(organization__code="lhh-ninh-binh")


def category(slug: str = "tin-tuc-su-kien") -> NewsIndexPage:
    return NewsIndexPage.objects.child_of(home()).get(slug=slug)


def seed() -> ArticlePage:
    return ArticlePage.objects.get(slug=SEED_SLUG)


def publish_article(
    index: NewsIndexPage, title: str, *, day: datetime.date, slug: str | None = None, **fields: Any
) -> ArticlePage:
    tags = fields.pop("tags", [])
    article = ArticlePage(
        title=title,
        slug=slug or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "bai",
        date=day,
        live=False,
        body=[("paragraph", f"<p>{fields.pop('text', title)}</p>")],
        **fields,
    )
    article.tags.set(tags)
    index.add_child(instance=article)
    article.save_revision().publish()
    article.refresh_from_db()
    return article


class Outline(HTMLParser):
    """Headings, images and form fields of a page, for the basic accessibility checks."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.images: list[dict[str, str | None]] = []
        self.inputs: list[dict[str, str | None]] = []
        self.labels: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(attributes)
        elif tag in {"input", "select", "textarea"} and attributes.get("type") not in {"hidden", "submit"}:
            self.inputs.append(attributes)
        elif tag == "label" and attributes.get("for"):
            self.labels.add(str(attributes["for"]))


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser
