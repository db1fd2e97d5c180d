"""The "Soạn tin" form on a conference's page. The page belongs to the conferences app, which sits below
news: the form comes through this tag, so conferences imports nothing of news."""

from __future__ import annotations

from typing import Any

from django import template

from thidua.conferences.models import Conference, ConferenceKind
from thidua.news.models import ArticlePage
from thidua.news.services import can_draft_article, host_site, sites_to_choose

register = template.Library()


@register.inclusion_tag("news/draft_form.html", takes_context=True)
def draft_news_form(context: dict[str, Any], conference: Conference) -> dict[str, Any]:
    """The button for those who may draft (secretariat, parent-body staff, the host's editors) once a
    year-end conference has ended; where the host has no site, the choice of site for those who run the
    year."""
    request = context["request"]
    shown = (
        conference.closed_at is not None
        and conference.kind == ConferenceKind.YEAR_END
        and can_draft_article(request.user, conference)
    )
    article = ArticlePage.objects.filter(source_conference=conference).first() if shown else None
    home = host_site(conference) if shown and article is None else None
    return {
        "shown": shown,
        "conference": conference,
        "article": article,
        # Where it waits: the site's title, and whether it is out or still with its editors.
        "article_site": article.get_parent().get_parent().title if article is not None else "",
        "home": home,
        "sites": list(sites_to_choose(conference)) if shown and article is None and home is None else [],
        "csrf_token": context.get("csrf_token"),
        "can_choose": context.get("can_run", False),
    }
