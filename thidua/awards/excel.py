"""The awards of a year across all of a parent body's groups, as a formatted, print-ready .xlsx (A4
landscape), in the look of the year's score summary (`thidua.assessments.excel_summary`)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from thidua.assessments.excel import BORDER, CENTER, HEADER_FILL, font, print_setup
from thidua.organizations.excel import XLSX_CONTENT_TYPE

__all__ = ["HEADERS", "SHEET", "XLSX_CONTENT_TYPE", "AwardRow", "awards_workbook"]

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


def awards_workbook(*, parent_name: str, year: int, rows: list[AwardRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SHEET
    width = len(HEADERS)

    def line(row: int, text: str, size: int, *, bold: bool = False, italic: bool = False) -> None:
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = font(size, bold=bold, italic=italic)
        cell.alignment = CENTER
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.row_dimensions[row].height = 22

    line(1, f"DANH SÁCH TẬP THỂ ĐƯỢC KHEN THƯỞNG NĂM {year}", 14, bold=True)
    line(2, parent_name.upper(), 13, bold=True)
    for column, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=header)
        cell.font = font(11, bold=True)
        cell.alignment = CENTER
        cell.fill = HEADER_FILL
        cell.border = BORDER
    sheet.row_dimensions[HEADER_ROW].height = 32

    row = HEADER_ROW
    for number, award in enumerate(rows, start=1):
        row += 1
        values = (
            number,
            award.form,
            award.organization,
            award.group,
            award.decision_number,
            award.decision_date,
            award.note,
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = BORDER
            cell.font = font(12)
            cell.alignment = Alignment(
                horizontal="center" if column in (1, 5, 6) else "left", vertical="center", wrap_text=True
            )
        sheet.cell(row=row, column=6).number_format = "DD/MM/YYYY"
        sheet.row_dimensions[row].height = 32
    if not rows:
        row += 1
        sheet.cell(
            row=row, column=1, value=f"Chưa có quyết định khen thưởng nào cho năm {year}."
        ).font = font(12, italic=True)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    row += 2
    sheet.cell(row=row, column=1, value=f"Lập ngày {timezone.localdate():%d/%m/%Y}.").font = font(
        11, italic=True
    )
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)

    for column, size in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=HEADER_ROW, column=column).column_letter].width = size
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    print_setup(sheet, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
