"""Wagtail's admin speaks Vietnamese on the screens editors and managers use: where Wagtail's own
catalog has no Vietnamese, the project's `locale/vi` supplies it (docs/decisions.md)."""

from __future__ import annotations

import ast
import gettext
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from thidua.accounts.models import User
from thidua.news.models import ArticlePage
from thidua.news.tests.helpers import category, draft, edit_form, home, seed

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"
PENDING_SLUG = "hoi-nghi-so-ket-quy-i-nam-2024"


class VisibleText(HTMLParser):
    """What a person reads or hears on a page: text and the attributes that screen readers and
    tooltips speak (dialogs kept in <template> included); not scripts, styles, addresses or class names."""

    SPOKEN = {"title", "aria-label", "placeholder", "alt", "data-w-tooltip-content-value"}

    def __init__(self) -> None:
        super().__init__()
        self.texts: set[str] = set()
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.texts.add(" ".join(value.split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.add(" ".join(data.split()))


def _texts(client: Any, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = VisibleText()
    parser.feed(response.content.decode())
    return parser.texts


def _check(texts: set[str], vietnamese: list[str], english: list[str]) -> None:
    missing = [text for text in vietnamese if text not in texts]
    assert not missing, f"Vietnamese not shown: {missing}"
    left = [text for text in english if text in texts]
    assert not left, f"English still shown: {left}"


@pytest.fixture
def pending() -> ArticlePage:
    """The demo article the editor has submitted, waiting for the manager."""
    return ArticlePage.objects.get(slug=PENDING_SLUG)


def test_the_editor_writes_a_draft_in_a_vietnamese_page_editor(editor: User, client_for: Any) -> None:
    texts = _texts(client_for(editor), reverse("wagtailadmin_pages:edit", args=[seed().pk]))
    _check(
        texts,
        [
            "Gửi duyệt (Duyệt tin Liên hiệp hội tỉnh Ninh Bình)",
            "Lưu bản nháp",
            "Nội dung",
            "Quảng bá",
            "Đặt lịch đăng",
            "Xem trước trong thẻ mới",
        ],
        [
            "Submit for moderation",
            "Submit to Duyệt tin Liên hiệp hội tỉnh Ninh Bình",
            "Save draft",
            "Promote",
            "Set publishing schedule",
            "Choose when this page should go live and/or expire",
            "Preview in new tab",
            "Content metrics",
            "Privacy and access",
        ],
    )
    # An editor has no publish button: approval publishes.
    assert "Xuất bản" not in texts


def test_a_new_article_form_is_vietnamese(editor: User, client_for: Any) -> None:
    url = reverse("wagtailadmin_pages:add", args=["news", "articlepage", category().pk])
    _check(
        _texts(client_for(editor), url),
        ["Gửi duyệt (Duyệt tin Liên hiệp hội tỉnh Ninh Bình)", "Lưu bản nháp", "Cho máy tìm kiếm"],
        ["Submit for moderation", "Save draft", "For search engines", "For site menus"],
    )


def test_the_editor_sees_a_submitted_article_as_waiting_for_approval(
    editor: User, pending: ArticlePage, client_for: Any
) -> None:
    client = client_for(editor)
    edit = _texts(client, reverse("wagtailadmin_pages:edit", args=[pending.pk]))
    _check(
        edit,
        ["Đang chờ duyệt", "Trang này đang chờ duyệt. Chỉ người duyệt ở bước này được sửa trang."],
        ["In Moderation", "in moderation", "Locked by workflow"],
    )
    history = _texts(client, reverse("wagtailadmin_pages:workflow_history", args=[pending.pk]))
    _check(history, ["Lịch sử duyệt"], ["Workflow history", "Requested by"])


def test_the_manager_approves_or_sends_back_in_vietnamese(pending: ArticlePage, client_for: Any) -> None:
    client = client_for(User.objects.get(username="duyettin"))
    edit = _texts(client, reverse("wagtailadmin_pages:edit", args=[pending.pk]))
    _check(
        edit,
        # A manager may publish, so Wagtail says what approving does.
        ["Duyệt và xuất bản", "Duyệt, kèm ý kiến và xuất bản", "Yêu cầu sửa"],
        [
            "Approve",
            "Approve and Publish",
            "Approve with comment",
            "Request changes",
            "Phê chuẩn và Xuất bản",
        ],
    )
    dashboard = _texts(client, reverse("wagtailadmin_home"))
    _check(dashboard, ["Chờ bạn duyệt"], ["Awaiting your review", "Task submitted by"])


def test_image_and_document_screens_are_vietnamese(editor: User, client_for: Any) -> None:
    client = client_for(editor)
    _check(
        _texts(client, reverse("wagtailimages:add_multiple")),
        ["Thêm ảnh", "Kéo thả ảnh vào đây để tải lên ngay."],
        ["Add images", "Drag and drop images into this area to upload immediately."],
    )
    _check(
        _texts(client, reverse("wagtaildocs:add_multiple")),
        ["Thêm tài liệu", "Kéo thả tài liệu vào đây để tải lên ngay."],
        ["Add documents", "Drag and drop documents into this area to upload immediately."],
    )
    _check(_texts(client, reverse("wagtailimages:index")), ["Mới nhất"], ["Newest", "Oldest"])


def test_the_admins_scripts_get_vietnamese_too(editor: User, client_for: Any) -> None:
    # The block editor's buttons ("Move up", "Duplicate") are drawn by scripts from this catalog.
    script = client_for(editor).get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    for text in ["Chuyển lên", "Nhân đôi", "Chèn khối"]:
        assert json.dumps(text) in script  # the catalog escapes what is not ASCII


def _po_catalog(path: Path) -> dict[Any, str]:
    """msgid → msgstr as GNU gettext's .mo holds them ((msgid, n) for plurals), from the .po."""
    catalog: dict[Any, str] = {}
    entry: dict[str, str] = {}
    key = ""

    def flush() -> None:
        if "msgid" not in entry:
            return
        if "msgid_plural" in entry:
            catalog[(entry["msgid"], 0)] = entry["msgstr[0]"]
        else:
            catalog[entry["msgid"]] = entry["msgstr"]
        entry.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r'^(msgid_plural|msgid|msgstr(?:\[0\])?) (".*")$', line)
        if match:
            if match.group(1) == "msgid":
                flush()
            key = match.group(1)
            entry[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
    flush()
    catalog.pop("", None)  # the header
    return catalog


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_catalogs_match_their_sources(domain: str) -> None:
    """The .mo files are committed so nothing needs gettext's tools to run thidua; after editing a
    .po, compile it again (`msgfmt --check -o django.mo django.po` in locale/vi/LC_MESSAGES)."""
    with (LOCALE / f"{domain}.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    held = {k: v for k, v in translations._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert held == _po_catalog(LOCALE / f"{domain}.po")


# --- The whole walk: every screen editors and managers use, and no English left on any

# English that Wagtail's admin showed editors and managers where its Vietnamese catalog says nothing:
# menu entries, the moderation messages, the listings' counts and pagination, the reports.
ENGLISH = re.compile(
    r"\b(?:"
    + "|".join(
        [
            r"Reports?",
            r"Awaiting",
            r"Exploring",
            r"minutes?",
            r"hours?",
            r"days?",
            r"Help",
            r"Editor Guide",
            r"What's new",
            r"Shortcuts",
            r"Site history",
            r"Aging pages",
            r"Page types usage",
            r"Locked pages",
            r"has been (?:submitted|approved|rejected|published|updated|created)",
            r"moderation",
            r"\d+ None",
            r"None",
            r"Pages?",
            r"Documents?",
            r"Images?",
            r"Workflows?",
            r"Tasks?",
            r"log entr(?:y|ies)",
            r"Actions",
            r"Status",
            r"Locking",
            r"Referenced",
            r"Compare",
            r"Changes",
            r"Fields",
            r"Draft saved",
            r"Edit this item",
            r"Date / Time",
            r"Last (?:published|edit|edited)",
            r"No \w+ found",
            r"There (?:are|is) no",
            r"JavaScript is required",
            r"Admin theme",
            r"notifications",
            r"Approve",
            r"Request changes",
            r"Search",
            r"Previous",
            r"Next",
            r"Moderators approval",
            r"Comment",
            r"Cancel",
            r"Submitted",
            r"Dashboard",
        ]
    )
    + r")\b"
)


def _visible_texts(html: str) -> set[str]:
    """The page's text (not its scripts), and the labels of the admin's side menu, which scripts draw
    from the JSON Wagtail puts in the page."""
    parser = VisibleText()
    parser.feed(html)
    texts = set(parser.texts)
    menu = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    if menu:
        texts.update(re.findall(r'"label": "((?:[^"\\]|\\.)*)"', menu.group(1)))
    # A counter Wagtail keeps hidden until comments are made ("None" until then) is not shown.
    return {text for text in texts if text != "None" or "data-side-panel-toggle-counter" not in html}


def _menu_addresses(html: str) -> set[str]:
    menu = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    assert menu, "the admin's side menu is missing"
    return set(re.findall(r'"url": "(/quan-tri-tin/[^"]*)"', menu.group(1)))


def _english_left(
    client: Any, url: str, *, follow: bool = False, data: dict[str, Any] | None = None
) -> dict[str, list[str]]:
    response = client.post(url, data, follow=True) if data is not None else client.get(url, follow=follow)
    assert response.status_code == 200, url
    html = response.content.decode()
    if response["Content-Type"].startswith("application/json"):  # a dialog, sent as JSON
        html = json.loads(html).get("html", "")
    left = sorted(text for text in _visible_texts(html) if ENGLISH.search(text))
    return {url: left} if left else {}


def _screens(user: User, pending: ArticlePage) -> list[str]:
    """The screens a user reaches from the admin's home and its side menu, and those of articles."""
    return [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore", args=[home().pk]),
        reverse("wagtailadmin_explore", args=[category().pk]),
        f"{reverse('wagtailadmin_explore', args=[category().pk])}?p=2",
        reverse("wagtailadmin_pages:search") + "?q=so+ket",
        reverse("wagtailadmin_pages:search") + "?q=hoi+nghi",
        reverse("wagtailadmin_pages:edit", args=[seed().pk]),
        reverse("wagtailadmin_pages:edit", args=[pending.pk]),
        reverse("wagtailadmin_pages:history", args=[seed().pk]),
        reverse("wagtailadmin_pages:revisions_compare", args=[seed().pk, "earliest", "latest"]),
        reverse("wagtailadmin_pages:workflow_history", args=[pending.pk]),
        reverse(
            "wagtailadmin_pages:workflow_history_detail",
            args=[pending.pk, pending.current_workflow_state.pk],  # type: ignore[union-attr]
        ),
        reverse("wagtailimages:index"),
        reverse("wagtaildocs:index"),
    ]


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows a page in the page explorer, so its pagination shows with the demo's five articles."""
    from wagtail.admin.views.pages.listing import IndexView

    monkeypatch.setattr(IndexView, "paginate_by", 2)


@pytest.mark.parametrize("username", ["bientap", "duyettin"])
def test_no_english_is_left_on_any_screen_an_editor_or_a_manager_uses(
    username: str, pending: ArticlePage, small_pages: None, client_for: Any
) -> None:
    user = User.objects.get(username=username)
    client = client_for(user)
    menu = _menu_addresses(client.get(reverse("wagtailadmin_home")).content.decode())
    left: dict[str, list[str]] = {}
    for url in [*_screens(user, pending), *sorted(menu)]:
        left.update(_english_left(client, url, follow=True))
    assert not left, f"English left for {username}: {json.dumps(left, ensure_ascii=False, indent=1)}"


def test_the_editors_submission_and_the_managers_approval_are_told_in_vietnamese(
    editor: User, client_for: Any
) -> None:
    article = draft(editor, title="Tin gửi duyệt")
    left = _english_left(
        client_for(editor),
        reverse("wagtailadmin_pages:edit", args=[article.pk]),
        data=edit_form(article, "action-submit"),
    )
    article.refresh_from_db()
    task_state = article.current_workflow_state.current_task_state  # type: ignore[union-attr]
    manager = client_for(User.objects.get(username="duyettin"))
    approve = reverse("wagtailadmin_pages:workflow_action", args=[article.pk, "approve", task_state.pk])
    left.update(_english_left(manager, approve))  # the dialog asking for a comment
    left.update(_english_left(manager, approve, data={"comment": "Được."}))
    assert not left, f"English left: {json.dumps(left, ensure_ascii=False, indent=1)}"


@pytest.mark.django_db
def test_the_news_admin_asks_no_third_party_for_an_editors_avatar(client: Any) -> None:
    client.force_login(User.objects.get(username="bientap"))
    assert "gravatar" not in client.get("/quan-tri-tin/").content.decode()


@pytest.mark.django_db
def test_an_officer_without_a_news_role_is_told_so_instead_of_looping_to_the_login_page(
    client_for: Any,
) -> None:
    # Wagtail sent them to the login page, which sends a signed-in user back: "too many redirects".
    response = client_for(User.objects.get(username="quangtri")).get(settings.NEWS_ADMIN_PREFIX)
    assert response.status_code == 403
    assert "chưa có quyền biên tập hay duyệt tin" in response.content.decode()
    anonymous = client_for(None).get(settings.NEWS_ADMIN_PREFIX)
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]


@pytest.mark.django_db
def test_the_news_admins_missing_page_and_time_zones_are_vietnamese_only(
    editor: User, client_for: Any
) -> None:
    client = client_for(editor)
    missing = client.get(f"{settings.NEWS_ADMIN_PREFIX}khong-co-trang-nay/")
    texts = _visible_texts(missing.content.decode())
    assert missing.status_code == 404 and "Về trang quản trị tin" in texts
    assert not {"The requested page could not be found.", "Go to Wagtail admin"} & texts
    account = client.get(reverse("wagtailadmin_account")).content.decode()
    assert "localtime" not in account
