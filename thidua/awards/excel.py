"""The awards of a year across all of a parent body's groups, as a formatted, print-ready .xlsx (A4
landscape), in the look of the year's score summary (`thidua.assessments.excel_summary`)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from thidua.assessments.excel import BORDER, CENTER, HEADER_FILL, font, print_setup
from thidua.awards.rules import ScoreTable
from thidua.organizations.excel import XLSX_CONTENT_TYPE

__all__ = [
    "HEADERS",
    "SHEET",
    "STATISTICS_SHEETS",
    "XLSX_CONTENT_TYPE",
    "AwardRow",
    "Statistics",
    "awards_workbook",
    "statistics_workbook",
]

SHEET = "Khen thưởng"
HEADERS = (
    "STT",
    "Hình thức khen thưởng",
    "Đơn vị",
    "Cụm/khối thi đua",
    "Số quyết định",
    "Ngày quyết định",
    "Ghi chú",
)
WIDTHS = (6, 34, 44, 24, 18, 14, 24)
HEADER_ROW = 4


@dataclass(frozen=True)
class AwardRow:
    form: str
    organization: str
    organization_code: str
    group: str
    decision_number: str
    decision_date: datetime.date
    note: str


def _title(sheet: Worksheet, row: int, text: str, size: int, width: int) -> None:
    cell = sheet.cell(row=row, column=1, value=text)
    cell.font = font(size, bold=True)
    cell.alignment = CENTER
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet.row_dimensions[row].height = 22


def _note(sheet: Worksheet, row: int, text: str, width: int) -> None:
    sheet.cell(row=row, column=1, value=text).font = font(11, italic=True)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _table(
    sheet: Worksheet,
    *,
    titles: Sequence[str],
    headers: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence[object]],
    centered: Collection[int] = (1,),
    number_formats: Mapping[int, str] | None = None,
) -> int:
    """Titles, a header row at HEADER_ROW and bordered rows under it, ready to print on A4 landscape with
    the header repeated on each page; returns the last row written."""
    width = len(headers)
    for row, text in enumerate(titles, start=1):
        _title(sheet, row, text, 14 if row == 1 else 13, width)
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=header)
        cell.font = font(11, bold=True)
        cell.alignment = CENTER
        cell.fill = HEADER_FILL
        cell.border = BORDER
    sheet.row_dimensions[HEADER_ROW].height = 32
    row = HEADER_ROW
    for values in rows:
        row += 1
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = BORDER
            cell.font = font(12)
            cell.alignment = Alignment(
                horizontal="center" if column in centered else "left", vertical="center", wrap_text=True
            )
            if number_formats and column in number_formats:
                cell.number_format = number_formats[column]
        sheet.row_dimensions[row].height = 24
    for column, size in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=HEADER_ROW, column=column).column_letter].width = size
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    print_setup(sheet, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return row


def _made_on(sheet: Worksheet, row: int, width: int) -> None:
    _note(sheet, row + 2, f"Lập ngày {timezone.localdate():%d/%m/%Y}.", width)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def awards_workbook(*, parent_name: str, year: int, rows: list[AwardRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SHEET
    width = len(HEADERS)
    row = _table(
        sheet,
        titles=(f"DANH SÁCH TẬP THỂ ĐƯỢC KHEN THƯỞNG NĂM {year}", parent_name.upper()),
        headers=HEADERS,
        widths=WIDTHS,
        rows=(
            (n, a.form, a.organization, a.group, a.decision_number, a.decision_date, a.note)
            for n, a in enumerate(rows, start=1)
        ),
        centered=(1, 5, 6),
        number_formats={6: "DD/MM/YYYY"},
    )
    if not rows:
        row += 1
        _note(sheet, row, f"Chưa có quyết định khen thưởng nào cho năm {year}.", width)
    _made_on(sheet, row, width)
    return _save(workbook)


# --- The statistics of a year (issue 16)

STATISTICS_SHEETS = (
    "Theo hình thức",
    "Theo cụm, khối",
    "Theo năm",
    "Điểm theo nhóm tiêu chí",
)


@dataclass(frozen=True)
class Statistics:
    """What the statistics page shows, ready to write: the forms as the parent body names them, the
    counts by form, by group (title, counts in the forms' order, total) and by year, and the work areas'
    average final points by year."""

    parent_name: str
    year: int
    forms: tuple[tuple[str, str], ...]  # (value, label)
    by_form: Mapping[str, int]
    by_group: Sequence[tuple[str, Sequence[int], int]]
    by_year: Mapping[int, Mapping[str, int]]
    scores: ScoreTable
    # When the worker added up the scores (awards/snapshots.py); None before its first sum.
    scores_as_of: datetime.datetime | None = None


def statistics_workbook(stats: Statistics) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert isinstance(first, Worksheet)
    sheets = [first, *(workbook.create_sheet() for _ in STATISTICS_SHEETS[1:])]
    for sheet, name in zip(sheets, STATISTICS_SHEETS, strict=True):
        sheet.title = name
    parent = stats.parent_name.upper()
    labels = [label for _, label in stats.forms]
    values = [value for value, _ in stats.forms]
    count_formats = {c: "0" for c in range(2, len(labels) + 3)}

    row = _table(
        sheets[0],
        titles=(f"SỐ TẬP THỂ ĐƯỢC KHEN THƯỞNG NĂM {stats.year} THEO HÌNH THỨC", parent),
        headers=("STT", "Hình thức khen thưởng", "Số tập thể"),
        widths=(6, 50, 14),
        rows=[(n, label, stats.by_form.get(value, 0)) for n, (value, label) in enumerate(stats.forms, 1)],
        centered=(1, 3),
    )
    _made_on(sheets[0], row, 3)

    row = _table(
        sheets[1],
        titles=(f"SỐ TẬP THỂ ĐƯỢC KHEN THƯỞNG NĂM {stats.year} THEO CỤM, KHỐI THI ĐUA", parent),
        headers=("STT", "Cụm/khối thi đua", *labels, "Tổng"),
        widths=(6, 34, *(18 for _ in labels), 10),
        rows=[(n, title, *counts, total) for n, (title, counts, total) in enumerate(stats.by_group, 1)],
        centered=range(1, len(labels) + 4),
    )
    _made_on(sheets[1], row, len(labels) + 3)

    row = _table(
        sheets[2],
        titles=(f"SỐ TẬP THỂ ĐƯỢC KHEN THƯỞNG QUA CÁC NĂM, ĐẾN NĂM {stats.year}", parent),
        headers=("Năm", *labels, "Tổng"),
        widths=(10, *(18 for _ in labels), 10),
        rows=[
            (year, *(forms.get(v, 0) for v in values), sum(forms.values()))
            for year, forms in sorted(stats.by_year.items())
        ],
        centered=range(1, len(labels) + 3),
        number_formats=count_formats,
    )
    _made_on(sheets[2], row, len(labels) + 2)

    years = stats.scores.years
    row = _table(
        sheets[3],
        titles=(f"ĐIỂM CHỐT BÌNH QUÂN MỖI ĐƠN VỊ THEO NHÓM TIÊU CHÍ, ĐẾN NĂM {stats.year}", parent),
        headers=("Nhóm tiêu chí", "Điểm tối đa", *(f"Năm {y}" for y in years)),
        widths=(50, 12, *(12 for _ in years)),
        rows=[(title, maximum, *averages) for title, averages, maximum in stats.scores.rows],
        centered=range(2, len(years) + 3),
        number_formats={c: "0.00" for c in range(2, len(years) + 3)},
    )
    _made_on(sheets[3], row, len(years) + 2)
    if stats.scores_as_of is not None:
        as_of = timezone.localtime(stats.scores_as_of)
        _note(
            sheets[3], row + 3, f"Điểm chốt tổng hợp lúc {as_of:%H:%M} ngày {as_of:%d/%m/%Y}.", len(years) + 2
        )
    return _save(workbook)
