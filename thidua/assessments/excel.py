"""Excel (.xlsx) for self-scoring: a member's score sheet to fill in and import back, and the year's summary.

The score sheet is one worksheet whose structure is locked (sheet and workbook protection, no password:
protection here guides people, it does not guard anything, because every imported value is checked again).
Only the "Giá trị tự chấm" and "Thuyết minh" cells are unlocked; the "Điểm" column and the totals are
formulas, so people see their points as they type. A very hidden sheet carries who and what the sheet was
made for (assessment, organization, year, agreement and its version): an import refuses a sheet made for
another member, year or agreement version.

`parse_score_sheet` reads the file into rows and problems before anything is written (the file checks
and the `Problem` style are those of the registry import, `thidua.organizations.excel`);
`thidua.assessments.importing.apply_score_sheet` applies a clean parse.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from thidua.agreements.models import Criterion, CriterionKind
from thidua.assessments import rules
from thidua.assessments.models import Assessment, AssessmentStatus
from thidua.assessments.ranking import MemberResult, YearResults
from thidua.assessments.services import spec_of
from thidua.lib.decimals import format_vietnamese_decimal, parse_vietnamese_decimal
from thidua.lib.text import clean_text, fold, nfc
from thidua.organizations.excel import CORRUPT, MAX_DATA_ROWS, Problem, file_problem

__all__ = [
    "FORMULA_IN_VALUE",
    "HEADER_ROW",
    "IDENTITY_SHEET",
    "SCORE_HEADERS",
    "SCORE_SHEET",
    "SUMMARY_SHEET",
    "ScoreRow",
    "ScoreSheetImport",
    "SheetProblem",
    "parse_score_sheet",
    "score_sheet_filename",
    "score_sheet_workbook",
    "summary_filename",
    "summary_workbook",
]

SCORE_SHEET = "Bảng tự chấm"
IDENTITY_SHEET = "thidua"  # very hidden: the sheet's identity, read back on import
SUMMARY_SHEET = "Tổng hợp"
SCORE_HEADERS = (
    "Mã",
    "Tiêu chí",
    "Cách chấm",
    "Điểm tối đa",
    "Chỉ tiêu / điểm mỗi lần",
    "Giá trị tự chấm",
    "Điểm",
    "Thuyết minh",
)
# Title block rows 1–5, then the header; the rows of the title block are where identity problems point.
TITLE_ROW, GROUP_ROW, ORGANIZATION_ROW, AGREEMENT_ROW, GUIDE_ROW = 1, 2, 3, 4, 5
HEADER_ROW = 6
CODE, TEXT, KIND, MAXIMUM, TARGET, VALUE, POINTS, NOTE = range(1, 9)  # column numbers
_VALUE_LETTER, _POINTS_LETTER = get_column_letter(VALUE), get_column_letter(POINTS)
# Bumped when the layout changes so that an old sheet is refused rather than misread.
FORMAT_VERSION = 1

FORMULA_IN_VALUE = "Ô chứa công thức; hãy nhập giá trị"
# What Score.self_value can hold (max_digits=12, decimal_places=2).
_VALUE_PLACES = 2
_VALUE_LIMIT = Decimal(10) ** 10

logger = logging.getLogger(__name__)

FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")  # the cells people type into
_GROUP_FILL = PatternFill("solid", fgColor="E8EEF7")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_TWO_PLACES = "0.00"
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_UNLOCKED = Protection(locked=False)


def _font(size: int = 12, *, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


def _literal(value: Decimal) -> str:
    """A Decimal as a number in a formula: always a dot, whatever the locale Excel shows."""
    return format(value, "f")


def score_sheet_filename(assessment: Assessment) -> str:
    # Plain ASCII on purpose (as the registry template): every browser keeps it without RFC 5987.
    return f"bang-tu-cham-{assessment.organization.code}-{assessment.emulation_year.year}.xlsx"


def summary_filename(results: YearResults) -> str:
    emulation_year = results.emulation_year
    return f"tong-hop-{emulation_year.group.slug}-{emulation_year.year}.xlsx"


# --- The score sheet


def _ordered_criteria(assessment: Assessment) -> list[Criterion]:
    return list(
        assessment.agreement.criteria.select_related("group").order_by("group__position", "position", "pk")
    )


def _guidance_of(criterion: Criterion) -> str | Decimal | None:
    """Column E: the target or the points per occurrence as numbers, or a hint for pass/fail."""
    if criterion.kind == CriterionKind.QUANTITATIVE:
        return criterion.target
    if criterion.kind == CriterionKind.PER_OCCURRENCE:
        return criterion.points_per_unit
    if criterion.kind == CriterionKind.PASS_FAIL:
        return "1: Đạt; 0: Không đạt"
    return None


def points_formula(criterion: Criterion, row: int) -> str:
    """The "Điểm" cell of a criterion row: what `rules.points` computes, as an Excel formula; empty while
    the value is empty."""
    value = f"{_VALUE_LETTER}{row}"
    maximum = _literal(criterion.max_points)
    kind = criterion.kind
    if kind == CriterionKind.PASS_FAIL:
        body = f"IF({value}=1,{maximum},0)"
    elif kind == CriterionKind.QUANTITATIVE:
        body = (
            f"MIN({maximum},ROUND({maximum}*{value}/{_literal(criterion.target)},2))"
            if criterion.target
            else "0"
        )
    elif kind == CriterionKind.PER_OCCURRENCE:
        unit = _literal(criterion.points_per_unit or Decimal(0))
        body = f"MIN({maximum},{value}*{unit})"
    else:  # fixed, bonus, penalty: the value is the points
        body = value
    return f'=IF({value}="","",{body})'


def _ranges(rows: Sequence[int], letter: str = _POINTS_LETTER) -> str:
    """[8, 9, 10, 12] → "G8:G10,G12": the shortest argument list for SUM."""
    parts: list[str] = []
    start = previous = None
    for row in [*sorted(rows), None]:
        if start is not None and (row is None or previous is None or row != previous + 1):
            parts.append(f"{letter}{start}" if start == previous else f"{letter}{start}:{letter}{previous}")
            start = None
        if row is not None and start is None:
            start = row
        previous = row
    return ",".join(parts)


def _validation(kind: str, maximum: Decimal) -> DataValidation:
    common: dict[str, Any] = {"allow_blank": True, "showErrorMessage": True, "errorTitle": "Giá trị tự chấm"}
    if kind == CriterionKind.PASS_FAIL:
        return DataValidation(
            type="list", formula1='"0,1"', error="Nhập 1 (Đạt) hoặc 0 (Không đạt).", **common
        )
    if kind == CriterionKind.PER_OCCURRENCE:
        return DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            error="Nhập số lần: số nguyên từ 0.",
            **common,
        )
    if kind == CriterionKind.QUANTITATIVE:
        return DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            error="Nhập kết quả đạt được: một số từ 0 trở lên.",
            **common,
        )
    shown = format_vietnamese_decimal(maximum)
    return DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2=_literal(maximum),
        error=f"Nhập số điểm từ 0 đến {shown}.",
        **common,
    )


# Cell styles of the score sheet, registered once per workbook as named styles: assigning a style by name
# costs a fraction of setting font, border, fill and alignment cell by cell (which openpyxl hashes each time).
_CRITERION_STYLES = {
    CODE: "thidua text",
    TEXT: "thidua text",
    KIND: "thidua text",
    MAXIMUM: "thidua number",
    TARGET: "thidua number",
    VALUE: "thidua value",
    POINTS: "thidua number",
    NOTE: "thidua note",
}


def _add_score_styles(workbook: Workbook) -> None:
    def add(
        name: str, *, bold: bool = False, italic: bool = False, number: str = "General", **extra: Any
    ) -> None:
        style = NamedStyle(
            name=name, font=_font(12, bold=bold, italic=italic), border=_BORDER, number_format=number
        )
        style.alignment = extra.pop("alignment", _WRAP_TOP)
        for attribute, value in extra.items():
            setattr(style, attribute, value)
        workbook.add_named_style(style)

    add("thidua header", bold=True, alignment=_CENTER, fill=_HEADER_FILL)
    add("thidua group", bold=True, fill=_GROUP_FILL)
    add("thidua group number", bold=True, fill=_GROUP_FILL, number=_TWO_PLACES)
    add("thidua text")
    add("thidua number", number=_TWO_PLACES)
    add("thidua value", number=_TWO_PLACES, fill=_INPUT_FILL, protection=_UNLOCKED)
    # A note stays text even when someone types "5".
    add("thidua note", number="@", fill=_INPUT_FILL, protection=_UNLOCKED)
    add("thidua total", bold=True, italic=True)
    add("thidua total number", bold=True, italic=True, number=_TWO_PLACES)
    add("thidua grand", bold=True)
    add("thidua grand number", bold=True, number=_TWO_PLACES)


_SCORE_WIDTHS = (7, 52, 18, 9, 14, 12, 9, 40)
_LINE_POINTS = 15.75  # one line of 12-point Times New Roman


def _fit_height(sheet: Worksheet, row: int) -> None:
    """Give a row the height its wrapped text needs: neither Excel nor LibreOffice grows a row by itself
    when the file is printed as it is opened, so long criteria would be cut off on paper."""
    lines = 1
    for column, width in enumerate(_SCORE_WIDTHS, start=1):
        value = sheet.cell(row=row, column=column).value
        if not isinstance(value, str) or value.startswith("="):
            continue
        per_line = max(1, int(width * 1.3) - 1)  # characters of a proportional font per line, roughly
        lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in value.split("\n")))
    if lines > 1:
        sheet.row_dimensions[row].height = lines * _LINE_POINTS + 2


def _title_line(sheet: Worksheet, row: int, text: str, font: Font, height: float | None = None) -> None:
    sheet.cell(row=row, column=1, value=text).font = font
    sheet.cell(row=row, column=1).alignment = Alignment(
        horizontal="center", vertical="center", wrap_text=True
    )
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=NOTE)
    if height:
        sheet.row_dimensions[row].height = height


def score_sheet_workbook(assessment: Assessment) -> bytes:
    """The member's score sheet for the agreement of its assessment, pre-filled with what is saved."""
    emulation_year = assessment.emulation_year
    agreement = assessment.agreement
    organization = assessment.organization
    year = emulation_year.year
    criteria = _ordered_criteria(assessment)
    groups = list(agreement.criterion_groups.all())
    scores = {s.criterion_id: s for s in assessment.scores.all()}

    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SCORE_SHEET

    _title_line(sheet, TITLE_ROW, f"BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {year}", _font(14, bold=True), 22)
    _title_line(sheet, GROUP_ROW, emulation_year.group.title.upper(), _font(13, bold=True))
    _title_line(sheet, ORGANIZATION_ROW, f"Đơn vị: {organization.name_in_year(year)}", _font(13, bold=True))
    version = f" (lần ban hành {agreement.version})" if agreement.version > 1 else ""
    _title_line(sheet, AGREEMENT_ROW, f"Theo: {agreement.title}{version}", _font(12, italic=True), 30)
    _title_line(
        sheet,
        GUIDE_ROW,
        "Chỉ nhập ở hai cột «Giá trị tự chấm» và «Thuyết minh» (ô nền vàng). Cột «Điểm» và các dòng tổng tự tính; "
        "khi nhập lại, phần mềm kiểm tra và tính lại từng tiêu chí. Số thập phân viết 7,5 hoặc 7.5.",
        _font(11, italic=True),
        32,
    )
    _add_score_styles(workbook)
    for column, header in enumerate(SCORE_HEADERS, start=1):
        sheet.cell(row=HEADER_ROW, column=column, value=header).style = "thidua header"
    sheet.row_dimensions[HEADER_ROW].height = 32

    validations: dict[tuple[str, Decimal], DataValidation] = {}
    criteria_by_group: dict[int, list[Criterion]] = {}
    for criterion in criteria:
        criteria_by_group.setdefault(criterion.group_id, []).append(criterion)

    row = HEADER_ROW
    subtotal_rows: list[int] = []  # group rows holding an ordinary subtotal
    bonus_rows: list[int] = []
    penalty_rows: list[int] = []
    for group in groups:
        members = criteria_by_group.get(group.pk, [])
        row += 1
        group_row = row
        group_values: list[Any] = [group.code, group.title, None, group.max_points, None, None, None, None]
        for column, value in enumerate(group_values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.style = "thidua group number" if column in (MAXIMUM, POINTS) else "thidua group"
        ordinary: list[int] = []
        for criterion in members:
            row += 1
            score = scores.get(criterion.pk)
            values: list[Any] = [
                criterion.code,
                criterion.text,
                criterion.get_kind_display(),
                criterion.max_points,
                _guidance_of(criterion),
                score.self_value if score is not None else None,
                points_formula(criterion, row),
                score.note if score is not None else "",
            ]
            for column, value in enumerate(values, start=1):
                sheet.cell(row=row, column=column, value=value).style = _CRITERION_STYLES[column]
            key = (criterion.kind, criterion.max_points)
            if key not in validations:
                validations[key] = _validation(criterion.kind, criterion.max_points)
                sheet.add_data_validation(validations[key])
            validations[key].add(f"{_VALUE_LETTER}{row}")
            if criterion.kind == CriterionKind.BONUS:
                bonus_rows.append(row)
            elif criterion.kind == CriterionKind.PENALTY:
                penalty_rows.append(row)
            else:
                ordinary.append(row)
        points = sheet.cell(row=group_row, column=POINTS)
        if ordinary:
            points.value = f"=MIN({_literal(group.max_points)},SUM({_ranges(ordinary)}))"
            subtotal_rows.append(group_row)
        elif members:
            # A group of bonus or penalty points: its raw sum; the caps apply in the totals below.
            points.value = f"=SUM({_ranges([r for r in range(group_row + 1, row + 1)])})"
        else:
            points.value = 0

    specs = [spec_of(c) for c in criteria]
    bonus_cap = agreement.bonus_cap
    if bonus_cap is None:
        bonus_cap = sum((s.max_points for s in specs if s.kind == rules.Kind.BONUS), Decimal(0))
    penalty_cap = agreement.penalty_cap
    if penalty_cap is None:
        penalty_cap = sum((s.max_points for s in specs if s.kind == rules.Kind.PENALTY), Decimal(0))

    row += 1
    totals: list[tuple[str, str]] = [
        ("Cộng điểm các nhóm tiêu chí", f"=SUM({_ranges(subtotal_rows)})" if subtotal_rows else "=0")
    ]
    if bonus_rows:
        cap = _literal(bonus_cap)
        totals.append(
            (
                f"Điểm thưởng (tối đa {format_vietnamese_decimal(bonus_cap)})",
                f"=MIN({cap},SUM({_ranges(bonus_rows)}))",
            )
        )
    if penalty_rows:
        cap = _literal(penalty_cap)
        totals.append(
            (
                f"Điểm trừ (tối đa {format_vietnamese_decimal(penalty_cap)})",
                f"=MIN({cap},SUM({_ranges(penalty_rows)}))",
            )
        )
    grand = f"={_POINTS_LETTER}{row + 1}"
    for offset, (label, _) in enumerate(totals[1:], start=2):
        sign = "-" if label.startswith("Điểm trừ") else "+"
        grand += f"{sign}{_POINTS_LETTER}{row + offset}"
    totals.append(("TỔNG ĐIỂM TỰ CHẤM", grand))
    for index, (label, formula) in enumerate(totals):
        row += 1
        kind = "grand" if index == len(totals) - 1 else "total"
        for column in range(1, NOTE + 1):
            value = label if column == TEXT else formula if column == POINTS else None
            style = f"thidua {kind} number" if column == POINTS else f"thidua {kind}"
            sheet.cell(row=row, column=column, value=value).style = style

    for column, width in zip(range(1, NOTE + 1), _SCORE_WIDTHS, strict=True):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for fitted in range(HEADER_ROW + 1, row + 1):
        _fit_height(sheet, fitted)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=TEXT)
    # The structure is locked; widening columns and rows stays allowed.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    _print_setup(sheet, landscape=False, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")

    identity = workbook.create_sheet(IDENTITY_SHEET)
    for name, value in _identity(assessment).items():
        identity.append([name, value])
    identity.sheet_state = "veryHidden"
    identity.protection.sheet = True
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.active = 0

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _identity(assessment: Assessment) -> dict[str, str | int]:
    return {
        "format": FORMAT_VERSION,
        "assessment": assessment.pk,
        "organization": assessment.organization.code,
        "organization_name": assessment.organization.name_in_year(assessment.emulation_year.year),
        "year": assessment.emulation_year.year,
        "agreement": assessment.agreement_id,
        "agreement_version": assessment.agreement.version,
    }


def _print_setup(sheet: Worksheet, *, landscape: bool, title_rows: str) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.print_title_rows = title_rows
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "Trang &P/&N"
    sheet.oddFooter.center.font = FONT


# --- Reading a filled score sheet back


class SheetProblem(Problem):
    """A `Problem` of the score sheet: columns are labelled with this sheet's headers, "F (Giá trị tự chấm)"."""

    @property
    def column_label(self) -> str:
        if self.column is None:
            return ""
        index = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(self.column))) - 1
        if (
            self.sheet == SCORE_SHEET
            and (self.row is None or self.row >= HEADER_ROW)
            and index < len(SCORE_HEADERS)
        ):
            return f"{self.column} ({SCORE_HEADERS[index]})"
        return self.column


@dataclass(frozen=True)
class ScoreRow:
    """One criterion row of the file: what it says, the points it earns, and what is saved now."""

    row: int
    code: str
    text: str
    value: Decimal | None
    note: str
    points: Decimal | None
    saved_value: Decimal | None
    saved_points: Decimal | None
    saved_note: str

    @property
    def changed(self) -> bool:
        return (self.value, self.note) != (self.saved_value, self.saved_note)

    @property
    def change(self) -> str:
        if not self.changed:
            return "không đổi"
        if self.value is None and self.saved_value is not None:
            return "xóa điểm"
        if self.value == self.saved_value:
            return "sửa thuyết minh"
        return "chấm mới" if self.saved_value is None else "sửa điểm"


@dataclass
class ScoreSheetImport:
    rows: list[ScoreRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed_rows(self) -> list[ScoreRow]:
        return [r for r in self.rows if r.changed]

    @property
    def has_changes(self) -> bool:
        return any(r.changed for r in self.rows)


class _CellError(Exception):
    pass


@dataclass(frozen=True)
class _Cell:
    value: Any
    formula: bool = False
    error: bool = False

    @property
    def blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


def _cell(raw: Any) -> _Cell:
    data_type = getattr(raw, "data_type", None)
    return _Cell(raw.value, formula=data_type == "f", error=data_type == "e")


def _number(cell: _Cell) -> Decimal | None:
    """A value cell: a number, a number typed as text ("7,5"), or empty."""
    if cell.formula:
        raise _CellError(FORMULA_IN_VALUE)
    if cell.error:
        raise _CellError(f"Ô chứa lỗi {cell.value}; hãy nhập giá trị.")
    value = cell.value
    if cell.blank:
        return None
    if isinstance(value, bool):
        raise _CellError("Ô chứa giá trị đúng/sai (TRUE/FALSE); cần một số.")
    if isinstance(value, datetime | date | time | timedelta):
        raise _CellError("Ô chứa ngày, giờ; cần một số.")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest spelling: 7.1 stays 7.1
    elif isinstance(value, str):
        text = clean_text(value)
        try:
            number = parse_vietnamese_decimal(text)
        except ValueError:
            raise _CellError(f"Ô chứa chữ «{text}»; cần một số (ví dụ 7,5).") from None
    else:
        raise _CellError(f"«{value}» không phải một số.")
    if not number.is_finite():
        raise _CellError(f"«{value}» không phải một số.")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_VALUE_PLACES and number != number.quantize(Decimal("0.01")):
        raise _CellError(
            f"Giá trị {format_vietnamese_decimal(number)} có quá {_VALUE_PLACES} chữ số thập phân; hãy làm tròn."
        )
    if abs(number) >= _VALUE_LIMIT:
        raise _CellError(f"Giá trị {format_vietnamese_decimal(number)} quá lớn.")
    return (
        number.quantize(Decimal("0.01"))
        if isinstance(exponent, int) and exponent < -_VALUE_PLACES
        else number
    )


def _note(cell: _Cell) -> str:
    if cell.formula:
        raise _CellError(FORMULA_IN_VALUE)
    if cell.error:
        raise _CellError(f"Ô chứa lỗi {cell.value}; hãy nhập chữ.")
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # Notes keep their line breaks; NFC, and the ends trimmed, as every other input.
    return nfc(str(value)).replace("\r\n", "\n").strip()


def _code(cell: _Cell) -> str:
    if cell.formula:
        raise _CellError(FORMULA_IN_VALUE)
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value))


class _Unreadable(Exception):
    pass


@dataclass
class _Sheet:
    rows: list[tuple[int, tuple[_Cell, ...]]]
    identity: dict[str, str] | None


def _read(data: bytes) -> _Sheet | Problem:
    """The score sheet's rows as plain cells (header included), and the identity sheet; or why not."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it does not keep (data validation extensions…): not our concern.
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                titles = {clean_text(t): t for t in workbook.sheetnames}
                title = titles.get(SCORE_SHEET)
                if title is None:
                    return SheetProblem(
                        "",
                        None,
                        None,
                        f"Không thấy trang tính «{SCORE_SHEET}»: tệp không phải bảng tự chấm tải từ phần mềm.",
                    )
                worksheet = workbook[title]
                if not hasattr(worksheet, "iter_rows"):
                    return SheetProblem("", None, None, f"Trang «{SCORE_SHEET}» không phải bảng dữ liệu.")
                worksheet.reset_dimensions()
                rows = []
                for number, raw in enumerate(worksheet.iter_rows(max_col=NOTE), start=1):
                    cells = tuple(_cell(c) for c in raw)
                    if len(cells) < NOTE:
                        cells += (_Cell(None),) * (NOTE - len(cells))
                    if number > HEADER_ROW and all(c.blank for c in cells):
                        continue
                    rows.append((number, cells))
                    if len(rows) > MAX_DATA_ROWS + HEADER_ROW:
                        return SheetProblem(
                            "",
                            None,
                            None,
                            f"Trang «{SCORE_SHEET}» có quá nhiều dòng; đây không phải bảng tự chấm.",
                        )
                identity = None
                if IDENTITY_SHEET in workbook.sheetnames:
                    hidden = workbook[IDENTITY_SHEET]
                    if hasattr(hidden, "iter_rows"):
                        identity = {
                            str(key): str(value)
                            for key, value, *_ in hidden.iter_rows(max_col=2, values_only=True)
                            if key is not None
                        }
            finally:
                workbook.close()
    except Exception as error:
        # Whatever the zip or XML layer throws means the same to the person uploading (see the registry import).
        logger.info("unreadable score sheet upload", exc_info=True)
        raise _Unreadable from error
    return _Sheet(rows, identity)


def _identity_problem(identity: dict[str, str] | None, assessment: Assessment) -> Problem | None:
    year = assessment.emulation_year.year
    organization = assessment.organization
    if identity is None or identity.get("format") != str(FORMAT_VERSION):
        return SheetProblem(
            SCORE_SHEET,
            ORGANIZATION_ROW,
            "A",
            "Không nhận ra bảng: tệp không phải bảng tự chấm tải từ phần mềm (hoặc đã chép sang tệp khác). "
            "Hãy tải bảng điểm của đơn vị về, điền vào chính bảng ấy rồi nhập lại.",
        )
    if identity.get("organization") != organization.code:
        other = identity.get("organization_name") or identity.get("organization") or "?"
        return SheetProblem(
            SCORE_SHEET,
            ORGANIZATION_ROW,
            "A",
            f"Bảng này của đơn vị khác ({other}), không phải của {organization.name_in_year(year)}.",
        )
    if identity.get("year") != str(year):
        return SheetProblem(
            SCORE_SHEET,
            TITLE_ROW,
            "A",
            f"Bảng này của năm khác ({identity.get('year')}), không phải năm {year}.",
        )
    agreement = assessment.agreement
    if identity.get("agreement") != str(agreement.pk) or identity.get("agreement_version") != str(
        agreement.version
    ):
        return SheetProblem(
            SCORE_SHEET,
            AGREEMENT_ROW,
            "A",
            f"Bảng này theo giao ước khác (lần ban hành {identity.get('agreement_version')}); bản tự chấm đang "
            f"theo giao ước lần ban hành {agreement.version}. Hãy tải bảng điểm mới.",
        )
    if identity.get("assessment") != str(assessment.pk):
        return SheetProblem(
            SCORE_SHEET,
            ORGANIZATION_ROW,
            "A",
            "Bảng này của một bản tự chấm khác của đơn vị (đã bị thay); hãy tải bảng điểm mới.",
        )
    return None


def _header_problems(cells: tuple[_Cell, ...], row: int) -> list[Problem]:
    problems: list[Problem] = []
    for index, expected in enumerate(SCORE_HEADERS):
        found = cells[index].value
        shown = clean_text(str(found)) if found is not None else ""
        if fold(shown) == fold(expected):
            continue
        message = (
            f"Tiêu đề cột phải là «{expected}», tệp ghi «{shown}»."
            if shown
            else f"Thiếu tiêu đề cột «{expected}»."
        )
        problems.append(SheetProblem(SCORE_SHEET, row, get_column_letter(index + 1), message))
    return problems


def _find_header(rows: Iterable[tuple[int, tuple[_Cell, ...]]]) -> tuple[int, tuple[_Cell, ...]] | None:
    """The header row: where the layout puts it, or wherever column A says "Mã" near the top."""
    candidates = [(n, c) for n, c in rows if n <= HEADER_ROW + 10]
    for number, cells in candidates:
        if number == HEADER_ROW and not _header_problems(cells, number):
            return number, cells
    for number, cells in candidates:
        if isinstance(cells[0].value, str) and fold(cells[0].value) == fold(SCORE_HEADERS[0]):
            return number, cells
    return next(((n, c) for n, c in candidates if n == HEADER_ROW), None)


def parse_score_sheet(data: bytes, *, assessment: Assessment) -> ScoreSheetImport:
    """Every criterion row of the file, its points and whether it changes what is saved, and every problem
    named by sheet, row and column; writes nothing."""
    result = ScoreSheetImport()
    message = file_problem(data)
    if message is not None:
        result.problems.append(SheetProblem("", None, None, message))
        return result
    try:
        read = _read(data)
    except _Unreadable:
        result.problems.append(SheetProblem("", None, None, CORRUPT))
        return result
    if isinstance(read, Problem):
        result.problems.append(read)
        return result
    identity_problem = _identity_problem(read.identity, assessment)
    if identity_problem is not None:
        # Checking values against another member's or another version's criteria would only add noise.
        result.problems.append(identity_problem)
        return result
    header = _find_header(read.rows)
    if header is None:
        result.problems.append(SheetProblem(SCORE_SHEET, HEADER_ROW, None, "Thiếu dòng tiêu đề của bảng."))
        return result
    header_row, header_cells = header
    problems = _header_problems(header_cells, header_row)
    if problems:
        result.problems.extend(problems)
        return result

    criteria = {c.code: c for c in assessment.agreement.criteria.select_related("group")}
    group_codes = set(assessment.agreement.criterion_groups.values_list("code", flat=True))
    saved = {s.criterion_id: s for s in assessment.scores.all()}
    specs = {code: spec_of(c) for code, c in criteria.items()}
    first_row: dict[str, int] = {}

    def problem(row: int, column: int, text: str) -> None:
        result.problems.append(SheetProblem(SCORE_SHEET, row, get_column_letter(column), text))

    for number, cells in read.rows:
        if number <= header_row:
            continue
        try:
            code = _code(cells[CODE - 1])
        except _CellError as error:
            problem(number, CODE, str(error))
            continue
        value_cell, note_cell = cells[VALUE - 1], cells[NOTE - 1]
        if code not in criteria:
            if not code:
                if not (value_cell.blank and note_cell.blank):
                    problem(number, CODE, "Dòng có giá trị hoặc thuyết minh nhưng thiếu mã tiêu chí.")
            elif code in group_codes:
                if not value_cell.blank:
                    problem(
                        number, VALUE, f"Dòng «{code}» là nhóm tiêu chí: chỉ nhập giá trị ở dòng tiêu chí."
                    )
            else:
                problem(number, CODE, f"Không có tiêu chí mã «{code}» trong giao ước của bản tự chấm này.")
            continue
        if code in first_row:
            problem(
                number, CODE, f"Tiêu chí «{code}» đã có ở dòng {first_row[code]}; mỗi tiêu chí chỉ một dòng."
            )
            continue
        first_row[code] = number
        value: Decimal | None = None
        points: Decimal | None = None
        ok = True
        try:
            value = _number(value_cell)
            if value is not None:
                points = rules.points(specs[code], value)
        except (_CellError, rules.ScoreError) as error:
            problem(number, VALUE, str(error))
            ok = False
        try:
            note = _note(note_cell)
        except _CellError as error:
            problem(number, NOTE, str(error))
            ok = False
        if not ok:
            continue
        criterion = criteria[code]
        score = saved.get(criterion.pk)
        result.rows.append(
            ScoreRow(
                row=number,
                code=code,
                text=criterion.text,
                value=value,
                note=note,
                points=points,
                saved_value=score.self_value if score is not None else None,
                saved_points=score.self_points if score is not None else None,
                saved_note=score.note if score is not None else "",
            )
        )
    return result


# --- The year's summary


def _summary_columns(results: YearResults, ordinary_ids: set[int]) -> list[tuple[str, str | None]]:
    """Header cells: (top header, sub-header or None for a column spanning both header rows)."""
    columns: list[tuple[str, str | None]] = [("Xếp hạng", None), ("Đơn vị", None)]
    for group in results.groups:
        if group.pk in ordinary_ids:
            top = f"{group.code}. {group.title} (tối đa {format_vietnamese_decimal(group.max_points)})"
            columns += [(top, "Tự chấm"), (top, "Chốt")]
    columns += [
        ("Điểm thưởng", "Tự chấm"),
        ("Điểm thưởng", "Chốt"),
        ("Điểm trừ", "Tự chấm"),
        ("Điểm trừ", "Chốt"),
    ]
    columns += [("Tổng tự chấm", None), ("Tổng chốt", None), ("Xếp loại", None)]
    return columns


def _member_values(member: MemberResult, results: YearResults, ordinary_ids: set[int]) -> list[Any]:
    values: list[Any] = []
    for group in results.groups:
        if group.pk in ordinary_ids:
            values.append(member.self_by_group.get(group.pk, Decimal(0)))
            values.append(member.final_by_group.get(group.pk) if member.settled else None)
    self_total, final_total = member.self_total, member.final_total
    values += [
        self_total.bonus if self_total else None,
        final_total.bonus if final_total else None,
        self_total.penalty if self_total else None,
        final_total.penalty if final_total else None,
        self_total.total if self_total else None,
        final_total.total if final_total else None,
    ]
    return values


def summary_workbook(results: YearResults) -> bytes:
    """The year's results, one row per member in rank order, formatted to print on A4 landscape."""
    emulation_year = results.emulation_year
    ordinary_ids: set[int] = set()
    if results.agreement is not None:
        ordinary_ids = set(
            results.agreement.criteria.exclude(
                kind__in=[CriterionKind.BONUS, CriterionKind.PENALTY]
            ).values_list("group_id", flat=True)
        )
    columns = _summary_columns(results, ordinary_ids)
    width = len(columns)
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SUMMARY_SHEET

    def line(row: int, text: str, font: Font, height: float) -> None:
        sheet.cell(row=row, column=1, value=text).font = font
        sheet.cell(row=row, column=1).alignment = _CENTER
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.row_dimensions[row].height = height

    line(1, f"BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM {emulation_year.year}", _font(14, bold=True), 24)
    line(2, emulation_year.group.title.upper(), _font(13, bold=True), 20)
    if results.agreement is not None:
        subtitle = (
            f"Theo {results.agreement.title}; điểm tối đa (không kể điểm thưởng): "
            f"{format_vietnamese_decimal(results.maximum)}"
        )
    else:
        subtitle = "Năm thi đua chưa có giao ước có hiệu lực."
    line(3, subtitle, _font(12, italic=True), 20)

    top, sub = 5, 6
    column = 1
    while column <= width:
        label, below = columns[column - 1]
        sheet.cell(row=top, column=column, value=label)
        if below is None:
            sheet.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=column)
            column += 1
        else:
            # A pair of columns (self score, settled score) under one merged heading.
            sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + 1)
            sheet.cell(row=sub, column=column, value=below)
            sheet.cell(row=sub, column=column + 1, value=columns[column][1])
            column += 2
    for row in (top, sub):
        for index in range(1, width + 1):
            cell = sheet.cell(row=row, column=index)
            cell.font = _font(11, bold=True)
            cell.alignment = _CENTER
            cell.fill = _HEADER_FILL
            cell.border = _BORDER
    sheet.row_dimensions[top].height = 64
    sheet.row_dimensions[sub].height = 18

    row = sub
    tied = False
    for member in results.members:
        row += 1
        submitted = member.status == AssessmentStatus.SUBMITTED
        name = member.name + (" (*)" if member.tied_for_conference else "")
        tied = tied or member.tied_for_conference
        sheet.cell(row=row, column=1, value=member.rank)
        sheet.cell(row=row, column=2, value=name)
        if submitted:
            for index, value in enumerate(_member_values(member, results, ordinary_ids), start=3):
                sheet.cell(row=row, column=index, value=value).number_format = _TWO_PLACES
            sheet.cell(row=row, column=width, value=member.band)
        else:
            sheet.cell(row=row, column=3, value="chưa nộp")
            sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=width - 1)
        for index in range(1, width + 1):
            cell = sheet.cell(row=row, column=index)
            cell.border = _BORDER
            cell.font = _font(12, bold=index in (1, width - 1), italic=not submitted and index == 3)
            cell.alignment = Alignment(
                horizontal="left" if index == 2 else "center", vertical="center", wrap_text=True
            )
        # Full names take two lines; print layouts do not grow rows by themselves.
        sheet.row_dimensions[row].height = 32

    notes = [
        "Điểm nhóm tiêu chí đã áp mức tối đa của nhóm; điểm thưởng, điểm trừ đã áp mức tối đa của giao ước. "
        "Xếp hạng theo tổng điểm chốt; đơn vị chưa chốt điểm chưa được xếp hạng.",
        f"Lập ngày {timezone.localdate():%d/%m/%Y}.",
    ]
    if tied:
        notes.insert(1, "(*) Bằng điểm sau mọi tiêu chí phụ: hội nghị bình xét.")
    row += 1
    for text in notes:
        row += 1
        sheet.cell(row=row, column=1, value=text).font = _font(11, italic=True)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)

    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 40
    for index in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 9
    for letter in (get_column_letter(width - 2), get_column_letter(width - 1)):
        sheet.column_dimensions[letter].width = 11
    sheet.column_dimensions[get_column_letter(width)].width = 18
    sheet.freeze_panes = sheet.cell(row=sub + 1, column=3)
    _print_setup(sheet, landscape=True, title_rows=f"{top}:{sub}")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
