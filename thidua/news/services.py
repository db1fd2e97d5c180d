"""State changes of the news sites that thidua makes itself (editors' own edits go through Wagtail's
admin, with its revisions): opening an organization's site, and "Soạn tin" from a conference."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.text import slugify
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from thidua.accounts import permissions
from thidua.accounts.models import Role, RoleKind, User
from thidua.audit.services import record
from thidua.conferences.models import Conference, ConferenceKind, PollStatus
from thidua.lib.text import fold
from thidua.news.drafting import draft_text
from thidua.news.models import ArticlePage, HomePage, NewsIndexPage, NewsPortalPage
from thidua.organizations.models import Membership, Organization

DEFAULT_CATEGORY = "Tin tức - Sự kiện"
DEFAULT_CATEGORY_SLUG = "tin-tuc-su-kien"
PORTAL_SLUG = "tin-tuc"
# What an organization's editors may do on its own site: write and submit for moderation, never publish
# on their own (its managers approve, and approval publishes), and upload images and files.
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")
MANAGER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
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


def managers_group(organization: Organization) -> Group:
    group, _ = Group.objects.get_or_create(name=f"Lãnh đạo duyệt tin — {organization.code}")
    return group


# Which thidua role fills which Wagtail group of an organization's site.
NEWS_GROUPS = ((RoleKind.EDITOR, editors_group), (RoleKind.NEWS_MANAGER, managers_group))


@transaction.atomic
def open_news_site(*, actor: User, organization: Organization, hostname: str = "") -> HomePage:
    """The organization's news site: its home, the "Tin tức - Sự kiện" category, a Site for its
    hostname (when given), its editors and managers (thidua's EDITOR and NEWS_MANAGER roles) allowed
    into Wagtail's admin for it, and its moderation workflow. For a site already open, the groups and
    the workflow are brought up to date (a site opened before moderation existed gets it)."""
    existing = HomePage.objects.filter(organization=organization).first()
    if existing is not None:
        set_up_moderation(organization, existing)
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
    set_up_moderation(organization, home)
    record(
        actor=actor,
        verb="news.site_open",
        target=home,
        data={"organization": organization.code, "hostname": hostname},
    )
    return home


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def _grant(group: Group, home: HomePage, page_codenames: tuple[str, ...]) -> None:
    """The group's rights on the site's pages are exactly `page_codenames` (a right taken away since,
    such as the editors' publish, is removed), plus admin access and image and document upload."""
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    GroupPagePermission.objects.filter(group=group, page=home).exclude(
        permission__codename__in=page_codenames
    ).delete()
    for codename in page_codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page=home, permission=_page_permission(codename)
        )
    root_collection = Collection.get_first_root_node()
    for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=root_collection,
            permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
        )


def moderation_workflow(home: HomePage) -> Workflow | None:
    """The workflow that the site's pages go through: the one set on its home page."""
    link = WorkflowPage.objects.filter(page=home).select_related("workflow").first()
    return link.workflow if link else None


def set_up_moderation(organization: Organization, home: HomePage) -> Workflow:
    """Editors write and submit; the workflow "Duyệt tin <short name>" has one step, approval by the
    organization's managers, and its approval publishes (or schedules) the page. Idempotent."""
    editors, managers = editors_group(organization), managers_group(organization)
    _grant(editors, home, EDITOR_PAGE_PERMISSIONS)
    _grant(managers, home, MANAGER_PAGE_PERMISSIONS)
    workflow = moderation_workflow(home)
    if workflow is None:
        short_name = organization.current_short_name
        workflow = Workflow.objects.create(name=f"Duyệt tin {short_name}")
        task = GroupApprovalTask.objects.create(name=f"Lãnh đạo {short_name} duyệt")
        task.groups.set([managers])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        # Set on the site's home, it covers every page below it, ahead of Wagtail's default workflow.
        WorkflowPage.objects.create(workflow=workflow, page=home)
    sync_news_groups(organization)
    return workflow


def sync_news_groups(organization: Organization) -> None:
    """The Wagtail groups of the organization's site hold exactly its users with the matching role."""
    for kind, group_of in NEWS_GROUPS:
        users = User.objects.filter(roles__kind=kind, roles__organization=organization)
        group_of(organization).user_set.set(users)


def can_draft_article(user: permissions.AnyUser, conference: Conference) -> bool:
    """Who may ask for a draft: those who run the conference's year (its secretariat, the parent body's
    staff), and the host organization's news editors, who publish it."""
    emulation_year = conference.emulation_year
    return permissions.can_run_year(user, emulation_year.group, emulation_year.year) or (
        conference.host_id in permissions.editor_org_ids(user)
    )


def edited_sites() -> QuerySet[HomePage]:
    """News sites someone edits: an active user holds the editor role of the site's organization. A
    draft on any other site would wait for nobody: no to-do reaches anyone (a browser walk found the
    demo's host site without editors, and the secretariat never told)."""
    editors = Role.objects.filter(kind=RoleKind.EDITOR, user__is_active=True).values("organization_id")
    return HomePage.objects.filter(organization_id__in=editors)


def host_site(conference: Conference) -> HomePage | None:
    """The host's own site, if someone edits it; otherwise the secretariat chooses (`sites_to_choose`)."""
    return edited_sites().filter(organization_id=conference.host_id).first()


def sites_to_choose(conference: Conference) -> QuerySet[HomePage]:
    """Where the secretariat may place the draft when the host has no news site: the sites of the year's
    members and of the parent body."""
    emulation_year = conference.emulation_year
    members = Membership.objects.filter(group=emulation_year.group, year=emulation_year.year).values(
        "organization_id"
    )
    return (
        edited_sites()
        .filter(Q(organization_id__in=members) | Q(organization_id=emulation_year.group.parent_id))
        .select_related("organization")
        .order_by("title")
    )


def _site_for(actor: User, conference: Conference, site: HomePage | None) -> HomePage:
    """The host's site; where it has none, the site the secretariat chose among `sites_to_choose`."""
    home = host_site(conference)
    if home is not None:
        if site is not None and site.pk != home.pk:
            raise ValidationError(f"{conference.host} có trang tin riêng; tin được soạn trên trang đó.")
        return home
    emulation_year = conference.emulation_year
    if not permissions.can_run_year(actor, emulation_year.group, emulation_year.year):
        raise ValidationError(
            f"{conference.host} chưa có trang tin; thường trực cụm chọn trang tin để đăng bài."
        )
    if site is None:
        raise ValidationError(
            f"{conference.host} chưa có trang tin: hãy chọn trang tin của một đơn vị thành viên "
            "hoặc của cơ quan cấp trên để đăng bài."
        )
    if not sites_to_choose(conference).filter(pk=site.pk).exists():
        raise ValidationError(
            f"«{site.title}» không phải trang tin của đơn vị thành viên hay cơ quan cấp trên của cụm."
        )
    return site


@transaction.atomic
def draft_article(*, actor: User, conference: Conference, site: HomePage | None = None) -> ArticlePage:
    """An unpublished article about a closed year-end conference, in the first news category ("Tin tức -
    Sự kiện") of the host organization's site, or of the site the secretariat chose where the host has
    none; the editor edits and publishes it. A second call returns the draft already written, so a double
    click makes one article."""
    if not can_draft_article(actor, conference):
        raise PermissionDenied(
            "Chỉ thường trực cụm, cơ quan cấp trên hoặc biên tập viên của đơn vị đăng cai được soạn tin."
        )
    if conference.kind != ConferenceKind.YEAR_END:
        raise ValidationError("Chỉ soạn tin tự động cho hội nghị tổng kết.")
    # Locked: two clicks at once wait for each other, and the second finds the first one's draft.
    conference = (
        Conference.objects.select_for_update()
        .select_related("emulation_year__group__parent", "host")
        .get(pk=conference.pk)
    )
    if conference.closed_at is None or conference.polls.exclude(status=PollStatus.PUBLISHED).exists():
        raise ValidationError("Hội nghị chưa kết thúc hoặc còn cuộc bỏ phiếu chưa công bố kết quả.")
    existing = ArticlePage.objects.filter(source_conference=conference).first()
    if existing is not None:
        return existing
    home = _site_for(actor, conference, site)
    category = NewsIndexPage.objects.child_of(home).order_by("path").first()
    if category is None:
        raise ValidationError(f"Trang tin «{home.title}» chưa có chuyên mục tin để đăng bài.")
    text = draft_text(conference)
    article = ArticlePage(
        title=text.title,
        slug=article_slug(text.title, category),
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
        data={"conference": conference.pk, "site": home.pk, "category": category.pk, "title": article.title},
    )
    return article


# Long enough to say what the article is about, short enough to paste into a message whole.
SLUG_WORDS = 12


def article_slug(title: str, category: NewsIndexPage) -> str:
    """The article's address: its title without marks, the first words, as the seed article's
    («hoi-nghi-tong-ket-cong-tac-thi-dua-…»). Wagtail would keep the Vietnamese letters, which a browser
    copies as percent escapes: about 400 characters in a Zalo message. A second article of the same
    title in the category gets "-2", "-3"."""
    words = slugify(fold(title)).split("-")[:SLUG_WORDS]
    stem = "-".join(words) or "tin-bai"
    taken = set(
        ArticlePage.objects.child_of(category).filter(slug__startswith=stem).values_list("slug", flat=True)
    )
    slug, number = stem, 1
    while slug in taken:
        number += 1
        slug = f"{stem}-{number}"
    return slug


def _paragraph_html(text: str) -> str:
    from django.utils.html import escape

    return f"<p>{escape(text)}</p>"
