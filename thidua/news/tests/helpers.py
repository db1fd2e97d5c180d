from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from typing import Any

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from thidua.accounts.models import User
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


def draft(editor: User, title: str = "Tin chờ duyệt") -> ArticlePage:
    article = ArticlePage(title=title, slug="tin-cho-duyet", live=False, owner=editor)
    category().add_child(instance=article)
    article.save_revision(user=editor)
    return article


def edit_form(article: ArticlePage, action: str, **changes: Any) -> dict[str, Any]:
    """What the admin's edit form posts, with the button pressed: "action-submit", "action-publish"."""
    fields: dict[str, Any] = {
        "title": article.title,
        "slug": article.slug,
        "date": article.date.isoformat(),
        "author": "Đinh Liên",
        "tags": "",
        "lead": "Sapo của tin.",
        "body": streamfield([("paragraph", rich_text("<p>Nội dung tin.</p>"))]),
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
        "comments": inline_formset([]),
        **changes,
    }
    return {**nested_form_data(fields), action: "1"}


def post_edit(client: Any, article: ArticlePage, action: str, **changes: Any) -> Any:
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[article.pk]), edit_form(article, action, **changes)
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return response
