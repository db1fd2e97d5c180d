"""The NĐ 30/2020 layout, read back from the DOCX with python-docx and, where LibreOffice is installed,
from the PDF it converts the DOCX to."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from thidua.documents.layout import (
    CELL_PADDING_MM,
    FONT_NAME,
    Heading,
    Issuer,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
    _text_width_mm,
    render_docx,
)

CLUSTER_4 = Issuer(
    parent_name="Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam",
    name="Cụm thi đua số 4",
    place="Ninh Bình",
)

SPEECH = (
    "Hội nghị đã nghe đồng chí Cụm trưởng trình bày báo cáo tổng kết công tác thi đua năm 2023 của "
    "Cụm thi đua số 4; các đại biểu thảo luận, đánh giá kết quả thực hiện các nội dung giao ước thi đua "
    "và thống nhất phương hướng, nhiệm vụ năm 2024. "
)


def minutes() -> OfficialDocument:
    """The minutes of Cụm 4's year-end conference of 08/12/2023 (vote figures are demo data)."""
    return OfficialDocument(
        issuer=CLUSTER_4,
        number_line="Số: 05/BB-CTĐ4",
        date=date(2023, 12, 8),
        type_name="Biên bản",
        summary="Hội nghị tổng kết công tác thi đua năm 2023",
        body=[
            Paragraph(
                "Vào hồi 08 giờ 00 ngày 08 tháng 12 năm 2023, tại Hội trường Liên hiệp các Hội Khoa học và Kỹ "
                "thuật tỉnh Ninh Bình, Cụm thi đua số 4 tổ chức Hội nghị tổng kết công tác thi đua năm 2023."
            ),
            Heading("I. THÀNH PHẦN THAM DỰ"),
            Paragraph(
                "Đại diện lãnh đạo Liên hiệp các Hội Khoa học và Kỹ thuật của 07 tỉnh: Ninh Bình, Thanh Hóa, "
                "Nghệ An, Hà Tĩnh, Quảng Bình, Quảng Trị, Thừa Thiên Huế."
            ),
            Paragraph("Chủ trì: đồng chí Nguyễn Văn An, Chủ tịch Liên hiệp hội tỉnh Ninh Bình, Cụm trưởng."),
            Paragraph("Thư ký: đồng chí Trần Thị Bình, Liên hiệp hội tỉnh Ninh Bình."),
            Heading("II. NỘI DUNG HỘI NGHỊ"),
            Paragraph(SPEECH * 3),
            Paragraph("Kết quả bỏ phiếu kín suy tôn đơn vị dẫn đầu Cụm (căn cứ: 07 đại biểu có mặt):"),
            Table(
                header=["TT", "Đơn vị", "Số phiếu", "Tỷ lệ"],
                rows=[
                    ["1", "Liên hiệp hội tỉnh Ninh Bình", "6", "85,7%"],
                    ["2", "Liên hiệp hội tỉnh Nghệ An", "1", "14,3%"],
                    ["", "Tổng cộng", "7", "100%"],
                ],
                widths_cm=[1.5, 8.5, 3.0, 3.0],
                bold_last_row=True,
            ),
            Paragraph(SPEECH * 4),
            Heading("III. KẾT LUẬN"),
            Paragraph(SPEECH * 4),
            Paragraph(
                "Hội nghị kết thúc vào hồi 11 giờ 30 cùng ngày. Biên bản đã được đọc lại và các đại biểu "
                "tham dự nhất trí thông qua.",
                italic=True,
            ),
        ],
        signers=[
            Signer(authority="", title="Thư ký", name="Trần Thị Bình"),
            Signer(authority="TM. Cụm thi đua số 4", title="Cụm trưởng", name="Nguyễn Văn An"),
        ],
        recipients=[
            "Thường trực Hội đồng TĐKT Liên hiệp Hội Việt Nam",
            "Các đơn vị thành viên Cụm thi đua số 4",
            "Lưu: VT, Cụm 4",
        ],
    )


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return render_docx(minutes())


@pytest.fixture(scope="module")
def document(docx_bytes):
    return Document(io.BytesIO(docx_bytes))


def blocks(container):
    """Paragraphs in reading order, descending into tables (cells left to right, row by row)."""
    for item in container.iter_inner_content():
        if isinstance(item, DocxParagraph):
            yield item
        else:
            assert isinstance(item, DocxTable)
            for row in item.rows:
                for cell in row.cells:
                    yield from blocks(cell)


def paragraph(document, text: str) -> DocxParagraph:
    found = [p for p in blocks(document) if p.text == text]
    assert len(found) == 1, f"{text!r} found {len(found)} times"
    return found[0]


def texts(document) -> list[str]:
    return [p.text for p in blocks(document) if p.text]


def test_the_page_is_a4_portrait_with_the_decree_margins(document):
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) <= Mm(0.5)
    assert abs(section.page_height - Mm(297)) <= Mm(0.5)
    assert [round(m.mm, 1) for m in (section.top_margin, section.bottom_margin)] == [20, 20]
    assert [round(m.mm, 1) for m in (section.left_margin, section.right_margin)] == [30, 15]


def test_every_run_is_times_new_roman_black_in_every_font_slot(document):
    section = document.sections[0]
    containers = [document, section.header, section.first_page_header]
    runs = [run for container in containers for p in blocks(container) for run in p.runs]
    assert len(runs) > 40
    for run in runs:
        assert run.font.name == FONT_NAME, run.text
        fonts = run._r.rPr.find(qn("w:rFonts"))
        assert {fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {FONT_NAME}
        assert run.font.color.rgb == (0, 0, 0)
        assert 11 <= run.font.size.pt <= 14, run.text
    for name in ("Normal", "Header"):
        assert document.styles[name].font.name == FONT_NAME


def test_the_header_holds_issuer_number_national_name_motto_and_date(document):
    header = document.tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == [
        "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT VIỆT NAM",
        "CỤM THI ĐUA SỐ 4",
        "Số: 05/BB-CTĐ4",
    ]
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Ninh Bình, ngày 08 tháng 12 năm 2023",
    ]


def test_header_lines_have_the_decree_sizes_and_weights(document):
    def style(text):
        run = paragraph(document, text).runs[0]
        return run.font.size.pt, bool(run.font.bold), bool(run.font.italic)

    assert style("LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT VIỆT NAM") == (12, False, False)
    assert style("CỤM THI ĐUA SỐ 4") == (12, True, False)
    assert style("Số: 05/BB-CTĐ4") == (13, False, False)
    assert style("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == (12, True, False)
    assert style("Độc lập - Tự do - Hạnh phúc") == (13, True, False)
    assert style("Ninh Bình, ngày 08 tháng 12 năm 2023") == (14, False, True)


def test_the_motto_and_the_issuer_are_underlined_by_rules_of_the_decree_lengths(document):
    left, right = document.tables[0].rows[0].cells

    def rule_length_mm(cell, after: str) -> float:
        found = cell.paragraphs[[p.text for p in cell.paragraphs].index(after) + 1]
        assert found.text == "" and found._p.pPr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}") is not None
        form = found.paragraph_format
        return cell.width.mm - form.left_indent.mm - form.right_indent.mm

    # Under the issuer 1/3 to 1/2 of its line (~35 mm at 12 pt bold); under the motto all of it.
    assert 13 <= rule_length_mm(left, "CỤM THI ĐUA SỐ 4") <= 21
    assert 52 <= rule_length_mm(right, "Độc lập - Tự do - Hạnh phúc") <= 62  # the motto is ~56 mm


def test_type_name_and_summary_are_bold_and_centred_under_the_header(document):
    lines = texts(document)
    date_line = lines.index("Ninh Bình, ngày 08 tháng 12 năm 2023")
    assert lines[date_line + 1 : date_line + 3] == ["BIÊN BẢN", "Hội nghị tổng kết công tác thi đua năm 2023"]
    for text in ("BIÊN BẢN", "Hội nghị tổng kết công tác thi đua năm 2023"):
        found = paragraph(document, text)
        assert found.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert found.runs[0].font.bold and found.runs[0].font.size == Pt(14)


def test_body_paragraphs_are_justified_with_a_first_line_indent(document):
    body = [p for p in document.paragraphs if p.text.startswith(("Vào hồi", "Hội nghị đã nghe", "Chủ trì"))]
    assert len(body) == 5
    for found in body:
        assert found.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert Cm(1) <= found.paragraph_format.first_line_indent <= Cm(1.27)
        assert found.runs[0].font.size == Pt(14)
    assert paragraph(document, "I. THÀNH PHẦN THAM DỰ").runs[0].font.bold


def test_the_vote_table_has_borders_its_rows_and_a_bold_total(document):
    votes = document.tables[1]
    assert [c.text for c in votes.rows[0].cells] == ["TT", "Đơn vị", "Số phiếu", "Tỷ lệ"]
    assert [c.text for c in votes.rows[-1].cells] == ["", "Tổng cộng", "7", "100%"]
    assert votes.rows[-1].cells[1].paragraphs[0].runs[0].font.bold
    assert not votes.rows[1].cells[1].paragraphs[0].runs[0].font.bold
    assert votes._tbl.tblPr.find(f"{qn('w:tblBorders')}/{qn('w:insideH')}").get(qn("w:val")) == "single"
    assert round(votes.columns[1].width.cm, 1) == 8.5


def test_the_signatures_stand_side_by_side_then_the_recipients(document):
    lines = texts(document)
    end = lines[lines.index("THƯ KÝ") :]
    assert end == [
        "THƯ KÝ",
        "Trần Thị Bình",
        "TM. CỤM THI ĐUA SỐ 4",
        "CỤM TRƯỞNG",
        "Nguyễn Văn An",
        "Nơi nhận:",
        "- Thường trực Hội đồng TĐKT Liên hiệp Hội Việt Nam;",
        "- Các đơn vị thành viên Cụm thi đua số 4;",
        "- Lưu: VT, Cụm 4.",
    ]
    signatures = document.tables[2].rows[0].cells
    assert [c.paragraphs[0].text for c in signatures] == ["THƯ KÝ", "TM. CỤM THI ĐUA SỐ 4"]
    for text in ("THƯ KÝ", "CỤM TRƯỞNG", "Nguyễn Văn An"):
        assert paragraph(document, text).runs[0].font.bold
    received = paragraph(document, "Nơi nhận:").runs[0].font
    assert (received.bold, received.italic, received.size) == (True, True, Pt(12))
    assert paragraph(document, "- Lưu: VT, Cụm 4.").runs[0].font.size == Pt(11)


def test_one_signer_signs_on_the_right_of_the_recipients():
    lone = OfficialDocument(**{**minutes().__dict__, "signers": minutes().signers[1:]})
    document = Document(io.BytesIO(render_docx(lone)))
    received, signature = document.tables[-1].rows[0].cells
    assert received.paragraphs[0].text == "Nơi nhận:"
    assert [p.text for p in signature.paragraphs if p.text] == [
        "TM. CỤM THI ĐUA SỐ 4",
        "CỤM TRƯỞNG",
        "Nguyễn Văn An",
    ]


def test_a_counting_board_of_five_signs_in_two_even_columns_with_the_fifth_in_the_middle():
    board = [Signer("", "Thành viên", f"Người {i}") for i in range(1, 6)]
    document = Document(io.BytesIO(render_docx(OfficialDocument(**{**minutes().__dict__, "signers": board}))))
    grid = document.tables[2]
    assert len(grid.rows) == 3 and len(grid.columns) == 2
    assert [c.paragraphs[-1].text for c in grid.rows[1].cells] == ["Người 3", "Người 4"]
    last = grid.rows[2].cells
    assert last[0]._tc is last[1]._tc and last[0].paragraphs[-1].text == "Người 5"  # one cell, both columns
    # The grid goes over a page as a whole: every row but the last keeps with the next.
    assert all(
        p.paragraph_format.keep_with_next for row in grid.rows[:2] for c in row.cells for p in c.paragraphs
    )


def test_no_table_row_breaks_across_pages_and_a_ruled_table_repeats_its_header_row():
    board = [Signer("", "Thành viên", f"Người {i}") for i in range(1, 6)]
    document = Document(io.BytesIO(render_docx(OfficialDocument(**{**minutes().__dict__, "signers": board}))))
    votes, grid = document.tables[1], document.tables[2]
    for row in [*votes.rows, *grid.rows]:  # the second row of signers too, added after the first
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    assert [row._tr.trPr.find(qn("w:tblHeader")) is not None for row in votes.rows] == [True] + [False] * 3
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in grid.rows)


def test_signers_of_a_row_have_their_names_on_the_same_line(document):
    secretary, chair = document.tables[2].rows[0].cells
    assert len(secretary.paragraphs) == len(chair.paragraphs)
    assert (secretary.paragraphs[-1].text, chair.paragraphs[-1].text) == ("Trần Thị Bình", "Nguyễn Văn An")


def test_pages_are_numbered_in_the_header_from_page_two(document):
    section = document.sections[0]
    assert section.different_first_page_header_footer is True
    instructions = section.header._element.xpath(".//w:instrText")
    assert [i.text.strip() for i in instructions] == ["PAGE"]
    assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not section.first_page_header.is_linked_to_previous
    assert section.first_page_header._element.xpath(".//w:instrText") == []


def test_a_document_without_signer_is_refused():
    with pytest.raises(ValueError, match="người ký"):
        render_docx(OfficialDocument(**{**minutes().__dict__, "signers": []}))


def test_a_table_row_with_the_wrong_number_of_cells_is_refused():
    table = Table(header=["TT", "Đơn vị"], rows=[["1"]])
    with pytest.raises(ValueError, match="số cột"):
        render_docx(OfficialDocument(**{**minutes().__dict__, "body": [table]}))


def test_scores_are_centred_even_with_a_band_code_in_their_column_and_names_read_from_the_left():
    table = Table(
        header=["Nội dung", "Ninh Bình", "Hà Tĩnh"],
        rows=[["1. Xây dựng và phát triển tổ chức", "15,00", "12,00"], ["Xếp loại", "HTXSNV", "HTTNV"]],
    )
    rendered = Document(io.BytesIO(render_docx(OfficialDocument(**{**minutes().__dict__, "body": [table]}))))
    cells = rendered.tables[1].rows[1].cells  # tables[0] is the two-column header
    assert cells[0].paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.LEFT)
    assert cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert rendered.tables[1].rows[2].cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER


# --- through LibreOffice ----------------------------------------------------------------------------


def tool(name: str) -> str:
    """The path of ``name``; skipped where it is missing, but a failure in CI, which installs it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed: the DOCX is not converted to PDF here"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI must check it")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def pdf(docx_bytes, tmp_path_factory) -> Path:
    soffice, _ = tool("soffice"), tool("pdftotext")
    folder = tmp_path_factory.mktemp("layout")
    source = folder / "bien-ban.docx"
    source.write_bytes(docx_bytes)
    profile = (folder / "profile").as_uri()  # a private profile: no clash with a running LibreOffice
    subprocess.run(  # noqa: S603 - fixed arguments, our own temp files
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            folder,
            source,
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / "bien-ban.pdf"


def pdf_text(pdf: Path, *pages: int) -> str:
    first_last = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    command = [tool("pdftotext"), "-layout", *first_last, pdf, "-"]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603


def test_libreoffice_lays_the_minutes_out_on_two_pages_with_the_key_lines(pdf):
    info = subprocess.run([tool("pdfinfo"), pdf], check=True, capture_output=True, text=True).stdout  # noqa: S603
    assert "Pages:           2" in info
    first = " ".join(pdf_text(pdf, 1).split())
    for line in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Ninh Bình, ngày 08 tháng 12 năm 2023",
        "CỤM THI ĐUA SỐ 4",
        "Số: 05/BB-CTĐ4",
        "BIÊN BẢN",
        "Hội nghị tổng kết công tác thi đua năm 2023",
    ):
        assert line in first
    second = pdf_text(pdf, 2)
    assert second.split()[0] == "2"  # the page number heads page 2; page 1 has none
    assert not pdf_text(pdf, 1).split()[0].isdigit()
    for line in ("TM. CỤM THI ĐUA SỐ 4", "Nguyễn Văn An", "Nơi nhận:", "- Lưu: VT, Cụm 4."):
        assert line in " ".join(second.split())


def test_added_properties_keep_the_schema_order_word_insists_on(document):
    def tags(element):
        return [child.tag.split("}")[1] for child in element]

    for table in document.tables:
        order = tags(table._tbl.tblPr)
        assert (
            order.index("jc") < order.index("tblBorders") < order.index("tblLayout") < order.index("tblLook")
        )
    rules = [p for p in blocks(document) if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None]
    assert len(rules) == 3  # under the issuer, the motto and the summary
    for rule in rules:
        assert tags(rule._p.pPr) == ["pBdr", "spacing", "ind", "rPr"]


def test_a_heading_and_a_paragraph_announcing_a_table_keep_with_what_follows_them():
    document = Document(io.BytesIO(render_docx(minutes())))
    by_text = {p.text: p for p in document.paragraphs if p.text}
    assert by_text["I. THÀNH PHẦN THAM DỰ"].paragraph_format.keep_with_next
    assert by_text["II. NỘI DUNG HỘI NGHỊ"].paragraph_format.keep_with_next
    announcing = next(t for t in by_text if t.startswith("Kết quả bỏ phiếu kín suy tôn"))
    assert by_text[announcing].paragraph_format.keep_with_next
    assert not by_text[SPEECH * 3].paragraph_format.keep_with_next  # an ordinary paragraph may end a page


def test_a_column_of_short_codes_is_set_small_enough_that_no_code_breaks_and_all_figures_alike():
    codes = [["Xếp loại", *["HTXSNV"] * 3, *["HTTNV"] * 4]]
    table = Table(
        header=["Nội dung", *[f"Đơn vị {i}" for i in range(7)]], rows=codes, widths_cm=[4.0] + [1.79] * 7
    )
    document = Document(io.BytesIO(render_docx(OfficialDocument(**{**minutes().__dict__, "body": [table]}))))
    cells = document.tables[1].rows[1].cells[1:]
    sizes = {run.font.size.pt for cell in cells for run in cell.paragraphs[0].runs}
    assert len(sizes) == 1  # one size for the whole row of figures
    (size,) = sizes
    assert 9 <= size < 13
    assert _text_width_mm("HTXSNV", size) <= 17.9 - CELL_PADDING_MM
