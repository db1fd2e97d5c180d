"""From the replayed 08/12/2023 conference to the flag on the leading member's page, in Chromium.

Ninh Bình's officer (the secretariat of 2023) issues the tờ trình and the conference minutes with one
click each, gets the DOCX and the PDF, uploads the signed originals, builds the dossier (the flag the
conference voted for is proposed already), uploads Ninh Bình's achievement report and sends the dossier.
VUSTA's staff find it among the incoming dossiers, record the council's vote (on the council's whole
membership) and the decision; the flag then shows on Ninh Bình's page with the decision's number.

The demo ends 2023 with that dossier already decided: the walk starts by removing it (its awards first),
so everything it finds at the end was made by the clicks.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.walk import close_db_connections, issue_document, log_in, messages, register_row

pytestmark = pytest.mark.browser

YEAR_URL = "/nam-thi-dua/vusta-cum-4/2023"
FLAG = "Cờ thi đua của Liên hiệp Hội Việt Nam"
DECISION = "456/QĐ-LHHVN"


@pytest.fixture
def undecided_2023(demo_site: str, settings: Any, tmp_path: Path) -> Iterator[str]:
    from thidua.awards.models import Award, Dossier

    # Files go to a temporary folder, not var/media (the live server shares these settings).
    settings.MEDIA_ROOT = str(tmp_path / "media")
    Award.objects.filter(year=2023, dossier__emulation_year__group__slug="vusta-cum-4").delete()
    Dossier.objects.filter(emulation_year__year=2023, emulation_year__group__slug="vusta-cum-4").delete()
    # The demo issued the conference's documents too (one current document of each kind per conference):
    # removed, so the buttons below make them again.
    from thidua.documents.models import Document, SignedOriginal

    made = Document.objects.filter(conference__emulation_year__year=2023, kind__in=["minutes", "proposal"])
    SignedOriginal.objects.filter(document__in=made).delete()
    made.delete()
    close_db_connections()
    yield demo_site
    close_db_connections()


def _issue(page: Any, button: str) -> str:
    """Click one of the conference's document buttons; return the number the registry gave it."""
    return issue_document(page, button)


def _upload_original(page: Any, number: str, pdf: Path) -> None:
    row = register_row(page, number)
    row.get_by_label(f"Bản gốc đã ký (PDF) của {number}").set_input_files(pdf)
    row.get_by_role("button", name="Tải lên").click()
    expect(register_row(page, number).get_by_role("link", name="bản 1")).to_be_visible()


def test_the_dossier_goes_from_one_click_documents_to_the_flag_on_the_leaders_page(
    undecided_2023: str, page: Any, browser: Any, tmp_path: Path
) -> None:
    from thidua.assessments.demo import minimal_pdf
    from thidua.documents.converter import pdf_available

    base = undecided_2023
    signed = tmp_path / "ban-goc-da-ky.pdf"
    signed.write_bytes(minimal_pdf("Ban goc da ky - Cum thi dua so 4 - 2023"))
    report = tmp_path / "bao-cao-thanh-tich-ninh-binh.pdf"
    report.write_bytes(minimal_pdf("Bao cao thanh tich - Ninh Binh - 2023"))

    # 1. The secretariat of 2023 issues the two documents the dossier needs, one click each.
    log_in(page, base, "ninhbinh")
    page.goto(f"{base}{YEAR_URL}/van-ban/")
    proposal = _issue(page, "Tờ trình đề nghị khen thưởng")
    minutes = _issue(page, "Biên bản hội nghị")
    for number in (proposal, minutes):
        files = register_row(page, number)
        expect(files.get_by_role("link", name="DOCX")).to_be_visible()
        if pdf_available():
            expect(files.get_by_role("link", name="PDF")).to_be_visible()
        docx = page.request.get(base + files.get_by_role("link", name="DOCX").get_attribute("href"))
        assert docx.ok and docx.body()[:2] == b"PK"  # a real .docx (a zip)
        _upload_original(page, number, signed)

    # 2. The dossier: the conference's flag is proposed already; the documents, the report, send.
    page.goto(f"{base}{YEAR_URL}/ho-so-khen-thuong/")
    expect(page.get_by_text(FLAG).first).to_be_visible()
    page.get_by_role("button", name="Lập hồ sơ").click()
    proposals = page.locator("section").filter(has=page.get_by_role("heading", name="Đề nghị khen thưởng"))
    expect(proposals.get_by_role("row").filter(has_text="Ninh Bình")).to_contain_text(FLAG)
    for number in (proposal, minutes):
        page.get_by_label(
            re.compile(rf"{re.escape(number)} ngày {datetime.date.today():%d/%m/%Y} — ")
        ).check()
    page.get_by_role("button", name="Lưu").click()
    expect(messages(page)).to_contain_text("Đã lưu các văn bản trong hồ sơ.")
    # Ninh Bình's officer uploads for Ninh Bình, the only nominee they may upload for: picked already.
    report_form = page.locator("form").filter(has=page.get_by_role("button", name="Tải lên"))
    expect(report_form.get_by_label("Đơn vị *", exact=True).locator("option:checked")).to_contain_text(
        "Ninh Bình"
    )
    page.get_by_label("Báo cáo thành tích (PDF hoặc Word .docx)").set_input_files(report)
    page.get_by_role("button", name="Tải lên").click()
    expect(messages(page)).to_contain_text(f"Đã lưu báo cáo thành tích «{report.name}».")
    page.get_by_role("button", name=re.compile("^Gửi hồ sơ đến")).click()
    expect(messages(page)).to_contain_text("Đã gửi hồ sơ đến")
    expect(page.get_by_text("Trạng thái: Đã gửi")).to_be_visible()

    # 3. The parent body: the incoming dossier, the council's vote, the decision.
    staff = browser.new_page()
    log_in(staff, base, "vusta")
    staff.goto(f"{base}/cap-tren/vusta/ho-so-khen-thuong/")
    waiting = staff.locator("section").filter(has=staff.get_by_role("heading", name="Chờ xử lý"))
    waiting.get_by_role("row").filter(has_text="2023").get_by_role("link").click()
    staff.get_by_role("link", name="Ghi nhận bỏ phiếu của Hội đồng").click()
    staff.get_by_label("Tổng số thành viên Hội đồng").fill("11")
    staff.get_by_label("Số thành viên có mặt").fill("9")
    # 80% of 11 is 8.8: 9 votes are needed, counted on the whole council, written votes included.
    staff.get_by_label(re.compile("^Số phiếu đồng ý:")).fill("9")
    staff.get_by_role("button", name=re.compile("Ghi nhận|Lưu")).click()
    expect(messages(staff)).to_contain_text("Đã ghi nhận kết quả bỏ phiếu của Hội đồng.")
    expect(staff.get_by_role("cell", name="9 / 9")).to_be_visible()
    staff.get_by_role("link", name="Ghi nhận quyết định khen thưởng").click()
    staff.get_by_label("Số quyết định").fill(DECISION)
    staff.get_by_label("Ngày quyết định").fill("2023-12-28")
    staff.get_by_label("Họ tên người ký").fill("Phan Xuân Dũng")
    staff.get_by_label("Chức vụ người ký").fill("Chủ tịch")
    staff.get_by_role("button", name=re.compile("Ghi nhận|Lưu")).click()
    expect(messages(staff)).to_contain_text("Đã ghi nhận quyết định; 1 đơn vị được khen thưởng.")

    # 4. The flag on the leading member's page, with the decision.
    page.goto(f"{base}/don-vi/lhh-ninh-binh/")
    awards = page.locator("section").filter(has=page.get_by_role("heading", name="Khen thưởng qua các năm"))
    row = awards.get_by_role("row").filter(has_text=DECISION)
    expect(row).to_contain_text("2023")
    expect(row).to_contain_text(FLAG)
    expect(row).to_contain_text("28/12/2023")
    staff.close()
