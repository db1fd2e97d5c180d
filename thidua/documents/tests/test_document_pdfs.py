"""Every document issued from Cụm 4's replayed conference of 08/12/2023, as the printed page reads.

Each document type is built as one click issues it (``issuing.plan_for``), converted to PDF by the warm
converter (one soffice for the whole module, stopped at its end) and read back with ``pdftotext -layout``,
which keeps the columns of the header and of the signature block side by side as they print. What is
checked is the NĐ 30/2020 frame (national name and motto, number line, place and date, type name, page
numbers from page 2) and each type's key lines; the wording itself is tested on the DOCX in
test_generators.py. The voting cards and paper ballots (drawn by ReportLab, no LibreOffice) close the file.

Where LibreOffice, python3-uno or poppler-utils is missing these tests skip, except on CI, whose .ci/run
installs them: there a missing one is a broken install and fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from thidua.conferences import pdf as conference_pdf
from thidua.conferences import services as conference_services
from thidua.conferences.models import Conference, Poll, PollKind, PollStatus
from thidua.demo.samples import replayed_conference
from thidua.documents import converter, issuing
from thidua.documents.layout import MOTTO, NATIONAL_NAME, render_docx

pytestmark = pytest.mark.django_db

DATE_LINE = "Ninh Bình, ngày 08 tháng 12 năm 2023"
NINH_BINH = "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình"


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run should have installed it")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def warm_converter() -> Iterator[None]:
    if not converter.pdf_available():
        _missing("LibreOffice (soffice) is not installed here")
    if not converter.warm_available():
        _missing("no Python with LibreOffice's uno module here (Debian: python3-uno)")
    if shutil.which("pdftotext") is None:
        _missing("pdftotext (poppler-utils) is not installed here")
    yield
    converter.shutdown()  # the rest of the suite does not need this module's soffice


@pytest.fixture
def conference(db: Any) -> Conference:
    return replayed_conference()


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """Each page's text as ``pdftotext -layout`` lays it out."""
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603 -- our own temporary file only
        ["pdftotext", "-layout", "-enc", "UTF-8", str(source), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=60,
    )
    return result.stdout.decode().split("\f")[:-1]


def printed(
    kind: str, conference: Conference, number: str, tmp_path: Path, poll: Poll | None = None
) -> list[str]:
    plan = issuing.plan_for(kind, conference=conference, poll=poll)
    return pdf_pages(converter.convert_to_pdf(render_docx(plan.build(number, plan.date))), tmp_path)


def flat(text: str) -> str:
    """Whitespace folded: a sentence the page wrapped over lines reads as one."""
    return " ".join(text.split())


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def has_line(text: str, pattern: str) -> bool:
    """Whether a printed line matches `pattern` from its first to its last character (spaces aside)."""
    return any(re.fullmatch(pattern, line) for line in lines(text))


def assert_frame(pages: list[str], *, number: str, type_name: str) -> None:
    """The NĐ 30/2020 frame of page 1, and page numbers in the top margin from page 2 on."""
    first = pages[0]
    heading = lines(first)
    # The two header columns print side by side: the issuer's parent body beside the national name,
    # the number line alone under the issuer, the date line alone under the motto.
    assert NATIONAL_NAME in heading[0]
    assert MOTTO in heading[1]
    assert f"Số: {number}" in heading
    assert DATE_LINE in heading
    assert type_name in heading
    assert heading.index(type_name) > heading.index(DATE_LINE)
    assert not heading[0].split()[0].isdigit()  # no page number on page 1
    for page_number, page in enumerate(pages[1:], start=2):
        assert lines(page)[0] == str(page_number)


# --- the five documents -------------------------------------------------------------------------------


def test_the_conference_minutes_print_the_frame_the_attendees_the_vote_counts_and_both_signatures(
    warm_converter: None, conference: Conference, tmp_path: Path
) -> None:
    pages = printed("minutes", conference, "01/BB-CTĐ4", tmp_path)
    assert_frame(pages, number="01/BB-CTĐ4", type_name="BIÊN BẢN")
    assert len(pages) >= 2
    assert "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2023" in lines(pages[0])
    text = "\n".join(pages)
    for heading in ("I. THÀNH PHẦN THAM DỰ", "II. NỘI DUNG HỘI NGHỊ", "III. KẾT QUẢ BIỂU QUYẾT"):
        assert heading in lines(text)
    assert "Vào hồi 08 giờ 00 phút, ngày 08 tháng 12 năm 2023" in flat(text)
    assert f"Trúng: {NINH_BINH} đạt 6/7 (85,71%) phiếu." in flat(text)
    # The table of counts: participants, valid, blank, invalid, on the poll's line.
    assert has_line(text, r"2\s+Bầu cụm trưởng năm 2024\s+7\s+7\s+0\s+0")
    assert has_line(text, r"4\s+Thông qua giao ước thi đua năm 2024\s+7\s+7\s+0\s+0")
    assert has_line(text, r"THƯ KÝ\s+CHỦ TRÌ")  # side by side, the chair on the right
    assert "Nơi nhận:" in lines(pages[-1]) and "- Lưu: VT, Cụm 4." in lines(pages[-1])


def test_the_vote_count_minutes_of_every_published_poll_print_its_figures_and_its_board(
    warm_converter: None, conference: Conference, tmp_path: Path
) -> None:
    polls = list(conference.polls.filter(status=PollStatus.PUBLISHED).prefetch_related("choices"))
    assert {poll.kind for poll in polls} == {PollKind.NOMINATION, PollKind.ELECTION, PollKind.MOTION}
    board = list(conference.delegates.filter(counting_board=True).values_list("full_name", flat=True))
    for number, poll in enumerate(polls, start=2):
        result = poll.result
        base = result["base"]
        labels = dict(poll.choices.values_list("key", "label"))
        pages = printed("count", conference, f"{number:02d}/BB-CTĐ4", tmp_path, poll)
        assert_frame(pages, number=f"{number:02d}/BB-CTĐ4", type_name="BIÊN BẢN")
        text = "\n".join(pages)
        assert flat(f"Kiểm phiếu: {poll.title}") in flat(pages[0])
        assert f"Tỷ lệ tính trên {base} " in flat(text)
        assert (
            f"Số phiếu hợp lệ: {result['valid']}; số phiếu trắng: {result['blank']}; "
            f"số phiếu không hợp lệ: {result['invalid']}."
        ) in flat(text)
        # Each choice's row: its number, then (the label, wrapped or not, aside) votes over the base and %.
        for index, choice in enumerate(result["choices"], start=1):
            row = rf"{index}\s.*\b{choice['votes']}/{base}\s+{re.escape(choice['percent'])}(\s.*)?"
            assert has_line(text, row), (poll.title, row)
            if choice["votes"]:
                label = labels[choice["key"]]
                assert f"{label}: {choice['votes']}/{base} ({choice['percent']}) phiếu" in flat(text)
        assert f"tức ít nhất {result['votes_needed']} phiếu" in flat(text)
        assert "Kết quả: Trúng: " in flat(text) or "Kết quả: Hội nghị thông qua." in flat(text)
        for name in board:
            assert name in flat(text)
        # Three signatures side by side: the titles may wrap in their columns, but each is there.
        assert flat(text).count("TRƯỞNG BAN KIỂM") == 1
        assert flat(text).count("THÀNH VIÊN BAN") == len(board) - 1


def test_the_proposal_letter_prints_the_award_the_leader_and_the_signature_beside_the_recipients(
    warm_converter: None, conference: Conference, tmp_path: Path
) -> None:
    pages = printed("proposal", conference, "06/TTr-CTĐ4", tmp_path)
    assert_frame(pages, number="06/TTr-CTĐ4", type_name="TỜ TRÌNH")
    text = "\n".join(pages)
    assert "Về việc đề nghị tặng Cờ thi đua của Liên hiệp Hội Việt Nam năm 2023" in lines(pages[0])
    assert "Kính gửi: Hội đồng Thi đua – Khen thưởng" in flat(pages[0])
    assert "I. ĐỀ NGHỊ KHEN THƯỞNG" in lines(text)
    assert f"1. Cờ thi đua của Liên hiệp Hội Việt Nam: {NINH_BINH}." in flat(text)
    assert "tổng điểm chốt 94,00/100,00 điểm" in flat(text) and "xếp hạng 1/7" in flat(text)
    assert f"Trúng: {NINH_BINH} đạt 6/7 (85,71%) phiếu." in flat(text)
    assert has_line(text, r"Nơi nhận:\s+TM\. CỤM THI ĐUA SỐ 4")
    assert has_line(text, r"- Như trên;\s+CỤM TRƯỞNG")


def test_the_score_summary_prints_seven_columns_of_points_ranked_left_to_right(
    warm_converter: None, conference: Conference, tmp_path: Path
) -> None:
    pages = printed("summary", conference, "07/BC-CTĐ4", tmp_path)
    assert_frame(pages, number="07/BC-CTĐ4", type_name="BẢNG TỔNG HỢP")
    text = "\n".join(pages)
    assert "Kết quả chấm điểm thi đua năm 2023" in lines(pages[0])
    points = r"(\s+\d{1,3},\d\d){6}"
    assert has_line(text, r"Tổng điểm\s+94,00" + points)
    assert has_line(text, r"Điểm thưởng\s+3,00" + points)
    assert has_line(text, r"Xếp hạng" + "".join(rf"\s+{rank}" for rank in range(1, 8)))
    assert "HTXSNV – Hoàn thành xuất sắc nhiệm vụ" in flat(text)
    assert has_line(text, r"Nơi nhận:\s+TM\. CỤM THI ĐUA SỐ 4")


def test_the_agreement_prints_its_criteria_with_points_and_a_signature_for_each_of_the_seven_members(
    warm_converter: None, conference: Conference, tmp_path: Path
) -> None:
    pages = printed("agreement", conference, "08/GƯ-CTĐ4", tmp_path)
    assert_frame(pages, number="08/GƯ-CTĐ4", type_name="GIAO ƯỚC THI ĐUA")
    assert "Năm 2024" in lines(pages[0])
    text = "\n".join(pages)
    assert "II. NỘI DUNG VÀ THANG ĐIỂM" in lines(text)
    assert has_line(text, r"Mã\s+Nội dung tiêu chí\s+Điểm tối đa")
    assert has_line(text, r"1\s+XÂY DỰNG VÀ PHÁT TRIỂN TỔ CHỨC\s+15,00")
    assert has_line(text, r"1\.1\s+Kết nạp hội thành viên mới, phát triển hội viên\s+5,00")
    assert has_line(text, r"Tổng điểm tối đa \(không kể điểm thưởng, điểm trừ\)\s+100,00")
    grid = flat(text[text.index("III. CAM KẾT") :])
    assert grid.count("LIÊN HIỆP CÁC HỘI") == 7  # one signature per member, names in caps
    for province in ("NINH", "THANH", "NGHỆ", "HÀ TĨNH", "QUẢNG", "THỪA THIÊN HUẾ"):
        assert province in grid


# --- voting cards and paper ballots ---------------------------------------------------------------------


def test_the_cards_and_the_ballots_of_the_replayed_conference_print_their_key_lines(
    conference: Conference, officer_ninh_binh: Any, tmp_path: Path
) -> None:
    if conference_pdf.find_font() is None:
        _missing("no TrueType font with Vietnamese letters here (Liberation 2 or DejaVu)")
    if shutil.which("pdftotext") is None:
        _missing("pdftotext (poppler-utils) is not installed here")
    issued = conference_services.issue_codes(actor=officer_ninh_binh, conference=conference)
    assert len(issued) == 7
    (cards,) = pdf_pages(conference_pdf.cards_pdf(conference, issued, "http://192.168.1.20:8000/"), tmp_path)
    assert flat(cards).count("THẺ BIỂU QUYẾT") == 7
    for item in issued:
        assert has_line(cards, rf".*THẺ BIỂU QUYẾT\s+Thẻ số {item.delegate.card}\b.*")
        assert item.code in cards
    titles = {
        PollKind.NOMINATION: "PHIẾU SUY TÔN",
        PollKind.ELECTION: "PHIẾU BẦU",
        PollKind.MOTION: "PHIẾU BIỂU QUYẾT",
    }
    for poll in conference.polls.prefetch_related("choices"):
        (ballots,) = pdf_pages(conference_pdf.paper_ballot_pdf(poll, 2), tmp_path)
        assert lines(ballots).count(titles[poll.kind]) == 2  # two copies to the page
        assert flat(poll.title) in flat(ballots)
        assert "Ngày 08 tháng 12 năm 2023" in flat(ballots)
        assert flat(ballots).count("Phiếu hợp lệ phải có dấu của Ban tổ chức") == 2
        for choice in poll.choices.all():
            assert flat(ballots).count(flat(choice.label)) == 2
