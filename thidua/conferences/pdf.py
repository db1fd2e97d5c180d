"""Printable PDFs for the conference: delegates' voting cards and paper ballots, on A4.

ReportLab draws them with a TrueType font embedded in the file, so they print the same from any
computer. The font must have the Vietnamese letters, and a font's name is not enough to know that:
Debian 12's fonts-liberation (Liberation 1.07) has Đ but not ệ, ỗ or Ư, while Liberation 2
(fonts-liberation2) and DejaVu have them all. So every candidate is checked for the letters before
it is used, and without one the caller falls back to printing from the browser (`PdfUnavailable`).

A ballot carries nothing that tells one copy from another — no number, no name, no code: every copy
of a poll's ballot is the same drawing (DESIGN.md, secret ballot).
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont, TTFontFile
from reportlab.pdfgen.canvas import Canvas

from thidua.conferences.models import Poll, PollKind
from thidua.conferences.rules import Method
from thidua.lib.dates import document_date

if TYPE_CHECKING:
    from thidua.conferences.models import Conference
    from thidua.conferences.services import IssuedCode

logger = logging.getLogger(__name__)

_TRUETYPE = Path("/usr/share/fonts/truetype")
# (regular, bold), best first: the Liberation faces match the metrics of Arial and Times New Roman
# (the fonts of administrative documents); liberation2/ is where fonts-liberation2 puts Liberation 2.
CANDIDATES: tuple[tuple[Path, Path], ...] = (
    *(
        (_TRUETYPE / folder / f"{family}-Regular.ttf", _TRUETYPE / folder / f"{family}-Bold.ttf")
        for family in ("LiberationSans", "LiberationSerif")
        for folder in ("liberation2", "liberation")
    ),
    (_TRUETYPE / "dejavu" / "DejaVuSans.ttf", _TRUETYPE / "dejavu" / "DejaVuSans-Bold.ttf"),
)
# For the access code only, which is ASCII: any of these will do, else the bold face.
MONO_CANDIDATES: tuple[Path, ...] = (
    _TRUETYPE / "liberation2" / "LiberationMono-Bold.ttf",
    _TRUETYPE / "liberation" / "LiberationMono-Bold.ttf",
    _TRUETYPE / "dejavu" / "DejaVuSansMono-Bold.ttf",
)
# Every precomposed letter Vietnamese writes (NFC): the Latin-1 and Latin Extended-A/B ones, and the
# block U+1EA0–U+1EF9 (Ạ … ỹ).
VIETNAMESE_LETTERS = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư" + "".join(
    chr(c) for c in range(0x1EA0, 0x1EFA)
)
TICK = "✓"


class PdfUnavailable(Exception):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "Máy chủ chưa có phông chữ tiếng Việt (Liberation hoặc DejaVu) để tạo PDF; hãy dùng bản in từ trình duyệt."
        )


# --- Fonts -----------------------------------------------------------------------------------------


@functools.cache
def _charmap(path: str) -> frozenset[int]:
    """The code points a TrueType file has glyphs for; empty when it is missing or not TrueType."""
    if not Path(path).is_file():
        return frozenset()
    try:
        return frozenset(TTFontFile(path).charToGlyph)
    except (TTFError, OSError, ValueError) as error:
        logger.warning("PDF font %s unreadable: %s", path, error)
        return frozenset()


def _covers_vietnamese(path: Path | str) -> bool:
    charmap = _charmap(str(path))
    return bool(charmap) and all(ord(c) in charmap for c in VIETNAMESE_LETTERS)


def _bold_beside(regular: Path) -> Path:
    """The bold face next to a configured regular one, by the usual file names; else the regular."""
    stem = regular.stem
    names = [stem.replace("Regular", "Bold"), f"{stem}-Bold", f"{stem}Bold", f"{stem}bd"]
    for name in names:
        candidate = regular.with_name(name + regular.suffix)
        if candidate != regular and candidate.is_file():
            return candidate
    return regular


@functools.cache
def _first_font(configured: str) -> tuple[str, str] | None:
    candidates: list[tuple[Path, Path]] = list(CANDIDATES)
    if configured:
        candidates.insert(0, (Path(configured), _bold_beside(Path(configured))))
    for regular, bold in candidates:
        if not _covers_vietnamese(regular):
            if configured and regular == Path(configured):
                logger.warning(
                    "THIDUA_PDF_FONT=%s: no such TrueType font with Vietnamese letters", configured
                )
            continue
        return str(regular), str(bold if _covers_vietnamese(bold) else regular)
    return None


def find_font() -> tuple[str, str] | None:
    """(regular, bold) TrueType files with the Vietnamese letters: $THIDUA_PDF_FONT first (a regular
    face; its bold is looked for beside it), then Liberation Sans, Liberation Serif, DejaVu Sans."""
    return _first_font(settings.PDF_FONT)


def _register(path: str) -> str:
    """The font's name in ReportLab's process-wide registry, registering it once."""
    name = f"thidua-{Path(path).stem}-{hashlib.sha256(path.encode()).hexdigest()[:8]}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, path))
    return name


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str
    mono: str
    has_tick: bool  # whether the regular face draws ✓; if not, it is drawn as two strokes


def _fonts() -> _Fonts:
    found = find_font()
    if found is None:
        raise PdfUnavailable()
    regular, bold = found
    mono = next((str(p) for p in MONO_CANDIDATES if _charmap(str(p))), bold)
    return _Fonts(
        regular=_register(regular),
        bold=_register(bold),
        mono=_register(mono),
        has_tick=ord(TICK) in _charmap(regular),
    )


# --- Drawing helpers -------------------------------------------------------------------------------


def _width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def _lines(text: str, font: str, size: float, width: float, most: int) -> list[str]:
    """`text` wrapped to `width`, at most `most` lines, the last one cut with an ellipsis."""
    lines: list[str] = simpleSplit(text, font, size, width) or [""]
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    last = kept[-1]
    while last and _width(last + "…", font, size) > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return kept


def _fit(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size from `size` down to `smallest` at which `text` fits on one line."""
    while size > smallest and _width(text, font, size) > width:
        size -= 0.25
    return size


def _tick(canvas: Canvas, x: float, y: float, size: float) -> None:
    """A ✓ drawn with strokes, on the text baseline at (x, y), `size` wide."""
    canvas.saveState()
    canvas.setLineWidth(size * 0.12)
    canvas.setLineCap(1)
    canvas.setLineJoin(1)
    path = canvas.beginPath()
    path.moveTo(x + size * 0.1, y + size * 0.35)
    path.lineTo(x + size * 0.38, y + size * 0.05)
    path.lineTo(x + size * 0.9, y + size * 0.72)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


def _text_width(text: str, font: str, size: float, fonts: _Fonts) -> float:
    if fonts.has_tick or TICK not in text:
        return _width(text, font, size)
    parts = text.split(TICK)
    return sum(_width(p, font, size) for p in parts) + (len(parts) - 1) * size


def _draw(
    canvas: Canvas, x: float, y: float, text: str, font: str, size: float, fonts: _Fonts, align: str = "left"
) -> None:
    """One line of text at baseline y; `x` is its left edge, centre or right edge by `align`. A ✓ the
    font lacks is drawn with strokes instead of an empty box."""
    total = _text_width(text, font, size, fonts)
    left = x - total / 2 if align == "center" else x - total if align == "right" else x
    canvas.setFont(font, size)
    if fonts.has_tick or TICK not in text:
        canvas.drawString(left, y, text)
        return
    for index, part in enumerate(text.split(TICK)):
        if index:
            _tick(canvas, left, y, size)
            left += size
        canvas.drawString(left, y, part)
        left += _width(part, font, size)


def _qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    # Medium error correction survives a crease in a printed card (as on the HTML cards); a two-module
    # quiet zone, the card's white margin giving the rest.
    widget = QrCodeWidget(data, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def _cut_line(canvas: Canvas, x1: float, y1: float, x2: float, y2: float) -> None:
    canvas.saveState()
    canvas.setStrokeGray(0.55)
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    canvas.line(x1, y1, x2, y2)
    canvas.restoreState()


def _canvas(buffer: io.BytesIO, title: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("thidua")
    canvas.setAuthor("")
    return canvas


# --- Voting cards ----------------------------------------------------------------------------------

CARDS_PER_PAGE = 8
_CARD_MARGIN = 10 * mm  # printers leave the sheet's edge blank: the grid stays inside it
_CARD_W = (A4[0] - 2 * _CARD_MARGIN) / 2
_CARD_H = (A4[1] - 2 * _CARD_MARGIN) / 4
_CARD_PAD = 4.5 * mm
_QR_SIZE = 31 * mm


def cards_pdf(conference: Conference, issued: Sequence[IssuedCode], vote_url: str) -> bytes:
    """The voting cards, 8 to an A4 page (2 × 4) with dashed cut lines. Each card: the conference, the
    delegate and their organization, the card number, the code, its QR code (the code rides in the
    URL's fragment, which browsers never send to the server) and how to use it."""
    fonts = _fonts()
    buffer = io.BytesIO()
    canvas = _canvas(buffer, f"Thẻ biểu quyết — {conference.title}")
    pages = [issued[i : i + CARDS_PER_PAGE] for i in range(0, len(issued), CARDS_PER_PAGE)] or [[]]
    for page in pages:
        _cut_grid(canvas)
        for index, item in enumerate(page):
            column, row = index % 2, index // 2
            x = _CARD_MARGIN + column * _CARD_W
            top = A4[1] - _CARD_MARGIN - row * _CARD_H
            _card(canvas, fonts, conference, item, vote_url, x, top)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _cut_grid(canvas: Canvas) -> None:
    width, height = A4
    for column in range(3):
        x = _CARD_MARGIN + column * _CARD_W
        _cut_line(canvas, x, 0, x, height)
    for row in range(5):
        y = _CARD_MARGIN + row * _CARD_H
        _cut_line(canvas, 0, y, width, y)


def _card(
    canvas: Canvas,
    fonts: _Fonts,
    conference: Conference,
    item: IssuedCode,
    vote_url: str,
    x: float,
    top: float,
) -> None:
    delegate = item.delegate
    left, right = x + _CARD_PAD, x + _CARD_W - _CARD_PAD
    inner = right - left
    y = top - _CARD_PAD - 9
    _draw(canvas, left, y, "THẺ BIỂU QUYẾT", fonts.bold, 10, fonts)
    _draw(canvas, right, y, f"Thẻ số {delegate.card}", fonts.bold, 10, fonts, align="right")
    canvas.setFillGray(0.25)
    for line in _lines(conference.title, fonts.regular, 7.5, inner, 2):
        y -= 9
        _draw(canvas, left, y, line, fonts.regular, 7.5, fonts)
    canvas.setFillGray(0)
    y -= 5
    canvas.setLineWidth(0.5)
    canvas.line(left, y, right, y)

    qr_top = y - 2 * mm
    _qr(canvas, f"{vote_url}#{item.code}", left - 1.5 * mm, qr_top - _QR_SIZE, _QR_SIZE)
    text_left = left + _QR_SIZE + 1 * mm
    text_width = right - text_left
    y = qr_top - 4 * mm
    for line in _lines(delegate.full_name, fonts.bold, 11, text_width, 3):
        _draw(canvas, text_left, y, line, fonts.bold, 11, fonts)
        y -= 13
    if delegate.job_title:
        for line in _lines(delegate.job_title, fonts.regular, 8.5, text_width, 1):
            _draw(canvas, text_left, y, line, fonts.regular, 8.5, fonts)
            y -= 11
    # The name the organization bore on the conference's day (a document prints the name of its date).
    day = timezone.localtime(conference.starts_at).date()
    organization = delegate.organization.name_on(day) if delegate.organization is not None else "Khách mời"
    y -= 2
    for line in _lines(organization, fonts.regular, 8.5, text_width, 3):
        _draw(canvas, text_left, y, line, fonts.regular, 8.5, fonts)
        y -= 10.5

    y = qr_top - _QR_SIZE - 5.5 * mm
    size = _fit(item.code, fonts.mono, 15, inner, 9)
    _draw(canvas, left + inner / 2, y, item.code, fonts.mono, size, fonts, align="center")

    instruction = f"Quét mã QR bằng điện thoại, hoặc mở {vote_url} và nhập mã. Không đưa mã cho người khác."
    canvas.setFillGray(0.2)
    lines = _lines(instruction, fonts.regular, 6.5, inner, 3)
    y = top - _CARD_H + _CARD_PAD + (len(lines) - 1) * 8
    for line in lines:
        _draw(canvas, left, y, line, fonts.regular, 6.5, fonts)
        y -= 8
    canvas.setFillGray(0)


# --- Paper ballots ---------------------------------------------------------------------------------

BALLOT_TITLES: dict[str, str] = {
    PollKind.NOMINATION: "PHIẾU SUY TÔN",
    PollKind.MOTION: "PHIẾU BIỂU QUYẾT",
    PollKind.ELECTION: "PHIẾU BẦU",
}
SEAL_NOTE = "Phiếu hợp lệ phải có dấu của Ban tổ chức"
_HALF = A4[1] / 2
_SIDE = 18 * mm
_BALLOT_TOP = 11 * mm
_BALLOT_BOTTOM = 10 * mm
_ROW = 7.5 * mm
_ROW_WITH_DETAIL = 10 * mm
_HEADER_ROW = 7 * mm
_BOX = 4.5 * mm


@dataclass(frozen=True)
class _Column:
    heading: str
    width: float  # 0: takes what the others leave


@dataclass(frozen=True)
class _Ballot:
    title: str
    conference: str
    date_line: str
    question: str
    instruction: str
    label_heading: str
    boxes: tuple[str, ...]  # the tick-box columns' headings
    choices: tuple[tuple[str, str], ...]  # (label, detail)


def instruction_for(poll: Poll) -> str:
    if poll.method == Method.APPROVE_EACH:
        return "Đánh dấu ✓ vào ô «Đồng ý» hoặc «Không đồng ý» của từng đơn vị"
    if poll.method == Method.PICK_UP_TO:
        return f"Đánh dấu ✓ vào ô của đơn vị bạn chọn (tối đa {poll.max_picks})"
    return "Đánh dấu ✓ vào một ô"


def _box_headings(method: str) -> tuple[str, ...]:
    if method == Method.APPROVE_EACH:
        return ("Đồng ý", "Không đồng ý")
    return ("Ý kiến",) if method == Method.MOTION else ("Chọn",)


def _ballot_of(poll: Poll) -> _Ballot:
    conference = poll.conference
    day = timezone.localtime(conference.starts_at).date()
    motion = poll.method == Method.MOTION
    return _Ballot(
        title=BALLOT_TITLES.get(poll.kind, "PHIẾU BẦU"),
        conference=conference.title,
        # The date only: a conference's place is a venue, often long, not the locality of a dateline.
        date_line=document_date(day).capitalize(),
        question=str(poll),
        instruction=instruction_for(poll),
        label_heading="Phương án" if motion else "Đơn vị",
        boxes=_box_headings(poll.method),
        choices=tuple((c.label, c.detail) for c in poll.choices.all()),
    )


def paper_ballot_pdf(poll: Poll, copies: int) -> bytes:
    """`copies` identical ballots, two to an A4 page (one per half, with a dashed cut line). A ballot
    with too many choices for a half page takes a whole page, and past that goes on over as many
    sheets as it needs ("Tờ 1/2"), every sheet with the seal note."""
    fonts = _fonts()
    ballot = _ballot_of(poll)
    width = A4[0] - 2 * _SIDE
    head = _head_height(ballot, fonts, width)
    rows = [_row_height(detail) for _, detail in ballot.choices]
    footer = 9 * mm
    fixed = _BALLOT_TOP + head + _HEADER_ROW + footer + _BALLOT_BOTTOM
    if fixed + sum(rows) <= _HALF:
        sheets = [list(range(len(rows)))]
        per_page = 2
    else:
        sheets = _split(rows, A4[1] - fixed)
        per_page = 1
    buffer = io.BytesIO()
    canvas = _canvas(buffer, f"{ballot.title} — {ballot.question}")
    height = _HALF if per_page == 2 else A4[1]
    slots = [(sheet, n) for _ in range(max(1, copies)) for n, sheet in enumerate(sheets)]
    for start in range(0, len(slots), per_page):
        for place, (sheet, n) in enumerate(slots[start : start + per_page]):
            top = A4[1] - place * _HALF
            label = f"Tờ {n + 1}/{len(sheets)}" if len(sheets) > 1 else ""
            _ballot_sheet(canvas, fonts, ballot, sheet, label, top, height, width)
        if per_page == 2:
            _cut_line(canvas, 0, _HALF, A4[0], _HALF)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _row_height(detail: str) -> float:
    return _ROW_WITH_DETAIL if detail else _ROW


def _split(rows: list[float], room: float) -> list[list[int]]:
    sheets: list[list[int]] = [[]]
    used = 0.0
    for index, height in enumerate(rows):
        if sheets[-1] and used + height > room:
            sheets.append([])
            used = 0.0
        sheets[-1].append(index)
        used += height
    return sheets


def _head_lines(ballot: _Ballot, fonts: _Fonts, width: float) -> list[tuple[str, str, float, float]]:
    """(text, font, size, leading) of every line above the table."""
    lines: list[tuple[str, str, float, float]] = []
    for line in _lines(ballot.conference, fonts.regular, 9, width, 2):
        lines.append((line, fonts.regular, 9, 11))
    lines.append((ballot.date_line, fonts.regular, 9, 11))
    lines.append((ballot.title, fonts.bold, 17, 26))
    for line in _lines(ballot.question, fonts.bold, 11.5, width, 3):
        lines.append((line, fonts.bold, 11.5, 14))
    lines.append((ballot.instruction, fonts.regular, 9.5, 16))
    return lines


def _head_height(ballot: _Ballot, fonts: _Fonts, width: float) -> float:
    return sum(leading for *_, leading in _head_lines(ballot, fonts, width)) + 3 * mm


def _ballot_sheet(
    canvas: Canvas,
    fonts: _Fonts,
    ballot: _Ballot,
    sheet: list[int],
    label: str,
    top: float,
    height: float,
    width: float,
) -> None:
    left, centre = _SIDE, A4[0] / 2
    y = top - _BALLOT_TOP
    if label:
        _draw(canvas, left + width, y + 2, label, fonts.regular, 8, fonts, align="right")
    for text, font, size, leading in _head_lines(ballot, fonts, width):
        y -= leading
        _draw(canvas, centre, y + (leading - size) / 2 - 1, text, font, size, fonts, align="center")
    y -= 3 * mm

    # The table: number, label (with its detail underneath), one tick-box column per answer.
    box_width = 27 * mm
    number_width = 10 * mm
    label_width = width - number_width - box_width * len(ballot.boxes)
    columns = [number_width, label_width] + [box_width] * len(ballot.boxes)
    edges = [left]
    for w in columns:
        edges.append(edges[-1] + w)
    row_tops = [y, y - _HEADER_ROW]
    for index in sheet:
        row_tops.append(row_tops[-1] - _row_height(ballot.choices[index][1]))
    canvas.setFillGray(0.9)
    canvas.rect(left, y - _HEADER_ROW, width, _HEADER_ROW, stroke=0, fill=1)
    canvas.setFillGray(0)
    baseline = y - _HEADER_ROW / 2 - 3
    headings = ["TT", ballot.label_heading, *ballot.boxes]
    for column, heading in enumerate(headings):
        if column == 1:
            _draw(canvas, edges[1] + 2 * mm, baseline, heading, fonts.bold, 9, fonts)
        else:
            middle = (edges[column] + edges[column + 1]) / 2
            size = _fit(heading, fonts.bold, 9, edges[column + 1] - edges[column] - 2 * mm, 6.5)
            _draw(canvas, middle, baseline, heading, fonts.bold, size, fonts, align="center")
    for position, index in enumerate(sheet):
        label_text, detail = ballot.choices[index]
        row_top, row_bottom = row_tops[position + 1], row_tops[position + 2]
        middle_y = (row_top + row_bottom) / 2
        _draw(
            canvas,
            (edges[0] + edges[1]) / 2,
            middle_y - 3.5,
            f"{index + 1}",
            fonts.regular,
            10,
            fonts,
            align="center",
        )
        size = _fit(label_text, fonts.regular, 10.5, label_width - 4 * mm, 7.5)
        if detail:
            _draw(canvas, edges[1] + 2 * mm, middle_y + 1, label_text, fonts.regular, size, fonts)
            canvas.setFillGray(0.35)
            detail_size = _fit(detail, fonts.regular, 7.5, label_width - 4 * mm, 6)
            _draw(canvas, edges[1] + 2 * mm, middle_y - 8, detail, fonts.regular, detail_size, fonts)
            canvas.setFillGray(0)
        else:
            _draw(canvas, edges[1] + 2 * mm, middle_y - 3.5, label_text, fonts.regular, size, fonts)
        canvas.setLineWidth(0.8)
        for column in range(2, len(columns)):
            box_x = (edges[column] + edges[column + 1]) / 2 - _BOX / 2
            canvas.rect(box_x, middle_y - _BOX / 2, _BOX, _BOX, stroke=1, fill=0)
    canvas.setLineWidth(0.5)
    for row_y in row_tops:
        canvas.line(left, row_y, left + width, row_y)
    for edge in edges:
        canvas.line(edge, row_tops[0], edge, row_tops[-1])

    bottom = top - height + _BALLOT_BOTTOM
    _draw(canvas, centre, bottom + 1 * mm, SEAL_NOTE, fonts.bold, 9, fonts, align="center")
