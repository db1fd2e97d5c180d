"""One member's year in Chromium: Nghệ An signs the 2027 agreement, self-scores with PDF evidence, submits
through the confirmation, gets a reviewer's lower score (typed on the reviewer's page, every other row
agreed to at once), answers it, and sees its final score and rank once the secretariat settles.

The rest of Cụm 4 (the other members' signatures and the cross-check assignment) goes through the
services: those steps have pages of their own, tested elsewhere, and are not what this walk is about. Quảng Trị, head of 2026, runs 2027 until a new head is named (the previous year's secretariat may).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.walk import log_in, messages, typed_value

pytestmark = pytest.mark.browser

GROUP = "vusta-cum-4"
YEAR = 2027
NGHE_AN = "lhh-nghe-an"
NGHE_AN_NAME = "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Nghệ An"
REVIEW_REASON = "Thiếu kế hoạch triển khai"
ANSWER = "Đơn vị bổ sung Kế hoạch số 12/KH-LHH triển khai nghị quyết đại hội."
FINAL_NOTE = "Chấp nhận một phần giải trình"
PHONE_WIDTH = 360


@dataclass(frozen=True)
class Year2027:
    base_url: str
    emulation_year_pk: int

    @property
    def year_url(self) -> str:
        return f"{self.base_url}/nam-thi-dua/{GROUP}/{YEAR}/"

    @property
    def sheet_url(self) -> str:
        return f"{self.year_url}cham-diem/{NGHE_AN}/"


def _close_db_connections() -> None:
    # As in conftest: a connection left open in Playwright's context keeps PostgreSQL's test database
    # from being dropped at the end of the session.
    from django.db import connections

    connections.close_all()


def _officer(organization: Any) -> Any:
    from thidua.accounts.models import Role, RoleKind

    return Role.objects.get(organization=organization, kind=RoleKind.OFFICER).user


@pytest.fixture
def year_2027(demo_site: str) -> Iterator[Year2027]:
    """Cụm 4's 2027: last year's members, the template agreement open for signing, signed by all but Nghệ An."""
    from thidua.accounts.models import User
    from thidua.agreements import services as agreements
    from thidua.agreements.models import AgreementStatus
    from thidua.organizations.models import EmulationGroup, Organization
    from thidua.organizations.services import copy_memberships, set_leadership
    from thidua.years import services as year_services

    vusta = User.objects.get(username="vusta")
    group = EmulationGroup.objects.get(slug=GROUP)
    copy_memberships(actor=vusta, group=group, from_year=2026, to_year=YEAR)
    # Quảng Trị heads 2027 too (as if re-elected), so its officer is the secretariat who assigns and settles.
    set_leadership(
        actor=vusta,
        group=group,
        year=YEAR,
        role="head",
        organization=Organization.objects.get(code="lhh-quang-tri"),
        source="Kiểm thử",
    )
    emulation_year = year_services.open_year(actor=vusta, group=group, year=YEAR)
    agreement = agreements.create_agreement_from_template(actor=vusta, emulation_year=emulation_year)
    agreements.open_for_signing(actor=vusta, agreement=agreement)
    members = agreements.members_of(emulation_year)
    assert NGHE_AN in {m.code for m in members}
    for member in members:
        if member.code != NGHE_AN:
            agreements.sign(
                actor=_officer(member),
                agreement=agreement,
                organization=member,
                signer_name=f"Chủ tịch {member.short_name_in_year(YEAR)}",
                signer_title="Chủ tịch",
            )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNING  # Nghệ An's signature is still missing
    _close_db_connections()
    yield Year2027(base_url=demo_site, emulation_year_pk=emulation_year.pk)
    _close_db_connections()


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploaded evidence goes to a temporary folder, not var/media (the live server shares these settings)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path


def shown(value: Decimal) -> str:
    """A number as the pages print it (Django's Vietnamese localization: "86,50")."""
    from django.utils import formats, translation

    with translation.override("vi"):
        return str(formats.localize(value))


def sheet_scores(emulation_year_pk: int) -> list[Any]:
    from thidua.assessments.models import Score

    return list(
        Score.objects.filter(
            assessment__emulation_year_id=emulation_year_pk, assessment__organization__code=NGHE_AN
        )
        .select_related("criterion", "criterion__group")
        .order_by("criterion__group__position", "criterion__position")
    )


def assert_fits_phone(page: Any, what: str) -> None:
    """No sideways page scroll on a 360 px phone; wide tables may scroll inside their `.scroll` box."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_WIDTH + 2:
        culprits = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter(e => !e.parentElement.closest('.scroll'))
                .filter(e => e.getBoundingClientRect().right > limit)
                .slice(0, 8)
                .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`)""",
            PHONE_WIDTH + 2,
        )
        pytest.fail(f"{what}: page is {width}px wide on a {PHONE_WIDTH}px phone; overflowing: {culprits}")


def desktop_context(browser: Any) -> Any:
    """A second person's browser beside Nghệ An's, on a desktop screen."""
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    return context


def review_with_one_disagreement(browser: Any, year: Year2027) -> tuple[Any, Decimal]:
    """Quảng Trị assigns reviewers (through the services); Nghệ An's reviewer, on its page, types one fixed
    criterion a point lower with a reason, agrees to every other row at once, and completes the review."""
    from thidua.accounts.models import User
    from thidua.assessments import services
    from thidua.assessments.models import ReviewAssignment
    from thidua.lib.decimals import format_vietnamese_decimal
    from thidua.years.models import EmulationYear

    emulation_year = EmulationYear.objects.get(pk=year.emulation_year_pk)
    quangtri = User.objects.get(username="quangtri")
    services.assign_reviewers(
        actor=quangtri, emulation_year=emulation_year, assignments=services.propose_reviewers(emulation_year)
    )
    assignment = ReviewAssignment.objects.select_related("reviewer").get(
        emulation_year=emulation_year, reviewed__code=NGHE_AN
    )
    reviewer = _officer(assignment.reviewer).username
    scores = sheet_scores(year.emulation_year_pk)
    disputed = next(s for s in scores if s.criterion.kind == "fixed" and (s.self_points or 0) >= 1)
    lower = (disputed.self_points or Decimal(0)) - 1
    _close_db_connections()

    context = desktop_context(browser)
    try:
        page = context.new_page()
        log_in(page, year.base_url, reviewer)
        page.goto(f"{year.year_url}cham-cheo/{NGHE_AN}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Chấm chéo năm {YEAR}: {NGHE_AN_NAME}")
        agree = page.get_by_label(f"Đồng ý {disputed.criterion.code}", exact=True)
        box = page.get_by_label(f"Điểm chấm chéo {disputed.criterion.code}", exact=True)
        agree.check()  # the script writes the self score into the box…
        expect(box).to_have_value(format_vietnamese_decimal(disputed.self_points))
        box.fill(shown(lower))  # …and unticks the row once a different score is typed
        expect(agree).not_to_be_checked()
        page.get_by_label(f"Lý do {disputed.criterion.code}", exact=True).fill(REVIEW_REASON)
        page.get_by_role("button", name="Đồng ý tất cả điểm tự chấm").click()
        expect(messages(page)).to_contain_text("Đã lưu điểm chấm chéo.")
        expect(page.get_by_role("checkbox", checked=True)).to_have_count(len(scores) - 1)
        expect(box).to_have_value(format_vietnamese_decimal(lower))
        page.get_by_role("button", name="Hoàn thành chấm chéo").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Xác nhận hoàn thành chấm chéo năm {YEAR}")
        expect(
            page.get_by_text(f"Chấm khác điểm tự chấm: 1 tiêu chí ({disputed.criterion.code})")
        ).to_be_visible()
        page.get_by_role("button", name="Xác nhận hoàn thành").click()
        expect(messages(page)).to_contain_text("Đã hoàn thành chấm chéo.")
    finally:
        context.close()
    disputed.refresh_from_db()
    assert disputed.reviewed_points == lower and disputed.review_reason == REVIEW_REASON
    assert all(
        s.reviewed_points == s.self_points
        for s in sheet_scores(year.emulation_year_pk)
        if s.pk != disputed.pk
    )
    return disputed, disputed.reviewed_points


def test_nghe_an_signs_self_scores_with_evidence_answers_a_review_and_sees_its_final_score_and_rank(
    page: Any, phone_page: Any, browser: Any, year_2027: Year2027, media_root: Path
) -> None:
    try:
        _walk_the_year(page, phone_page, browser, year_2027, media_root)
    finally:
        _close_db_connections()


def _walk_the_year(page: Any, phone_page: Any, browser: Any, year: Year2027, tmp_path: Path) -> None:
    from thidua.agreements.template_data import PROVINCIAL_UNION_TEMPLATE
    from thidua.assessments.demo import minimal_pdf
    from thidua.assessments.models import Assessment, AssessmentStatus
    from thidua.assessments.ranking import year_results
    from thidua.lib.decimals import format_vietnamese_decimal, parse_vietnamese_decimal
    from thidua.years.models import EmulationYear

    # 1. Sign the agreement, from the year's dashboard.
    log_in(page, year.base_url, "nghean")
    page.goto(year.year_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Năm thi đua {YEAR}")
    page.get_by_role("link", name=f"Giao ước thi đua năm {YEAR}").click()
    expect(page.get_by_text("Trạng thái: Đang ký")).to_be_visible()
    signing = page.locator("form").filter(
        has=page.get_by_role("heading", name=f"Ký giao ước thay mặt {NGHE_AN_NAME}")
    )
    signing.get_by_label("Người ký (thủ trưởng đơn vị)").fill("Nguyễn Văn An")
    signing.get_by_label("Chức vụ").fill("Chủ tịch")
    signing.get_by_role("checkbox").check()
    signing.get_by_role("button", name="Ký giao ước").click()
    expect(messages(page)).to_contain_text(f"{NGHE_AN_NAME} đã ký giao ước.")
    expect(page.get_by_text("Trạng thái: Có hiệu lực")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=NGHE_AN_NAME)).to_contain_text("Nguyễn Văn An, Chủ tịch")
    expect(page.get_by_role("button", name="Ký giao ước")).to_have_count(0)

    # 2. Self-score: a value in every «Tự chấm» box, then «Lưu».
    page.locator(".breadcrumb").get_by_role("link", name=f"năm {YEAR}").click()
    page.get_by_role("row").filter(has_text=NGHE_AN_NAME).get_by_role("link", name="Bảng điểm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bảng tự chấm điểm năm {YEAR}")
    expect(page).to_have_url(year.sheet_url)
    scores = sheet_scores(year.emulation_year_pk)  # the visit started the assessment
    assert len(scores) == sum(len(g.criteria) for g in PROVINCIAL_UNION_TEMPLATE)
    for score in scores:
        box = page.get_by_label(f"Tự chấm {score.criterion.code}", exact=True)
        expect(box).to_have_attribute("id", f"value-{score.pk}")
        box.fill(typed_value(score.criterion))
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(messages(page)).to_contain_text("Đã lưu bảng tự chấm.")
    fixed = next(s for s in scores if s.criterion.kind == "fixed")
    kept = page.get_by_label(f"Tự chấm {fixed.criterion.code}", exact=True).input_value()  # "4,50"
    assert parse_vietnamese_decimal(kept) == parse_vietnamese_decimal(typed_value(fixed.criterion))

    # 3. Evidence: a real PDF for every criterion that requires one, then submit.
    required = [s for s in scores if s.criterion.evidence_required]
    assert required, "the template has criteria that require evidence"
    expect(page.get_by_text("bắt buộc minh chứng")).to_have_count(len(required))
    evidence = page.locator("section").filter(has=page.get_by_role("heading", name="Thêm minh chứng"))
    for score in required:
        code = score.criterion.code
        pdf = tmp_path / f"minh-chung-{code}.pdf"
        pdf.write_bytes(minimal_pdf(f"Minh chung {code} - {NGHE_AN} - {YEAR}"))
        upload = evidence.locator("form").filter(has=page.get_by_label(f"Tiêu chí {code}", exact=True))
        upload.get_by_label(f"Tiêu chí {code}", exact=True).set_input_files(pdf)
        upload.get_by_role("button", name="Tải lên").click()
        expect(messages(page)).to_contain_text(f"Đã thêm minh chứng cho tiêu chí {code}.")
        expect(page.locator(f"#tc-{score.pk}").get_by_role("link", name=pdf.name)).to_be_visible()
    expect(page.get_by_role("heading", name="Còn thiếu trước khi nộp")).to_have_count(0)
    page.get_by_role("button", name="Nộp bản tự chấm").click()
    # The confirmation says what will be locked; nothing is locked until it is confirmed.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xác nhận nộp bản tự chấm năm {YEAR}")
    expect(page.get_by_text(f"Đã chấm {len(scores)}/{len(scores)} tiêu chí.")).to_be_visible()
    assert (
        Assessment.objects.get(emulation_year_id=year.emulation_year_pk, organization__code=NGHE_AN).status
        == AssessmentStatus.DRAFT
    )
    page.get_by_role("button", name="Xác nhận nộp").click()
    expect(messages(page)).to_contain_text("Đã nộp bản tự chấm.")
    expect(page.get_by_text("Trạng thái: Đã nộp")).to_be_visible()
    assessment = Assessment.objects.get(emulation_year_id=year.emulation_year_pk, organization__code=NGHE_AN)
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert all(
        s.evidence.count() == 1 for s in sheet_scores(year.emulation_year_pk) if s.criterion.evidence_required
    )

    # 4. The cross-check, on the reviewer's page: one criterion a point lower with a reason, every other
    # row agreed to at once, then completed through its confirmation.
    disputed, reviewed = review_with_one_disagreement(browser, year)
    code = disputed.criterion.code

    # 5. Nghệ An reads the lower score and answers it.
    page.reload()
    row = page.locator(f"#tc-{disputed.pk}")
    expect(row).to_contain_text(REVIEW_REASON)
    expect(row.get_by_role("cell").nth(6)).to_contain_text(shown(reviewed))
    row.get_by_label("Giải trình").fill(ANSWER)
    page.get_by_role("button", name="Gửi giải trình").click()
    expect(messages(page)).to_contain_text("Đã gửi giải trình.")
    expect(page.locator(f"#tc-{disputed.pk}").get_by_label("Giải trình")).to_have_value(ANSWER)

    # 6. Quảng Trị (the secretariat) settles, in a browser of its own.
    final = reviewed + Decimal("0.5")  # half of the point back, after the answer
    secretariat = desktop_context(browser)
    try:
        settle = secretariat.new_page()
        log_in(settle, year.base_url, "quangtri")
        settle.goto(f"{year.year_url}chot-diem/")
        expect(settle.get_by_role("heading", level=1)).to_have_text(f"Chốt điểm năm {YEAR}")
        settle.get_by_role("button", name="Chốt các tiêu chí không có ý kiến khác").click()
        expect(settle.get_by_role("heading", level=1)).to_have_text(f"Xác nhận chốt điểm năm {YEAR}")
        expect(settle.get_by_text(f"Sẽ chốt {len(scores) - 1} tiêu chí không có ý kiến khác")).to_be_visible()
        settle.get_by_role("button", name="Xác nhận chốt điểm").click()
        expect(messages(settle)).to_contain_text(f"Đã chốt {len(scores) - 1} tiêu chí không có ý kiến khác.")
        expect(settle.get_by_role("heading", name="Còn chờ chốt (1)")).to_be_visible()
        pending = settle.get_by_role("row").filter(has_text=REVIEW_REASON)
        expect(pending).to_contain_text(ANSWER)
        pending.get_by_label("Điểm chốt").fill(shown(final))
        pending.get_by_label("Ghi chú").fill(FINAL_NOTE)
        pending.get_by_role("button", name="Chốt", exact=True).click()
        expect(settle.get_by_role("heading", level=1)).to_have_text(f"Xác nhận chốt tiêu chí {code}")
        expect(settle.get_by_text(f"điểm chốt {format_vietnamese_decimal(final)}.")).to_be_visible()
        settle.get_by_role("button", name="Xác nhận chốt điểm").click()
        expect(messages(settle)).to_contain_text(f"Đã chốt tiêu chí {code} của {NGHE_AN_NAME}.")
        expect(settle.get_by_role("heading", name="Còn chờ chốt (0)")).to_be_visible()
    finally:
        secretariat.close()

    # 7. Nghệ An sees its final score and rank.
    results = year_results(EmulationYear.objects.get(pk=year.emulation_year_pk))
    mine = next(m for m in results.members if m.organization.code == NGHE_AN)
    assert mine.settled and mine.final_total is not None and mine.rank == 1
    assert mine.self_total is not None
    assert mine.final_total.total == mine.self_total.total - (disputed.self_points - final)
    page.reload()
    status = page.locator("p").filter(has_text="Trạng thái:")
    expect(status).to_contain_text(f"Điểm chốt: {shown(mine.final_total.total)}")
    expect(status).to_contain_text("Xếp hạng: 1")
    expect(page.locator(f"#tc-{disputed.pk}").get_by_role("cell").last).to_have_text(shown(final))

    # The settled sheet, on a phone: only the table may scroll sideways, inside its `.scroll` box.
    log_in(phone_page, year.base_url, "nghean")
    phone_page.goto(year.sheet_url)
    expect(phone_page.locator("p").filter(has_text="Xếp hạng: 1")).to_be_visible()
    assert_fits_phone(phone_page, "settled sheet")


def test_a_draft_sheet_with_its_evidence_upload_forms_fits_a_360_pixel_phone(
    phone_page: Any, year_2027: Year2027
) -> None:
    from thidua.agreements import services as agreements
    from thidua.agreements.models import AgreementStatus
    from thidua.organizations.models import Organization
    from thidua.years.models import EmulationYear

    try:
        agreement = EmulationYear.objects.get(pk=year_2027.emulation_year_pk).agreements.get()
        nghe_an = Organization.objects.get(code=NGHE_AN)
        agreements.sign(
            actor=_officer(nghe_an),
            agreement=agreement,
            organization=nghe_an,
            signer_name="Nguyễn Văn An",
            signer_title="Chủ tịch",
        )
        agreement.refresh_from_db()
        assert agreement.status == AgreementStatus.IN_FORCE
    finally:
        _close_db_connections()

    log_in(phone_page, year_2027.base_url, "nghean")
    phone_page.goto(year_2027.sheet_url)
    expect(phone_page.get_by_role("heading", name="Thêm minh chứng")).to_be_visible()
    expect(phone_page.get_by_role("button", name="Tải lên")).not_to_have_count(0)
    # The stylesheet is what makes the page fit; without it this test would prove nothing.
    expect(phone_page.locator("header.topbar")).to_have_css("display", "flex")
    assert_fits_phone(phone_page, "draft sheet")
