"""The news sites (Wagtail pages): one site per organization that publishes news.

Tree: the portal (``NewsPortalPage``, "/tin-tuc/" on thidua's own host) → an organization's home
(``HomePage``, the root of the organization's own Site, "/" on its hostname) → categories
(``NewsIndexPage``, "Tin tức - Sự kiện") → articles (``ArticlePage``). See docs/decisions.md, "News sites".
"""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from thidua.lib.dates import portal_date, vietnam_today
from thidua.lib.text import clean_text, first_sentences, fold
from thidua.news.addresses import served_root_url
from thidua.news.blocks import ArticleBodyBlock

# How many other articles "Các tin khác" lists, and the home page's latest news.
OTHER_ARTICLES = 6
LATEST_ON_HOME = 8
ARTICLES_PER_PAGE = 10
SEARCH_RESULTS_PER_PAGE = 20
# The longest summary made from an article's body when it has no lead.
SUMMARY_CHARS = 200
# Where a paragraph, heading or line ends in rich text: a space there keeps words apart once tags go.
BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote)\s*>|<br\s*/?>", re.IGNORECASE)


def search_words(text: str) -> list[str]:
    """Folded words of a text, punctuation dropped: "Hội nghị, Cụm 4" → ["hoi", "nghi", "cum", "4"]."""
    return re.findall(r"\w+", fold(text))


def today_in_vietnam() -> datetime.date:
    """The default date of a new article: today in Vietnam, whatever the server's time zone."""
    return vietnam_today(timezone.now())


def articles() -> Any:
    """Live, public articles, newest first: what readers may see anywhere on a news site."""
    return ArticlePage.objects.live().public().order_by("-date", "-first_published_at", "-pk")


def paginate(request: HttpRequest, items: Any, per_page: int) -> PaginatorPage:
    # "trang" (page) in the query string; a wrong number shows the nearest page rather than an error.
    return Paginator(items, per_page).get_page(request.GET.get("trang"))


class NewsPage(Page):
    """What every news page shows around its content: the organization's banner with today's date,
    and the site's categories. Abstract: each page type below adds its own fields."""

    class Meta:
        abstract = True

    def site_home(self) -> HomePage | None:
        """The organization's home this page belongs to (itself for a home page)."""
        return (
            HomePage.objects.ancestor_of(self, inclusive=True)
            .select_related("organization", "banner_image")
            .prefetch_related("organization__names")
            .first()
        )

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(request, *args, **kwargs)
        home = self.site_home()
        today = today_in_vietnam()
        context.update(
            home=home,
            organization_name=home.organization.name_on(today) if home else "",
            # The dateline of the banner (the seed: "Thứ Bảy, 13/04/2024"), Vietnam's today.
            today_line=portal_date(today),
            categories=list(NewsIndexPage.objects.child_of(home).live().in_menu()) if home else [],
            canonical_url=self.canonical_url(request),
            meta_description=self.meta_description(home),
        )
        return context

    def get_url_parts(self, request: HttpRequest | None = None) -> Any:
        # Wagtail builds a site's address from its Site row ("http://localhost" while thidua serves
        # :8000); links, the sitemap and the feeds use the address the site is really served at.
        parts = super().get_url_parts(request)
        if parts is None or parts[1] is None:
            return parts
        site_id, root_url, page_path = parts
        return site_id, served_root_url(site_id, root_url, request), page_path

    def canonical_url(self, request: HttpRequest | None) -> str | None:
        """One address per page for search engines: on the organization's own site when it has one
        (without a request Wagtail picks the Site with the deepest root), at the address it is served at."""
        parts = super().get_url_parts(None)
        if parts is None or parts[1] is None:
            return None
        site_id, root_url, page_path = parts
        return served_root_url(site_id, root_url, request) + page_path

    def meta_description(self, home: HomePage | None) -> str:
        """What search engines and shared links show under the title."""
        return self.search_description or (home.intro if home else "")


class NewsPortalPage(NewsPage):
    """The list of the organizations' news sites, on thidua's own host ("/tin-tuc/")."""

    max_count = 1
    subpage_types = ["news.HomePage"]

    class Meta:
        verbose_name = "danh sách trang tin các đơn vị"

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        today = today_in_vietnam()
        homes = HomePage.objects.child_of(self).live().select_related("organization")
        context["sites"] = [
            (home, home.organization.name_on(today))
            for home in homes.prefetch_related("organization__names").order_by("title")
        ]
        return context


class HomePage(RoutablePageMixin, NewsPage):
    """An organization's news site: the root page of its own Site (by hostname)."""

    organization = models.OneToOneField(
        "organizations.Organization",
        verbose_name="đơn vị",
        on_delete=models.PROTECT,
        related_name="news_home",
    )
    banner_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="ảnh banner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Ảnh ngang; tên đơn vị được viết đè lên ảnh. Để trống: banner màu.",
    )
    intro = models.TextField("giới thiệu", blank=True)

    parent_page_types = ["news.NewsPortalPage"]
    subpage_types = ["news.NewsIndexPage"]
    content_panels = [
        *Page.content_panels,
        FieldPanel("organization"),
        FieldPanel("banner_image"),
        FieldPanel("intro"),
    ]

    class Meta:
        verbose_name = "trang chủ trang tin"

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["latest"] = list(articles().descendant_of(self)[:LATEST_ON_HOME])
        context["groups"] = self.groups()
        return context

    def groups(self) -> list[Any]:
        """The clusters and blocks the organization belongs to, latest year first: the home links to
        their public pages on thidua."""
        from thidua.organizations.models import EmulationGroup

        return list(
            EmulationGroup.objects.filter(memberships__organization_id=self.organization_id)
            .annotate(last_year=models.Max("memberships__year"))
            .order_by("-last_year", "number")
        )

    @path("tim-kiem/", name="search")
    def search(self, request: HttpRequest) -> HttpResponse:
        """Articles of this site whose folded text holds every folded word of the query: "hoi nghi"
        finds "Hội nghị", "dinh lien" finds "Đinh Liên"."""
        query = clean_text(request.GET.get("q", ""))[:200]
        results = articles().descendant_of(self)
        words = search_words(query)
        for word in words:
            # Whole words (syllables): "bi" must not find every "bình" and "biên".
            results = results.filter(search_text__contains=f" {word} ")
        return self.render(
            request,
            template="news/search.html",
            context_overrides={
                "query": query,
                "results": paginate(request, results, SEARCH_RESULTS_PER_PAGE) if words else None,
            },
        )


class NewsIndexPage(RoutablePageMixin, NewsPage):
    """A category of articles ("Tin tức - Sự kiện"), paginated, with its RSS feed."""

    intro = models.TextField("giới thiệu", blank=True)

    parent_page_types = ["news.HomePage"]
    subpage_types = ["news.ArticlePage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = "chuyên mục tin"

    @path("")
    def index(self, request: HttpRequest) -> HttpResponse:
        items = articles().child_of(self)
        return self.render(
            request, context_overrides={"articles": paginate(request, items, ARTICLES_PER_PAGE)}
        )

    @path("rss/", name="rss")
    def rss(self, request: HttpRequest) -> HttpResponse:
        from thidua.news.feeds import CategoryFeed

        return CategoryFeed(self)(request)


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey("news.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items")


class ArticlePage(NewsPage):
    """Tin bài: title, date, lead, body with figures, author, tags, and "Các tin khác"."""

    date = models.DateField("ngày đăng", default=today_in_vietnam)
    lead = models.TextField("sapo", blank=True, help_text="Một, hai câu tóm tắt; cũng là mô tả khi chia sẻ.")
    body = StreamField(ArticleBodyBlock(), verbose_name="nội dung", blank=True)
    author = models.CharField("tác giả", max_length=150, blank=True)
    tags = ClusterTaggableManager("từ khóa", through=ArticleTag, blank=True)
    # The conference a "Soạn tin" draft was written from: a second click opens that draft again.
    source_conference = models.ForeignKey(
        "conferences.Conference",
        verbose_name="soạn từ hội nghị",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Title, lead, body, author and tags folded (thidua.lib.text.fold): the public search ignores
    # diacritics on SQLite and PostgreSQL alike by filtering on this.
    search_text = models.TextField(editable=False, default="")

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("author"), FieldPanel("tags")], heading="Thông tin bài"
        ),
        FieldPanel("lead"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.SearchField("author"),
        index.FilterField("date"),
    ]

    class Meta:
        verbose_name = "tin bài"
        verbose_name_plural = "tin bài"

    def body_text(self) -> str:
        parts: list[str] = []
        for block in self.body:
            if block.block_type == "paragraph":
                parts.append(strip_tags(block.value.source))
            elif block.block_type == "heading":
                parts.append(str(block.value))
            elif block.block_type == "figure":
                parts.append(block.value.get("caption") or "")
        return " ".join(parts)

    def refresh_search_text(self) -> None:
        tag_names = [tag.name for tag in self.tags.all()]
        texts = [self.title, self.lead, self.body_text(), self.author, *tag_names]
        # Padded with spaces so that a word is found as " word ", wherever it stands.
        self.search_text = f" {' '.join(search_words(' '.join(t for t in texts if t)))} "

    def save(self, *args: Any, **kwargs: Any) -> Any:
        # Publishing a revision saves the page from the revision's content, so the folded text always
        # follows what readers see.
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        return super().save(*args, **kwargs)

    @property
    def summary(self) -> str:
        """The lead, or for an article without one the opening sentences of its paragraphs as plain
        text: what lists, the feed and shared links show under the title."""
        if self.lead:
            return self.lead
        paragraphs = [block["value"] for block in self.body.raw_data if block["type"] == "paragraph"]
        text = html.unescape(strip_tags(BLOCK_END.sub(" ", " ".join(paragraphs))))
        return first_sentences(text, SUMMARY_CHARS)

    def meta_description(self, home: HomePage | None) -> str:
        return self.search_description or self.summary

    @property
    def date_line(self) -> str:
        """ "Thứ Hai, 18/12/2023", as the seed prints an article's date."""
        return portal_date(self.date)

    def other_articles(self) -> list[ArticlePage]:
        """ "Các tin khác": the latest other articles of the same category, in one query."""
        parent_path = self.path[: -self.steplen]
        return list(
            articles()
            .filter(path__startswith=parent_path, depth=self.depth)
            .exclude(pk=self.pk)[:OTHER_ARTICLES]
        )

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["other_articles"] = self.other_articles()
        context["tag_names"] = [tag.name for tag in self.tags.all()]
        context["category"] = self.get_parent()
        return context
