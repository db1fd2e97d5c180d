"""Public news pages served whole from memory while nothing published has changed.

A reader's page is the same for every reader (no account, no cookie, no form token), so the rendered
response is kept per process under the host, the full path, today's date in Vietnam (the home page prints
it) and the news version: a token in the shared cache that every publication, unpublication, move or
deletion of a page, and every change to a site or an image, replaces. With Redis (THIDUA_REDIS_URL) a new
token reaches every app process at once; without it, other processes see the change when their entry
expires (settings.NEWS_CACHE_SECONDS, one minute by default), as a reader behind a public cache would.

Not kept: anything but GET and HEAD, any request that carries a session cookie (editors see Wagtail's
user bar and drafts' previews), and any response but a plain 200 that sets no cookie and is not private.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from thidua.lib.dates import vietnam_today
from thidua.web.pagecache import kept_responses
from thidua.web.tokens import current_token, replace_token

VERSION_KEY = "news:version"
# The news desk: drafts saved and moderation started, approved or sent back (the to-dos of editors and
# news managers on their home page).
DESK_KEY = "news:desk"

View = Callable[..., HttpResponse]


def news_version() -> str:
    return current_token(VERSION_KEY)


def desk_version() -> str:
    return current_token(DESK_KEY)


def _desk_changed(**kwargs: object) -> None:
    replace_token(DESK_KEY)


def forget_news_pages() -> None:
    """A new version, in every process (thidua/web/tokens.py)."""
    replace_token(VERSION_KEY)


def _key(request: HttpRequest) -> str | None:
    if request.method not in ("GET", "HEAD") or settings.NEWS_CACHE_SECONDS <= 0:
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    parts = (
        news_version(),
        request.get_host(),
        request.get_full_path(),
        vietnam_today(timezone.now()).isoformat(),
    )
    return "news:page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


cached_news_page = kept_responses(_key, lambda: settings.NEWS_CACHE_SECONDS)


def _changed(**kwargs: object) -> None:
    forget_news_pages()


def _page_deleted(sender: type, instance: object, **kwargs: object) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page):
        forget_news_pages()


def connect_signals() -> None:
    """Called from NewsConfig.ready. Publishing covers the workflow's approval and scheduled publishing
    too: Wagtail sends page_published for each."""
    from wagtail.images import get_image_model
    from wagtail.models import Revision, Site, TaskState, WorkflowState
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_changed, dispatch_uid="thidua-news-published")
    page_unpublished.connect(_changed, dispatch_uid="thidua-news-unpublished")
    post_page_move.connect(_changed, dispatch_uid="thidua-news-moved")
    post_delete.connect(_page_deleted, dispatch_uid="thidua-news-page-deleted")
    for model in (Revision, WorkflowState, TaskState):
        post_save.connect(_desk_changed, sender=model, dispatch_uid=f"thidua-news-desk-{model.__name__}")
    page_published.connect(_desk_changed, dispatch_uid="thidua-news-desk-published")
    for model in (Site, get_image_model()):
        post_save.connect(_changed, sender=model, dispatch_uid=f"thidua-news-{model.__name__}-saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"thidua-news-{model.__name__}-deleted")
