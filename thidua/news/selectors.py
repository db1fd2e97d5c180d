"""Reads of the news sites that pages outside the news app show."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from wagtail.models import Site

from thidua.news.addresses import served_root_url
from thidua.news.models import HomePage, NewsPortalPage, today_in_vietnam


@dataclass(frozen=True)
class NewsSite:
    name: str  # the organization's name today
    url: str  # its own hostname's address where it has one, else its page under /tin-tuc/


@dataclass(frozen=True)
class NewsSites:
    portal_url: str  # the list of every site, "/tin-tuc/" on thidua's own host
    sites: list[NewsSite]


def news_sites(*, request: HttpRequest) -> NewsSites:
    """The organizations' live news sites, by organization name, at the addresses they are served at."""
    homes = list(
        HomePage.objects.live()
        .public()
        .select_related("organization")
        .prefetch_related("organization__names")
        .order_by("title")
    )
    own_sites = {site.root_page_id: site for site in Site.objects.filter(root_page__in=homes)}
    today = today_in_vietnam()
    sites: list[NewsSite] = []
    for home in homes:
        site = own_sites.get(home.pk)
        url = served_root_url(site.pk, site.root_url, request) + "/" if site else home.get_url(request)
        sites.append(NewsSite(name=home.organization.name_on(today), url=url or ""))
    portal = NewsPortalPage.objects.live().first()
    return NewsSites(portal_url=(portal.get_url(request) or "") if portal else "", sites=sites)


def is_rendition(name: str) -> bool:
    """Whether the stored file `name` is a size of a news image that a page may show."""
    from wagtail.images import get_image_model

    return bool(get_image_model().get_rendition_model().objects.filter(file=name).exists())
