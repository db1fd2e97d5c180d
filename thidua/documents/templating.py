"""Word templates (mẫu văn bản): a parent body's own .docx as the base of the documents its groups issue.

A template is an ordinary Word file that holds the page setup, the styles and fonts and the letterhead as
the parent body wants them, with named fields where the data goes. A field is written ``{{ name }}``
(spaces inside the braces optional). Inline fields are replaced by their text and keep the formatting of
the place they stand in; block fields (``noi_dung``, ``chu_ky``, ``noi_nhan``) must stand alone in their
paragraph, which the body, the signatures or the recipients replace, laid out by layout.py as NĐ 30/2020/
NĐ-CP, Phụ lục I wants them. The built-in template (``default_template``) is the layout engine's own frame
with the fields in place, so a parent body starts from the decree's layout and adjusts it.

Word splits text into runs as it is edited (spell-check marks, an undo, a change of font half-way), so a
field typed as one word may be stored as "{{ tri", "ch_y", "eu }}". Fields are therefore matched on the
text of the whole paragraph, and the runs a field spans are merged into the first of them before its text
is replaced: the field takes the formatting of its first characters, the rest of the paragraph keeps its
own.

Django-free, like layout.py: issuing.py and the template service call it with bytes.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from thidua.documents import layout
from thidua.lib.dates import document_date_line
from thidua.lib.text import nfc

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.table import _Cell

__all__ = [
    "BLOCK_FIELDS",
    "FIELDS",
    "TemplateError",
    "default_template",
    "field_label",
    "fill",
    "template_problems",
]

# Field name → what it holds, in the words the parent body's staff read in messages.
FIELDS = {
    "ten_co_quan_chu_quan": "tên cơ quan chủ quản",
    "ten_don_vi": "tên đơn vị ban hành",
    "so_ky_hieu": "số, ký hiệu",
    "dia_danh_ngay": "địa danh, ngày tháng năm",
    "loai_van_ban": "tên loại văn bản",
    "trich_yeu": "trích yếu",
    "noi_dung": "nội dung",
    "chu_ky": "chữ ký",
    "noi_nhan": "nơi nhận",
}
BLOCK_FIELDS = ("noi_dung", "chu_ky", "noi_nhan")
# "{{ trich_yeu }}"; spaces (a no-break space too, which Word puts after typing "{{") but no tab or
# line break inside the braces, so a field never spans what is not text.
_FIELD = re.compile(r"\{\{[ \u00a0]*([A-Za-z_][A-Za-z0-9_]*)[ \u00a0]*\}\}")
# Where runs sit inside a paragraph: directly, or inside a tracked insertion, a hyperlink, a smart tag.
_RUNS = "./w:r | ./w:ins/w:r | ./w:hyperlink/w:r | ./w:smartTag/w:r | ./w:fldSimple/w:r | ./w:sdt/w:sdtContent/w:r"
_NOT_TEXT = "\x00"  # stands for a tab, a break, a drawing: never part of a field


class TemplateError(ValueError):
    """A template that cannot be used; the message names the field in Vietnamese."""


def field_label(name: str) -> str:
    """ "{{ trich_yeu }} (trích yếu)": a field as messages show it."""
    return f"{{{{ {name} }}}} ({FIELDS[name]})" if name in FIELDS else f"{{{{ {name} }}}}"


def required_fields(*, recipients: bool) -> list[str]:
    """Every field must be in a template; "nơi nhận" only where the document type has recipients (the
    agreement and the vote count have none)."""
    return [name for name in FIELDS if recipients or name != "noi_nhan"]


# --- finding fields -----------------------------------------------------------------------------------


@dataclass
class _Found:
    name: str
    paragraph: BaseOxmlElement
    alone: bool  # the paragraph holds nothing but this field
    in_header: bool


def _parts(document: DocxDocument) -> Iterator[tuple[BaseOxmlElement, bool]]:
    """The main body, then every header and footer part (without creating one, as section.header would)."""
    yield document.element.body, False
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            yield rel.target_part.element, True


def _run_text(run: BaseOxmlElement) -> str:
    parts = []
    for child in run:
        if child.tag == qn("w:t"):
            parts.append(child.text or "")
        elif child.tag not in (qn("w:rPr"), qn("w:lastRenderedPageBreak")):
            parts.append(_NOT_TEXT)
    return "".join(parts)


def _paragraph_text(paragraph: BaseOxmlElement) -> str:
    return "".join(_run_text(run) for run in paragraph.xpath(_RUNS))


def _find(document: DocxDocument) -> list[_Found]:
    found = []
    for root, in_header in _parts(document):
        for paragraph in root.iter(qn("w:p")):
            text = _paragraph_text(paragraph)
            for match in _FIELD.finditer(text):
                alone = text.strip(" \u00a0") == match.group(0)
                found.append(_Found(match.group(1), paragraph, alone, in_header))
    return found


def _open(data: bytes) -> DocxDocument:
    try:
        return Document(io.BytesIO(data))
    except Exception as error:  # python-docx and lxml raise many kinds for a damaged part
        raise TemplateError(
            "Không đọc được tệp Word này; hãy mở bằng Word rồi lưu lại dạng .docx."
        ) from error


def template_problems(data: bytes, *, recipients: bool) -> list[str]:
    """Why ``data`` cannot serve as a template (Vietnamese, one line each), or [] when it can. ``data``
    must already have passed the archive guard (thidua.lib.files.ooxml_problem)."""
    try:
        document = _open(data)
    except TemplateError as error:
        return [str(error)]
    found = _find(document)
    names = [f.name for f in found]
    problems = [
        f"Mẫu thiếu trường {field_label(n)}."
        for n in required_fields(recipients=recipients)
        if n not in names
    ]
    unknown = sorted({n for n in names if n not in FIELDS})
    if unknown:
        problems.append(
            "Mẫu có trường không biết: "
            + ", ".join(field_label(n) for n in unknown)
            + ". Các trường dùng được: "
            + ", ".join(field_label(n) for n in FIELDS)
            + "."
        )
    for name in BLOCK_FIELDS:
        places = [f for f in found if f.name == name]
        if len(places) > 1:
            problems.append(f"Trường {field_label(name)} chỉ được đặt một lần.")
        if any(f.in_header for f in places):
            problems.append(f"Trường {field_label(name)} không đặt được ở đầu trang hay chân trang.")
        elif any(not f.alone for f in places):
            problems.append(f"Trường {field_label(name)} phải đứng riêng một đoạn, không kèm chữ nào khác.")
    if not problems:
        try:  # the fields are right; the file must also lay a document out
            fill(data, _SAMPLE)
        except Exception as error:  # whatever breaks, the upload is refused rather than a later issue
            problems.append(f"Mẫu không dùng được để lập văn bản ({type(error).__name__}).")
    return problems


# --- filling ------------------------------------------------------------------------------------------


def _atomize(paragraph: BaseOxmlElement) -> None:
    """Split every run of ``paragraph`` holding more than one piece (text, tab, break) into runs of one
    piece each, with the same formatting, so each run is either plain text or not text at all."""
    for run in paragraph.xpath(_RUNS):
        pieces = [child for child in run if child.tag not in (qn("w:rPr"), qn("w:lastRenderedPageBreak"))]
        if len(pieces) <= 1:
            continue
        properties = run.find(qn("w:rPr"))
        anchor = run
        for piece in pieces:
            single = OxmlElement("w:r")
            if properties is not None:
                single.append(copy.deepcopy(properties))
            single.append(piece)  # moves it out of the old run
            anchor.addnext(single)
            anchor = single
        run.getparent().remove(run)


def _set_text(run: BaseOxmlElement, text: str) -> None:
    for old in run.findall(qn("w:t")):
        run.remove(old)
    element = OxmlElement("w:t")
    element.text = text
    element.set(qn("xml:space"), "preserve")
    run.append(element)


def _replace_inline(paragraph: BaseOxmlElement, values: dict[str, str]) -> None:
    """Replace the inline fields of ``paragraph``: the runs a field spans are merged into its first run."""
    if not any(m.group(1) in values for m in _FIELD.finditer(_paragraph_text(paragraph))):
        return
    _atomize(paragraph)
    runs = paragraph.xpath(_RUNS)
    texts = [_run_text(run) for run in runs]
    starts, position = [], 0
    for text in texts:
        starts.append(position)
        position += len(text)
    matches = [m for m in _FIELD.finditer("".join(texts)) if m.group(1) in values]
    for match in reversed(matches):  # from the end, so earlier offsets stay valid
        first = max(i for i, s in enumerate(starts) if s <= match.start() and texts[i])
        last = max(i for i, s in enumerate(starts) if s < match.end())
        head = texts[first][: match.start() - starts[first]]
        tail = texts[last][match.end() - starts[last] :]
        texts[first] = head + nfc(values[match.group(1)]) + (tail if first == last else "")
        _set_text(runs[first], texts[first])
        for index in range(first + 1, last + 1):
            if index == last and tail:
                texts[index] = tail
                _set_text(runs[index], tail)
            else:
                texts[index] = ""
                runs[index].getparent().remove(runs[index])
        # Offsets of later runs are not needed again: matches are handled from the end.


def _rendered(document: DocxDocument, draw: Callable[[], None]) -> list[BaseOxmlElement]:
    """The body elements ``draw`` appends to ``document`` (python-docx appends before the sectPr)."""
    body = document.element.body
    before = list(body)  # holding the proxies keeps their identity stable
    known = {id(element) for element in before}
    draw()
    return [element for element in body if id(element) not in known]


def _rendered_in_cell(document: DocxDocument, draw: Callable[[_Cell], None]) -> list[BaseOxmlElement]:
    """The paragraphs ``draw`` writes into a cell, taken out of a scratch table that is then dropped."""
    scratch = document.add_table(rows=1, cols=1)
    cell = scratch.cell(0, 0)
    draw(cell)
    content = [element for element in cell._tc if element.tag != qn("w:tcPr")]
    scratch._tbl.getparent().remove(scratch._tbl)
    return content


def _put(anchor: BaseOxmlElement, elements: list[BaseOxmlElement]) -> None:
    """Put ``elements`` where ``anchor`` stands and remove it; a table cell still ends with a paragraph."""
    for element in elements:
        anchor.addprevious(element)
    parent = anchor.getparent()
    parent.remove(anchor)
    if parent.tag == qn("w:tc") and (len(parent) == 0 or parent[-1].tag != qn("w:p")):
        parent.append(OxmlElement("w:p"))


def _ancestor(element: BaseOxmlElement, tag: str) -> BaseOxmlElement | None:
    parent = element.getparent()
    while parent is not None and parent.tag != qn(tag):
        parent = parent.getparent()
    return parent


def _field_font(paragraph: BaseOxmlElement) -> tuple[int | None, str | None]:
    """The size (half-points) and font a block field was set in, to lay its content out in them."""
    for run in paragraph.xpath(_RUNS):
        if "{" in _run_text(run):
            properties = run.find(qn("w:rPr"))
            if properties is None:
                return None, None
            size = properties.find(qn("w:sz"))
            fonts = properties.find(qn("w:rFonts"))
            return (
                int(size.get(qn("w:val"))) if size is not None and size.get(qn("w:val")) else None,
                fonts.get(qn("w:ascii")) if fonts is not None else None,
            )
    return None, None


def _restyle(elements: list[BaseOxmlElement], size: int | None, font: str | None) -> None:
    """Body text written at the decree's 14 pt moves to the field's size, tables keep their 1 pt less;
    the field's font replaces Times New Roman when the template chose another."""
    shift = size - layout.BODY_PT * 2 if size else 0
    for element in elements:
        for properties in element.iter(qn("w:rPr")):
            run_size = properties.find(qn("w:sz"))
            if (
                shift
                and run_size is not None
                and run_size.get(qn("w:val"))
                in {
                    str(layout.BODY_PT * 2),
                    str(layout.TABLE_PT * 2),
                }
            ):
                value = str(int(run_size.get(qn("w:val"))) + shift)
                run_size.set(qn("w:val"), value)
                complex_size = properties.find(qn("w:szCs"))
                if complex_size is not None:
                    complex_size.set(qn("w:val"), value)
            fonts = properties.find(qn("w:rFonts"))
            if font and font != layout.FONT_NAME and fonts is not None:
                for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
                    fonts.set(qn(f"w:{slot}"), font)


def _text_width_twips(document: DocxDocument) -> int | None:
    section = document.sections[-1]
    if section.page_width is None or section.left_margin is None or section.right_margin is None:
        return None
    return int((section.page_width - section.left_margin - section.right_margin) / 635)  # EMU → twips


def _fit(elements: list[BaseOxmlElement], document: DocxDocument) -> None:
    """Tables the engine sized for the decree's 165 mm of text narrow to a template's narrower text area."""
    width = _text_width_twips(document)
    full = round(layout.TEXT_WIDTH_MM * 1440 / 25.4)
    if width is None or width >= full:
        return
    ratio = width / full
    for element in elements:
        for tag in ("w:gridCol", "w:tcW"):
            for item in element.iter(qn(tag)):
                value = item.get(qn("w:w"))
                if value and value.isdigit():
                    item.set(qn("w:w"), str(int(int(value) * ratio)))


def _values(doc: layout.OfficialDocument) -> dict[str, str]:
    number = doc.number_line.removeprefix("Số:").strip()
    return {
        "ten_co_quan_chu_quan": doc.issuer.parent_name.upper(),
        "ten_don_vi": doc.issuer.name.upper(),
        "so_ky_hieu": number,
        "dia_danh_ngay": document_date_line(doc.issuer.place, doc.date),
        "loai_van_ban": doc.type_name.upper(),
        "trich_yeu": doc.summary,
    }


def fill(template: bytes, doc: layout.OfficialDocument) -> bytes:
    """``doc`` laid out on ``template``: its page setup, styles and letterhead, the data in the fields."""
    if not doc.signers:
        raise ValueError("Văn bản cần ít nhất một người ký")
    document = _open(template)
    # Block fields are located before any data is written, so data that happens to read "{{ chu_ky }}"
    # (a title typed with braces) stays text and is never taken for a field.
    blocks = {f.name: f.paragraph for f in _find(document) if f.name in BLOCK_FIELDS}
    values = _values(doc)
    for root, _in_header in _parts(document):
        for paragraph in list(root.iter(qn("w:p"))):
            if paragraph not in blocks.values():
                _replace_inline(paragraph, values)

    body = blocks.get("noi_dung")
    if body is not None:
        size, font = _field_font(body)

        def draw_body() -> None:
            for block in doc.body:
                layout._block(document, block)

        elements = _rendered(document, draw_body)
        _restyle(elements, size, font)
        _fit(elements, document)
        _put(body, elements)

    signature, recipients = blocks.get("chu_ky"), blocks.get("noi_nhan")
    if signature is not None:
        size, font = _field_font(signature)
        table = _ancestor(signature, "w:tbl")
        if len(doc.signers) > 1:
            # NĐ 30/2020, Phụ lục I, Mục II.8: several signers stand side by side across the page, so
            # their grid (and the recipients, when the template keeps them beside the signature) takes
            # the place of the template's signature table, as the built-in layout sets it out.
            together = (
                recipients is not None and table is not None and _ancestor(recipients, "w:tbl") is table
            )
            listed = doc.recipients if together else []
            elements = _rendered(document, lambda: layout._signature_block(document, doc.signers, listed))
            _restyle(elements, size, font)
            _fit(elements, document)
            _put(table if table is not None else signature, elements)
            if together:
                recipients = None
        else:
            elements = _rendered_in_cell(document, lambda cell: layout._signature(cell, doc.signers[0]))
            _restyle(elements, size, font)
            _put(signature, elements)
    if recipients is not None:
        if doc.recipients:
            _put(
                recipients, _rendered_in_cell(document, lambda cell: layout._recipients(cell, doc.recipients))
            )
        else:
            _put(recipients, [])

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the built-in template ----------------------------------------------------------------------------


def _field(name: str) -> str:
    return f"{{{{ {name} }}}}"


def default_template() -> bytes:
    """The built-in layout as a template: the decree's page, fonts and letterhead, the fields in place.

    The rules under the issuer and the summary are sized for "CỤM THI ĐUA SỐ 4" and a summary of one line;
    a parent body adjusts them in Word like any other part of the letterhead."""
    document = layout.new_document()
    layout.frame(
        document,
        parent_name=_field("ten_co_quan_chu_quan"),
        issuer_name=_field("ten_don_vi"),
        number_line=f"Số: {_field('so_ky_hieu')}",
        date_line=_field("dia_danh_ngay"),
        type_name=_field("loai_van_ban"),
        summary=_field("trich_yeu"),
        issuer_rule_text="CỤM THI ĐUA SỐ 4",
        summary_rule_text="Về việc đề nghị tặng Cờ thi đua năm 2023",
    )
    layout._paragraph(
        document,
        _field("noi_dung"),
        size=layout.BODY_PT,
        align="justify",
        indent_cm=layout.FIRST_LINE_INDENT_CM,
        before=6,
    )
    document.add_paragraph()
    table = layout._layout_table(
        document, 2, [layout.TEXT_WIDTH_MM - layout.HEADER_RIGHT_MM, layout.HEADER_RIGHT_MM]
    )
    left, right = table.rows[0].cells
    layout._first(left, _field("noi_nhan"), size=12, align="left")
    layout._first(right, _field("chu_ky"), size=layout.BODY_PT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# A document that uses every part of the layout: a trial fill of an uploaded template lays it out.
_SAMPLE = layout.OfficialDocument(
    issuer=layout.Issuer(parent_name="Cơ quan chủ quản", name="Cụm thi đua số 1", place="Hà Nội"),
    number_line="Số: 01/BB-CTĐ1",
    date=date(2024, 1, 1),
    type_name="Biên bản",
    summary="Kiểm tra mẫu",
    body=[
        layout.Heading("I. NỘI DUNG"),
        layout.Paragraph("Đoạn văn."),
        layout.Table(header=["TT", "Nội dung"], rows=[["1", "Dòng"]]),
    ],
    signers=[layout.Signer("", "Thư ký", "A"), layout.Signer("TM. Cụm thi đua số 1", "Cụm trưởng", "B")],
    recipients=["Như trên", "Lưu: VT"],
)
