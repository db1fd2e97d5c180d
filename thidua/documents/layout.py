"""The layout of an administrative document (thể thức văn bản hành chính), rendered as DOCX.

Every document the cluster issues — biên bản, tờ trình, giao ước thi đua, báo cáo — shares one frame:
the two-column header (issuer on the left, national name and motto on the right), the type name and
summary, the body, the signatures and the recipients. That frame is Nghị định 30/2020/NĐ-CP về công tác
văn thư, Phụ lục I ("Thể thức, kỹ thuật trình bày văn bản hành chính"), which VUSTA applies "as
appropriate" (DOMAIN.md, Layout). This module describes a document as plain dataclasses and writes it
with python-docx; it knows nothing of Django, so the renderers of each document type build an
``OfficialDocument`` from their models and call ``render_docx``.

Times New Roman is named on the document defaults, on the styles and on every run, for all four font
slots (ascii, hAnsi, eastAsia, cs): Word picks the slot per character, and Vietnamese letters with two
marks (ệ, ỗ) would otherwise be drawn in whatever the eastAsia or theme font is.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from thidua.lib.dates import document_date_line
from thidua.lib.text import nfc

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.table import Table as DocxTable
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph as DocxParagraph
    from docx.text.run import Run

__all__ = [
    "AUTHORITY_MARKS",
    "FONT_NAME",
    "Block",
    "Heading",
    "Issuer",
    "OfficialDocument",
    "Paragraph",
    "Signer",
    "Table",
    "render_docx",
]

# NĐ 30/2020/NĐ-CP, Phụ lục I, Mục I.1: font Times New Roman (Unicode, TCVN 6909:2001), black.
FONT_NAME = "Times New Roman"
# NĐ 30/2020/NĐ-CP, Phụ lục I, Mục I.2–3: A4 (210 × 297 mm), portrait; margins top and bottom 20–25 mm,
# left 30–35 mm, right 15–20 mm. The smallest of each leaves the most room for the text.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 20, 20, 30, 15
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 165 mm
# NĐ 30/2020/NĐ-CP, Phụ lục I, Mục I.4 and the sample layouts (Mẫu 1.x): issuer on the left, national
# name and motto on the right; the right column must hold "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" on one line.
HEADER_LEFT_MM, HEADER_RIGHT_MM = 65.0, TEXT_WIDTH_MM - 65.0
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BODY_PT = 14  # NĐ 30/2020/NĐ-CP, Phụ lục I, Mục II.11: body 13–14 pt.
TABLE_PT = 13
FIRST_LINE_INDENT_CM = 1.27  # NĐ 30/2020/NĐ-CP, Phụ lục I, Mục II.11: first-line indent 1–1.27 cm.
SIGNATURE_SPACE_LINES = 4  # room for a hand signature and the seal between title and name
SIGNERS_PER_ROW = 3  # a counting board of five signs on two rows
RECIPIENTS_BELOW_MM = 100.0  # "Nơi nhận" under a row of signatures has the width of the page's left part

Align = Literal["justify", "center", "left", "right"]
_ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


@dataclass(frozen=True)
class Issuer:
    """The organization that issues the document, under the body it belongs to (cơ quan chủ quản)."""

    parent_name: str  # "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT VIỆT NAM"
    name: str  # "CỤM THI ĐUA SỐ 4"
    place: str  # "Ninh Bình": the place name of the date line


# NĐ 30/2020/NĐ-CP, Điều 13 and Phụ lục I, Mục II.8.b: the marks written before the collective's name
# or the head's title when someone signs for them. "TM." (thay mặt) before a collective: the head signs
# for the cluster; "KT." (ký thay) before the head's title: a deputy signs for the head; "TL." (thừa
# lệnh) and "TUQ." (thừa ủy quyền) likewise before the head's title; "Q." (quyền) before an acting
# head's own title.
AUTHORITY_MARKS = ("TM.", "KT.", "Q.", "TL.", "TUQ.")


@dataclass(frozen=True)
class Signer:
    """One signature: "TM. CỤM THI ĐUA SỐ 4" / "CỤM TRƯỞNG" / "Nguyễn Văn A".

    ``authority`` holds the lines above the signer's own title, each starting with one of
    ``AUTHORITY_MARKS`` (one line a row, "\n" between them); it is "" when the person signs in their own
    name, as the secretary of a conference does. Build it with the constructors below rather than by
    hand: they put each mark where NĐ 30/2020, Phụ lục I, Mục II.8.b wants it.
    """

    authority: str
    title: str
    name: str
    # Who is still to be recorded before the document can be issued, in Vietnamese, when nobody is known
    # to sign here ("Chủ tịch … tại ngày …"): the name line stays empty in a draft, and «Ban hành» refuses.
    missing: str = ""

    @classmethod
    def for_collective(cls, *, collective: str, title: str, name: str, missing: str = "") -> Signer:
        """The head signs for the collective: "TM. CỤM THI ĐUA SỐ 4" / "CỤM TRƯỞNG"."""
        return cls(f"TM. {collective}", title, name, missing)

    @classmethod
    def for_head(
        cls,
        *,
        head_title: str,
        title: str,
        name: str,
        collective: str = "",
        mark: str = "KT.",
        missing: str = "",
    ) -> Signer:
        """A deputy signs for the head: "KT. CỤM TRƯỞNG" / "CỤM PHÓ" (or "TL."/"TUQ." for an officer
        signing by order or by delegation). With ``collective``, the collective's "TM." line goes above,
        as for a body that decides collectively ("TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH")."""
        if mark not in {"KT.", "TL.", "TUQ."}:
            raise ValueError(f"{mark} is not written before a head's title")
        lines = ([f"TM. {collective}"] if collective else []) + [f"{mark} {head_title}"]
        return cls("\n".join(lines), title, name, missing)

    @classmethod
    def acting(cls, *, title: str, name: str) -> Signer:
        """An acting head signs as such: "Q. CỤM TRƯỞNG"."""
        return cls("", f"Q. {title}", name)

    def head_lines(self) -> list[str]:
        """The lines above the name, in caps as Mục II.8.b prints them; refuses an unknown mark."""
        lines = [line.strip() for line in self.authority.splitlines() if line.strip()]
        for line in lines:
            if line.split(" ", 1)[0] not in AUTHORITY_MARKS:
                raise ValueError(f"Thẩm quyền ký «{line}» phải bắt đầu bằng {', '.join(AUTHORITY_MARKS)}")
        # A title may take two lines: a member's name, then "Q. CHỦ TỊCH" for its acting head.
        return [nfc(line).upper() for line in (*lines, *self.title.splitlines()) if line.strip()]


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False
    indent: bool = True
    align: Align = "justify"


@dataclass(frozen=True)
class Heading:
    """A section heading of the body, e.g. "I. THÀNH PHẦN THAM DỰ" (bold)."""

    text: str


@dataclass(frozen=True)
class Table:
    """A ruled table in the body (vote counts, scores); ``bold_last_row`` for a "Tổng cộng" row."""

    header: list[str]
    rows: list[list[str]]
    widths_cm: list[float] | None = None
    bold_last_row: bool = False


Block = Paragraph | Heading | Table


@dataclass(frozen=True)
class OfficialDocument:
    """A document ready to lay out.

    ``signers`` are placed left to right in the given order; by custom the higher authority stands on
    the right (minutes: the secretary on the left, the chair on the right). ``recipients`` are the
    "Nơi nhận" lines without their dash, the last one being "Lưu: VT, …".
    """

    issuer: Issuer
    number_line: str  # "Số: 05/BB-CTĐ4"
    date: date
    type_name: str  # "BIÊN BẢN", "TỜ TRÌNH", "GIAO ƯỚC THI ĐUA", "BÁO CÁO"
    summary: str  # trích yếu
    body: list[Block]
    signers: list[Signer]
    recipients: list[str] = field(default_factory=list)


def render_docx(doc: OfficialDocument) -> bytes:
    """The document as the bytes of a .docx file in the NĐ 30/2020 layout."""
    if not doc.signers:
        raise ValueError("Văn bản cần ít nhất một người ký")
    document = new_document()
    frame(
        document,
        parent_name=doc.issuer.parent_name.upper(),
        issuer_name=doc.issuer.name.upper(),
        number_line=doc.number_line,
        date_line=document_date_line(doc.issuer.place, doc.date),
        type_name=doc.type_name.upper(),
        summary=doc.summary,
    )
    for block in doc.body:
        _block(document, block)
    _signature_block(document, doc.signers, doc.recipients)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- page, styles and fonts -------------------------------------------------------------------------


def _setup_page(document: DocxDocument) -> None:
    """NĐ 30/2020/NĐ-CP, Phụ lục I, Mục I.2–3 and II.13: A4 portrait, the margins, page numbers."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.header_distance = section.footer_distance = Mm(10)
    # NĐ 30/2020/NĐ-CP, Phụ lục I, Mục I.5: page numbers in Arabic digits, 13–14 pt, centred in the top
    # margin, not shown on page 1: an empty first-page header, a PAGE field in the default one.
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    _font(section.first_page_header.paragraphs[0].add_run(""), BODY_PT)
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number)


def _page_field(paragraph: DocxParagraph) -> None:
    """A PAGE field as Word writes it: begin, instruction, separate, cached result, end."""
    for kind, text in (
        ("begin", None),
        ("instr", " PAGE "),
        ("separate", None),
        ("text", "2"),
        ("end", None),
    ):
        run = paragraph.add_run()
        _font(run, BODY_PT)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "text":
            run.text = text or ""
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def _set_rfonts(rpr: BaseOxmlElement) -> None:
    """Times New Roman in all four slots, and no theme font that would take precedence over them."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(1 if rpr.find(qn("w:rStyle")) is not None else 0, fonts)  # rFonts comes after rStyle only
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), FONT_NAME)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)


def _setup_fonts(document: DocxDocument) -> None:
    """NĐ 30/2020/NĐ-CP, Phụ lục I, Mục I.1: Times New Roman, black, on the defaults and the styles."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _set_rfonts(rpr)
            language = rpr.find(qn("w:lang"))  # the template's has en-US
            if language is None:
                language = OxmlElement("w:lang")
                rpr.insert_element_before(language, "w:eastAsianLayout", "w:specVanish", "w:oMath")
            language.set(qn("w:val"), "vi-VN")
    for name in ("Normal", "Header", "Footer"):
        style = document.styles[name]
        style.font.name = FONT_NAME
        style.font.size = Pt(BODY_PT)
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_rfonts(style.element.get_or_add_rPr())
    normal = document.styles["Normal"].paragraph_format
    normal.space_before = normal.space_after = Pt(0)
    normal.line_spacing = 1.0  # NĐ 30/2020/NĐ-CP, Phụ lục I, Mục II.11: at least single spacing


_FONT_SLOTS = {qn(f"w:{slot}"): FONT_NAME for slot in ("ascii", "hAnsi", "eastAsia", "cs")}
_OFF = {qn("w:val"): "0"}


def _font(run: Run, size: float, *, bold: bool = False, italic: bool = False) -> None:
    """Name, size and colour on the run itself too, so pasting it elsewhere keeps the layout.

    The run's properties are written as one element, children in the schema's order (rFonts, b, i,
    color, sz): what python-docx's setters write, without their search for each child's place, which
    was most of a document's render time (bench/docx_bench.py)."""
    assert run._r.rPr is None, "only a fresh run (add_run) gets its properties here"
    properties = OxmlElement("w:rPr")
    properties.append(OxmlElement("w:rFonts", _FONT_SLOTS))
    properties.append(OxmlElement("w:b", None if bold else _OFF))
    properties.append(OxmlElement("w:i", None if italic else _OFF))
    properties.append(OxmlElement("w:color", {qn("w:val"): "000000"}))
    properties.append(OxmlElement("w:sz", {qn("w:val"): str(round(size * 2))}))
    run._r.insert(0, properties)


# --- paragraphs, rules, tables ----------------------------------------------------------------------


def _paragraph(
    container: DocxDocument | _Cell,
    text: str,
    *,
    size: float,
    bold: bool = False,
    italic: bool = False,
    align: Align = "center",
    indent_cm: float = 0,
    before: float = 0,
    after: float = 0,
) -> DocxParagraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = _ALIGN[align]
    form = paragraph.paragraph_format
    form.space_before, form.space_after = Pt(before), Pt(after)
    if indent_cm:
        form.first_line_indent = Cm(indent_cm)
    _font(paragraph.add_run(nfc(text)), size, bold=bold, italic=italic)
    return paragraph


def _rule(container: DocxDocument | _Cell, *, length_mm: float, width_mm: float = TEXT_WIDTH_MM) -> None:
    """A centred horizontal rule ``length_mm`` long: the bottom border of a 1 pt empty paragraph whose
    indents leave exactly that length."""
    paragraph = container.add_paragraph()
    side = max((width_mm - length_mm) / 2, 0)
    form = paragraph.paragraph_format
    form.left_indent = form.right_indent = Mm(side)
    form.line_spacing = Pt(1)
    form.space_before, form.space_after = Pt(2), Pt(0)  # clear of the descenders of the line above
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")
    mark.append(size)
    borders, bottom = OxmlElement("w:pBdr"), OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    # Word refuses a file whose properties are out of the schema's order: pBdr before spacing and
    # ind, rPr (the mark's size) after them.
    properties = paragraph._p.get_or_add_pPr()
    properties.insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr")
    properties.insert_element_before(mark, "w:sectPr", "w:pPrChange")


# Advance widths of Times New Roman Bold in 1/1000 em (the metric-compatible Times-Bold); a letter with
# Vietnamese marks is as wide as its base letter. Only used to size rules to the text they underline.
_BOLD_WIDTHS = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -.,:/()",
        [722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556]
        + [667, 722, 722, 1000, 722, 722, 667, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556]
        + [278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444]
        + [500] * 10
        + [250, 333, 250, 250, 333, 278, 333, 333],
        strict=True,
    )
)


def _text_width_mm(text: str, size: float) -> float:
    """Estimated width of ``text`` set in bold at ``size`` pt; horned Ơ and Ư come out a little wider."""
    base = unicodedata.normalize("NFD", nfc(text).replace("Đ", "D").replace("đ", "d"))
    units = sum(_BOLD_WIDTHS.get(char, 0 if unicodedata.combining(char) else 600) for char in base)
    return units / 1000 * size * 25.4 / 72 * 1.02


def _grid(table: DocxTable, widths_mm: list[float], *, borders: bool) -> None:
    """Fixed column widths (Word and LibreOffice both honour them) and all borders on or off."""
    table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/>
    edges = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single" if borders else "nil")
        if borders:
            element.set(qn("w:sz"), "4")
            element.set(qn("w:color"), "000000")
        edges.append(element)
    table._tbl.tblPr.insert_element_before(edges, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    for index, width in enumerate(widths_mm):
        table.columns[index].width = Mm(width)
    # Row by row: python-docx builds a row's cells afresh on each access, a column's from every row.
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _layout_table(document: DocxDocument, columns: int, widths_mm: list[float]) -> DocxTable:
    """A borderless table for placing blocks side by side, its cells without side padding."""
    table = document.add_table(rows=1, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _grid(table, widths_mm, borders=False)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
    return table


def _first(
    cell: _Cell, text: str, *, size: float, bold: bool = False, italic: bool = False, align: Align = "center"
) -> DocxParagraph:
    """Fill the paragraph a new cell already has, so no empty line opens the cell."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = _ALIGN[align]
    _font(paragraph.add_run(nfc(text)), size, bold=bold, italic=italic)
    return paragraph


# --- the parts of the document ----------------------------------------------------------------------


def frame(
    document: DocxDocument,
    *,
    parent_name: str,
    issuer_name: str,
    number_line: str,
    date_line: str,
    type_name: str,
    summary: str,
    issuer_rule_text: str = "",
    summary_rule_text: str = "",
) -> None:
    """The header, type name and summary, with the strings as given (caps already applied). The rules'
    lengths follow the text they underline, or ``*_rule_text`` when the text is a template's field."""
    _header_block(
        document,
        parent_name=parent_name,
        issuer_name=issuer_name,
        number_line=number_line,
        date_line=date_line,
        issuer_rule_text=issuer_rule_text or issuer_name,
    )
    # NĐ 30/2020/NĐ-CP, Phụ lục I, Mục II.5: type name centred, caps, bold, 13–14 pt; the summary
    # right under it, centred, bold, 13–14 pt; under the summary a short rule, 1/3–1/2 of the line.
    _paragraph(document, type_name, size=BODY_PT, bold=True, align="center", before=12)
    _paragraph(document, summary, size=BODY_PT, bold=True, align="center")
    rule_mm = min(_text_width_mm(summary_rule_text or summary, BODY_PT), TEXT_WIDTH_MM) / 3
    _rule(document, length_mm=rule_mm)


def _header_block(
    document: DocxDocument,
    *,
    parent_name: str,
    issuer_name: str,
    number_line: str,
    date_line: str,
    issuer_rule_text: str,
) -> None:
    """NĐ 30/2020/NĐ-CP, Phụ lục I, Mục II.1–4 and Mẫu 1.x: the two-column header without borders."""
    table = _layout_table(document, 2, [HEADER_LEFT_MM, HEADER_RIGHT_MM])
    left, right = table.rows[0].cells
    # Mục II.2: parent body caps 12–13 regular; issuer caps 12–13 bold; under it a rule 1/3–1/2 as
    # long as the issuer line, centred on it.
    _first(left, parent_name, size=12)
    _paragraph(left, issuer_name, size=12, bold=True)
    issuer_mm = min(_text_width_mm(issuer_rule_text, 12), HEADER_LEFT_MM)
    _rule(left, length_mm=issuer_mm / 2, width_mm=HEADER_LEFT_MM)
    # Mục II.3: "Số:" and the number, 13 pt, centred under the issuer.
    _paragraph(left, number_line, size=13, before=6)
    # Mục II.1: national name caps 12–13 bold; motto 13–14 bold, initials capitalised, hyphens with a
    # space each side, under it a rule as long as the motto (its own paragraph: the motto never wraps).
    _first(right, NATIONAL_NAME, size=12, bold=True)
    _paragraph(right, MOTTO, size=13, bold=True)
    _rule(right, length_mm=_text_width_mm(MOTTO, 13), width_mm=HEADER_RIGHT_MM)
    # Mục II.4: place and date, 13–14 italic, under the motto; the leading-zero rule is in dates.py.
    _paragraph(right, date_line, size=BODY_PT, italic=True, before=6)


def new_document() -> DocxDocument:
    """An empty document with the decree's page, fonts and page numbers (the base of a built-in layout)."""
    document = Document()
    _setup_fonts(document)
    _setup_page(document)
    return document


def _block(document: DocxDocument, block: Block) -> None:
    """NĐ 30/2020/NĐ-CP, Phụ lục I, Mục II.11: body 13–14 pt, justified, first line indented 1–1.27 cm,
    6 pt or more between paragraphs."""
    if isinstance(block, Heading):
        heading = _paragraph(
            document,
            block.text,
            size=BODY_PT,
            bold=True,
            align="justify",
            indent_cm=FIRST_LINE_INDENT_CM,
            before=6,
        )
        # A heading never ends a page: it goes over with the paragraph it heads (issue 15, part 4).
        heading.paragraph_format.keep_with_next = True
    elif isinstance(block, Paragraph):
        paragraph = _paragraph(
            document,
            block.text,
            size=BODY_PT,
            bold=block.bold,
            italic=block.italic,
            align=block.align,
            indent_cm=FIRST_LINE_INDENT_CM if block.indent else 0,
            before=6,
        )
        # "… gồm:" announces what follows (a list, a table): it stays with it.
        paragraph.paragraph_format.keep_with_next = block.text.rstrip().endswith(":")
    else:
        _body_table(document, block)


def _body_table(document: DocxDocument, block: Table) -> None:
    columns = len(block.header)
    if any(len(row) != columns for row in block.rows):
        raise ValueError("Mỗi dòng của bảng phải có đúng số cột của dòng tiêu đề")
    widths_mm = [w * 10 for w in block.widths_cm] if block.widths_cm else [TEXT_WIDTH_MM / columns] * columns
    air = document.add_paragraph()  # a line of air above the table, kept with it
    air.paragraph_format.space_after = Pt(0)
    air.paragraph_format.keep_with_next = True
    table = document.add_table(rows=1 + len(block.rows), cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _grid(table, widths_mm, borders=True)
    # A column of figures (counts, percentages, scores, with a short code such as a band's "HTXSNV" among
    # them) is centred; a column with any words in it reads from the left.
    numeric = [all(_is_figure(row[i]) for row in block.rows) for i in range(columns)]
    # A figure or a short code never breaks inside its cell ("HTXS/NV" was split over two lines): the
    # figures' size goes down, to FIGURE_MIN_PT at the least, until the widest of them fits its column.
    # One size for all of a table's figures, so that a row reads evenly.
    figures = min(
        (figure_size([row[i] for row in block.rows], widths_mm[i]) for i in range(columns) if numeric[i]),
        default=float(TABLE_PT),
    )
    sizes = [figures if numeric[i] else TABLE_PT for i in range(columns)]
    rows = list(table.rows)
    for cell, text in zip(rows[0].cells, block.header, strict=True):
        _first(cell, text, size=TABLE_PT, bold=True)
    for number, row in enumerate(block.rows, start=1):
        bold = block.bold_last_row and number == len(block.rows)
        for index, (cell, text) in enumerate(zip(rows[number].cells, row, strict=True)):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            _first(cell, text, size=sizes[index], bold=bold, align="center" if numeric[index] else "left")
    _keep_rows_whole(table, repeat_header=True)
    _keep_table_together(table, whole=len(block.rows) <= WHOLE_TABLE_ROWS)


# A table this short (a vote count's) goes onto one page whole. A longer one only keeps its header with
# its first row and its last row with the one before, so that no row sits alone on a page (issue 15,
# part 4): kept whole, a table taller than the room left would push everything before it to a new page.
WHOLE_TABLE_ROWS = 6
FIGURE_MIN_PT = 9
CELL_PADDING_MM = 2 * 1.9  # Word's and LibreOffice's default left and right cell margins


def figure_size(texts: list[str], width_mm: float) -> float:
    """The largest size from TABLE_PT down to FIGURE_MIN_PT, in steps of half a point, at which every
    text of a column of figures fits on one line of its cell."""
    room = width_mm - CELL_PADDING_MM
    size = float(TABLE_PT)
    while size > FIGURE_MIN_PT and any(_text_width_mm(t, size) > room for t in texts):
        size -= 0.5
    return size


def _keep_table_together(table: DocxTable, *, whole: bool) -> None:
    """Word's and LibreOffice's way of keeping rows together: every paragraph of a row "keeps with next",
    which ties the row to the one below it."""
    last = len(table.rows) - 1
    tied = range(last) if whole else {0, last - 1} - {-1}
    for index in tied:
        for cell in table.rows[index].cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _keep_rows_whole(table: DocxTable, *, repeat_header: bool = False) -> None:
    """No row breaks across pages (a signature cell split from its name, half a criterion on the next
    page); a ruled table's header row is repeated on each page it runs onto, so its columns stay named."""
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if repeat_header and index == 0:
            properties.append(OxmlElement("w:tblHeader"))


def _is_figure(text: str) -> bool:
    """A number ("94,00", "85,71%"), a dash, or a code short enough to stand for one (no space, at most 8
    characters)."""
    text = text.strip()
    return text.rstrip("%").replace(",", "").replace(".", "").isdigit() or (
        " " not in text and len(text) <= 8
    )


def _signature_block(document: DocxDocument, signers: list[Signer], recipients: list[str]) -> None:
    """NĐ 30/2020/NĐ-CP, Phụ lục I, Mục II.7–9 and Mẫu 1.x: signatures on the right (or side by side),
    "Nơi nhận" at the bottom left."""
    document.add_paragraph().paragraph_format.keep_with_next = True
    lone = len(signers) == 1
    columns = 2 if lone else signature_columns(len(signers))
    widths = (
        [TEXT_WIDTH_MM - HEADER_RIGHT_MM, HEADER_RIGHT_MM] if lone else [TEXT_WIDTH_MM / columns] * columns
    )
    table = _layout_table(document, columns, widths)
    if lone:
        if recipients:
            _recipients(table.rows[0].cells[0], recipients)
        _signature(table.rows[0].cells[1], signers[0])
    else:
        for start in range(0, len(signers), columns):
            row = signers[start : start + columns]
            cells = (table.rows[0] if start == 0 else table.add_row()).cells
            heads = max(len(signer.head_lines()) for signer in row)
            if len(row) < len(cells):
                # The odd block of a grid stands in the middle of its row, not alone in a corner.
                cells = [cells[0].merge(cells[-1])]
            gap = GRID_ROW_GAP_PT if start + columns < len(signers) else 0
            for cell, signer in zip(cells, row, strict=False):
                _signature(cell, signer, heads, after=gap)
        if recipients:
            document.add_paragraph()
            below = _layout_table(document, 2, [RECIPIENTS_BELOW_MM, TEXT_WIDTH_MM - RECIPIENTS_BELOW_MM])
            _recipients(below.rows[0].cells[0], recipients)
    _keep_rows_whole(table)
    # The signatures go over a page together: no block left alone on the last page.
    _keep_table_together(table, whole=True)


def signature_columns(count: int) -> int:
    """Two or three signers side by side; a larger grid (the agreement's members, a board of five) in two
    evenly spaced columns, so each block has the width of a signature's title and name."""
    return count if count <= SIGNERS_PER_ROW else 2


def _signature(cell: _Cell, signer: Signer, heads: int = 1, *, after: float = 0) -> None:
    """Mục II.7–8: authority mark and title caps bold 13–14; the name bold 13–14, under room to sign.

    Signers of one row are padded to the same number of head lines (``heads``), so that a secretary
    signing in their own name has their name on the line of the chair's.
    """
    lines = signer.head_lines()
    _first(cell, lines[0] if lines else "", size=BODY_PT, bold=True)
    for line in lines[1:]:
        _paragraph(cell, line, size=BODY_PT, bold=True)
    for _ in range(SIGNATURE_SPACE_LINES + heads - max(len(lines), 1)):
        _paragraph(cell, "", size=BODY_PT)
    _paragraph(cell, signer.name, size=BODY_PT, bold=True, after=after)


# Between two rows of a signature grid: a name is not read as the title of the block below it.
GRID_ROW_GAP_PT = 18


def _recipients(cell: _Cell, recipients: list[str]) -> None:
    """Mục II.9: "Nơi nhận:" italic bold 12; each recipient on its line "- …", 11 pt, ending with ";"
    and the last ("Lưu: VT, …") with "."."""
    _first(cell, "Nơi nhận:", size=12, bold=True, italic=True, align="left")
    for index, recipient in enumerate(recipients):
        text = recipient.strip()
        if text[-1:] not in {";", ".", ","}:
            text += "." if index == len(recipients) - 1 else ";"
        _paragraph(cell, f"- {text}", size=11, align="left")
