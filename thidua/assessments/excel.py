"""Excel (.xlsx) for self-scoring: writing a member's score sheet (reading it back: `excel_reading`; the
year's summary workbook: `excel_summary`).

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
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from thidua.agreements.models import Criterion, CriterionKind
from thidua.assessments import rules
from thidua.assessments.models import Assessment
from thidua.assessments.ranking import YearResults
from thidua.assessments.services import spec_of
from thidua.lib.decimals import format_vietnamese_decimal

__all__ = [
    "FORMULA_IN_VALUE",
    "HEADER_ROW",
    "IDENTITY_SHEET",
    "SCORE_HEADERS",
    "SCORE_SHEET",
    "SUMMARY_SHEET",
    "score_sheet_filename",
    "score_sheet_workbook",
    "summary_filename",
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
VALUE_PLACES = 2
VALUE_LIMIT = Decimal(10) ** 10

logger = logging.getLogger(__name__)

FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")  # the cells people type into
_GROUP_FILL = PatternFill("solid", fgColor="E8EEF7")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TWO_PLACES = "0.00"
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_UNLOCKED = Protection(locked=False)


def font(size: int = 12, *, bold: bool = False, italic: bool = False) -> Font:
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
            name=name, font=font(12, bold=bold, italic=italic), border=BORDER, number_format=number
        )
        style.alignment = extra.pop("alignment", _WRAP_TOP)
        for attribute, value in extra.items():
            setattr(style, attribute, value)
        workbook.add_named_style(style)

    add("thidua header", bold=True, alignment=CENTER, fill=HEADER_FILL)
    add("thidua group", bold=True, fill=_GROUP_FILL)
    add("thidua group number", bold=True, fill=_GROUP_FILL, number=TWO_PLACES)
    add("thidua text")
    add("thidua number", number=TWO_PLACES)
    add("thidua value", number=TWO_PLACES, fill=_INPUT_FILL, protection=_UNLOCKED)
    # A note stays text even when someone types "5".
    add("thidua note", number="@", fill=_INPUT_FILL, protection=_UNLOCKED)
    add("thidua total", bold=True, italic=True)
    add("thidua total number", bold=True, italic=True, number=TWO_PLACES)
    add("thidua grand", bold=True)
    add("thidua grand number", bold=True, number=TWO_PLACES)


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

    _title_line(sheet, TITLE_ROW, f"BẢNG TỰ CHẤM ĐIỂM THI ĐUA NĂM {year}", font(14, bold=True), 22)
    _title_line(sheet, GROUP_ROW, emulation_year.group.title.upper(), font(13, bold=True))
    _title_line(sheet, ORGANIZATION_ROW, f"Đơn vị: {organization.name_in_year(year)}", font(13, bold=True))
    version = f" (lần ban hành {agreement.version})" if agreement.version > 1 else ""
    _title_line(sheet, AGREEMENT_ROW, f"Theo: {agreement.title}{version}", font(12, italic=True), 30)
    _title_line(
        sheet,
        GUIDE_ROW,
        "Chỉ nhập ở hai cột «Giá trị tự chấm» và «Thuyết minh» (ô nền vàng). Cột «Điểm» và các dòng tổng tự tính; "
        "khi nhập lại, phần mềm kiểm tra và tính lại từng tiêu chí. Số thập phân viết 7,5 hoặc 7.5.",
        font(11, italic=True),
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
    print_setup(sheet, landscape=False, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")

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


def print_setup(sheet: Worksheet, *, landscape: bool, title_rows: str) -> None:
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
