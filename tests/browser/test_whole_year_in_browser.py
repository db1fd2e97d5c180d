"""A whole emulation year in Chromium, in a database holding the demo's registry and nothing else, done by
the people who do it, through the pages only (issue 12, "Done when"): Cụm thi đua số 4's 2026, from the
parent body's staff opening the year to the head elected at its conference opening 2027.

Each person has a browser of their own and starts from their home page: they reach their work through
the to-do list there and the links and buttons of the pages, never by typing an address (the login page
and the voting link of a delegate's card are the exceptions, as they are in life). The walk fails on a
dead end, a to-do that does not lead to its work, a 4xx or 5xx answer the user did not cause, an English
word on a page and a script or style the Content-Security-Policy blocks (`walk.Walk`). With
THIDUA_WALK_KEEP_GOING=1 it walks past the last three and fails on them at the end, so that one run lists
them all. It counts the pages each role visits; with THIDUA_WALK_DOCS=1 it writes them, and how far it
got, to docs/walk.md. The database is read to check results, never written after the registry.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.walk import Walk, close_db_connections, issue_document, messages, register_row, typed_value

pytestmark = [pytest.mark.browser, pytest.mark.once]

GROUP = "Cụm thi đua số 4"
GROUP_SLUG = "vusta-cum-4"
YEAR = 2026
UNION = "Liên hiệp các Hội Khoa học và Kỹ thuật"
# The members of 2026 (after the 01/07/2025 merger) and their officers.
OFFICERS = {
    "lhh-ninh-binh": ("ninhbinh", f"{UNION} tỉnh Ninh Bình"),
    "lhh-thanh-hoa": ("thanhhoa", f"{UNION} tỉnh Thanh Hóa"),
    "lhh-nghe-an": ("nghean", f"{UNION} tỉnh Nghệ An"),
    "lhh-ha-tinh": ("hatinh", f"{UNION} tỉnh Hà Tĩnh"),
    "lhh-quang-tri": ("quangtri", f"{UNION} tỉnh Quảng Trị"),
    "lhh-hue": ("hue", f"{UNION} thành phố Huế"),
}
HEAD = "lhh-quang-tri"  # the registry's head of 2026: its officer is the secretariat
DEPUTY = "lhh-hue"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "walk.md"


def year_path(rest: str = "") -> str:
    return f"/nam-thi-dua/{GROUP_SLUG}/{YEAR}/{rest}"


def officer(code: str) -> str:
    return OFFICERS[code][0]


def name(code: str) -> str:
    return OFFICERS[code][1]


@dataclass
class Year:
    """What the walk carries from one step to the next: only what a person would have at hand."""

    walk: Walk
    files: Path
    disputed: dict[str, str] = field(default_factory=dict)  # reviewed member → criterion code
    cards: dict[str, str] = field(default_factory=dict)  # delegate → code on the card handed out
    phones: dict[str, Any] = field(default_factory=dict)  # delegate → their phone, open at the vote
    card_url: str = ""
    documents: list[str] = field(default_factory=list)  # numbers of the documents issued

    def todo(self, username: str, work: str, lands_on: str) -> Any:
        """`username` follows, from home, the to-do of this year that starts with `work` (a pattern) and
        lands on the year's page `lands_on` (a pattern, after the year's address)."""
        return self.walk.todo(
            username,
            re.compile(f"^{work} — {GROUP} năm {YEAR}"),
            re.compile(re.escape(year_path()) + lands_on + "$"),
        )


# Registry only


@pytest.fixture
def registry_site(live_server: Any) -> Iterator[str]:
    """The live server over the demo's registry alone (VUSTA, its regulation, the groups, members and
    heads, the users and their roles) and Ninh Bình's news site with no article: no emulation year.

    The session's database holds the whole demo, committed: this test (transactional, as live_server
    makes it) empties every table first. pytest-django empties them again after it, and the package's
    `_demo_back_after_browser_tests` loads the whole demo back after the last browser test."""
    from django.core.management import call_command
    from django.db import connections

    from thidua.accounts.models import User
    from thidua.news.services import open_news_site
    from thidua.organizations.demo import load_demo
    from thidua.organizations.models import Organization

    call_command("flush", interactive=False, verbosity=0)
    load_demo()
    open_news_site(
        actor=User.objects.get(username="quantri"),
        organization=Organization.objects.get(code="lhh-ninh-binh"),
    )
    connections.close_all()
    yield str(live_server.url)
    close_db_connections()


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a temporary folder, not var/media (the live server shares these settings)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


def test_a_cluster_runs_its_whole_year_in_the_browser_from_the_agreement_to_the_news_article(
    browser: Any, registry_site: str, media_root: Path
) -> None:
    walk = Walk(browser, registry_site, keep_going=os.environ.get("THIDUA_WALK_KEEP_GOING") == "1")
    done: list[str] = []
    stopped = ""
    try:
        run_the_year(Year(walk, media_root), done)
        walk.assert_clean(final=True)
    except BaseException as error:
        stopped = " ".join(str(error).strip().splitlines()[:2]) or type(error).__name__
        raise
    finally:
        if os.environ.get("THIDUA_WALK_DOCS") == "1":
            write_docs(walk, done, stopped)
        walk.close()
        close_db_connections()


STEPS: list[Any] = []


def step(function: Any) -> Any:
    STEPS.append(function)
    return function


def run_the_year(year: Year, done: list[str]) -> None:
    for function in STEPS:
        function(year)
        year.walk.assert_clean()
        close_db_connections()
        done.append(function.__name__)


def write_docs(walk: Walk, done: list[str], stopped: str) -> None:
    steps = "\n".join(
        f"{number}. {'✔' if function.__name__ in done else '✘'} {function.__name__.replace('_', ' ')}"
        for number, function in enumerate(STEPS, start=1)
    )
    DOCS.write_text(
        "# The whole year, page by page\n\n"
        "`tests/browser/test_whole_year_in_browser.py` walks Cụm thi đua số 4's 2026 in Chromium, in a\n"
        "database holding the demo's registry alone, as the people who do the work: the parent body's staff,\n"
        "the six members' officers (Quảng Trị heads the year), the delegates on their phones, the news editor\n"
        "and manager, a reader. Each starts from their home page and its to-dos and clicks on. The table counts\n"
        "the pages each of them loaded, the login page included (each phone is one delegate).\n\n"
        "The walk fails on a dead end, a to-do that does not lead to its work, a 4xx or 5xx answer, an English\n"
        "word on a page and a script or style the Content-Security-Policy blocks. It is marked `browser` and\n"
        "`once`; `THIDUA_WALK_DOCS=1` rewrites this file, `THIDUA_WALK_KEEP_GOING=1` collects the last three\n"
        "kinds of defect and fails on them at the end, so that one run lists them all.\n\n"
        f"## Steps ({len(done)} of {len(STEPS)} done in the run that wrote this file)\n\n{steps}\n\n"
        + (
            f"The walk stopped at step {len(done) + 1}: {stopped.replace(walk.base_url, '')}\n\n"
            if stopped
            else ""
        )
        + (
            "Met on the way, each a failure (THIDUA_WALK_KEEP_GOING=1 walks past them and fails at the end):\n\n"
            + "".join(
                f"- {line}\n"
                for line in dict.fromkeys(str(d).replace(walk.base_url, "") for d in walk.defects)
            )
            + "\n"
            if walk.defects
            else ""
        )
        + "## Pages per role\n\n"
        + walk.report(
            {
                "vusta": "`vusta`, parent-body staff",
                officer(HEAD): f"`{officer(HEAD)}`, officer of the head of {YEAR} (secretariat)",
                officer(
                    NEXT_HEAD
                ): f"`{officer(NEXT_HEAD)}`, officer of the deputy, elected head of {YEAR + 1}",
                "bientap": "`bientap`, news editor",
                "duyettin": "`duyettin`, news manager",
                "người đọc": "a reader, on a phone",
                **{
                    officer(code): f"`{officer(code)}`, officer of a member"
                    for code in OFFICERS
                    if code not in (HEAD, NEXT_HEAD)
                },
                **{
                    f"đại biểu {delegate(code)}": f"delegate {delegate(code)}, on a phone"
                    for code in OFFICERS
                },
            }
        ),
        encoding="utf-8",
    )


# 1. The parent body's staff check the year's members, head and deputy, and open the year.


@step
def parent_staff_check_the_members_and_heads_and_open_the_year(year: Year) -> None:
    walk = year.walk
    page = walk.home("vusta")
    page.get_by_role("link", name="Xem danh sách", exact=True).click()
    page.get_by_role("link", name=GROUP, exact=True).click()
    page.get_by_role("link", name=f"Sửa thành viên, cụm trưởng, cụm phó năm {YEAR}").click()
    for code in OFFICERS:
        expect(page.get_by_role("row").filter(has_text=name(code))).to_have_count(1)
    for role, code in (("Cụm trưởng", HEAD), ("Cụm phó", DEPUTY)):
        expect(page.get_by_text(f"{role}: {name(code)}")).to_be_visible()
    page.get_by_role("link", name=GROUP).first.click()
    page.get_by_role("link", name="Mở năm thi đua").click()
    page.get_by_label("Năm").fill(str(YEAR))
    # Deadlines from today on, in the order of the year's work.
    today = datetime.date.today()
    for days, label in enumerate(
        (
            "Hạn ký giao ước",
            "Hạn tự chấm điểm",
            "Hạn chấm chéo",
            "Hạn giải trình",
            "Ngày hội nghị tổng kết",
            "Hạn gửi hồ sơ khen thưởng",
        ),
        start=1,
    ):
        page.get_by_label(label).fill((today + datetime.timedelta(days=days)).isoformat())
    page.get_by_role("button", name="Lưu").click()
    expect(messages(page)).to_contain_text(f"Đã mở năm thi đua {YEAR}.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Năm thi đua {YEAR}")
    expect(page.get_by_role("row").filter(has_text="Bảng điểm")).to_have_count(len(OFFICERS))


# 2. The head drafts the agreement from the template and opens it for signing.


@step
def the_head_drafts_the_agreement_from_the_template_and_opens_it_for_signing(year: Year) -> None:
    page = year.todo(officer(HEAD), "Soạn giao ước và mở ký", "giao-uoc/")
    page.get_by_role("button", name="Soạn từ mẫu cho Liên hiệp hội tỉnh").click()
    expect(page.get_by_text("Trạng thái: Dự thảo")).to_be_visible()
    page.get_by_role("button", name="Mở để các đơn vị ký").click()
    expect(page.get_by_text("Trạng thái: Đang ký")).to_be_visible()


# 3. Every member signs.


@step
def every_member_signs_the_agreement(year: Year) -> None:
    for number, code in enumerate(OFFICERS, start=1):
        page = year.todo(officer(code), "Ký giao ước", "giao-uoc/")
        signing = page.locator("form").filter(
            has=page.get_by_role("heading", name=f"Ký giao ước thay mặt {name(code)}")
        )
        signing.get_by_label("Người ký (thủ trưởng đơn vị)").fill(f"Chủ tịch số {number}")
        signing.get_by_label("Chức vụ").fill("Chủ tịch")
        signing.get_by_role("checkbox").check()
        signing.get_by_role("button", name="Ký giao ước").click()
        expect(messages(page)).to_contain_text(f"{name(code)} đã ký giao ước.")
    expect(page.get_by_text("Trạng thái: Có hiệu lực")).to_be_visible()


# 4. Members self-score, with a real PDF as evidence where the agreement asks for it, and submit.


def sheet_scores(code: str) -> list[Any]:
    from thidua.assessments.models import Score

    return list(
        Score.objects.filter(
            assessment__emulation_year__group__slug=GROUP_SLUG,
            assessment__emulation_year__year=YEAR,
            assessment__organization__code=code,
        )
        .select_related("criterion", "criterion__group")
        .order_by("criterion__group__position", "criterion__position")
    )


@step
def members_self_score_with_evidence_and_submit(year: Year) -> None:
    from thidua.assessments.demo import minimal_pdf

    for rank, code in enumerate(OFFICERS):
        page = year.todo(officer(code), "Tự chấm điểm", f"cham-diem/{code}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Bảng tự chấm điểm năm {YEAR}")
        scores = sheet_scores(code)
        for score in scores:
            page.get_by_label(f"Tự chấm {score.criterion.code}", exact=True).fill(
                typed_value(score.criterion, rank)
            )
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(messages(page)).to_contain_text("Đã lưu bảng tự chấm.")
        evidence = page.locator("section").filter(has=page.get_by_role("heading", name="Thêm minh chứng"))
        for score in scores:
            if not score.criterion.evidence_required:
                continue
            criterion = score.criterion.code
            pdf = year.files / f"minh-chung-{code}-{criterion}.pdf"
            pdf.write_bytes(minimal_pdf(f"Minh chung {criterion} - {code} - {YEAR}"))
            upload = evidence.locator("form").filter(
                has=page.get_by_label(f"Tiêu chí {criterion}", exact=True)
            )
            upload.get_by_label(f"Tiêu chí {criterion}", exact=True).set_input_files(pdf)
            upload.get_by_role("button", name="Tải lên").click()
            expect(messages(page)).to_contain_text(f"Đã thêm minh chứng cho tiêu chí {criterion}.")
        expect(page.get_by_role("heading", name="Còn thiếu trước khi nộp")).to_have_count(0)
        page.get_by_role("button", name="Nộp bản tự chấm").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Xác nhận nộp bản tự chấm năm {YEAR}")
        page.get_by_role("button", name="Xác nhận nộp").click()
        expect(messages(page)).to_contain_text("Đã nộp bản tự chấm.")
        expect(page.get_by_text("Trạng thái: Đã nộp")).to_be_visible()


# 5. The secretariat assigns the cross-checks; reviewers agree, one disagrees on one criterion.

DISAGREEING_ABOUT = "lhh-nghe-an"  # whose sheet gets the one disagreement
REVIEW_REASON = "Thiếu kế hoạch triển khai"
ANSWER = "Đơn vị bổ sung Kế hoạch số 12/KH-LHH triển khai nghị quyết đại hội."
FINAL_NOTE = "Chấp nhận một phần giải trình"


def shown(value: Decimal) -> str:
    from thidua.lib.decimals import format_vietnamese_decimal

    return format_vietnamese_decimal(value)


@step
def the_secretariat_assigns_the_cross_checks(year: Year) -> None:
    page = year.todo(officer(HEAD), "Phân công chấm chéo", "phan-cong-cham-cheo/")
    page.get_by_role("button", name="Lưu phân công").click()
    expect(messages(page)).to_be_visible()


def reviewer_of(code: str) -> str:
    from thidua.assessments.models import ReviewAssignment

    assignment = ReviewAssignment.objects.get(
        emulation_year__group__slug=GROUP_SLUG, emulation_year__year=YEAR, reviewed__code=code
    )
    return str(assignment.reviewer.code)


@step
def reviewers_agree_but_one_disagrees_on_one_criterion(year: Year) -> None:
    reviewed_by = {reviewer_of(code): code for code in OFFICERS}
    for reviewer, reviewed in reviewed_by.items():
        page = year.todo(
            officer(reviewer), f"Chấm chéo {re.escape(name(reviewed))}", f"cham-cheo/{reviewed}/"
        )
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Chấm chéo năm {YEAR}: {name(reviewed)}")
        if reviewed == DISAGREEING_ABOUT:
            scores = sheet_scores(reviewed)
            disputed = next(s for s in scores if s.criterion.kind == "fixed" and (s.self_points or 0) >= 1)
            code = disputed.criterion.code
            year.disputed[reviewed] = code
            page.get_by_label(f"Điểm chấm chéo {code}", exact=True).fill(shown(disputed.self_points - 1))
            page.get_by_label(f"Lý do {code}", exact=True).fill(REVIEW_REASON)
        page.get_by_role("button", name="Đồng ý tất cả điểm tự chấm").click()
        expect(messages(page)).to_contain_text("Đã lưu điểm chấm chéo.")
        page.get_by_role("button", name="Hoàn thành chấm chéo").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Xác nhận hoàn thành chấm chéo năm {YEAR}")
        page.get_by_role("button", name="Xác nhận hoàn thành").click()
        expect(messages(page)).to_contain_text("Đã hoàn thành chấm chéo.")


# 6. The member answers the disagreement.


@step
def the_member_answers_the_disagreement(year: Year) -> None:
    code = year.disputed[DISAGREEING_ABOUT]
    page = year.todo(
        officer(DISAGREEING_ABOUT), "Giải trình 1 tiêu chí", f"cham-diem/{DISAGREEING_ABOUT}/(#.*)?"
    )
    row = page.get_by_role("row").filter(has_text=REVIEW_REASON)
    expect(row).to_contain_text(code)
    row.get_by_label("Giải trình").fill(ANSWER)
    page.get_by_role("button", name="Gửi giải trình").click()
    expect(messages(page)).to_contain_text("Đã gửi giải trình.")


# 7. The secretariat settles; the ranking shows.


@step
def the_secretariat_settles_and_the_ranking_shows(year: Year) -> None:
    from thidua.assessments.ranking import year_results
    from thidua.years.models import EmulationYear

    code = year.disputed[DISAGREEING_ABOUT]
    page = year.todo(officer(HEAD), "Chốt điểm .*", "chot-diem/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Chốt điểm năm {YEAR}")
    page.get_by_role("button", name="Chốt các tiêu chí không có ý kiến khác").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xác nhận chốt điểm năm {YEAR}")
    page.get_by_role("button", name="Xác nhận chốt điểm").click()
    expect(page.get_by_role("heading", name="Còn chờ chốt (1)")).to_be_visible()
    pending = page.get_by_role("row").filter(has_text=REVIEW_REASON)
    expect(pending).to_contain_text(ANSWER)
    disputed = next(s for s in sheet_scores(DISAGREEING_ABOUT) if s.criterion.code == code)
    pending.get_by_label("Điểm chốt").fill(shown(disputed.reviewed_points + Decimal("0.5")))
    pending.get_by_label("Ghi chú").fill(FINAL_NOTE)
    pending.get_by_role("button", name="Chốt", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xác nhận chốt tiêu chí {code}")
    page.get_by_role("button", name="Xác nhận chốt điểm").click()
    expect(messages(page)).to_contain_text(f"Đã chốt tiêu chí {code} của {name(DISAGREEING_ABOUT)}.")
    expect(page.get_by_role("heading", name="Còn chờ chốt (0)")).to_be_visible()

    page.get_by_role("link", name=f"năm {YEAR}").first.click()
    page.get_by_role("link", name="Tổng hợp kết quả").first.click()
    ranking = page.get_by_role("row").filter(
        has_text=re.compile("|".join(re.escape(name(c)) for c in OFFICERS))
    )
    expect(ranking).to_have_count(len(OFFICERS))
    # The members rank in the order their self-scores were typed (OFFICERS), every sheet settled.
    results = year_results(EmulationYear.objects.get(group__slug=GROUP_SLUG, year=YEAR))
    ranked = sorted(results.members, key=lambda m: m.rank or 0)
    assert all(m.settled for m in ranked)
    assert [m.organization.code for m in ranked] == list(OFFICERS)
    for position, code in enumerate(OFFICERS):
        expect(ranking.nth(position)).to_contain_text(name(code))


# 8. The conference: created, delegates added, cards printed, check-in.

CONFERENCE = f"Hội nghị tổng kết công tác thi đua, khen thưởng năm {YEAR}"
# Three, as the regulation's default splits each electronic poll's key among three of them (2 of 3 count).
COUNTING_BOARD = ("lhh-ha-tinh", "lhh-thanh-hoa", "lhh-nghe-an")


def delegate(code: str) -> str:
    return f"Chủ tịch {name(code).removeprefix(UNION + ' ')}"


def open_conference(year: Year) -> Any:
    """The secretariat, from its to-do (preparing the conference, or ending it), on the conference's page."""
    page = year.todo(
        officer(HEAD), f".*(hội nghị tổng kết|{re.escape(CONFERENCE)})", r"hoi-nghi/(\d+/)?(#.*)?"
    )
    if page.get_by_role("link", name=CONFERENCE).count():
        page.get_by_role("link", name=CONFERENCE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CONFERENCE)
    return page


@step
def the_secretariat_prepares_the_conference_and_prints_the_cards(year: Year) -> None:
    page = year.todo(officer(HEAD), "Chuẩn bị hội nghị tổng kết", "hoi-nghi/")
    page.get_by_label("Tên hội nghị").fill(CONFERENCE)
    page.get_by_label("Thời gian").fill(f"{datetime.date.today().isoformat()}T08:00")
    page.get_by_label("Địa điểm").fill("Hội trường Liên hiệp hội tỉnh Quảng Trị, Đông Hà")
    page.get_by_label("Đơn vị đăng cai").select_option(label=name(HEAD))
    page.get_by_role("button", name="Tạo hội nghị").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CONFERENCE)
    for code in OFFICERS:
        page.locator("summary", has_text="Thêm đại biểu").click()
        page.get_by_label("Đơn vị", exact=True).select_option(label=name(code))
        page.get_by_label("Họ và tên").fill(delegate(code))
        page.get_by_label("Chức vụ").fill("Chủ tịch")
        page.get_by_label("Biểu quyết").check()
        if code in COUNTING_BOARD:
            page.get_by_label("Ban kiểm phiếu").check()
        page.get_by_role("button", name="Thêm", exact=True).click()
        expect(page.get_by_role("row").filter(has_text=delegate(code))).to_have_count(1)
    # The minutes' secretary: Quảng Trị's chief of office, picked from its leaders (name, position and
    # union come from its «Lãnh đạo đơn vị» page); then the chair and the secretary among the delegates.
    page.locator("summary", has_text="Thêm đại biểu").click()
    secretary = "Cán bộ thi đua Liên hiệp hội tỉnh Quảng Trị (minh họa)"
    page.get_by_label("Chọn từ lãnh đạo các đơn vị").select_option(
        label=f"{secretary} — Chánh Văn phòng, {name(HEAD)}"
    )
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=secretary)).to_contain_text("Chánh Văn phòng")
    page.get_by_label("Chủ trì hội nghị").select_option(label=f"{delegate(HEAD)}, Chủ tịch")
    page.get_by_label("Thư ký hội nghị").select_option(label=f"{secretary}, Chánh Văn phòng")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(messages(page)).to_contain_text("Đã lưu chủ trì, thư ký")
    expect(page.get_by_text(f"Chủ trì: {delegate(HEAD)}, Chủ tịch")).to_be_visible()
    page.get_by_role("button", name="In thẻ biểu quyết (cấp mã mới)").click()
    cards = page.locator(".vote-card")
    expect(cards).to_have_count(len(OFFICERS))
    for index in range(len(OFFICERS)):
        card = cards.nth(index)
        full_name = card.locator("strong").first.inner_text()
        year.cards[full_name] = card.locator("code.code").inner_text()
    vote_url = re.search(r"mở (\S+) và nhập mã", cards.first.inner_text())
    assert vote_url is not None
    year.card_url = vote_url.group(1)


@step
def delegates_check_in_at_the_door(year: Year) -> None:
    """The first delegate's card is scanned at the door; the rest arrive together and are checked in at once."""
    page = open_conference(year)
    page.get_by_role("link", name="Điểm danh đại biểu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điểm danh đại biểu")
    first = next(iter(year.cards))
    page.get_by_label("Mã trên thẻ").fill(year.cards[first])
    page.get_by_role("button", name="Điểm danh", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=first)).to_contain_text("✔")
    page.get_by_role("button", name=re.compile("^Điểm danh tất cả đại biểu có tên")).click()
    for full_name in year.cards:
        expect(page.get_by_role("row").filter(has_text=full_name)).to_contain_text("✔")
    quorum = f"Đại biểu biểu quyết có mặt: {len(OFFICERS)} / {len(OFFICERS)}"
    expect(page.get_by_text(quorum)).to_be_visible()


# 9. Four polls, each voted on the delegates' phones, counted, confirmed and published.

NEXT_HEAD = "lhh-hue"  # the deputy of 2026, as rotation suggests
NEXT_DEPUTY = "lhh-ha-tinh"


def delegate_phone(year: Year, full_name: str) -> Any:
    """The delegate's phone; the first time, opened from the card's voting link, which goes straight to
    the ballot when a poll is open."""
    if full_name not in year.phones:
        phone = year.walk.phone(f"đại biểu {full_name}")
        phone.goto(f"{year.card_url}#{year.cards[full_name]}")
        expect(phone.get_by_role("heading", level=1)).not_to_have_text("Bỏ phiếu kín")
        year.phones[full_name] = phone
    return year.phones[full_name]


def vote(year: Year, full_name: str, title: str, pick: str) -> None:
    phone = delegate_phone(year, full_name)
    heading = phone.get_by_role("heading", level=1)
    if heading.inner_text() != title:  # the list, from before the poll opened: one poll open now
        phone.get_by_role("button", name="Kiểm tra lại").click()
    expect(heading).to_have_text(title)
    choice = phone.locator("label.choice").filter(
        has=phone.locator("span", has_text=re.compile(f"^{re.escape(pick)}"))
    )
    choice.locator("input").check()
    phone.get_by_role("button", name="Tiếp tục").click()
    confirm = phone.get_by_role(
        "button", name=re.compile(f"^Bỏ phiếu «{re.escape(title)}»: chọn {re.escape(pick)}")
    )
    confirm.click()
    expect(heading).to_have_text("Đã ghi nhận phiếu của bạn")
    phone.get_by_role("button", name="Nội dung tiếp theo").click()
    expect(heading).to_have_text(f"Xin chào {full_name}")


def hold_poll(year: Year, kind: str, pick: str) -> None:
    """The secretariat creates and opens a poll (kind: the option's value), every delegate votes `pick`
    on their phone, the poll is closed, the counting board confirms and the result is published."""
    page = open_conference(year)
    page.get_by_label("Tạo cuộc bỏ phiếu").select_option(value=kind)
    page.get_by_role("button", name="Tạo", exact=True).click()
    expect(page).to_have_url(re.compile(r"/bo-phieu/\d+/$"))
    title = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Mở bỏ phiếu").click()
    expect(messages(page)).to_be_visible()
    # The counting board's key cards, printed from this one page: the shares are shown nowhere else.
    expect(page.get_by_role("heading", level=1)).to_have_text("Thẻ giữ khóa kiểm phiếu")
    board_cards = page.locator(".board-card")
    expect(board_cards).to_have_count(len(COUNTING_BOARD))
    shares = [
        (
            board_cards.nth(i).locator("strong").first.inner_text(),
            board_cards.nth(i).locator("code.code").inner_text(),
        )
        for i in range(len(COUNTING_BOARD))
    ]
    page.get_by_role("link", name="Đã in xong — về trang cuộc bỏ phiếu").click()
    for full_name in year.cards:
        vote(year, full_name, title, pick)
    page.reload()
    expect(page.locator("p.lead")).to_contain_text(f"{len(OFFICERS)} / {len(OFFICERS)} đã bỏ phiếu")
    page.get_by_role("button", name="Đóng bỏ phiếu").click()
    expect(messages(page)).to_contain_text("Đã đóng bỏ phiếu.")
    for holder, code in shares[:2]:  # two of three holders are enough; the third may be away
        page.get_by_label(f"Mã khóa của {holder}").fill(code)
    page.get_by_role("button", name="Kiểm phiếu", exact=True).click()
    expect(messages(page)).to_contain_text("Đã kiểm phiếu")
    page.get_by_role("button", name="Ban kiểm phiếu xác nhận").click()
    expect(messages(page)).to_contain_text("Ban kiểm phiếu đã xác nhận kết quả.")
    page.get_by_label(re.compile("Tôi xác nhận công bố kết quả")).check()  # publishing cannot be undone
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(messages(page)).to_contain_text("Đã công bố kết quả.")
    result = page.locator("section").filter(has=page.get_by_role("heading", name="Kết quả kiểm phiếu"))
    expect(result).to_contain_text(pick)


@step
def the_conference_nominates_the_leading_member_on_phones(year: Year) -> None:
    hold_poll(year, "nomination", name(next(iter(OFFICERS))))


@step
def the_conference_elects_next_years_head_and_deputy_on_phones(year: Year) -> None:
    hold_poll(year, "head", name(NEXT_HEAD))
    hold_poll(year, "deputy", name(NEXT_DEPUTY))


@step
def the_conference_adopts_next_years_agreement_on_phones(year: Year) -> None:
    hold_poll(year, "agreement", "Đồng ý")


@step
def the_secretariat_closes_the_conference(year: Year) -> None:
    page = year.todo(
        officer(HEAD), f"Công bố kết quả và kết thúc {re.escape(CONFERENCE)}", r"hoi-nghi/\d+/#ket-thuc"
    )
    closing = page.locator("section#ket-thuc")
    closing.get_by_role("checkbox").check()
    closing.get_by_role("button", name="Kết thúc hội nghị").click()
    expect(messages(page)).to_be_visible()
    expect(page.locator("section#ket-thuc")).to_have_count(0)


# 10. The news: the article drafted from the conference, submitted by the editor, approved by the manager.

NEWS_SITE = "Trang tin Liên hiệp hội tỉnh Ninh Bình"


@step
def the_secretariat_drafts_the_article_on_a_members_news_site(year: Year) -> None:
    """Quảng Trị hosted the conference and has no news site: the secretariat picks Ninh Bình's."""
    page = year.walk.todo(
        officer(HEAD),
        re.compile(f"^Soạn tin về {re.escape(CONFERENCE)}"),
        re.compile(re.escape(year_path("hoi-nghi/")) + r"\d+/#soan-tin$"),
    )
    section = page.locator("section#soan-tin")
    section.get_by_label(re.compile("Đăng trên trang tin")).select_option(label=NEWS_SITE)
    section.get_by_role("button", name="Soạn tin").click()
    expect(messages(page)).to_contain_text("Đã soạn bản nháp tin bài")


ARTICLE = f"Hội nghị tổng kết công tác thi đua, khen thưởng năm {YEAR} của {GROUP} {UNION} Việt Nam"


@step
def the_editor_submits_the_article_for_approval(year: Year) -> None:
    page = year.walk.todo(
        "bientap",
        re.compile(f"^Tin nháp chưa gửi duyệt: {re.escape(ARTICLE)}"),
        re.compile(r"/quan-tri-tin/pages/\d+/edit/$"),
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(ARTICLE)
    page.locator("footer").get_by_role("button", name="Thao tác khác").click()
    page.locator("footer").get_by_role("button", name=re.compile("^Gửi duyệt")).click()
    expect(page.get_by_text(re.compile("Đã gửi duyệt trang"))).to_be_visible()


@step
def the_news_manager_approves_and_the_article_is_public(year: Year) -> None:
    from thidua.news.models import ArticlePage

    page = year.walk.todo(
        "duyettin",
        re.compile(f"^Tin chờ duyệt: {re.escape(ARTICLE)}"),
        re.compile(r"/quan-tri-tin/pages/\d+/edit/$"),
    )
    footer = page.locator("footer")
    approve = footer.get_by_role("button", name=re.compile("^Duyệt và xuất bản"))
    if not approve.is_visible():
        footer.get_by_role("button", name="Thao tác khác").click()
    approve.click()
    expect(page).to_have_url(re.compile(r"/quan-tri-tin/pages/\d+/$"))
    assert ArticlePage.objects.get(title=ARTICLE).live

    # A reader finds it from thidua's home page, through the list of the members' news sites.
    reader = year.walk.phone("người đọc")
    reader.goto(f"{year.walk.base_url}/")
    reader.get_by_role("link", name=f"{UNION} tỉnh Ninh Bình").click()
    reader.get_by_role("link", name=ARTICLE).first.click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(ARTICLE)


# 11. Documents, the dossier, the achievement report; the parent body's council and decision.

FLAG = "Cờ thi đua của Liên hiệp Hội Việt Nam"
DECISION = "789/QĐ-LHHVN"
DOCUMENTS = ("Tờ trình đề nghị khen thưởng", "Biên bản hội nghị")


def issue(page: Any, button: str, signed: Path) -> str:
    """«Lập» makes the draft, «Ban hành» gives it its number; the signed original is uploaded."""
    number = issue_document(page, button)
    row = register_row(page, number)
    expect(row.get_by_role("link", name="DOCX")).to_be_visible()
    row.get_by_label(f"Bản gốc đã ký (PDF) của {number}").set_input_files(signed)
    row.get_by_role("button", name="Tải lên").click()
    expect(register_row(page, number).get_by_role("link", name="bản 1")).to_be_visible()
    return number


def dossier_page(year: Year, username: str, todo: str) -> Any:
    page = year.todo(username, todo, "ho-so-khen-thuong/(#.*)?")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ đề nghị khen thưởng năm {YEAR}")
    return page


SECRETARIAT_DOSSIER = "Lập và gửi hồ sơ đề nghị khen thưởng"


@step
def the_secretariat_issues_the_documents(year: Year) -> None:
    from thidua.assessments.demo import minimal_pdf

    page = year.todo(officer(HEAD), "Ban hành biên bản hội nghị, biên bản kiểm phiếu và tờ trình", "van-ban/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Văn bản năm {YEAR}")
    signed = year.files / "ban-goc-da-ky.pdf"
    signed.write_bytes(minimal_pdf(f"Ban goc da ky - Cum thi dua so 4 - {YEAR}"))
    count_buttons = page.get_by_role("button", name=re.compile("^Biên bản kiểm phiếu: "))
    counts = [count_buttons.nth(i).inner_text() for i in range(count_buttons.count())]
    assert len(counts) == 4, counts  # one for each poll
    year.documents = [issue(page, button, signed) for button in (*DOCUMENTS, *counts)]


@step
def the_secretariat_builds_the_dossier(year: Year) -> None:
    page = dossier_page(year, officer(HEAD), SECRETARIAT_DOSSIER)
    page.get_by_role("button", name="Lập hồ sơ").click()
    expect(messages(page)).to_contain_text("Đã lập hồ sơ")
    proposals = page.locator("section").filter(has=page.get_by_role("heading", name="Đề nghị khen thưởng"))
    expect(proposals.get_by_role("row").filter(has_text=name(next(iter(OFFICERS))))).to_contain_text(FLAG)
    for number in year.documents:
        page.get_by_label(
            re.compile(rf"{re.escape(number)} ngày {datetime.date.today():%d/%m/%Y} — ")
        ).check()
    page.get_by_role("button", name="Lưu").click()
    expect(messages(page)).to_contain_text("Đã lưu các văn bản trong hồ sơ.")


@step
def the_nominee_uploads_its_achievement_report(year: Year) -> None:
    from thidua.assessments.demo import minimal_pdf

    nominee = next(iter(OFFICERS))
    page = dossier_page(year, officer(nominee), f"Nộp báo cáo thành tích của {re.escape(name(nominee))}")
    report = year.files / "bao-cao-thanh-tich.pdf"
    report.write_bytes(minimal_pdf(f"Bao cao thanh tich - {nominee} - {YEAR}"))
    page.get_by_label("Báo cáo thành tích (PDF hoặc Word .docx)").set_input_files(report)
    page.get_by_role("button", name="Tải lên").click()
    expect(messages(page)).to_contain_text(f"Đã lưu báo cáo thành tích «{report.name}».")


@step
def the_secretariat_sends_the_dossier(year: Year) -> None:
    page = dossier_page(year, officer(HEAD), SECRETARIAT_DOSSIER)
    page.get_by_role("button", name=re.compile("^Gửi hồ sơ đến")).click()
    expect(messages(page)).to_contain_text("Đã gửi hồ sơ đến")
    expect(page.get_by_text("Trạng thái: Đã gửi")).to_be_visible()


@step
def parent_staff_record_the_council_vote_and_the_decision(year: Year) -> None:
    from thidua.awards.models import Award
    from thidua.organizations.models import AwardForm

    page = year.todo("vusta", "Hồ sơ đến: Hội đồng bỏ phiếu", "ho-so-khen-thuong/hoi-dong-bo-phieu/")
    page.get_by_label("Tổng số thành viên Hội đồng").fill("11")
    page.get_by_label("Số thành viên có mặt").fill("10")
    page.get_by_label(re.compile("^Số phiếu đồng ý:")).fill("10")
    page.get_by_role("button", name=re.compile("Ghi nhận|Lưu")).click()
    expect(messages(page)).to_contain_text("Đã ghi nhận kết quả bỏ phiếu của Hội đồng.")
    page = year.todo("vusta", "Ghi quyết định khen thưởng", "ho-so-khen-thuong/quyet-dinh/")
    page.get_by_label("Số quyết định").fill(DECISION)
    page.get_by_label("Ngày quyết định").fill(datetime.date.today().isoformat())
    page.get_by_label("Họ tên người ký").fill("Phan Xuân Dũng")
    page.get_by_label("Chức vụ người ký").fill("Chủ tịch")
    page.get_by_role("button", name=re.compile("Ghi nhận|Lưu")).click()
    expect(messages(page)).to_contain_text("Đã ghi nhận quyết định; 1 đơn vị được khen thưởng.")
    award = Award.objects.get(year=YEAR, decision_number=DECISION)
    assert (award.organization.code, award.award_form) == (next(iter(OFFICERS)), AwardForm.PARENT_FLAG)


# 12. Next year, opened by the head the conference elected.


@step
def the_elected_head_opens_next_year(year: Year) -> None:
    from thidua.organizations.models import Leadership, LeadershipRole

    elected = dict(
        Leadership.objects.filter(group__slug=GROUP_SLUG, year=YEAR + 1).values_list(
            "role", "organization__code"
        )
    )
    # The votes decided, nobody granted it by hand.
    assert elected == {LeadershipRole.HEAD: NEXT_HEAD, LeadershipRole.DEPUTY: NEXT_DEPUTY}
    page = year.walk.todo(
        officer(NEXT_HEAD),
        re.compile(f"^Mở năm thi đua {YEAR + 1} — {GROUP}$"),
        re.compile(re.escape(f"/cum-khoi/{GROUP_SLUG}/mo-nam-thi-dua/") + r"(\?.*)?$"),
    )
    expect(page.get_by_label("Năm")).to_have_value(str(YEAR + 1))  # the to-do's year, filled in
    page.get_by_role("button", name="Lưu").click()
    expect(messages(page)).to_contain_text(f"Đã mở năm thi đua {YEAR + 1}.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Năm thi đua {YEAR + 1}")
    expect(page.get_by_role("row").filter(has_text="Bảng điểm")).to_have_count(len(OFFICERS))
    # Its first work is the new head's: the agreement, waiting on the home page.
    year.walk.todo(
        officer(NEXT_HEAD),
        re.compile(f"^Soạn giao ước và mở ký — {GROUP} năm {YEAR + 1}"),
        f"/nam-thi-dua/{GROUP_SLUG}/{YEAR + 1}/giao-uoc/",
    )
