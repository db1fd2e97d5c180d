"""State changes of the news sites that thidua makes itself (editors' own edits go through Wagtail's
admin, with its revisions): opening an organization's site, and "Soạn tin" from a conference."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from thidua.accounts import permissions
from thidua.accounts.models import RoleKind, User
from thidua.audit.services import record
from thidua.conferences.models import Conference, ConferenceKind, PollStatus
from thidua.news.drafting import draft_text
from thidua.news.models import ArticlePage, HomePage, NewsIndexPage, NewsPortalPage
from thidua.organizations.models import Organization

DEFAULT_CATEGORY = "Tin tức - Sự kiện"
DEFAULT_CATEGORY_SLUG = "tin-tuc-su-kien"
PORTAL_SLUG = "tin-tuc"
# What an organization's editors may do on its own site, and with images and files.
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
EDITOR_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
)


def ensure_wagtail_roots() -> Site:
    """The tree's root, the default locale, the root collection and thidua's own (default) site.

    Wagtail's first migrations create them; a database emptied by `flush` (`load_demo --reset`, the
    transactional tests) has lost them, and nothing can be added to the tree without them.
    """
    from django.conf import settings
    from wagtail.models import Locale

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        # thidua's own host: its "/" is thidua's home page, so the site's root page is never shown there.
        home = root.add_child(instance=Page(title="thidua", slug="thidua"))
        site = Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page.title.startswith("Welcome to your new Wagtail site"):
        # The placeholder of Wagtail's first migration, which editors would see in the admin.
        site.root_page.title = "thidua"
        site.root_page.save_revision().publish()
    return site


def portal() -> NewsPortalPage:
    """The list of the organizations' sites, "/tin-tuc/" on thidua's own (default) site; made once."""
    existing = NewsPortalPage.objects.first()
    if existing is not None:
        return existing
    site = ensure_wagtail_roots()
    page = NewsPortalPage(title="Trang tin các đơn vị", slug=PORTAL_SLUG, show_in_menus=False)
    site.root_page.add_child(instance=page)
    return page


def editors_group(organization: Organization) -> Group:
    group, _ = Group.objects.get_or_create(name=f"Biên tập tin — {organization.code}")
    return group


@transaction.atomic
def open_news_site(*, actor: User, organization: Organization, hostname: str = "") -> HomePage:
    """The organization's news site: its home, the "Tin tức - Sự kiện" category, a Site for its
    hostname (when given), and its editors (thidua's EDITOR roles) allowed into Wagtail's admin for it."""
    existing = HomePage.objects.filter(organization=organization).first()
    if existing is not None:
        return existing
    home = HomePage(
        title=f"Trang tin {organization.current_short_name}",
        slug=organization.code,
        organization=organization,
    )
    portal().add_child(instance=home)
    home.add_child(
        instance=NewsIndexPage(title=DEFAULT_CATEGORY, slug=DEFAULT_CATEGORY_SLUG, show_in_menus=True)
    )
    if hostname:
        Site.objects.create(hostname=hostname, port=80, root_page=home, site_name=home.title)
    group = editors_group(organization)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=home,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )
    root_collection = Collection.get_first_root_node()
    for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=root_collection,
            permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
        )
    sync_editors(organization)
    record(
        actor=actor,
        verb="news.site_open",
        target=home,
        data={"organization": organization.code, "hostname": hostname},
    )
    return home


def sync_editors(organization: Organization) -> None:
    """The Wagtail group of the organization's editors holds exactly its users with an EDITOR role."""
    group = editors_group(organization)
    editors = User.objects.filter(roles__kind=RoleKind.EDITOR, roles__organization=organization)
    group.user_set.set(editors)


def can_draft_article(user: permissions.AnyUser, conference: Conference) -> bool:
    """Who may ask for a draft: those who run the conference's year (its secretariat, the parent body's
    staff), and the host organization's news editors, who publish it."""
    emulation_year = conference.emulation_year
    return permissions.can_run_year(user, emulation_year.group, emulation_year.year) or (
        conference.host_id in permissions.editor_org_ids(user)
    )


@transaction.atomic
def draft_article(*, actor: User, conference: Conference) -> ArticlePage:
    """An unpublished article about a closed year-end conference, in the host organization's first news
    category ("Tin tức - Sự kiện"); the editor edits and publishes it. A second call returns the draft
    already written, so a double click makes one article."""
    if not can_draft_article(actor, conference):
        raise PermissionDenied(
            "Chỉ thường trực cụm, cơ quan cấp trên hoặc biên tập viên của đơn vị đăng cai được soạn tin."
        )
    if conference.kind != ConferenceKind.YEAR_END:
        raise ValidationError("Chỉ soạn tin tự động cho hội nghị tổng kết.")
    if conference.closed_at is None or conference.polls.exclude(status=PollStatus.PUBLISHED).exists():
        raise ValidationError("Hội nghị chưa kết thúc hoặc còn cuộc bỏ phiếu chưa công bố kết quả.")
    existing = ArticlePage.objects.filter(source_conference=conference).first()
    if existing is not None:
        return existing
    home = HomePage.objects.filter(organization=conference.host).first()
    category = NewsIndexPage.objects.child_of(home).order_by("path").first() if home else None
    if category is None:
        raise ValidationError(f"{conference.host} chưa có trang tin (chuyên mục tin) để đăng bài.")
    text = draft_text(conference)
    article = ArticlePage(
        title=text.title,
        lead=text.lead,
        body=[("paragraph", _paragraph_html(p)) for p in text.paragraphs],
        author="",
        source_conference=conference,
        live=False,
        owner=actor,
    )
    category.add_child(instance=article)
    article.save_revision(user=actor, log_action=True)
    record(
        actor=actor,
        verb="news.draft_from_conference",
        target=article,
        group=conference.emulation_year.group,
        data={"conference": conference.pk, "category": category.pk, "title": article.title},
    )
    return article


def _paragraph_html(text: str) -> str:
    from django.utils.html import escape

    return f"<p>{escape(text)}</p>"
