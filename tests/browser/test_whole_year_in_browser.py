"""A whole emulation year in Chromium, in a database holding the demo's registry and nothing else, done by
the people who do it, through the pages only (issue 12, "Done when"): Cụm thi đua số 4's 2026, from the
parent body's staff opening the year to the head elected at its conference opening 2027.

Each person has a browser of their own and starts from their home page: they reach their work through
the to-do list there and the links and buttons of the pages, never by typing an address (the login page
and the voting link of a delegate's card are the exceptions, as they are in life). The walk fails on a
dead end, a to-do that does not lead to its work, a 4xx or 5xx answer the user did not cause, and an
English word on a page (`walk.Walk`). It counts the pages each role visits; with THIDUA_WALK_DOCS=1 it
writes them to docs/walk.md. The database is read to check results, never written after the registry.
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

from tests.browser.walk import Walk, close_db_connections, messages

pytestmark = pytest.mark.browser

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


# Registry only


@pytest.fixture
def registry_site(live_server: Any) -> Iterator[str]:
    """The live server over the demo's registry alone (VUSTA, its regulation, the groups, members and
    heads, the users and their roles) and Ninh Bình's news site with no article: no emulation year.

    The test is transactional (live_server): pytest-django flushes every table after it, and the
    package's `_demo_back_after_browser_tests` loads the whole demo again after the last browser test."""
    from django.db import connections

    from thidua.accounts.models import User
    from thidua.news.services import open_news_site
    from thidua.organizations.demo import load_demo
    from thidua.organizations.models import Organization

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
    walk = Walk(browser, registry_site)
    try:
        run_the_year(Year(walk, media_root))
        if os.environ.get("THIDUA_WALK_DOCS") == "1":
            write_docs(walk)
    finally:
        walk.close()
        close_db_connections()


STEPS: list[Any] = []


def step(function: Any) -> Any:
    STEPS.append(function)
    return function


def run_the_year(year: Year, start: int = 0, stop: int | None = None) -> None:
    for function in STEPS[start:stop]:
        function(year)
        year.walk.assert_clean()
        close_db_connections()


def write_docs(walk: Walk) -> None:
    DOCS.write_text(
        "# The whole year, page by page\n\n"
        "`tests/browser/test_whole_year_in_browser.py` walks Cụm thi đua số 4's 2026 in Chromium, in a\n"
        "database holding the demo's registry alone, as the people who do the work: the parent body's staff,\n"
        "the six members' officers (Quảng Trị heads the year), the delegates on their phones, the news editor\n"
        "and manager. Each starts from their home page and its to-dos and clicks on. The table counts the\n"
        "pages each of them loaded (each phone is one delegate). `THIDUA_WALK_DOCS=1` writes this file.\n\n"
        + walk.report(),
        encoding="utf-8",
    )


# 1. The parent body's staff check the year's members, head and deputy, and open the year.


@step
def parent_staff_check_the_members_and_heads_and_open_the_year(year: Year) -> None:
    walk = year.walk
    page = walk.home("vusta")
    page.get_by_role("link", name="Xem danh sách").click()
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
    page = year.walk.todo(
        officer(HEAD), re.compile(f"^Soạn giao ước và mở ký — {GROUP} năm {YEAR}"), year_path("giao-uoc/")
    )
    page.get_by_role("button", name="Soạn từ mẫu cho Liên hiệp hội tỉnh").click()
    expect(page.get_by_text("Trạng thái: Dự thảo")).to_be_visible()
    page.get_by_role("button", name="Mở để các đơn vị ký").click()
    expect(page.get_by_text("Trạng thái: Đang ký")).to_be_visible()


# 3. Every member signs.


@step
def every_member_signs_the_agreement(year: Year) -> None:
    for number, code in enumerate(OFFICERS, start=1):
        page = year.walk.todo(
            officer(code), re.compile(f"^Ký giao ước — {GROUP} năm {YEAR}"), year_path("giao-uoc/")
        )
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


def typed_value(criterion: Any, rank: int) -> str:
    """What a member types in «Tự chấm»: full marks less half a point per `rank` on graded criteria, so
    that the members rank in the order of OFFICERS."""
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


def confirm_if_asked(page: Any) -> None:
    """Irreversible submits ask for a confirmation (issue 12): a page or a dialog; accept it."""
    confirm = page.get_by_role("button", name=re.compile(r"^(Xác nhận|Đồng ý)"))
    if confirm.count():
        confirm.first.click()


@step
def members_self_score_with_evidence_and_submit(year: Year) -> None:
    from thidua.assessments.demo import minimal_pdf

    for rank, code in enumerate(OFFICERS):
        page = year.walk.todo(
            officer(code), re.compile(f"^Tự chấm điểm — {GROUP} năm {YEAR}"), year_path(f"cham-diem/{code}/")
        )
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
        confirm_if_asked(page)
        expect(messages(page)).to_contain_text("Đã nộp bản tự chấm.")
        expect(page.get_by_text("Trạng thái: Đã nộp")).to_be_visible()
