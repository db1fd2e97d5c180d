"""What the browser walks share: signing in as a demo user, the page's messages, closing the test
thread's database connections, and `Walk`, the watchful browser of the whole-year walk."""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from playwright.sync_api import expect

PASSWORD = "ThiDua@2026"  # every demo user's (thidua.organizations.demo)


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def messages(page: Any) -> Any:
    return page.locator("ul.messages")


def typed_value(criterion: Any, rank: int = 1) -> str:
    """What an officer types in «Tự chấm» for a criterion, by kind, in Vietnamese decimals: graded criteria
    get full marks less half a point per `rank` ("4,5" of 5 for rank 1)."""
    from thidua.lib.decimals import format_vietnamese_decimal

    kind = criterion.kind
    if kind == "fixed":
        return format_vietnamese_decimal(max(criterion.max_points - Decimal("0.5") * rank, Decimal(0)))
    if kind == "pass_fail":
        return "1"
    if kind == "quantitative":
        return format_vietnamese_decimal(criterion.target)
    if kind == "per_occurrence":
        return "2"
    return "0"  # bonus, penalty


def close_db_connections() -> None:
    # A connection left open in Playwright's context keeps PostgreSQL's test database from being
    # dropped at the end of the session.
    from django.db import connections

    connections.close_all()


# English UI words that must not reach a Vietnamese user: whole words, case-sensitive. Proper nouns and
# thidua's own name are not English UI text and are not listed.
ENGLISH_WORDS = [
    "Submit", "Save", "Delete", "Cancel", "Reports", "Report", "Help", "Page", "Pages", "None", "Error",
    "Forbidden", "Not Found", "Dashboard", "Search", "Settings", "Edit", "Add", "Close", "Back", "Next",
    "Previous", "Loading", "Log in", "Log out", "Sign in", "Username", "Password", "Preview", "Publish",
    "Unpublish", "Draft", "Live", "Status", "Actions", "Workflow", "Moderation", "History", "Comments",
    "Privacy", "Upload", "Download", "Required", "Welcome", "Home", "Account", "Approve", "Reject",
    "Choose", "Filter", "Sort", "Yes", "Images", "Documents", "Snippets", "Users", "Groups", "Sites",
    "This field is required", "submitted for moderation", "has been", "Are you sure",
]  # fmt: skip
# Run in every page of the walk, after it loads: its visible text, checked against the words above,
# comes back through the console, as does its address (which counts the visit).
_PAGE_REPORT = """
(() => {
  const words = __WORDS__;
  const pattern = new RegExp("(?<![\\\\p{L}\\\\p{N}_])(" + words.join("|") + ")(?![\\\\p{L}\\\\p{N}_])", "gu");
  const report = () => {
    const text = (document.title || "") + "\\n" + (document.body ? document.body.innerText : "");
    const english = [...new Set(text.match(pattern) || [])];
    console.log("walk-page " + JSON.stringify({url: location.href, english}));
  };
  if (window.top === window) window.addEventListener("load", report);
})();
""".replace("__WORDS__", json.dumps(ENGLISH_WORDS))


@dataclass
class Defect:
    role: str
    url: str
    what: str

    def __str__(self) -> str:
        return f"{self.role}: {self.url}: {self.what}"


@dataclass
class Walk:
    """One browser context per person, each watched: every page it loads is counted for its role and
    read for English words, and every document or XHR/fetch answer in 4xx or 5xx is kept as a defect (the
    walk causes no refusal on purpose)."""

    browser: Any
    base_url: str
    viewport: dict[str, int] = field(default_factory=lambda: {"width": 1280, "height": 800})
    visits: Counter[str] = field(default_factory=Counter)
    defects: list[Defect] = field(default_factory=list)
    contexts: dict[str, Any] = field(default_factory=dict)
    pages: dict[str, Any] = field(default_factory=dict)
    # Keep walking past 4xx/5xx answers, English words and blocked scripts, and fail on them at the end
    # (`assert_clean(final=True)`): one run then lists every such defect. Dead ends still stop the walk.
    keep_going: bool = False

    # People and their browsers

    def _context(self, role: str, **options: Any) -> Any:
        context = self.browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **options)
        context.set_default_timeout(15_000)
        context.add_init_script(_PAGE_REPORT)
        context.on("response", lambda response: self._answered(role, response))
        context.on("page", lambda page: self._watch(role, page))
        self.contexts[role] = context
        return context

    def _watch(self, role: str, page: Any) -> None:
        page.on("console", lambda message: self._console(role, message.text, page.url))

    def _console(self, role: str, text: str, url: str) -> None:
        if text.startswith("walk-page "):
            report = json.loads(text.removeprefix("walk-page "))
            self.visits[role] += 1
            if report["english"]:
                self.defects.append(Defect(role, report["url"], f"English on the page: {report['english']}"))
        elif "Content Security Policy" in text:
            self.defects.append(Defect(role, url, f"blocked by the Content-Security-Policy: {text[:90]}…"))

    def _answered(self, role: str, response: Any) -> None:
        if response.request.resource_type not in ("document", "xhr", "fetch"):
            return
        if response.status >= 400:
            self.defects.append(Defect(role, response.url, f"answered {response.status}"))

    def person(self, username: str) -> Any:
        """`username`'s page, signed in (the first time: the login page is the one address typed)."""
        if username not in self.pages:
            page = self._context(username, viewport=self.viewport).new_page()
            log_in(page, self.base_url, username)
            self.pages[username] = page
        return self.pages[username]

    def phone(self, role: str) -> Any:
        """A fresh 390×844 phone with no account, counted under `role`."""
        context = self._context(role, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        return context.new_page()

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()

    # What every step checks

    def assert_clean(self, *, final: bool = False) -> None:
        """No 4xx/5xx, English word or blocked script so far."""
        if self.keep_going and not final:
            return
        assert not self.defects, "the walk met:\n" + "\n".join(str(d) for d in self.defects)

    def home(self, username: str) -> Any:
        """`username` opens the home page, where the to-dos are."""
        page = self.person(username)
        page.goto(f"{self.base_url}/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        return page

    def todo(self, username: str, text: str | re.Pattern[str], lands_on: str | re.Pattern[str]) -> Any:
        """From home, `username` clicks the to-do `text` and lands where that work is done."""
        page = self.home(username)
        todos = page.locator("ul.todos")
        link = todos.get_by_role("link", name=text)
        if not link.count():
            listed = todos.all_inner_texts() if todos.count() else ["(no to-do)"]
            raise AssertionError(f"{username}: no to-do {text!r} on the home page; it lists {listed}")
        link.first.click()
        if isinstance(lands_on, str):
            lands_on = re.compile(re.escape(lands_on) + r"(\?.*)?(#.*)?$")
        expect(page).to_have_url(lands_on)
        self.assert_clean()
        return page

    def report(self, labels: dict[str, str] | None = None) -> str:
        """The pages each role visited, as a Markdown table; `labels` say who a login is."""
        labels = labels or {}
        rows = "\n".join(
            f"| {labels.get(role, role)} | {count} |" for role, count in sorted(self.visits.items())
        )
        return f"| who | pages |\n|---|---|\n{rows}\n| total | {sum(self.visits.values())} |\n"


def issue_document(page: Any, button: str) -> str:
    """A conference's document as a clerk issues it: «Lập» makes the draft, without a number; «Ban hành»
    on its row gives the number and the date (issue 15). Returns the number."""
    page.get_by_role("button", name=button, exact=True).click()
    expect(messages(page)).to_contain_text("Đã lập dự thảo")
    page.get_by_role("button", name=re.compile(r"^Ban hành ")).click()
    expect(messages(page)).to_contain_text("Đã ban hành văn bản số")
    found = re.search(r"Đã ban hành văn bản số (\S+) ngày", messages(page).inner_text())
    assert found, messages(page).inner_text()
    return found.group(1)


def register_row(page: Any, number: str) -> Any:
    """The documents register's row of the document issued today as `number`: numbers start again each
    year, so an earlier year's document on the same page may carry the same one."""
    return (
        page.get_by_role("row").filter(has_text=number).filter(has_text=f"{datetime.date.today():%d/%m/%Y}")
    )
