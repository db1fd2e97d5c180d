"""Two people at once, over real HTTP against gunicorn with 4 workers on PostgreSQL: every case issue 13
saw lose work, duplicate a record or mislead, replayed, and nothing lost (issue 13, "Done when").

Each user is a browser of its own (a cookie jar, tests/live.py); a double click is the same browser
sending one form twice, both requests released together. The sheet, review and settling cases run on
the demo's 2026 year (self-scoring open: Hà Tĩnh, Huế and Nghệ An submitted, Ninh Bình part-way); the
conference cases on a 2026 conference the test creates through the pages. At the end the server's log
holds no traceback and no 5xx, and the audit chain verifies with one event per action.

PostgreSQL only: gunicorn must reach the test database (see tests/live.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.http import HttpResponse

from tests.live import Browser, Reply, Server, serving
from tests.test_concurrency import _at_once
from thidua.assessments.tests.confirming import confirmed
from thidua.assessments.tests.test_versioned_saves import form_of

pytestmark = [pytest.mark.once, pytest.mark.django_db(transaction=True)]

YEAR = 2026
Y = f"/nam-thi-dua/vusta-cum-4/{YEAR}"
SHEET = f"{Y}/cham-diem/lhh-ninh-binh/"
NINH_BINH_OFFICER = "Cán bộ thi đua Ninh Bình (demo)"
WHEN = r"lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}"
_FORM = re.compile(r"<form [^>]*>.*?</form>", re.S)
_MESSAGES = re.compile(r'<ul class="messages">(.*?)</ul>', re.S)
_MESSAGE = re.compile(r"<li[^>]*>(.*?)</li>", re.S)
_ACTION = re.compile(r'<form method="post" action="([^"]+)" class="actions">')


@pytest.fixture
def server(demo_restored_after_module: None, tmp_path: Path) -> Iterator[Server]:
    # THIDUA_SOFFICE names no file: documents are issued as DOCX only, and no LibreOffice outlives the
    # workers this test kills.
    no_pdf = {"THIDUA_SOFFICE": str(tmp_path / "no-soffice")}
    with serving(tmp_path, processes=4, access_log=True, env=no_pdf) as running:
        yield running


def _text(reply: Reply) -> str:
    return unescape(reply.body)


def _form_posting_to(page: str, action: str) -> dict[str, str]:
    """What the page's form posting to `action` sends when nothing is typed ("": the form posting back
    to the page itself)."""
    for form in _FORM.findall(page):
        opening = form.split(">", 1)[0]
        if (f'action="{action}"' in opening) if action else ("action=" not in opening):
            return form_of(form)
    raise AssertionError(f"no form posts to {action or 'the page'}")


def _confirm(confirmation: Reply) -> tuple[str, dict[str, str]]:
    """Where the confirmation page's «Xác nhận …» button posts, and what it sends."""
    action = _ACTION.search(confirmation.body)
    assert action is not None, confirmation
    return unescape(action.group(1)), confirmed(HttpResponse(confirmation.body, status=confirmation.status))


def _twice_at_once(browsers: list[Browser], path: str, forms: list[dict[str, str]]) -> list[Reply]:
    """The same form sent by two tabs (or two people) at once; the replies in the tabs' order."""
    replies: dict[int, Reply] = {}

    def send(index: int) -> None:
        replies[index] = browsers[index].post(path, forms[index])

    _, failures = _at_once(2, send)
    assert not failures, failures
    return [replies[0], replies[1]]


def _messages(browser: Browser, reply: Reply) -> str:
    """The messages the request left, as the page its redirect leads to shows them, one a line."""
    page = browser.follow(reply)
    assert page.status == 200, page
    shown = _MESSAGES.search(page.body)
    return "\n".join(unescape(m) for m in _MESSAGE.findall(shown.group(1))) if shown else ""


def _one_each(pages: list[str], *words: str) -> None:
    """Each of `words` is on exactly one of the two pages: one request did it, the other was told."""
    for pattern in words:
        found = [bool(re.search(pattern, page)) for page in pages]
        assert found.count(True) == 1, (pattern, pages)
    assert not any(re.search(words[0], p) and re.search(words[1], p) for p in pages)


@dataclass(frozen=True)
class Setup:
    emulation_year: Any
    reviewed: str  # the code of a submitted member the test cross-checks
    reviewer: str  # the username of an officer of its reviewer


def _prepare() -> Setup:
    """The demo, plus what the cases need before anyone opens a page: Ninh Bình's sheet complete but for
    what the two tabs type (so the first tab can submit it), and the year's reviewers assigned."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from thidua.accounts.models import User
    from thidua.assessments import services
    from thidua.assessments.demo import minimal_pdf, officer_of
    from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment
    from thidua.demo.loader import load_full_demo
    from thidua.years.models import EmulationYear

    load_full_demo()
    emulation_year = EmulationYear.objects.get(group__slug="vusta-cum-4", year=YEAR)
    ninh_binh = Assessment.objects.get(emulation_year=emulation_year, organization__code="lhh-ninh-binh")
    assert ninh_binh.status == AssessmentStatus.DRAFT
    officer = User.objects.get(username="ninhbinh")
    for score in ninh_binh.scores.filter(self_points__isnull=True):
        services.save_self_score(actor=officer, score=score, value=Decimal(0), note="")
    for score in ninh_binh.scores.filter(criterion__evidence_required=True, evidence__isnull=True):
        pdf = SimpleUploadedFile("minh-chung.pdf", minimal_pdf("Minh chung"), content_type="application/pdf")
        services.add_evidence(actor=officer, score=score, upload=pdf)
    assert not services.submission_problems(ninh_binh)
    staff = User.objects.get(username="vusta")
    services.assign_reviewers(
        actor=staff, emulation_year=emulation_year, assignments=services.propose_reviewers(emulation_year)
    )
    submitted = Assessment.objects.filter(emulation_year=emulation_year, status=AssessmentStatus.SUBMITTED)
    assignment = (
        ReviewAssignment.objects.filter(
            emulation_year=emulation_year, reviewed__in=submitted.values("organization")
        )
        .select_related("reviewer", "reviewed")
        .order_by("reviewed__code")
        .first()
    )
    assert assignment is not None, "the demo's 2026 has submitted sheets"
    return Setup(emulation_year, assignment.reviewed.code, officer_of(assignment.reviewer).username)


def _events(since: int) -> Counter[str]:
    from thidua.audit.models import AuditEvent

    return Counter(AuditEvent.objects.filter(seq__gt=since).values_list("verb", flat=True))


def _score(code: str, organization: str = "lhh-ninh-binh") -> Any:
    from thidua.assessments.models import Score

    return Score.objects.select_related("criterion").get(
        assessment__emulation_year__group__slug="vusta-cum-4",
        assessment__emulation_year__year=YEAR,
        assessment__organization__code=organization,
        criterion__code=code,
    )


def test_two_sessions_on_a_live_server_lose_nothing_duplicate_nothing_and_say_what_happened(
    server: Server, settings: Any, tmp_path: Path
) -> None:
    from django.db.models import Max

    from thidua.audit.models import AuditEvent
    from thidua.audit.services import verify_chain

    settings.MEDIA_ROOT = str(tmp_path / "media")  # the evidence uploaded here, before the server starts
    setup = _prepare()
    since = AuditEvent.objects.aggregate(last=Max("seq"))["last"] or 0
    server.start()
    first, second = Browser.signed_in(server.port, "ninhbinh"), Browser.signed_in(server.port, "ninhbinh")
    head, staff = Browser.signed_in(server.port, "quangtri"), Browser.signed_in(server.port, "vusta")

    _two_tabs_on_one_sheet(first, second, since)
    _sheet_submitted_in_another_tab(first, second)
    _review_completed_twice(Browser.signed_in(server.port, setup.reviewer), setup)
    _one_score_settled_from_two_sessions(head, staff, setup, since)
    _settling_clicked_twice(head, setup, since)
    conference = _conference_created_twice(head, setup)
    _voting_delegate_added_twice(head, staff, conference)
    poll = _poll_created_twice(head, conference)
    _published_from_two_sessions(head, staff, poll)
    _minutes_issued_twice(head, conference)
    _amended_twice_then_signed(head)

    # One event per action, no request failed on the server, and the chain verifies.
    server.kill_all()  # every connection to the test database closed before the checks and the flush
    events = _events(since)
    for verb in (
        "score.keep",
        "assessment.submit",
        "review.complete",
        "conference.create",
        "delegate.add",
        "poll.create",
        "poll.open",
        "poll.close",
        "poll.confirm",
        "poll.publish",
        "document.issue",
        "agreement.amend",
    ):
        # The counting board's three delegates, added to hold the key, are the other delegate.add events.
        # And the minutes' draft, made from two tabs at once, is made twice (it takes no number).
        expected = {"delegate.add": 4}.get(verb, 1)
        assert events[verb] == expected, (verb, events)
    assert events["document.draft"] == 2, events
    assert '"POST /nam-thi-dua/' in server.log.read_text()  # the access log is there to be read
    assert server.problems() == []
    assert verify_chain() is None
    connections.close_all()


def _two_tabs_on_one_sheet(first: Browser, second: Browser, since: int) -> None:
    """Two sessions of Ninh Bình on one sheet: different rows are both kept; the same row, saved from
    the stale form, is refused alone, saying what is stored, by whom and when; then overwritten or kept
    by choice, and the chain says which."""
    from thidua.audit.models import AuditEvent

    one, two = _score("1.1"), _score("1.2")
    assert (one.self_value, two.self_value) == (Decimal(2), Decimal(4))  # the demo's values
    drawn_first, drawn_second = first.get(SHEET), second.get(SHEET)
    assert drawn_first.status == drawn_second.status == 200
    form_first, form_second = form_of(drawn_first.body), form_of(drawn_second.body)
    value_one, value_two = f"value-{one.pk}", f"value-{two.pk}"

    saved = first.post(SHEET, {**form_first, value_one: "1", "action": "save"})
    assert "Đã lưu bảng tự chấm." in _messages(first, saved)
    saved = second.post(SHEET, {**form_second, value_two: "3", "action": "save"})
    assert "Đã lưu bảng tự chấm." in _messages(second, saved)
    assert (_score("1.1").self_value, _score("1.2").self_value) == (Decimal(1), Decimal(3))

    refused = second.post(SHEET, {**form_second, value_one: "4", "action": "save"})
    assert refused.status == 200, refused
    page = _text(refused)
    assert "1 dòng chưa lưu vì đã có người sửa sau khi bạn mở trang" in page
    assert re.search(
        rf"Tiêu chí 1\.1 đã được sửa bởi {re.escape(NINH_BINH_OFFICER)} {WHEN} sau khi bạn mở trang; "
        r"chưa lưu thay đổi của bạn\. Giá trị đang lưu: 1\b",
        page,
    ), page[-3000:]
    assert (_score("1.1").self_value, _score("1.2").self_value) == (Decimal(1), Decimal(3))
    again = form_of(refused.body)
    assert again[f"resolve-{one.pk}"] == "keep"
    overwritten = second.post(SHEET, {**again, f"resolve-{one.pk}": "overwrite", "action": "save"})
    assert "Đã lưu bảng tự chấm." in _messages(second, overwritten)
    assert _score("1.1").self_value == Decimal(4)

    # The first tab, still showing 2, tries 1.1 once more, is refused, and keeps what is stored.
    refused = first.post(SHEET, {**form_first, value_one: "5", "action": "save"})
    assert re.search(r"Tiêu chí 1\.1 đã được sửa bởi .+ Giá trị đang lưu: 4\b", _text(refused)), refused
    kept = first.post(SHEET, {**form_of(refused.body), "action": "save"})
    assert "Đã lưu bảng tự chấm." in _messages(first, kept)
    assert _score("1.1").self_value == Decimal(4)
    writes = AuditEvent.objects.filter(seq__gt=since, verb="score.self", target_id=str(one.pk))
    assert [e.data.get("overwrote", {}).get("value") for e in writes.order_by("seq")] == [None, "1.00"]
    keep = AuditEvent.objects.get(seq__gt=since, verb="score.keep", target_id=str(one.pk))
    assert keep.data["kept"]["value"] == "4.00" and keep.data["given_up"]["value"] == "5"


def _sheet_submitted_in_another_tab(first: Browser, second: Browser) -> None:
    """The sheet submitted in one tab; the other tab's save says so, not "giá trị không hợp lệ"."""
    two = _score("1.2")
    stale = form_of(second.get(SHEET).body)
    confirmation = first.post(SHEET, {**form_of(first.get(SHEET).body), "action": "submit"})
    assert confirmation.status == 200, confirmation
    action, fields = _confirm(confirmation)
    assert "Đã nộp bản tự chấm." in _messages(first, first.post(action, fields))
    refused = second.post(SHEET, {**stale, f"value-{two.pk}": "2", "action": "save"})
    assert refused.status == 200, refused
    page = _text(refused)
    assert re.search(
        rf"Chưa lưu: Bản tự chấm đã nộp {WHEN} bởi {re.escape(NINH_BINH_OFFICER)}; cần mở lại trước khi sửa\.",
        page,
    ), page[-3000:]
    assert "giá trị không hợp lệ" not in page and "dòng đánh dấu đỏ" not in page
    assert _score("1.2").self_value == two.self_value


def _review_completed_twice(reviewer: Browser, setup: Setup) -> None:
    """«Hoàn thành chấm chéo» sent twice at once: one completion, and the other told when and by whom."""
    from thidua.assessments.models import ReviewAssignment

    review = f"{Y}/cham-cheo/{setup.reviewed}/"
    agreed = reviewer.post(review, {**form_of(reviewer.get(review).body), "action": "agree_all"})
    assert agreed.status == 302, agreed
    confirmation = reviewer.post(review, {**form_of(reviewer.get(review).body), "action": "complete"})
    action, fields = _confirm(confirmation)
    tabs = [reviewer.tab(), reviewer.tab()]
    replies = _twice_at_once(tabs, action, [fields, fields])
    assert [r.status for r in replies] == [302, 302], replies
    pages = [_messages(tab, reply) for tab, reply in zip(tabs, replies, strict=True)]
    _one_each(
        pages, r"Đã hoàn thành chấm chéo\.", rf"Đã hoàn thành chấm chéo {WHEN} bởi .+; không sửa được\."
    )
    assert ReviewAssignment.objects.get(
        emulation_year=setup.emulation_year, reviewed__code=setup.reviewed
    ).completed_at


def _one_score_settled_from_two_sessions(head: Browser, staff: Browser, setup: Setup, since: int) -> None:
    """Quảng Trị settles a score at 3 while VUSTA settles it at 2, at once: one wins, the other is
    refused and told the value the winner stored, by whom and when."""
    from thidua.audit.models import AuditEvent

    score = _score("2.1", setup.reviewed)
    assert score.final_points is None and score.criterion.max_points >= 3
    settle = f"{Y}/chot-diem/{score.pk}/"
    confirmed_forms = []
    for browser, points in ((head, "3"), (staff, "2")):
        drawn = _form_posting_to(browser.get(f"{Y}/chot-diem/").body, settle)
        action, fields = _confirm(browser.post(settle, {**drawn, "final_points": points}))
        assert action == settle and fields["version"] == str(score.version)
        confirmed_forms.append(fields)
    replies = _twice_at_once([head, staff], settle, confirmed_forms)
    pages = [_messages(head, replies[0]), _messages(staff, replies[1])]
    score.refresh_from_db()
    winner = 0 if score.final_points == Decimal(3) else 1
    assert score.final_points == Decimal(("3", "2")[winner])
    assert "Đã chốt tiêu chí 2.1 của " in pages[winner]
    who = ("Cán bộ thi đua Quảng Trị (demo)", "Cán bộ Ban Thi đua — Khen thưởng (demo)")[winner]
    assert re.search(
        rf"Điểm chốt tiêu chí 2\.1 của .+ đã được sửa bởi {re.escape(who)} {WHEN} sau khi bạn mở trang; "
        rf"chưa lưu thay đổi của bạn\. Giá trị đang lưu: {('3', '2')[winner]}\.",
        pages[1 - winner],
    ), pages
    assert AuditEvent.objects.filter(seq__gt=since, verb="score.settle", target_id=str(score.pk)).count() == 1


def _settling_clicked_twice(head: Browser, setup: Setup, since: int) -> None:
    """«Chốt điểm» twice at once: each agreed score settled once, and the second click told when."""
    from thidua.assessments import services
    from thidua.audit.models import AuditEvent

    to_settle = len(services.agreed_to_settle(setup.emulation_year))
    assert to_settle > 0
    action, fields = _confirm(head.post(f"{Y}/chot-diem/", {}))
    tabs = [head.tab(), head.tab()]
    replies = _twice_at_once(tabs, action, [fields, fields])
    pages = [_messages(tab, reply) for tab, reply in zip(tabs, replies, strict=True)]
    _one_each(
        pages,
        rf"Đã chốt {to_settle} tiêu chí không có ý kiến khác\.",
        rf"Các tiêu chí thống nhất đã được chốt {WHEN} bởi .+; không còn tiêu chí nào chờ chốt\.",
    )
    settled = Counter(
        AuditEvent.objects.filter(seq__gt=since, verb="score.settle").values_list("target_id", flat=True)
    )
    # The one score settled by hand before, and each agreed one: once.
    assert sum(settled.values()) == to_settle + 1 and set(settled.values()) == {1}
    assert not services.agreed_to_settle(setup.emulation_year)


def _conference_created_twice(head: Browser, setup: Setup) -> Any:
    """The conference form sent twice at once: one conference; the second answered with the first."""
    from thidua.conferences.models import Conference
    from thidua.organizations.models import Organization

    conferences = f"{Y}/hoi-nghi/"
    drawn = _form_posting_to(head.get(conferences).body, "")
    form = {
        "title": "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2026",
        "starts_at": "2026-12-22T08:00",
        "place": "Đông Hà",
        "host": str(Organization.objects.get(code="lhh-quang-tri").pk),
        "submit_key": drawn["submit_key"],
    }
    tabs = [head.tab(), head.tab()]
    replies = _twice_at_once(tabs, conferences, [form, form])
    conference = Conference.objects.get(emulation_year=setup.emulation_year)
    detail = f"{Y}/hoi-nghi/{conference.pk}/"
    assert [(r.status, r.location) for r in replies] == [(302, detail)] * 2, replies
    pages = [_messages(tab, reply) for tab, reply in zip(tabs, replies, strict=True)]
    assert sum("Yêu cầu này đã được thực hiện lúc" in p for p in pages) == 1, pages
    return conference


def _voting_delegate_added_twice(head: Browser, staff: Browser, conference: Any) -> None:
    """Ninh Bình's voting delegate added twice at once: one delegate; a second one, asked for from a
    fresh form, is refused (one vote per member)."""
    from thidua.conferences.models import Delegate
    from thidua.organizations.models import Organization

    ninh_binh = Organization.objects.get(code="lhh-ninh-binh")
    detail, add = f"{Y}/hoi-nghi/{conference.pk}/", f"{Y}/hoi-nghi/{conference.pk}/dai-bieu/them/"
    drawn = _form_posting_to(head.get(detail).body, add)
    form = {**drawn, "organization": str(ninh_binh.pk), "full_name": "Đinh Văn Nam", "votes": "on"}
    tabs = [head.tab(), head.tab()]
    replies = _twice_at_once(tabs, add, [form, form])
    assert [r.status for r in replies] == [302, 302], replies
    pages = [_messages(tab, reply) for tab, reply in zip(tabs, replies, strict=True)]
    _one_each(pages, "Đã thêm đại biểu Đinh Văn Nam", "Yêu cầu này đã được thực hiện lúc")
    fresh = _form_posting_to(staff.get(detail).body, add)
    refused = staff.post(
        add, {**fresh, "organization": str(ninh_binh.pk), "full_name": "Lê Thị Hoa", "votes": "on"}
    )
    assert re.search(
        rf"đã có đại biểu biểu quyết: Đinh Văn Nam \(thêm {WHEN} bởi .+\); quy chế: mỗi đơn vị thành viên "
        r"một phiếu\.",
        _messages(staff, refused),
    )
    assert Delegate.objects.filter(conference=conference, organization=ninh_binh, votes=True).count() == 1


def _poll_created_twice(head: Browser, conference: Any) -> Any:
    """The poll form sent twice at once: one poll, at position 1, and both tabs shown it."""
    from thidua.conferences.models import Poll

    create = f"{Y}/hoi-nghi/{conference.pk}/bo-phieu/them/"
    drawn = _form_posting_to(head.get(f"{Y}/hoi-nghi/{conference.pk}/").body, create)
    form = {"submit_key": drawn["submit_key"], "kind": "head", "mode": "electronic"}
    tabs = [head.tab(), head.tab()]
    replies = _twice_at_once(tabs, create, [form, form])
    poll = Poll.objects.get(conference=conference)
    assert poll.position == 1
    url = f"{Y}/hoi-nghi/{conference.pk}/bo-phieu/{poll.pk}/"
    assert [(r.status, r.location) for r in replies] == [(302, url)] * 2, replies
    pages = [_messages(tab, reply) for tab, reply in zip(tabs, replies, strict=True)]
    assert sum("Yêu cầu này đã được thực hiện lúc" in p for p in pages) == 1, pages
    return poll


def _published_from_two_sessions(head: Browser, staff: Browser, poll: Any) -> None:
    """«Công bố» from two sessions at once: published once; the other is told it already is, when and
    by whom (not that the counting board must confirm first)."""
    from thidua.accounts.models import User
    from thidua.conferences import services as conferences
    from thidua.conferences.models import PollStatus
    from thidua.organizations.models import Organization

    quangtri = User.objects.get(username="quangtri")
    for number, code in enumerate(("lhh-hue", "lhh-ha-tinh", "lhh-nghe-an"), start=1):
        conferences.add_delegate(
            actor=quangtri,
            conference=poll.conference,
            organization=Organization.objects.get(code=code),
            full_name=f"Thành viên ban kiểm phiếu {number}",
            counting_board=True,
            # The minutes issued below are signed by the conference's chair and secretary.
            role={1: "chair", 2: "secretary"}.get(number, ""),
        )
    url = f"{Y}/hoi-nghi/{poll.conference_id}/bo-phieu/{poll.pk}/"
    head.get(url)
    opened = head.post(f"{url}mo/", {})  # the board's key cards, in this response only
    assert opened.status == 200 and "Đã mở bỏ phiếu." in opened.body, opened
    shares = re.findall(r'Mảnh khóa số (\d+) · Mã: <code class="code">([^<]+)</code>', opened.body)
    assert len(shares) == 3, opened.body
    head.get(url)
    assert "Đã đóng bỏ phiếu." in _messages(head, head.post(f"{url}dong/", {}))
    head.get(url)
    typed = {f"share_{index}": code for index, code in shares[:2]}
    assert "Đã kiểm phiếu" in _messages(head, head.post(f"{url}kiem-phieu/", typed))
    head.get(url)
    assert "Ban kiểm phiếu đã xác nhận kết quả." in _messages(head, head.post(f"{url}xac-nhan/", {}))
    publish = f"{url}cong-bo/"
    forms = [{**_form_posting_to(b.get(url).body, publish), "xac_nhan": "on"} for b in (head, staff)]
    replies = _twice_at_once([head, staff], publish, forms)
    assert [r.status for r in replies] == [302, 302], replies
    pages = [_messages(head, replies[0]), _messages(staff, replies[1])]
    _one_each(pages, r"Đã công bố kết quả\.", rf"Kết quả đã được công bố {WHEN} bởi .+\.")
    assert all("cần được ban kiểm phiếu xác nhận" not in p for p in pages)
    poll.refresh_from_db()
    assert poll.status == PollStatus.PUBLISHED


def _minutes_issued_twice(head: Browser, conference: Any) -> None:
    """The minutes issued twice at once: one document, one number; the second told it exists."""
    from thidua.documents.models import Document

    documents, issue = f"{Y}/van-ban/", f"{Y}/van-ban/lap/"
    drawn = _form_posting_to(head.get(documents).body, issue)
    assert drawn["kind"] == "minutes"  # the page's first document button
    tabs = [head.tab(), head.tab()]
    replies = _twice_at_once(tabs, issue, [drawn, drawn])
    assert [(r.status, r.location) for r in replies] == [(302, documents)] * 2, replies
    # One draft, made twice: a draft takes no number, so «Lập» twice spends none (issue 15).
    minutes = Document.objects.get(conference=conference)
    assert minutes.kind == "minutes" and minutes.number is None
    pages = [_messages(tab, reply) for tab, reply in zip(tabs, replies, strict=True)]
    assert all("Đã lập dự thảo" in page for page in pages), pages
    # «Ban hành» from two tabs at once: one number; the other is told it is issued, when and by whom.
    publish = f"{Y}/van-ban/{minutes.pk}/ban-hanh/"
    replies = _twice_at_once(tabs, publish, [{}, {}])
    minutes.refresh_from_db()
    number = re.escape(minutes.number_text)
    _one_each(
        [_messages(tab, reply) for tab, reply in zip(tabs, replies, strict=True)],
        rf"Đã ban hành văn bản số {number} ngày",
        rf"Văn bản số {number} đã được ban hành {WHEN} bởi .+\.",
    )


def _amended_twice_then_signed(head: Browser) -> None:
    """ "Sửa đổi" sent twice at once: one amendment, the second told which and by whom. Once the members
    sign it, the year's pages still answer, on the amended version."""
    from thidua.accounts.models import User
    from thidua.agreements import services as agreements
    from thidua.agreements.models import Agreement, AgreementStatus
    from thidua.assessments.models import Assessment
    from thidua.organizations.models import Organization

    page, action = f"{Y}/giao-uoc/", f"{Y}/giao-uoc/sua-doi/"
    drawn = _form_posting_to(head.get(page).body, action)
    drawn["reason"] = "Hạ điểm tối đa tiêu chí 1.2, bỏ tiêu chí 1.3"
    tabs = [head.tab(), head.tab()]
    replies = _twice_at_once(tabs, action, [drawn, drawn])
    assert [(r.status, r.location) for r in replies] == [(302, page)] * 2, replies
    pages = [_messages(tab, reply) for tab, reply in zip(tabs, replies, strict=True)]
    _one_each(pages, r"Đã lập dự thảo sửa đổi", rf"Đã có bản sửa đổi lần 1 đang dự thảo, lập {WHEN} bởi .+;")
    amendment = Agreement.objects.get(emulation_year__year=YEAR, status=AgreementStatus.DRAFT)
    drafter = User.objects.get(username="quangtri")
    criterion = amendment.criteria.select_related("group").get(code="1.2")
    agreements.save_criterion(
        actor=drafter,
        agreement=amendment,
        criterion=criterion,
        values={
            "group": criterion.group,
            "code": "1.2",
            "text": criterion.text,
            "guidance": criterion.guidance,
            "kind": criterion.kind,
            "max_points": 3,
            "target": criterion.target,
            "points_per_unit": criterion.points_per_unit,
            "evidence_required": criterion.evidence_required,
        },
    )
    agreements.delete_criterion(actor=drafter, criterion=amendment.criteria.get(code="1.3"))
    agreements.open_for_signing(actor=drafter, agreement=amendment)
    for province in ("ninh-binh", "thanh-hoa", "nghe-an", "ha-tinh", "quang-tri", "hue"):
        agreements.sign(
            actor=User.objects.get(username=province.replace("-", "")),
            agreement=amendment,
            organization=Organization.objects.get(code=f"lhh-{province}"),
            signer_name="Chủ tịch",
            signer_title="Chủ tịch",
        )
    assert set(
        Assessment.objects.filter(
            emulation_year__year=YEAR, emulation_year__group__slug="vusta-cum-4"
        ).values_list("agreement", flat=True)
    ) == {amendment.pk}
    for path in ("/", "/giao-uoc/", "/tong-hop/", "/chot-diem/", "/cham-diem/lhh-ninh-binh/"):
        reply = head.get(f"{Y}{path}")
        assert reply.status == 200, (path, reply)
