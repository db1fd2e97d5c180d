"""Documents generated from Cụm 4's demo year 2023 and its conference of 08/12/2023, rendered to DOCX and
read back with python-docx (as printed through LibreOffice: test_document_pdfs.py)."""

from __future__ import annotations

import datetime
import io

import pytest
from docx import Document

from thidua.agreements.models import AgreementStatus
from thidua.conferences.models import Conference, PollKind
from thidua.documents.generators import (
    agreement_document,
    conference_minutes,
    legal_frame,
    proposal_letter,
    score_summary_document,
    vote_count_minutes,
)
from thidua.documents.layout import render_docx
from thidua.documents.tests.test_layout import blocks
from thidua.years.models import EmulationYear

pytestmark = pytest.mark.django_db

CONFERENCE_DAY = datetime.date(2023, 12, 8)
MEMBERS_2023 = [
    "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình",
    "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Thanh Hóa",
    "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Nghệ An",
    "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Hà Tĩnh",
    "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Quảng Bình",
    "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Quảng Trị",
    "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Thừa Thiên Huế",
]


@pytest.fixture
def conference(cluster4):
    return Conference.objects.get(emulation_year__group=cluster4, emulation_year__year=2023)


def read(document) -> tuple[object, str]:
    """The rendered DOCX read back, and its text in reading order (tables cell by cell), one line each."""
    docx = Document(io.BytesIO(render_docx(document)))
    return docx, "\n".join(p.text for p in blocks(docx) if p.text)


def signer_names(docx) -> list[str]:
    """The last paragraph of every cell of the signature grid (the last table but the recipients)."""
    grids = [t for t in docx.tables if "Nơi nhận:" not in t.rows[0].cells[0].paragraphs[0].text]
    cells = {id(cell._tc): cell for row in grids[-1].rows for cell in row.cells}  # a merged cell once
    return [cell.paragraphs[-1].text for cell in cells.values() if cell.paragraphs[-1].text]


# --- the legal frame ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "law", "decree"),
    [
        (
            datetime.date(2023, 12, 8),
            "Luật Thi đua, khen thưởng năm 2003 (sửa đổi, bổ sung 2013)",
            "91/2017/NĐ-CP",
        ),
        (datetime.date(2024, 1, 1), "06/2022/QH15", "98/2023/NĐ-CP"),
        (datetime.date(2024, 12, 25), "06/2022/QH15", "98/2023/NĐ-CP"),
        (datetime.date(2025, 6, 30), "06/2022/QH15", "98/2023/NĐ-CP"),
        (datetime.date(2025, 7, 1), "06/2022/QH15", "152/2025/NĐ-CP"),
        (datetime.date(2026, 12, 22), "06/2022/QH15", "152/2025/NĐ-CP"),
    ],
)
def test_the_law_and_decree_cited_are_those_in_force_on_the_day(day, law, decree):
    frame = legal_frame(day)
    assert law in frame.law and decree in frame.decree


# --- the conference minutes ---------------------------------------------------------------------------


def test_the_minutes_list_every_member_under_its_name_on_the_conference_day(conference):
    _docx, text = read(conference_minutes(conference, number_text="05/BB-CTĐ4"))
    for name in MEMBERS_2023:
        assert f"{name}: " in text
    assert "thành phố Huế" not in text  # Huế became a city on 01/01/2025, after this conference
    assert (
        "Đại diện cơ quan cấp trên dự, chỉ đạo: Đại diện Ban Thi đua — Khen thưởng, Liên hiệp Hội Việt Nam"
        in text
    )
    assert "Lãnh đạo Liên hiệp hội tỉnh Quảng Bình (minh họa), Chủ tịch" in text


def test_the_minutes_have_the_header_chair_secretary_and_the_year_ahead(conference):
    _docx, text = read(conference_minutes(conference, number_text="05/BB-CTĐ4"))
    lines = text.splitlines()
    for line in (
        "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT VIỆT NAM",
        "CỤM THI ĐUA SỐ 4",
        "Số: 05/BB-CTĐ4",
        "Ninh Bình, ngày 08 tháng 12 năm 2023",
        "BIÊN BẢN",
    ):
        assert line in lines
    assert "Vào hồi 08 giờ 00 phút, ngày 08 tháng 12 năm 2023" in text
    people = conference.people()
    chair, secretary = people["chair"], people["secretary"]
    assert f"Chủ trì hội nghị: {chair.full_name}, Chủ tịch." in text
    assert f"Thư ký hội nghị: {secretary.full_name}, Chánh Văn phòng." in text
    # The parent body's representative is named once, not again among the guests (issue 15, part 2).
    supervisor = people["supervisor"]
    assert text.count(supervisor.full_name) == 1 and "Khách mời" not in text
    assert "Hội nghị bầu Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Nghệ An làm Cụm trưởng năm 2024." in text
    assert "Hội nghị bầu Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Hà Tĩnh làm Cụm phó năm 2024." in text
    assert "Hội nghị thông qua Giao ước thi đua năm 2024" in text
    assert "Hội nghị kết thúc vào hồi 12 giờ 00 phút cùng ngày." in text
    assert lines[lines.index("THƯ KÝ") : lines.index("THƯ KÝ") + 4] == [
        "THƯ KÝ",
        secretary.full_name,
        "CHỦ TRÌ",
        chair.full_name,
    ]


def test_minutes_of_a_conference_that_ended_the_next_day_give_that_date(conference):
    conference.closed_at = datetime.datetime(2023, 12, 9, 1, 30, tzinfo=datetime.UTC)  # 08:30 in Vietnam
    _docx, text = read(conference_minutes(conference, number_text="05/BB-CTĐ4"))
    assert "Hội nghị kết thúc vào hồi 08 giờ 30 phút, ngày 09 tháng 12 năm 2023." in text
    assert "cùng ngày" not in text


def test_minutes_of_a_conference_not_yet_ended_give_no_closing_time(conference):
    conference.closed_at = None
    _docx, text = read(conference_minutes(conference, number_text="05/BB-CTĐ4"))
    assert "Hội nghị kết thúc" not in text
    assert "Biên bản đã được đọc lại và các đại biểu tham dự nhất trí thông qua./." in text


def test_the_minutes_give_each_poll_a_sentence_and_a_row_of_counts(conference):
    docx, text = read(conference_minutes(conference, number_text="05/BB-CTĐ4"))
    assert "Trúng: Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình đạt 6/7 (85,71%) phiếu." in text
    assert "Hội nghị thông qua với 7/7 (100%) phiếu đồng ý." in text
    counts = next(t for t in docx.tables if t.rows[0].cells[0].text == "TT")
    rows = [[c.text for c in row.cells] for row in counts.rows[1:]]
    assert [r[2:] for r in rows] == [
        ["7", "6", "1", "0"],
        ["7", "7", "0", "0"],
        ["7", "7", "0", "0"],
        ["7", "7", "0", "0"],
    ]


# --- the counting board's minutes ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", [PollKind.NOMINATION, PollKind.ELECTION, PollKind.MOTION])
def test_the_vote_count_minutes_repeat_the_tally_and_its_base(conference, kind):
    for poll in conference.polls.filter(kind=kind):
        result = poll.result
        labels = dict(poll.choices.values_list("key", "label"))
        docx, text = read(vote_count_minutes(poll, number_text="06/BB-CTĐ4"))
        table = next(t for t in docx.tables if t.rows[0].cells[0].text == "TT")
        assert [c.text for c in table.rows[0].cells][3] == f"Tỷ lệ (trên {result['base']})"
        rows = [[c.text for c in row.cells] for row in table.rows[1:]]
        assert [(r[1], r[2], r[3]) for r in rows] == [
            (labels[c["key"]], f"{c['votes']}/{result['base']}", c["percent"]) for c in result["choices"]
        ]
        assert f"Tỷ lệ tính trên {result['base']} đại biểu có mặt" in text
        assert f"Số phiếu hợp lệ: {result['valid']}; số phiếu trắng: {result['blank']}; " in text
        # The base and the threshold once, then one short sentence per choice (issue 15, part 4).
        assert f"; ngưỡng trúng: {result['threshold']}, tức" in text
        assert text.count(result["threshold"]) == 1
        for choice in result["choices"]:
            label = labels[choice["key"]]
            if choice["votes"]:
                assert f"{label}: {choice['votes']}/{result['base']} ({choice['percent']}) phiếu" in text
            else:  # named once among those nobody voted for, not a sentence each
                assert f"{label}: 0/" not in text and label in text.split("Không có phiếu nào: ")[1]
        # The rule's note for staff stays out; the regulation that sets the rule is cited (issue 15).
        cited = f"{poll.rule_sources['regulation']} ({poll.rule_sources['citation']})"
        assert f"ít nhất {result['votes_needed']} phiếu (căn cứ: {cited})" in text
        assert "[L]" not in text and "mặc định, sửa được" not in text
        assert "Kết quả: Trúng: " in text or "Kết quả: Hội nghị thông qua." in text
        assert result["outcome"] not in text  # the long sentence, every choice with the threshold again
        assert "bỏ phiếu kín bằng hình thức điện tử" in text


def test_the_flag_vote_count_says_six_of_seven_and_when_it_was_read_out(conference):
    poll = conference.polls.get(kind=PollKind.NOMINATION)
    _docx, text = read(vote_count_minutes(poll, number_text="06/BB-CTĐ4"))
    assert "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình: 6/7 (85,71%) phiếu — trúng." in text
    assert (
        "Tỷ lệ tính trên 7 đại biểu có mặt tham gia bỏ phiếu; ngưỡng trúng: quá 1/2 (50%), tức ít nhất 4"
        in text
    )
    assert "Kết quả: Trúng: Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình." in text
    local = poll.closed_at.astimezone(datetime.timezone(datetime.timedelta(hours=7)))
    assert f"vào hồi {local.hour:02d} giờ {local.minute:02d} phút" in text


def test_every_counting_board_member_signs_the_vote_count(conference):
    poll = conference.polls.get(kind=PollKind.NOMINATION)
    board = list(
        conference.delegates.filter(counting_board=True).order_by("pk").values_list("full_name", flat=True)
    )
    assert len(board) == 3
    docx, text = read(vote_count_minutes(poll, number_text="06/BB-CTĐ4"))
    assert signer_names(docx) == board
    lines = text.splitlines()
    assert lines.count("TRƯỞNG BAN KIỂM PHIẾU") == 1
    assert lines.count("THÀNH VIÊN BAN KIỂM PHIẾU") == 2
    for index, name in enumerate(board, start=1):
        assert f"{index}. {name}, Chủ tịch, " in text


def test_a_poll_without_a_result_has_no_vote_count(conference):
    poll = conference.polls.get(kind=PollKind.NOMINATION)
    poll.result = {}
    with pytest.raises(ValueError, match="chưa có kết quả"):
        vote_count_minutes(poll, number_text="06/BB-CTĐ4")


# --- the proposal letter ------------------------------------------------------------------------------


def test_the_proposal_names_the_leader_the_flag_and_the_law_of_2023(conference):
    _docx, text = read(proposal_letter(conference, number_text="01/TTr-CTĐ4"))
    lines = text.splitlines()
    assert "TỜ TRÌNH" in lines
    assert "Về việc đề nghị tặng Cờ thi đua của Liên hiệp Hội Việt Nam năm 2023" in lines
    assert (
        "1. Cờ thi đua của Liên hiệp Hội Việt Nam: Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình."
        in text
    )
    # 08/12/2023 is before the 2022 Law came into force (01/01/2024).
    assert "Căn cứ Luật Thi đua, khen thưởng năm 2003 (sửa đổi, bổ sung 2013);" in text
    assert "91/2017/NĐ-CP" in text and "06/2022/QH15" not in text
    assert "QĐ 1039/QĐ-LHHVN" in text
    assert "tổng điểm chốt 94,00/100,00 điểm" in text and "xếp hạng 1/7" in text
    assert "Hoàn thành xuất sắc nhiệm vụ" in text
    assert "Trúng: Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình đạt 6/7 (85,71%) phiếu." in text
    assert lines[-7:] == [
        "Nơi nhận:",
        "- Như trên;",
        "- Ban Thi đua – Khen thưởng, Liên hiệp Hội Việt Nam;",
        "- Lưu: VT, Cụm 4.",
        "TM. CỤM THI ĐUA SỐ 4",
        "CỤM TRƯỞNG",
        "Lãnh đạo Liên hiệp hội tỉnh Ninh Bình (minh họa)",  # Ninh Bình's chairman in office that day
    ]


@pytest.mark.parametrize(
    ("day", "law", "decree"),
    [
        (datetime.date(2024, 12, 25), "06/2022/QH15", "98/2023/NĐ-CP"),
        (datetime.date(2026, 12, 22), "06/2022/QH15", "152/2025/NĐ-CP"),
    ],
)
def test_a_later_conference_cites_the_law_in_force_on_its_day(conference, day, law, decree):
    conference.starts_at = datetime.datetime.combine(day, datetime.time(1, 0), tzinfo=datetime.UTC)
    _docx, text = read(proposal_letter(conference, number_text="01/TTr-CTĐ4"))
    assert law in text and decree in text
    assert f"Ninh Bình, ngày {day.day} tháng 12 năm {day.year}" in text


# --- the agreement and the score summary --------------------------------------------------------------


def test_the_2024_agreement_has_its_criteria_and_a_signature_grid_of_seven(cluster4):
    agreement = EmulationYear.objects.get(group=cluster4, year=2024).agreements.get(
        status=AgreementStatus.IN_FORCE
    )
    docx, text = read(agreement_document(agreement, number_text="01/GƯ-CTĐ4"))
    lines = text.splitlines()
    assert "GIAO ƯỚC THI ĐUA" in lines and "Năm 2024" in lines
    criteria = next(t for t in docx.tables if t.rows[0].cells[0].text == "Mã")
    rows = [[c.text for c in row.cells] for row in criteria.rows[1:]]
    assert rows[0] == ["1", "XÂY DỰNG VÀ PHÁT TRIỂN TỔ CHỨC", "15,00"]
    assert rows[1][0] == "1.1"
    assert len(rows) == agreement.criteria.count() + agreement.criterion_groups.count() + 1
    assert rows[-1][1:] == ["Tổng điểm tối đa (không kể điểm thưởng, điểm trừ)", "100,00"]
    signatures = list(agreement.signatures.order_by("organization__memberships__pk"))
    names = signer_names(docx)
    assert len(names) == 7
    assert sorted(names) == sorted({s.signer_name for s in signatures})
    assert "Các đơn vị thành viên cam kết" in text


def test_the_agreement_names_members_as_they_were_called_on_the_signing_day(cluster4):
    agreement = EmulationYear.objects.get(group=cluster4, year=2024).agreements.get(
        status=AgreementStatus.IN_FORCE
    )
    agreement.in_force_at = datetime.datetime(2023, 12, 8, 5, 0, tzinfo=datetime.UTC)
    _docx, text = read(agreement_document(agreement, number_text="01/GƯ-CTĐ4"))
    assert "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT TỈNH THỪA THIÊN HUẾ" in text.splitlines()
    assert "Ninh Bình, ngày 08 tháng 12 năm 2023" in text


def test_the_score_summary_ranks_the_seven_members(conference):
    docx, text = read(score_summary_document(conference.emulation_year, number_text="07/BC-CTĐ4"))
    table = next(t for t in docx.tables if t.rows[0].cells[0].text.startswith("Nội dung"))
    header = [c.text for c in table.rows[0].cells]
    assert len(header) == 1 + 7 and header[1] == "Ninh Bình"
    by_label = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}
    assert by_label["Xếp hạng"] == [str(rank) for rank in range(1, 8)]
    assert by_label["Tổng điểm"][0] == "94,00"
    assert by_label["Xếp loại"][0] == "HTXSNV"
    assert len([label for label in by_label if label[0].isdigit()]) == 8  # the eight work areas
    assert "HTXSNV – Hoàn thành xuất sắc nhiệm vụ" in text
    assert "Thừa Thiên Huế: Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Thừa Thiên Huế." in text
