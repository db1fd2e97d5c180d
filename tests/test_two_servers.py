"""Two app servers behind one address (issue 16): two gunicorn processes on two ports share PostgreSQL,
Redis and the S3-compatible media store, and nothing else (each has its own THIDUA_VAR_DIR, as two
machines would). One officer's browser (one cookie jar) sends its requests to them in turn: signed in on
one, still signed in on the other; a score saved on one is what the other shows, its cached pages
included; a form drawn on one and stale is refused on the other, not lost; documents issued on both at
once take unique, consecutive numbers; a file uploaded to one is downloaded from the other; an Excel
import previewed on one is confirmed on the other. A news page kept in each server's memory is redrawn
on both once an article changes.

PostgreSQL only, with Redis (tests/live.py); the S3 server is moto's, started by the test (tests/s3.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection, connections
from django.db.models import Max
from django.utils.timezone import localdate

from tests.live import HOST, Server, serving
from tests.test_concurrency import _at_once
from tests.test_two_sessions import SHEET, _confirm, _prepare, _score
from thidua.assessments.demo import minimal_pdf
from thidua.assessments.tests.test_score_excel import fill
from thidua.assessments.tests.test_versioned_saves import form_of

pytestmark = [pytest.mark.once, pytest.mark.django_db(transaction=True)]

Y2026 = "/nam-thi-dua/vusta-cum-4/2026"
DOCUMENTS = "/nam-thi-dua/vusta-cum-4/2023/van-ban/"
NEWS = "/tin-tuc/lhh-ninh-binh/"
PASSWORD = "mat-khau-hai-may-chu-2026"
TIMEOUT = 30
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_MESSAGES = re.compile(r'<ul class="messages">(.*?)</ul>', re.S)
_FORM = re.compile(r"<form [^>]*>.*?</form>", re.S)


@dataclass
class Browser:
    """One browser: one cookie jar, whichever server it talks to (the load balancer's choice), and the
    CSRF token of the last page it drew."""

    session: requests.Session
    token: str = ""

    def _keep(self, response: requests.Response) -> requests.Response:
        found = _TOKEN.search(response.text)
        if found is not None:
            self.token = found.group(1)
        return response

    def get(self, server: Server, path: str) -> requests.Response:
        url = f"http://{HOST}:{server.port}{path}"
        return self._keep(self.session.get(url, allow_redirects=False, timeout=TIMEOUT))

    def post(
        self, server: Server, path: str, form: dict[str, str], files: dict[str, Any] | None = None
    ) -> requests.Response:
        url = f"http://{HOST}:{server.port}{path}"
        data = {**form, "csrfmiddlewaretoken": self.token}
        return self._keep(
            self.session.post(url, data=data, files=files, allow_redirects=False, timeout=TIMEOUT)
        )

    def messages(self, server: Server, response: requests.Response) -> str:
        """The messages a redirected request left, as the page it leads to on `server` shows them."""
        assert response.status_code == 302, (response.status_code, response.text[-2000:])
        page = self.get(server, response.headers["Location"])
        assert page.status_code == 200, page.text[-2000:]
        shown = _MESSAGES.search(page.text)
        return unescape(shown.group(1)) if shown else ""


@pytest.fixture
def two_servers(
    request: pytest.FixtureRequest, demo_restored_after_module: None, tmp_path: Path
) -> Iterator[Any]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: both servers must reach the test database, which SQLite keeps in memory"
        )
    if not settings.SHARED_CACHE:
        pytest.skip("several app servers share Redis (THIDUA_REDIS_URL): run the PostgreSQL pass with it")
    s3 = request.getfixturevalue("media_on_s3")  # this process stores on the same bucket
    # One worker each: what a server keeps in memory is then what the next request to it finds, so a page
    # kept stale would be served, not missed by landing on a sibling worker.
    # No LibreOffice: documents are DOCX only (their PDFs are the S3 test's), and none outlives the servers.
    env = {**s3.env(), "THIDUA_SOFFICE": str(tmp_path / "no-soffice")}
    with ExitStack() as stack:
        servers = []
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            servers.append(
                stack.enter_context(serving(tmp_path / name, processes=1, access_log=True, env=env))
            )
        yield (*servers, s3)


def _sign_in_password() -> None:
    """ninhbinh's password, hashed as production hashes it (the suite's own hasher is MD5, which the
    servers do not accept); few rounds, since the servers hash it again at sign-in anyway."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from thidua.accounts.models import User

    hasher = PBKDF2PasswordHasher()
    User.objects.filter(username="ninhbinh").update(
        password=hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    )


def _row(page: str, organization: str) -> str:
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(organization)}(?:(?!</tr>).)*</tr>", page, re.S)
    assert row is not None, page[-3000:]
    return unescape(row.group(0))


def test_one_browser_alternating_between_two_servers_sees_no_stale_page_loses_nothing_duplicates_nothing(
    two_servers: tuple[Server, Server, Any], tmp_path: Path
) -> None:
    from thidua.audit.models import AuditEvent
    from thidua.audit.services import verify_chain
    from thidua.documents.models import Document
    from thidua.news.tests.helpers import SEED_PATH, seed

    a, b, s3 = two_servers
    _prepare()  # Ninh Bình's 2026 sheet complete but for what the browser types, reviewers assigned
    _sign_in_password()
    since = AuditEvent.objects.aggregate(last=Max("seq"))["last"] or 0
    a.start()
    b.start()
    officer = Browser(requests.Session())

    # Signed in on A, and so on B: the session is in the shared store.
    officer.get(a, "/tai-khoan/dang-nhap/")
    signed_in = officer.post(a, "/tai-khoan/dang-nhap/", {"username": "ninhbinh", "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.text[-2000:]
    home = officer.get(b, "/")
    assert home.status_code == 200 and "Đăng xuất" in home.text

    # A score saved on A is what B shows, on the sheet and, once submitted, in B's cached summary.
    one = _score("1.1")
    summary = f"{Y2026}/tong-hop/"
    assert 'class="state-draft"' in _row(officer.get(b, summary).text, "Ninh Bình")  # drawn, and kept on B
    assert form_of(officer.get(b, SHEET).text)[f"value-{one.pk}"] == "2"
    saved = officer.post(
        a, SHEET, {**form_of(officer.get(a, SHEET).text), f"value-{one.pk}": "1", "action": "save"}
    )
    assert "Đã lưu bảng tự chấm." in officer.messages(b, saved)
    assert form_of(officer.get(b, SHEET).text)[f"value-{one.pk}"] == "1"

    # A form drawn on B, then changed on A, then sent to B: refused, saying what is stored; nothing lost.
    stale = form_of(officer.get(b, SHEET).text)
    saved = officer.post(
        a, SHEET, {**form_of(officer.get(a, SHEET).text), f"value-{one.pk}": "3", "action": "save"}
    )
    assert "Đã lưu bảng tự chấm." in officer.messages(a, saved)
    refused = officer.post(b, SHEET, {**stale, f"value-{one.pk}": "4", "action": "save"})
    assert refused.status_code == 200
    assert re.search(r"Tiêu chí 1\.1 đã được sửa bởi .+ Giá trị đang lưu: 3\b", unescape(refused.text))
    assert _score("1.1").self_value == Decimal(3)

    # Evidence uploaded to A, downloaded from B: both read the one media store.
    data = minimal_pdf("Minh chung hai may chu")
    three = _score("3.1")
    officer.get(a, SHEET)
    added = officer.post(
        a, f"{SHEET}minh-chung/{three.pk}/them/", {}, files={"file": ("hai-may.pdf", data, "application/pdf")}
    )
    assert added.status_code == 302, added.text[-2000:]
    evidence = three.evidence.get(original_name="hai-may.pdf")
    downloaded = officer.get(b, f"{SHEET}minh-chung/{evidence.pk}/")
    assert downloaded.status_code == 200 and downloaded.content == data
    assert s3.objects()[evidence.file.name] == data

    # A score sheet in Excel previewed on A, confirmed on B: the upload waits in the shared store between.
    two = _score("1.2")
    exported = officer.get(b, f"{SHEET}bang-diem.xlsx")
    assert exported.status_code == 200
    officer.get(a, f"{SHEET}nhap-excel/")
    preview = officer.post(
        a,
        f"{SHEET}nhap-excel/",
        {},
        files={"file": ("bang-diem.xlsx", fill(exported.content, values={"1.2": 2}))},
    )
    token = re.search(r'name="token" value="([^"]+)"', preview.text)
    assert preview.status_code == 200 and token is not None, preview.text[-2000:]
    assert [k for k in s3.objects() if k.startswith("imports/scores/")], "the upload waits in the bucket"
    confirmed = officer.post(b, f"{SHEET}nhap-excel/xac-nhan/", {"token": token.group(1)})
    assert confirmed.status_code == 302, confirmed.text[-2000:]
    assert _score("1.2").self_value == Decimal(2) != two.self_value

    # Submitted on B; A's summary, and B's kept one, show it submitted with the total stored.
    confirmation = officer.post(b, SHEET, {**form_of(officer.get(b, SHEET).text), "action": "submit"})
    action, fields = _confirm_page(confirmation)
    assert "Đã nộp bản tự chấm." in officer.messages(a, officer.post(b, action, fields))
    total = f"{_self_total():.2f}".replace(".", ",")
    for server in (b, a):
        row = _row(officer.get(server, summary).text, "Ninh Bình")
        assert 'class="state-submitted"' in row and f'<td class="num total">{total}</td>' in row, row

    # Documents issued on both servers at once: unique, consecutive numbers, none lost.
    drafts = _drafts_made_in_turn(officer, a, b)
    # Numbers run per issuer and per year of the issue date: today's.
    this_year = Document.objects.filter(issuer_group__slug="vusta-cum-4", date__year=localdate().year)
    last = this_year.exclude(number=None).aggregate(last=Max("number"))["last"] or 0
    officer.get(a, DOCUMENTS)

    def issue(index: int) -> int:
        server = (a, b)[index % 2]
        return officer.post(server, f"{DOCUMENTS}{drafts[index]}/ban-hanh/", {}).status_code

    statuses, failures = _at_once(len(drafts), issue)
    assert not failures and statuses == [302] * len(drafts), (statuses, failures)
    numbers = sorted(n or 0 for n in Document.objects.filter(pk__in=drafts).values_list("number", flat=True))
    assert numbers == list(range(last + 1, last + 1 + len(drafts))), numbers
    stored = s3.objects()
    for index, pk in enumerate(drafts):
        document = Document.objects.get(pk=pk)
        # Downloaded from the server that did not issue it.
        got = officer.get((b, a)[index % 2], f"{DOCUMENTS}{pk}/docx/")
        assert got.status_code == 200 and got.content == stored[document.docx.name]

    # A news page kept in each server's memory: redrawn on both once the article changes anywhere.
    reader = Browser(requests.Session())
    article = seed()
    path = NEWS.rstrip("/") + SEED_PATH
    for server in (a, b):
        assert article.title in unescape(reader.get(server, path).text)
    article.title = "Cụm thi đua số 4 tổng kết năm 2026 (hai máy chủ)"
    article.save_revision().publish()
    for server in (b, a):
        assert article.title in unescape(reader.get(server, path).text)

    # Every request answered without error; no file written beside either server; the chain verifies.
    a.kill_all()
    b.kill_all()
    assert a.problems() == [] and b.problems() == []
    for name in ("a", "b"):
        media = tmp_path / name / "var" / "media"
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    events = AuditEvent.objects.filter(seq__gt=since)
    assert events.filter(verb="document.issue").count() == len(drafts)
    assert verify_chain() is None
    connections.close_all()


def _self_total() -> Decimal:
    from thidua.assessments.ranking import year_results
    from thidua.years.models import EmulationYear

    results = year_results(EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026))
    (ninh_binh,) = [m for m in results.members if m.organization.code == "lhh-ninh-binh"]
    assert ninh_binh.self_total is not None
    return Decimal(ninh_binh.self_total.total)


def _confirm_page(response: requests.Response) -> tuple[str, dict[str, str]]:
    from tests.live import Reply

    return _confirm(Reply(response.status_code, {}, response.text))


def _drafts_made_in_turn(officer: Browser, a: Server, b: Server) -> list[int]:
    """A draft of every document of 2023's conference the demo did not issue, made on A and B in turn;
    their primary keys."""
    from thidua.documents.models import Document

    before = set(Document.objects.values_list("pk", flat=True))
    page = officer.get(a, DOCUMENTS).text
    forms = [form_of(f) for f in _FORM.findall(page) if f'action="{DOCUMENTS}lap/"' in f.split(">", 1)[0]]
    issued = set(Document.objects.exclude(number=None).values_list("kind", "poll_id"))
    wanted = [f for f in forms if (f["kind"], int(f["poll"]) if f.get("poll") else None) not in issued]
    assert len(wanted) >= 4, forms
    for index, form in enumerate(wanted):
        made = officer.post((a, b)[index % 2], f"{DOCUMENTS}lap/", form)
        assert "Đã lập dự thảo" in officer.messages((b, a)[index % 2], made)
    return sorted(set(Document.objects.values_list("pk", flat=True)) - before)
