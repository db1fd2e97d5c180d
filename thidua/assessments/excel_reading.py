"""Reading a filled score sheet back: rows and problems named by sheet, row and column, before any write."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from thidua.assessments import rules
from thidua.assessments.excel import (
    AGREEMENT_ROW,
    CODE,
    FORMAT_VERSION,
    FORMULA_IN_VALUE,
    HEADER_ROW,
    IDENTITY_SHEET,
    NOTE,
    ORGANIZATION_ROW,
    SCORE_HEADERS,
    SCORE_SHEET,
    TITLE_ROW,
    VALUE,
    VALUE_LIMIT,
    VALUE_PLACES,
)
from thidua.assessments.models import Assessment
from thidua.assessments.services import spec_of
from thidua.lib.decimals import format_vietnamese_decimal, parse_vietnamese_decimal
from thidua.lib.text import clean_text, fold, nfc
from thidua.organizations.excel import CORRUPT, MAX_DATA_ROWS, Problem, file_problem

logger = logging.getLogger(__name__)


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
    if isinstance(exponent, int) and exponent < -VALUE_PLACES and number != number.quantize(Decimal("0.01")):
        raise _CellError(
            f"Giá trị {format_vietnamese_decimal(number)} có quá {VALUE_PLACES} chữ số thập phân; hãy làm tròn."
        )
    if abs(number) >= VALUE_LIMIT:
        raise _CellError(f"Giá trị {format_vietnamese_decimal(number)} quá lớn.")
    return (
        number.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent < -VALUE_PLACES else number
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
