from __future__ import annotations

import datetime

from django import template

from thidua.lib.dates import portal_date as _portal_date
from thidua.news import selectors
from thidua.news.selectors import NewsSites

register = template.Library()


@register.filter
def portal_date(value: datetime.date | None) -> str:
    """ "Thứ Hai, 18/12/2023" — how the news sites print a date."""
    return _portal_date(value) if value else ""


@register.simple_tag(takes_context=True)
def news_sites(context: template.Context) -> NewsSites:
    """The organizations' news sites, for pages outside the news app (thidua's home page)."""
    return selectors.news_sites(request=context["request"])
