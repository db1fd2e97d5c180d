"""Excel (.xlsx) import of a parent body's organizations and memberships, and the template to fill in.

`parse_registry_workbook` reads the whole file into rows and problems before anything is written; the
service in `importing.py` applies a clean parse. The file is untrusted: it is checked by content (a zip
holding an Excel workbook, whatever its name), by size, and by its uncompressed size (a few kilobytes of
zip can inflate to gigabytes) before openpyxl reads any of its XML.
"""

from __future__ import annotations

import enum
import io
import logging
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from thidua.lib import files
from thidua.lib.dates import parse_vietnamese_date
from thidua.lib.text import clean_text, fold
from thidua.organizations import rules
from thidua.organizations.models import (
    EmulationGroup,
    GroupKind,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationName,
    Position,
)
from thidua.organizations.services import OfficeholderInput, membership_problems

__all__ = [
    "EXAMPLE_PREFIX",
    "MAX_DATA_ROWS",
    "MEMBERSHIP_HEADERS",
    "MEMBERSHIP_SHEET",
    "OFFICEHOLDER_HEADERS",
    "OFFICEHOLDER_SHEET",
    "OFFICEHOLDER_TEMPLATE_FILENAME",
    "ORGANIZATION_HEADERS",
    "ORGANIZATION_SHEET",
    "TEMPLATE_FILENAME",
    "XLSX_CONTENT_TYPE",
    "Action",
    "MembershipRow",
    "OfficeholderImport",
    "OrganizationRow",
    "Problem",
    "RegistryImport",
    "file_problem",
    "max_import_bytes",
    "officeholder_template",
    "parse_officeholder_workbook",
    "parse_registry_workbook",
    "template_workbook",
]

ORGANIZATION_SHEET = "Đơn vị"
MEMBERSHIP_SHEET = "Thành viên"
GUIDE_SHEET = "Hướng dẫn"
ORGANIZATION_HEADERS = ("Mã đơn vị", "Tên đầy đủ", "Tên viết tắt", "Loại đơn vị", "Tên có hiệu lực từ")
MEMBERSHIP_HEADERS = ("Mã đơn vị", "Loại", "Số", "Năm")
HEADERS = {ORGANIZATION_SHEET: ORGANIZATION_HEADERS, MEMBERSHIP_SHEET: MEMBERSHIP_HEADERS}
# An organization's officeholders, one sheet of their own (issue 15, part 2).
OFFICEHOLDER_SHEET = "Lãnh đạo"
OFFICEHOLDER_HEADERS = ("Họ và tên", "Chức vụ", "Từ ngày", "Đến ngày", "Căn cứ")
OFFICEHOLDER_TEMPLATE_FILENAME = "mau-nhap-lanh-dao-don-vi.xlsx"
_COLUMN_HEADERS = {**HEADERS, OFFICEHOLDER_SHEET: OFFICEHOLDER_HEADERS}

# Data rows per sheet; more belongs in several files (and in several previews a person can read).
MAX_DATA_ROWS = 5000
# The uncompressed size of all entries may be at most this many times the largest accepted file, and
# never more than the absolute cap: real workbooks compress about 5–10×, zip bombs by thousands.
UNCOMPRESSED_RATIO = 20
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DEFAULT_IMPORT_MAX_BYTES = 5 * 1024 * 1024
# A row whose first cell starts with this is the template's example: shown to people, skipped by the parser.
EXAMPLE_PREFIX = "VD:"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "mau-nhap-don-vi-thanh-vien.xlsx"

NOT_XLSX = "Tệp không phải bảng tính Excel .xlsx"
CORRUPT = "Tệp .xlsx bị hỏng, không đọc được"
FORMULA = "Ô chứa công thức; hãy dán giá trị"

_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CODE_MAX = Organization._meta.get_field("code").max_length or 60
_NAME_MAX = OrganizationName._meta.get_field("name").max_length or 300
_SHORT_NAME_MAX = OrganizationName._meta.get_field("short_name").max_length or 120

# "Cụm"/"Khối" as typed, and the full labels ("Cụm thi đua") too, folded so case and marks do not matter.
_GROUP_KINDS = {
    fold("Cụm"): GroupKind.CLUSTER,
    fold("Khối"): GroupKind.BLOCK,
    **{fold(label): GroupKind(value) for value, label in GroupKind.choices},
}
_ORGANIZATION_KINDS = {fold(label): OrganizationKind(value) for value, label in OrganizationKind.choices}
IMPORTABLE_KINDS = [k for k in OrganizationKind if k != OrganizationKind.PARENT_BODY]

T = TypeVar("T")
logger = logging.getLogger(__name__)


def max_import_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES))


def max_uncompressed_bytes() -> int:
    return min(UNCOMPRESSED_RATIO * max_import_bytes(), MAX_UNCOMPRESSED_BYTES)


def size_words(size: int) -> str:
    """5242880 → "5 MB", 1536 → "1,5 KB": sizes in messages, with the Vietnamese decimal comma."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            shown = f"{size / scale:.1f}".removesuffix(".0").replace(".", ",")
            return f"{shown} {unit}"
    return f"{size} byte"


# --- Results


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file. `row` is Excel's row number (the header is row 1); `column` its letter.

    File-level problems (not a workbook, too large…) have an empty sheet and no row or column.
    """

    sheet: str
    row: int | None
    column: str | None
    message: str

    @property
    def column_label(self) -> str:
        """The letter people see in Excel and the header they recognise, e.g. "D (Năm)"."""
        if self.column is None:
            return ""
        headers = _COLUMN_HEADERS.get(self.sheet, ())
        index = _column_index(self.column)
        if 0 <= index < len(headers):
            return f"{self.column} ({headers[index]})"
        return self.column

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"Trang «{self.sheet}»")
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column is not None:
            where.append(f"cột {self.column_label}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class Action(enum.Enum):
    """What applying a row will do. The value is what the preview says."""

    CREATE = "tạo mới"
    RENAME = "đổi tên"
    UNCHANGED = "không đổi"
    ADD = "thêm"
    SKIP = "đã có, bỏ qua"


@dataclass(frozen=True)
class OrganizationRow:
    row: int
    code: str
    name: str
    short_name: str
    kind: str
    valid_from: date
    action: Action
    previous_name: str = ""

    @property
    def kind_label(self) -> str:
        return OrganizationKind(self.kind).label

    @property
    def change(self) -> str:
        if self.action is Action.RENAME:
            return f"đổi tên từ «{self.previous_name}»"
        return self.action.value


@dataclass(frozen=True)
class MembershipRow:
    row: int
    code: str
    organization_name: str
    group_kind: str
    group_number: int
    group_title: str
    year: int
    action: Action

    @property
    def change(self) -> str:
        return self.action.value


@dataclass
class RegistryImport:
    organizations: list[OrganizationRow] = field(default_factory=list)
    memberships: list[MembershipRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        def count(rows: Iterable[OrganizationRow | MembershipRow], action: Action) -> int:
            return sum(1 for r in rows if r.action is action)

        return {
            "created": count(self.organizations, Action.CREATE),
            "renamed": count(self.organizations, Action.RENAME),
            "unchanged": count(self.organizations, Action.UNCHANGED),
            "added": count(self.memberships, Action.ADD),
            "skipped": count(self.memberships, Action.SKIP),
        }

    @property
    def has_changes(self) -> bool:
        counts = self.counts()
        return bool(counts["created"] or counts["renamed"] or counts["added"])


# --- Reading the file


def file_problem(data: bytes) -> str | None:
    """Why `data` cannot be opened as an .xlsx at all, judged by content and size; None when it can."""
    limit = max_import_bytes()
    problem = files.ooxml_problem(
        data, main_part="xl/workbook.xml", max_bytes=limit, max_unpacked=max_uncompressed_bytes()
    )
    if problem is None:
        return None
    if problem is files.ArchiveProblem.TOO_LARGE:
        return f"Tệp nặng {size_words(len(data))}, vượt giới hạn {size_words(limit)}."
    if problem is files.ArchiveProblem.OLE:
        return (
            f"{NOT_XLSX} (có thể là tệp .xls cũ hoặc tệp đặt mật khẩu): "
            "hãy mở bằng Excel rồi lưu lại dạng .xlsx, không đặt mật khẩu."
        )
    if problem is files.ArchiveProblem.CORRUPT:
        return CORRUPT
    if problem is files.ArchiveProblem.INFLATES:
        return (
            f"Tệp .xlsx giải nén ra {size_words(files.unpacked_size(data))}, vượt giới hạn "
            f"{size_words(max_uncompressed_bytes())}; hãy bỏ bớt dữ liệu thừa hoặc chia thành nhiều tệp."
        )
    return NOT_XLSX


@dataclass(frozen=True)
class _Cell:
    value: Any
    formula: bool = False
    error: bool = False

    @property
    def blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not clean_text(self.value))


_Row = tuple[int, tuple[_Cell, ...]]


class _Unreadable(Exception):
    pass


@dataclass
class _Sheets:
    rows: dict[str, list[_Row]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _column_index(letter: str) -> int:
    index = 0
    for char in letter:
        index = index * 26 + (ord(char) - ord("A") + 1)
    return index - 1


def _read_sheets(data: bytes, sheets: dict[str, tuple[str, ...]] = HEADERS) -> _Sheets:
    """The data rows of `sheets` (both of the registry's by default), as plain values, or the problems
    that stop reading them."""
    result = _Sheets()
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (extensions, defined names…): not our concern.
            warnings.simplefilter("ignore", UserWarning)
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                titles = {clean_text(title): title for title in workbook.sheetnames}
                for name, headers in sheets.items():
                    title = titles.get(name)
                    if title is None:
                        result.problems.append(Problem("", None, None, f"Không thấy trang tính «{name}»."))
                        continue
                    worksheet = workbook[title]
                    if not hasattr(worksheet, "iter_rows"):  # a chart sheet
                        result.problems.append(
                            Problem("", None, None, f"Trang «{name}» không phải bảng dữ liệu.")
                        )
                        continue
                    rows, problems = _read_rows(worksheet, name, headers)
                    result.rows[name] = rows
                    result.problems.extend(problems)
            finally:
                workbook.close()
    except Exception as error:
        # Anything the zip or XML layer throws (BadZipFile, CRC errors, ParseError, KeyError for a missing
        # part, ValueError for a malformed attribute…) means the same to the person uploading it; the log
        # keeps the detail for whoever has to tell a broken file from a bug here.
        logger.info("unreadable .xlsx upload", exc_info=True)
        raise _Unreadable from error
    return result


def _cell(raw: Any) -> _Cell:
    data_type = getattr(raw, "data_type", None)
    return _Cell(value=raw.value, formula=data_type == "f", error=data_type == "e")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _read_rows(worksheet: Any, name: str, headers: tuple[str, ...]) -> tuple[list[_Row], list[Problem]]:
    """The non-empty, non-example rows under a correct header row, or the problems with the sheet's shape."""
    # Read-only mode trusts the sheet's own <dimension> claim, which some producers get wrong (or lie
    # about): without the reset, rows past the claimed last row would be silently dropped.
    worksheet.reset_dimensions()
    width = len(headers)
    rows: list[_Row] = []
    saw_header = False
    for number, raw_row in enumerate(worksheet.iter_rows(min_row=1, max_col=width), start=1):
        cells = tuple(_cell(raw) for raw in raw_row) + (_Cell(None),) * (width - len(raw_row))
        if not saw_header:
            saw_header = True
            problems = _header_problems(name, cells, headers)
            if problems:
                # Columns may be shifted: checking the rows would only bury the real problem.
                return [], problems
            continue
        if all(c.blank for c in cells):
            continue
        first = cells[0].value
        if isinstance(first, str) and clean_text(first).upper().startswith(EXAMPLE_PREFIX):
            continue
        if len(rows) == MAX_DATA_ROWS:
            message = (
                f"Trang «{name}» có hơn {_thousands(MAX_DATA_ROWS)} dòng dữ liệu; hãy chia thành nhiều tệp."
            )
            return [], [Problem("", None, None, message)]
        rows.append((number, cells))
    if not saw_header:
        return [], [Problem(name, 1, None, "Trang tính trống, thiếu dòng tiêu đề.")]
    return rows, []


def _header_problems(name: str, cells: tuple[_Cell, ...], headers: tuple[str, ...]) -> list[Problem]:
    problems = []
    for index, expected in enumerate(headers):
        found = cells[index].value
        shown = clean_text(str(found)) if found is not None else ""
        if fold(shown) == fold(expected):
            continue
        message = (
            f"Tiêu đề cột phải là «{expected}», tệp ghi «{shown}»."
            if shown
            else f"Thiếu tiêu đề cột «{expected}»."
        )
        problems.append(Problem(name, 1, get_column_letter(index + 1), message))
    return problems


# --- Cells to values


class _CellError(Exception):
    pass


def _value(cell: _Cell) -> Any:
    if cell.formula:
        raise _CellError(FORMULA)
    if cell.error:
        raise _CellError(f"Ô chứa lỗi {cell.value}; hãy nhập giá trị.")
    return clean_text(cell.value) if isinstance(cell.value, str) else cell.value


def _optional_text(cell: _Cell) -> str:
    value = _value(cell)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _CellError("Ô phải chứa chữ.")
    return str(value)


def _required_text(cell: _Cell) -> str:
    value = _optional_text(cell)
    if not value:
        raise _CellError("Ô bắt buộc, không được để trống.")
    return value


def _name(cell: _Cell) -> str:
    value = _required_text(cell)
    if len(value) > _NAME_MAX:
        raise _CellError(f"Tên dài {len(value)} ký tự, tối đa {_NAME_MAX}.")
    return value


def _short_name(cell: _Cell) -> str:
    value = _optional_text(cell)
    if len(value) > _SHORT_NAME_MAX:
        raise _CellError(f"Tên viết tắt dài {len(value)} ký tự, tối đa {_SHORT_NAME_MAX}.")
    return value


def _code(cell: _Cell) -> str:
    value = _required_text(cell)
    if len(value) > _CODE_MAX or not _CODE.fullmatch(value):
        raise _CellError(
            f"Mã đơn vị «{value}» không hợp lệ: chỉ dùng chữ thường không dấu a–z, chữ số và dấu gạch ngang "
            f"(tối đa {_CODE_MAX} ký tự), ví dụ lhh-ninh-binh."
        )
    return value


def _integer(cell: _Cell) -> int:
    value = _value(cell)
    if value is None or value == "":
        raise _CellError("Ô bắt buộc, không được để trống.")
    if isinstance(value, bool):
        raise _CellError("Ô phải chứa một số nguyên.")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        # A number typed into a cell formatted as text is still the number people meant.
        if re.fullmatch(r"[0-9]{1,6}", value):
            return int(value)
        raise _CellError(f"Ô chứa chữ «{value}»; cần một số nguyên.")
    raise _CellError(f"«{value}» không phải số nguyên.")


def _date(cell: _Cell) -> date:
    value = _value(cell)
    if value is None or value == "":
        raise _CellError("Ô bắt buộc, không được để trống.")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_vietnamese_date(value)
        except ValueError as error:
            raise _CellError(str(error)) from None
    raise _CellError("Ô phải chứa ngày (định dạng ngày của Excel, hoặc chữ dạng dd/mm/yyyy).")


def _organization_kind(cell: _Cell) -> str:
    value = _required_text(cell)
    kind = _ORGANIZATION_KINDS.get(fold(value))
    allowed = "; ".join(f"«{k.label}»" for k in IMPORTABLE_KINDS)
    if kind == OrganizationKind.PARENT_BODY:
        raise _CellError(f"Không nhập được cơ quan cấp trên bằng tệp; chọn một trong: {allowed}.")
    if kind is None:
        raise _CellError(f"Không có loại đơn vị «{value}»; chọn một trong: {allowed}.")
    return str(kind)


def _group_kind(cell: _Cell) -> str:
    value = _required_text(cell)
    kind = _GROUP_KINDS.get(fold(value))
    if kind is None:
        raise _CellError(f"Loại «{value}» không hợp lệ; ghi «Cụm» hoặc «Khối».")
    return str(kind)


class _Sheet:
    """Converts the cells of one sheet, recording each failure as a problem at its row and column."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name = name
        self.problems = problems

    def problem(self, row: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.name, row, get_column_letter(column + 1), message))

    def read(
        self, row: int, cells: tuple[_Cell, ...], column: int, convert: Callable[[_Cell], T]
    ) -> T | None:
        try:
            return convert(cells[column])
        except _CellError as error:
            self.problem(row, column, str(error))
            return None


# --- Checking rows against the database


@dataclass(frozen=True)
class _OrganizationInput:
    """One row's values; None where the cell had a problem (already recorded)."""

    row: int
    code: str
    name: str | None
    short_name: str | None
    kind: str | None
    valid_from: date | None


@dataclass(frozen=True)
class _MembershipInput:
    row: int
    code: str | None
    kind: str | None
    number: int | None
    year: int | None


def _checked_sheets(
    data: bytes, headers: dict[str, tuple[str, ...]], problems: list[Problem]
) -> _Sheets | None:
    """The rows of `headers`' sheets, or None with what stops reading them added to `problems`: not an
    .xlsx by content, too large, unreadable, or missing sheets, wrong headers or too many rows (the
    shape of the file is fixed first)."""
    message = file_problem(data)
    if message is not None:
        problems.append(Problem("", None, None, message))
        return None
    try:
        sheets = _read_sheets(data, headers)
    except _Unreadable:
        problems.append(Problem("", None, None, CORRUPT))
        return None
    if sheets.problems:
        problems.extend(sheets.problems)
        return None
    return sheets


def parse_registry_workbook(data: bytes, *, parent: Organization, today: date) -> RegistryImport:
    """Every row of the file with what applying it would do, and every problem; writes nothing.

    `today` bounds the years a membership may be planned for (as in the membership form).
    """
    result = RegistryImport()
    sheets = _checked_sheets(data, HEADERS, result.problems)
    if sheets is None:
        return result
    organization_rows = sheets.rows[ORGANIZATION_SHEET]
    membership_rows = sheets.rows[MEMBERSHIP_SHEET]
    if not organization_rows and not membership_rows:
        result.problems.append(
            Problem(
                "",
                None,
                None,
                f"Tệp không có dòng dữ liệu nào (dòng bắt đầu bằng «{EXAMPLE_PREFIX}» là dòng mẫu, không được nhập).",
            )
        )
        return result

    org_sheet = _Sheet(ORGANIZATION_SHEET, result.problems)
    org_inputs, declared = _organization_inputs(org_sheet, organization_rows)
    member_sheet = _Sheet(MEMBERSHIP_SHEET, result.problems)
    member_inputs = _membership_inputs(member_sheet, membership_rows, today)

    codes = set(declared) | {m.code for m in member_inputs if m.code is not None}
    known = {
        o.code: o
        for o in Organization.objects.filter(code__in=codes).prefetch_related(
            Prefetch("names", queryset=OrganizationName.objects.order_by("valid_from"))
        )
    }
    result.organizations = _plan_organizations(org_sheet, org_inputs, known, parent)
    result.memberships = _plan_memberships(member_sheet, member_inputs, known, declared, parent, today)
    # Problems were recorded sheet by sheet; keep them in the order people read the file.
    order = {ORGANIZATION_SHEET: 0, MEMBERSHIP_SHEET: 1}
    result.problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row or 0, _column_index(p.column or "A")))
    return result


def _organization_inputs(sheet: _Sheet, rows: list[_Row]) -> tuple[list[_OrganizationInput], dict[str, str]]:
    """Converted rows, and every code the sheet declares with its name (for the membership sheet)."""
    inputs = []
    declared: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for number, cells in rows:
        code = sheet.read(number, cells, 0, _code)
        name = sheet.read(number, cells, 1, _name)
        short_name = sheet.read(number, cells, 2, _short_name)
        kind = sheet.read(number, cells, 3, _organization_kind)
        valid_from = sheet.read(number, cells, 4, _date)
        if code is None:
            continue
        if code in first_row:
            sheet.problem(number, 0, f"Mã «{code}» trùng với dòng {first_row[code]} của trang này.")
            continue
        first_row[code] = number
        declared[code] = name or code
        inputs.append(_OrganizationInput(number, code, name, short_name, kind, valid_from))
    return inputs, declared


def _membership_inputs(sheet: _Sheet, rows: list[_Row], today: date) -> list[_MembershipInput]:
    inputs = []
    for number, cells in rows:
        code = sheet.read(number, cells, 0, _required_text)
        kind = sheet.read(number, cells, 1, _group_kind)
        group_number = sheet.read(number, cells, 2, _integer)
        year = sheet.read(number, cells, 3, _integer)
        if year is not None and not rules.year_in_range(year, today):
            # The same words as membership_problems, which is asked below for everything else.
            sheet.problem(
                number, 3, f"Năm {year} nằm ngoài khoảng {rules.FIRST_YEAR}–{today.year + rules.YEARS_AHEAD}."
            )
            year = None
        inputs.append(_MembershipInput(number, code, kind, group_number, year))
    return inputs


def _foreign(organization: Organization, parent: Organization) -> str | None:
    if organization.parent_id == parent.pk:
        return None
    if organization.parent_id is None:
        return f"Mã «{organization.code}» là mã của một cơ quan cấp trên, không phải đơn vị thuộc {parent}."
    return f"Mã «{organization.code}» đã dùng cho {organization} thuộc cơ quan cấp trên khác, không thuộc {parent}."


def _plan_organizations(
    sheet: _Sheet, inputs: list[_OrganizationInput], known: dict[str, Organization], parent: Organization
) -> list[OrganizationRow]:
    planned = []
    for item in inputs:
        existing = known.get(item.code)
        foreign = _foreign(existing, parent) if existing is not None else None
        if foreign is not None:
            sheet.problem(item.row, 0, foreign)
            continue
        name, short_name, kind, valid_from = item.name, item.short_name, item.kind, item.valid_from
        if name is None or short_name is None or kind is None or valid_from is None:
            continue
        if existing is None:
            action, previous = Action.CREATE, ""
        else:
            if existing.kind != kind:
                sheet.problem(
                    item.row,
                    3,
                    f"{existing} đã ghi là «{existing.get_kind_display()}»; nhập tệp không đổi được loại đơn vị.",
                )
                continue
            names = list(existing.names.all())
            index = rules.name_index_on([n.valid_from for n in names], valid_from)
            current = names[index] if index is not None else None
            if (
                current is not None
                and current.name == name
                and (not short_name or current.short_name == short_name)
            ):
                action, previous = Action.UNCHANGED, ""
            else:
                same_day = next((n for n in names if n.valid_from == valid_from), None)
                if same_day is not None:
                    sheet.problem(
                        item.row,
                        4,
                        f"{existing} đã có tên «{same_day.name}» có hiệu lực từ {valid_from:%d/%m/%Y}; "
                        "mỗi ngày chỉ một tên. Hãy ghi ngày khác, hoặc sửa tên ấy trên trang của đơn vị.",
                    )
                    continue
                action, previous = Action.RENAME, current.name if current is not None else existing.code
        planned.append(
            OrganizationRow(
                row=item.row,
                code=item.code,
                name=name,
                short_name=short_name,
                kind=kind,
                valid_from=valid_from,
                action=action,
                previous_name=previous,
            )
        )
    return planned


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _plan_memberships(
    sheet: _Sheet,
    inputs: list[_MembershipInput],
    known: dict[str, Organization],
    declared: dict[str, str],
    parent: Organization,
    today: date,
) -> list[MembershipRow]:
    groups = {(g.kind, g.number): g for g in EmulationGroup.objects.filter(parent=parent)}
    ours = [o.pk for o in known.values() if o.parent_id == parent.pk]
    existing = set(
        Membership.objects.filter(organization_id__in=ours, group__parent=parent).values_list(
            "organization_id", "group_id", "year"
        )
    )
    first_row: dict[tuple[str, str, int], tuple[int, EmulationGroup]] = {}
    planned = []
    for item in inputs:
        # Each cell is checked on its own, so that one upload shows every problem of the row.
        group = None
        if item.kind is not None and item.number is not None:
            group = groups.get((item.kind, item.number))
            if group is None:
                sheet.problem(
                    item.row,
                    2,
                    f"Không có {GroupKind(item.kind).label} số {item.number} thuộc {parent}; "
                    "hãy thêm cụm, khối này trước khi nhập.",
                )
        code, year = item.code, item.year
        if code is None:
            continue
        organization = known.get(code)
        if organization is not None:
            foreign = _foreign(organization, parent)
            if foreign is not None:
                sheet.problem(item.row, 0, foreign)
                continue
        elif code not in declared:
            sheet.problem(
                item.row,
                0,
                f"Không có đơn vị mã «{code}» thuộc {parent}, ở trang «{ORGANIZATION_SHEET}» cũng không có.",
            )
            continue
        if group is None or year is None:
            continue
        key = (code, group.kind, year)
        if key in first_row:
            earlier_row, earlier_group = first_row[key]
            if earlier_group == group:
                message = (
                    f"Trùng với dòng {earlier_row}: đơn vị «{code}» đã ghi vào {group.title} năm {year}."
                )
            else:
                message = (
                    f"Đơn vị «{code}» đã được xếp vào {earlier_group.title} năm {year} ở dòng {earlier_row}; "
                    f"mỗi năm một đơn vị chỉ thuộc một {_lower_first(group.get_kind_display())}."
                )
            sheet.problem(item.row, 0, message)
            continue
        first_row[key] = (item.row, group)
        if organization is None:
            action, name = Action.ADD, declared[code]
        elif (organization.pk, group.pk, year) in existing:
            action, name = Action.SKIP, organization.name_in_year(year)
        else:
            refusals = membership_problems(group=group, organization=organization, year=year, today=today)
            for refusal in refusals:
                sheet.problem(item.row, 0, refusal)
            if refusals:
                continue
            action, name = Action.ADD, organization.name_in_year(year)
        planned.append(
            MembershipRow(
                row=item.row,
                code=code,
                organization_name=name,
                group_kind=group.kind,
                group_number=group.number,
                group_title=group.title,
                year=year,
                action=action,
            )
        )
    return planned


# --- The template


def template_workbook() -> bytes:
    """The .xlsx people fill in: both sheets with their headers, drop-down lists, one example row each
    (skipped on import because it starts with "VD:") and a sheet of instructions."""
    workbook = Workbook()
    bold = Font(bold=True)
    example = Font(italic=True, color="808080")
    last = MAX_DATA_ROWS + 1

    organizations = workbook.active
    organizations.title = ORGANIZATION_SHEET
    members = workbook.create_sheet(MEMBERSHIP_SHEET)
    guide = workbook.create_sheet(GUIDE_SHEET)

    for sheet, headers, widths in (
        (organizations, ORGANIZATION_HEADERS, (22, 60, 36, 32, 20)),
        (members, MEMBERSHIP_HEADERS, (22, 10, 8, 10)),
    ):
        sheet.append(list(headers))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
            sheet.cell(row=1, column=index).font = bold
        sheet.freeze_panes = "A2"
        # Codes stay text even when someone types "123".
        sheet.column_dimensions["A"].number_format = "@"

    organizations.append(
        [
            f"{EXAMPLE_PREFIX} lhh-vi-du",
            "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ví Dụ",
            "Liên hiệp hội tỉnh Ví Dụ",
            OrganizationKind.PROVINCIAL_UNION.label,
            date(2025, 7, 1),
        ]
    )
    organizations.column_dimensions["E"].number_format = "DD/MM/YYYY"
    organizations["E2"].number_format = "DD/MM/YYYY"
    members.append([f"{EXAMPLE_PREFIX} lhh-vi-du", "Cụm", 4, timezone.localdate().year])
    for sheet in (organizations, members):
        for cell in sheet[2]:
            cell.font = example

    guide_rows = _guide_lines()
    guide.column_dimensions["A"].width = 110
    for line, is_heading in guide_rows:
        guide.append([line])
        cell = guide.cell(row=guide.max_row, column=1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if is_heading:
            cell.font = bold
    # The kinds go on the guide sheet, and the drop-down refers to them there: a list typed into the
    # validation itself is comma-separated, and "Liên hiệp hội tỉnh, thành phố" has a comma.
    guide.append([""])
    guide.append(["Loại đơn vị (cột D, trang «Đơn vị»), chọn một trong:"])
    guide.cell(row=guide.max_row, column=1).font = bold
    first_kind = guide.max_row + 1
    for kind in IMPORTABLE_KINDS:
        guide.append([kind.label])
    last_kind = guide.max_row

    kinds = DataValidation(
        type="list",
        formula1=f"'{GUIDE_SHEET}'!$A${first_kind}:$A${last_kind}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Loại đơn vị",
        error="Chọn một loại đơn vị trong danh sách.",
    )
    organizations.add_data_validation(kinds)
    kinds.add(f"D2:D{last}")
    group_kinds = DataValidation(
        type="list",
        formula1='"Cụm,Khối"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Loại",
        error="Ghi «Cụm» hoặc «Khối».",
    )
    members.add_data_validation(group_kinds)
    group_kinds.add(f"B2:B{last}")
    for column, low, high, title in (("C", 1, 999, "Số"), ("D", rules.FIRST_YEAR, 2100, "Năm")):
        whole = DataValidation(
            type="whole",
            operator="between",
            formula1=str(low),
            formula2=str(high),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=title,
            error=f"Nhập một số nguyên từ {low} đến {high}.",
        )
        members.add_data_validation(whole)
        whole.add(f"{column}2:{column}{last}")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _guide_lines() -> list[tuple[str, bool]]:
    kinds = "; ".join(f"«{k.label}»" for k in IMPORTABLE_KINDS)
    return [
        ("Hướng dẫn nhập đơn vị và thành viên cụm, khối thi đua", True),
        ("", False),
        ("1. Tệp gồm hai trang tính: «Đơn vị» và «Thành viên». Giữ nguyên tên trang tính và dòng tiêu đề "
         "(dòng 1); không thêm, bớt hay đổi chỗ các cột.", False),
        (f"2. Dòng có ô đầu tiên bắt đầu bằng «{EXAMPLE_PREFIX}» (chữ nghiêng, màu xám) là dòng mẫu: phần mềm "
         "bỏ qua dòng ấy. Có thể để nguyên hoặc xóa đi.", False),
        ("3. Trang «Đơn vị»: mỗi dòng một đơn vị thuộc cơ quan cấp trên.", True),
        ("• Mã đơn vị (bắt buộc): chữ thường không dấu a–z, chữ số và dấu gạch ngang, ví dụ lhh-ninh-binh. "
         "Mã chưa có: phần mềm tạo đơn vị mới. Mã đã có: nếu tên có hiệu lực vào ngày ở cột E khác tên trong "
         "tệp, phần mềm ghi thêm tên mới từ ngày đó (đổi tên, tên cũ vẫn giữ cho các văn bản trước đó); nếu "
         "giống, không đổi gì.", False),
        ("• Tên đầy đủ (bắt buộc). Tên viết tắt: để trống nếu không có.", False),
        (f"• Loại đơn vị (bắt buộc): chọn trong danh sách: {kinds}.", False),
        ("• Tên có hiệu lực từ (bắt buộc): ngày, dạng dd/mm/yyyy, ví dụ 01/07/2025.", False),
        ("4. Trang «Thành viên»: mỗi dòng ghi một đơn vị thuộc cụm hay khối thi đua nào trong năm nào.", True),
        ("• Mã đơn vị (bắt buộc): đơn vị đã có trong phần mềm, hoặc có ở trang «Đơn vị» của cùng tệp.", False),
        ("• Loại (bắt buộc): «Cụm» hoặc «Khối». Số (bắt buộc): số của cụm, khối đã có trong phần mềm, "
         "ví dụ 4. Năm (bắt buộc): năm thi đua, ví dụ 2026.", False),
        ("• Mỗi năm một đơn vị chỉ thuộc một cụm (và một khối). Dòng đã có sẵn trong phần mềm được bỏ qua.", False),
        ("5. Ô chỉ chứa giá trị, không chứa công thức: khi chép từ bảng khác, dùng Dán đặc biệt → Giá trị.", False),
        (f"6. Giới hạn: tệp .xlsx tối đa {size_words(max_import_bytes())}; mỗi trang tối đa "
         f"{_thousands(MAX_DATA_ROWS)} dòng dữ liệu.", False),
        ("7. Phần mềm kiểm tra cả tệp trước khi ghi. Có lỗi thì không dòng nào được ghi: bảng lỗi nêu trang "
         "tính, dòng, cột; sửa rồi tải tệp lên lại. Không lỗi thì xem trước các thay đổi rồi bấm «Xác nhận "
         "nhập».", False),
    ]  # fmt: skip


# --- Officeholders (issue 15, part 2)

_POSITIONS = {fold(label): value for value, label in Position.choices}


def _position(cell: _Cell) -> str:
    value = _required_text(cell)
    position = _POSITIONS.get(fold(value))
    if position is None:
        allowed = "; ".join(f"«{label}»" for label in Position.labels)
        raise _CellError(f"Không có chức vụ «{value}»; chọn một trong: {allowed}.")
    return str(position)


def _optional_date(cell: _Cell) -> date | None:
    return None if cell.blank else _date(cell)


@dataclass
class OfficeholderImport:
    """The rows of a leaders sheet, converted, or every problem with them; nothing is written."""

    inputs: list[OfficeholderInput] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_officeholder_workbook(data: bytes) -> OfficeholderImport:
    """The sheet «Lãnh đạo» of an .xlsx: name, position, from, to (empty while in office) and source, one
    term a row. Cell problems are named by row and column; overlapping terms are the service's to find
    (services.officeholder_problems), since they depend on what the organization already keeps."""
    result = OfficeholderImport()
    sheets = _checked_sheets(data, {OFFICEHOLDER_SHEET: OFFICEHOLDER_HEADERS}, result.problems)
    if sheets is None:
        return result
    rows = sheets.rows[OFFICEHOLDER_SHEET]
    if not rows:
        result.problems.append(
            Problem(OFFICEHOLDER_SHEET, None, None, "Trang tính không có dòng dữ liệu nào.")
        )
        return result
    sheet = _Sheet(OFFICEHOLDER_SHEET, result.problems)
    for number, cells in rows:
        name = sheet.read(number, cells, 0, _required_text)
        position = sheet.read(number, cells, 1, _position)
        started_on = sheet.read(number, cells, 2, _date)
        ended_on = sheet.read(number, cells, 3, _optional_date)
        source = sheet.read(number, cells, 4, _optional_text)
        if name is None or position is None or started_on is None or source is None:
            continue
        if not cells[3].blank and ended_on is None:
            continue
        result.inputs.append(OfficeholderInput(name, position, started_on, ended_on, source, row=number))
    return result


def officeholder_template() -> bytes:
    """The file to fill in: the header, one example row (skipped on import) and the positions to pick."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = OFFICEHOLDER_SHEET
    sheet.append(list(OFFICEHOLDER_HEADERS))
    sheet.append([f"{EXAMPLE_PREFIX} Nguyễn Văn A", "Chủ tịch", "01/01/2024", "", "Quyết định số 12/QĐ-LHH"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDE", (32, 20, 14, 14, 40), strict=True):
        sheet.column_dimensions[column].width = width
    choices = DataValidation(type="list", formula1='"' + ",".join(Position.labels) + '"', allow_blank=False)
    sheet.add_data_validation(choices)
    choices.add("B2:B500")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
