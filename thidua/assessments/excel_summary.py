"""The year's summary as a formatted, print-ready .xlsx (A4 landscape)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from thidua.agreements.models import CriterionKind
from thidua.assessments.excel import (
    BORDER,
    CENTER,
    HEADER_FILL,
    SUMMARY_SHEET,
    TWO_PLACES,
    font,
    print_setup,
)
from thidua.assessments.models import AssessmentStatus
from thidua.assessments.ranking import MemberResult, YearResults
from thidua.lib.decimals import format_vietnamese_decimal

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
        sheet.cell(row=row, column=1).alignment = CENTER
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.row_dimensions[row].height = height

    line(1, f"BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM {emulation_year.year}", font(14, bold=True), 24)
    line(2, emulation_year.group.title.upper(), font(13, bold=True), 20)
    if results.agreement is not None:
        subtitle = (
            f"Theo {results.agreement.title}; điểm tối đa (không kể điểm thưởng): "
            f"{format_vietnamese_decimal(results.maximum)}"
        )
    else:
        subtitle = "Năm thi đua chưa có giao ước có hiệu lực."
    line(3, subtitle, font(12, italic=True), 20)

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
            cell.font = font(11, bold=True)
            cell.alignment = CENTER
            cell.fill = HEADER_FILL
            cell.border = BORDER
    sheet.row_dimensions[top].height = 64
    sheet.row_dimensions[sub].height = 18

    row = sub
    tied = referred = False
    for member in results.members:
        row += 1
        submitted = member.status == AssessmentStatus.SUBMITTED
        name = member.name + (" (*)" if member.tied_for_conference else " (**)" if member.referred else "")
        tied = tied or member.tied_for_conference
        referred = referred or member.referred
        sheet.cell(row=row, column=1, value=member.rank)
        sheet.cell(row=row, column=2, value=name)
        if submitted:
            for index, value in enumerate(_member_values(member, results, ordinary_ids), start=3):
                sheet.cell(row=row, column=index, value=value).number_format = TWO_PLACES
            sheet.cell(row=row, column=width, value=member.band)
        else:
            sheet.cell(row=row, column=3, value="chưa nộp")
            sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=width - 1)
        for index in range(1, width + 1):
            cell = sheet.cell(row=row, column=index)
            cell.border = BORDER
            cell.font = font(12, bold=index in (1, width - 1), italic=not submitted and index == 3)
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
    if referred:
        notes.insert(
            1, "(**) Bằng điểm sau các bước xử lý khi bằng nhau của quy chế: đề nghị cấp trên xem xét."
        )
    if tied:
        notes.insert(1, "(*) Bằng điểm sau các bước xử lý khi bằng nhau của quy chế: hội nghị bình xét.")
    row += 1
    for text in notes:
        row += 1
        sheet.cell(row=row, column=1, value=text).font = font(11, italic=True)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)

    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 40
    for index in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 9
    for letter in (get_column_letter(width - 2), get_column_letter(width - 1)):
        sheet.column_dimensions[letter].width = 11
    sheet.column_dimensions[get_column_letter(width)].width = 18
    sheet.freeze_panes = sheet.cell(row=sub + 1, column=3)
    print_setup(sheet, landscape=True, title_rows=f"{top}:{sub}")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
