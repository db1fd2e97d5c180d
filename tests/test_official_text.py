"""Official text is clean (issue 15, part 1): no confidence mark ([H], [M], [L]) and no note for staff
in any document the demo's 2023 conference issues, nor on any page a user reaches from the home page,
whoever they are. The marks and notes live on the regulation's settings page and in the admin only.

The pages are crawled as a user would meet them: from the home page, every link on the site is followed
(once per kind of address, numbers standing for any id), as each role of the demo and anonymously.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from thidua.lib.citations import has_mark

pytestmark = pytest.mark.django_db

# What issue 15 found printed where it should not be, besides the marks themselves.
NOTES = (
    "mặc định, sửa được",
    "mặc định gợi ý",
    "chưa công bố chi tiết bỏ phiếu",
    "Thông lệ",
    "(Họ và tên)",  # a signer's placeholder: the signer in office is printed, or nothing is issued
)
# Where the marks belong: the regulation's settings pages (and their forms) and the admin.
STAFF_NOTES_LIVE = re.compile(r"^/(quan-tri|admin|cms)/|/quy-che/")
# Not pages: files, the API's data, the way out.
SKIP = re.compile(
    r"\.(pdf|docx|xlsx|png|jpe?g|svg|ico|css|js|zip|json|webp)$|/api/|dang-xuat|/static/|/media/"
)
HREF = re.compile(r'href="([^"#]*)"')
ROLES = ("vusta", "ninhbinh", "quangtri", "nghean", "bientap", None)
PAGE_LIMIT = 400  # per role: the demo's page kinds are far fewer; this only stops a runaway crawl


def _problems(text: str) -> list[str]:
    found = [m.group(0).strip() for m in re.finditer(r"\s*\[(?:H|M|L)\]", text)]
    return found + [note for note in NOTES if note in text]


def _docx_text(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", "", xml)


def _kind(path: str) -> str:
    """One crawl per kind of address: every run of digits stands for any id or year."""
    return re.sub(r"\d+", "N", path)


def _crawl(client: Client, start: Iterable[str]) -> dict[str, list[str]]:
    """Every page reachable from `start` on this site: {path: problems found}, problems only."""
    queue, seen_kinds, found = deque(start), set(), {}
    pages = 0
    while queue and pages < PAGE_LIMIT:
        path = queue.popleft()
        if _kind(path) in seen_kinds:
            continue
        seen_kinds.add(_kind(path))
        response = client.get(path)
        pages += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode("utf-8", errors="replace")
        if not STAFF_NOTES_LIVE.search(path) and (problems := _problems(html)):
            found[path] = problems
        for href in HREF.findall(html):
            target = urldefrag(href)[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def test_no_document_of_the_2023_conference_prints_a_mark_or_a_note_for_staff() -> None:
    from thidua.conferences.models import PollStatus
    from thidua.demo.samples import OFFICIAL, official_docx, replayed_conference

    conference = replayed_conference()
    texts: dict[str, str] = {}
    for name, kind in OFFICIAL:
        if kind == "count":
            for poll in conference.polls.filter(status=PollStatus.PUBLISHED):
                texts[f"{name} {poll}"] = _docx_text(official_docx(conference, kind, 5, poll=poll))
        else:
            texts[name] = _docx_text(official_docx(conference, kind, 5))
    assert len(texts) >= 8  # minutes, a vote count per poll, tờ trình, summary, agreement
    assert {name: _problems(text) for name, text in texts.items() if _problems(text)} == {}


@pytest.mark.parametrize("username", ROLES)
def test_no_page_a_user_reaches_shows_a_mark_or_a_note_outside_the_regulation_settings(
    client_for: Callable[[Any], Client], username: str | None
) -> None:
    from thidua.accounts.models import User

    user = User.objects.get(username=username) if username else None
    client = client_for(user)
    assert _crawl(client, ["/"]) == {}


def test_the_crawl_would_see_a_mark_if_a_page_showed_one(client_for: Callable[[Any], Client]) -> None:
    """The crawl is not blind: the regulation's own page, which it leaves out on purpose, has marks."""
    from thidua.organizations.models import Regulation

    client = client_for(None)
    regulation = Regulation.objects.order_by("pk").first()
    assert regulation is not None
    page = client_for(_staff()).get(f"/quy-che/{regulation.pk}/").content.decode()
    assert has_mark(page) and client is not None


def _staff() -> Any:
    from thidua.accounts.models import User

    return User.objects.get(username="vusta")
