"""Excel import of organizations and memberships: the template, every problem a file can have (named by
sheet, row and column), files that are not workbooks at all, and the upload → preview → confirm pages.

Workbooks are built here with openpyxl, the way a person's Excel would save them.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from thidua.audit.models import AuditEvent
from thidua.audit.services import verify_chain
from thidua.organizations import importing, services
from thidua.organizations.excel import (
    CORRUPT,
    FORMULA,
    MAX_DATA_ROWS,
    MEMBERSHIP_HEADERS,
    MEMBERSHIP_SHEET,
    NOT_XLSX,
    ORGANIZATION_HEADERS,
    ORGANIZATION_SHEET,
    TEMPLATE_FILENAME,
    XLSX_CONTENT_TYPE,
    Action,
    Problem,
    RegistryImport,
    parse_registry_workbook,
    template_workbook,
)
from thidua.organizations.importing import ImportRejected, apply_registry_import
from thidua.organizations.models import (
    EmulationGroup,
    GroupKind,
    ImportJob,
    ImportStatus,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationName,
)

pytestmark = pytest.mark.django_db

# A fixed "today" for parse-level tests: years from 2000 to 2028 may be planned.
TODAY = datetime.date(2026, 11, 24)
# Pages and the service use the real date; the demo has memberships up to 2026 only.
NEXT_YEAR = timezone.localdate().year + 1
PROVINCIAL = OrganizationKind.PROVINCIAL_UNION.label
NEW_NAME = "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Hà Nội"

Row = Sequence[Any]


def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


def xlsx(
    organizations: Iterable[Row] = (),
    memberships: Iterable[Row] = (),
    *,
    organization_headers: Row = ORGANIZATION_HEADERS,
    membership_headers: Row = MEMBERSHIP_HEADERS,
    sheets: Sequence[str] = (ORGANIZATION_SHEET, MEMBERSHIP_SHEET),
) -> bytes:
    """A workbook as Excel would save it; date cells formatted dd/mm/yyyy."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    content = {
        ORGANIZATION_SHEET: (organization_headers, organizations),
        MEMBERSHIP_SHEET: (membership_headers, memberships),
    }
    for title in sheets:
        sheet = workbook.create_sheet(title)
        headers, rows = content.get(unicodedata.normalize("NFC", title), ((), ()))
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "names": OrganizationName.objects.count(),
        "memberships": Membership.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    """Uploads kept between preview and confirm go to a temporary MEDIA_ROOT, not var/."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def vusta() -> Organization:
    return Organization.objects.get(code="vusta")


@pytest.fixture
def parse(vusta: Organization) -> Callable[[bytes], RegistryImport]:
    return lambda data: parse_registry_workbook(data, parent=vusta, today=TODAY)


@pytest.fixture
def other_parent_child(db: Any) -> Organization:
    """An organization under another parent body (VASS), whose code VUSTA's file must not take over."""
    vass = Organization.objects.create(code="vass", kind=OrganizationKind.PARENT_BODY)
    child = Organization.objects.create(code="vien-khac", kind=OrganizationKind.OTHER, parent=vass)
    OrganizationName.objects.create(
        organization=child, name="Viện Khác", valid_from=datetime.date(2000, 1, 1)
    )
    return child


def upload_url(parent_code: str = "vusta") -> str:
    return reverse("registry_import:upload", kwargs={"parent_code": parent_code})


def template_url(parent_code: str = "vusta") -> str:
    return reverse("registry_import:template", kwargs={"parent_code": parent_code})


def confirm_url(parent_code: str = "vusta") -> str:
    return reverse("registry_import:confirm", kwargs={"parent_code": parent_code})


def post_file(client: Client, data: bytes, name: str = "don-vi.xlsx") -> Any:
    return client.post(upload_url(), {"file": SimpleUploadedFile(name, data, content_type=XLSX_CONTENT_TYPE)})


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def messages_of(result: RegistryImport) -> str:
    return "\n".join(str(p) for p in result.problems)


# --- The template


def test_the_template_has_both_sheets_bold_headers_drop_down_lists_a_date_column_and_a_guide():
    workbook = load_workbook(io.BytesIO(template_workbook()))
    assert workbook.sheetnames == [ORGANIZATION_SHEET, MEMBERSHIP_SHEET, "Hướng dẫn"]
    organizations, members, guide = (workbook[name] for name in workbook.sheetnames)
    assert [c.value for c in organizations[1]] == list(ORGANIZATION_HEADERS)
    assert [c.value for c in members[1]][:4] == list(MEMBERSHIP_HEADERS)
    assert all(c.font.bold for c in organizations[1]) and all(c.font.bold for c in members[1])
    assert organizations.column_dimensions["B"].width > 30
    # The example rows: italic grey, and starting with "VD:" so that the parser skips them.
    for sheet in (organizations, members):
        assert str(sheet["A2"].value).startswith("VD:")
        assert sheet["A2"].font.italic and sheet["A2"].font.color.rgb.endswith("808080")
    assert organizations["E2"].number_format == "DD/MM/YYYY"
    assert isinstance(organizations["E2"].value, datetime.datetime)
    lists = {str(v.sqref): v for v in organizations.data_validations.dataValidation}
    kinds = lists["D2:D5001"]
    assert kinds.type == "list" and kinds.formula1.startswith("'Hướng dẫn'!")
    listed = [row[0].value for row in guide[kinds.formula1.split("!")[1].replace("$", "")]]
    assert listed == [k.label for k in OrganizationKind if k != OrganizationKind.PARENT_BODY]
    group_kinds = {str(v.sqref): v for v in members.data_validations.dataValidation}["B2:B5001"]
    assert group_kinds.formula1 == '"Cụm,Khối"'
    guide_text = "\n".join(str(row[0].value or "") for row in guide.iter_rows())
    assert "VD:" in guide_text and "dd/mm/yyyy" in guide_text and "Xác nhận nhập" in guide_text


def test_the_template_unfilled_is_clean_but_says_there_is_nothing_to_import(parse):
    result = parse(template_workbook())
    assert "không có dòng dữ liệu nào" in only(result.problems).message


def test_the_template_round_trips_from_download_to_rows_in_the_registry(
    client_for, staff, cluster4, django_capture_on_commit_callbacks, media
):
    client = client_for(staff)
    response = client.get(template_url())
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert TEMPLATE_FILENAME in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")

    workbook = load_workbook(io.BytesIO(response.content))
    organizations, members = workbook[ORGANIZATION_SHEET], workbook[MEMBERSHIP_SHEET]
    organizations.append(
        ["lhh-ha-noi", NEW_NAME, "Liên hiệp hội Hà Nội", PROVINCIAL, datetime.date(1990, 5, 1)]
    )
    organizations.append(
        ["lhh-nghe-an", "Liên hiệp Hội tỉnh Nghệ An (tên mới)", "", PROVINCIAL, f"01/01/{NEXT_YEAR}"]
    )
    members.append(["lhh-ha-noi", "Cụm", 4, NEXT_YEAR])
    members.append(["lhh-nghe-an", "Cụm", 4, NEXT_YEAR])
    members.append(["lhh-nghe-an", "Cụm", 4, 2024])  # already there: skipped
    buffer = io.BytesIO()
    workbook.save(buffer)
    filled = buffer.getvalue()

    before = counts()
    preview = post_file(client, filled)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'role="alert"' not in page
    assert "Xác nhận nhập" in page
    assert "tạo mới" in page and "đổi tên từ «" in page and "đã có, bỏ qua" in page
    assert counts() == before, "a preview writes nothing"
    token = preview.context["confirm_form"].initial["token"]
    stored = f"imports/{token}.xlsx"
    assert default_storage.exists(stored)
    assert 'name="token"' in page and str(token) in page

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(confirm_url(), {"token": str(token)})
    assert done.status_code == 302
    job = ImportJob.objects.get()
    assert done["Location"] == reverse(
        "registry_import:job", kwargs={"parent_code": "vusta", "job": job.uuid}
    )
    assert job.status == ImportStatus.DONE and job.actor == staff
    assert "Đã nhập: 1 đơn vị mới" in client.get(done["Location"]).content.decode()

    hanoi = Organization.objects.get(code="lhh-ha-noi")
    assert hanoi.parent.code == "vusta"
    assert hanoi.kind == OrganizationKind.PROVINCIAL_UNION
    assert hanoi.current_name == NEW_NAME
    assert hanoi.names.get().valid_from == datetime.date(1990, 5, 1)
    nghe_an = Organization.objects.get(code="lhh-nghe-an")
    assert nghe_an.name_on(datetime.date(NEXT_YEAR, 1, 1)) == "Liên hiệp Hội tỉnh Nghệ An (tên mới)"
    assert nghe_an.name_in_year(2024).endswith("tỉnh Nghệ An"), "earlier years keep the earlier name"
    assert set(cluster4.memberships.filter(year=NEXT_YEAR).values_list("organization__code", flat=True)) == {
        "lhh-ha-noi",
        "lhh-nghe-an",
    }
    after = counts()
    assert after["organizations"] == before["organizations"] + 1
    assert after["names"] == before["names"] + 2
    assert after["memberships"] == before["memberships"] + 2

    events = list(AuditEvent.objects.filter(seq__gt=0).order_by("-seq")[: after["audit"] - before["audit"]])
    verbs = sorted(e.verb for e in events)
    assert verbs == sorted(
        ["organization.create", "organization.rename", "membership.add", "membership.add", "registry.import"]
    )
    summary = next(e for e in events if e.verb == "registry.import")
    assert summary.target_id == str(Organization.objects.get(code="vusta").pk)
    assert summary.actor == staff
    assert summary.data["counts"] == {"created": 1, "renamed": 1, "unchanged": 0, "added": 2, "skipped": 1}
    assert re.fullmatch(r"[0-9a-f]{64}", summary.data["sha256"])
    assert verify_chain() is None
    assert not default_storage.exists(stored), "the upload is deleted once imported"


# --- What each row will do


def test_each_row_says_what_will_happen(parse):
    result = parse(
        xlsx(
            [
                ["lhh-moi", "Liên hiệp hội Mới", "", "Đơn vị khác", "01/01/2020"],
                ["lhh-hue", "Liên hiệp hội Huế (tên mới)", "", PROVINCIAL, datetime.date(2026, 1, 1)],
                ["lhh-ninh-binh", Organization.objects.get(code="lhh-ninh-binh").current_name, "", PROVINCIAL,
                 "2024-01-01"],
            ],
            [
                ["lhh-moi", "Cụm", 4, 2027],
                ["lhh-ninh-binh", "Cụm", 4, 2024],
                ["lhh-ninh-binh", "Cụm", 4, 2027],
            ],
        )
    )  # fmt: skip
    assert result.problems == []
    assert [(r.code, r.action, r.change) for r in result.organizations] == [
        ("lhh-moi", Action.CREATE, "tạo mới"),
        ("lhh-hue", Action.RENAME, "đổi tên từ «Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Huế»"),
        ("lhh-ninh-binh", Action.UNCHANGED, "không đổi"),
    ]
    assert [(r.row, r.code, r.year, r.change) for r in result.memberships] == [
        (2, "lhh-moi", 2027, "thêm"),
        (3, "lhh-ninh-binh", 2024, "đã có, bỏ qua"),
        (4, "lhh-ninh-binh", 2027, "thêm"),
    ]
    assert result.memberships[0].organization_name == "Liên hiệp hội Mới"
    assert result.memberships[0].group_title == "Cụm thi đua số 4"
    assert result.counts() == {"created": 1, "renamed": 1, "unchanged": 1, "added": 2, "skipped": 1}


def test_a_file_where_every_row_is_already_there_is_clean_and_offers_nothing_to_confirm(client_for, staff):
    data = xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, 2024], ["lhh-ha-tinh", "Cụm", 4, 2025]])
    response = post_file(client_for(staff), data)
    page = response.content.decode()
    assert 'role="alert"' not in page
    assert "Không có thay đổi nào" in page and "Xác nhận nhập" not in page
    assert response.context["confirm_form"] is None


def test_dates_are_read_from_excel_date_cells_and_from_text_typed_the_vietnamese_way(parse):
    result = parse(
        xlsx(
            [
                ["don-vi-a", "Đơn vị A", "", "Đơn vị khác", datetime.datetime(2024, 4, 13, 0, 0)],
                ["don-vi-b", "Đơn vị B", "", "Đơn vị khác", "13/4/2024"],
                ["don-vi-c", "Đơn vị C", "", "Đơn vị khác", " 13/04/2024 "],
            ]
        )
    )
    assert result.problems == []
    assert {r.valid_from for r in result.organizations} == {datetime.date(2024, 4, 13)}


def test_whole_numbers_typed_into_text_cells_are_still_numbers(parse):
    result = parse(xlsx(memberships=[["lhh-nghe-an", "cụm", "4", "2027"]]))
    assert result.problems == []
    assert (result.memberships[0].group_number, result.memberships[0].year) == (4, 2027)


def test_decomposed_nfd_text_and_stray_spaces_become_clean_nfc(parse, staff, vusta):
    name = nfd("  Liên hiệp các Hội   Khoa học và Kỹ thuật tỉnh Điện Biên\u00a0")
    data = xlsx(
        [["lhh-dien-bien", name, nfd("Liên hiệp hội Điện Biên"), nfd(PROVINCIAL), "01/01/2010"]],
        [["lhh-dien-bien", nfd("Khối"), 1, 2027]],
        # macOS and some Vietnamese keyboards send decomposed sheet names too.
        sheets=(nfd(ORGANIZATION_SHEET), nfd(MEMBERSHIP_SHEET)),
    )
    services.create_group(actor=staff, parent=vusta, kind=GroupKind.BLOCK, number=1)
    result = parse(data)
    assert result.problems == []
    row = result.organizations[0]
    assert row.name == "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Điện Biên"
    assert unicodedata.is_normalized("NFC", row.name) and unicodedata.is_normalized("NFC", row.short_name)
    assert result.memberships[0].group_kind == GroupKind.BLOCK

    apply_registry_import(actor=staff, parent=vusta, data=data)
    stored = Organization.objects.get(code="lhh-dien-bien").names.get()
    assert stored.name == "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Điện Biên"
    assert stored.short_name == "Liên hiệp hội Điện Biên"
    assert unicodedata.is_normalized("NFC", stored.name)


# --- Problems in rows, each named by sheet, row and column


def test_a_membership_for_an_unknown_organization_is_named_by_sheet_row_and_column_and_nothing_is_written(
    client_for, staff
):
    data = xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, NEXT_YEAR], ["lhh-khong-co", "Cụm", 4, NEXT_YEAR]])
    before = counts()
    response = post_file(client_for(staff), data)
    problem = only(response.context["result"].problems)
    assert (problem.sheet, problem.row, problem.column) == (MEMBERSHIP_SHEET, 3, "A")
    assert str(problem).startswith(
        "Trang «Thành viên», dòng 3, cột A (Mã đơn vị): Không có đơn vị mã «lhh-khong-co»"
    )
    page = response.content.decode()
    assert 'role="alert"' in page
    for header in ("Trang tính", "Dòng", "Cột", "Lỗi"):
        assert f'<th scope="col">{header}</th>' in page
    assert "A (Mã đơn vị)" in page and "Xác nhận nhập" not in page
    assert response.context["confirm_form"] is None
    assert counts() == before
    assert not default_storage.exists("imports"), "a file with problems is not kept"


def test_an_empty_required_cell_is_named(parse):
    result = parse(
        xlsx(
            [["don-vi-a", "", "", "Đơn vị khác", "01/01/2020"], ["don-vi-b", "Đơn vị B", "", "", None]],
            [[None, "Cụm", 4, 2027], ["lhh-nghe-an", "Cụm", None, 2027]],
        )
    )
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [
        (ORGANIZATION_SHEET, 2, "B"),
        (ORGANIZATION_SHEET, 3, "D"),
        (ORGANIZATION_SHEET, 3, "E"),
        (MEMBERSHIP_SHEET, 2, "A"),
        (MEMBERSHIP_SHEET, 3, "C"),
    ]
    assert all("không được để trống" in p.message for p in result.problems)
    assert (
        str(result.problems[0])
        == "Trang «Đơn vị», dòng 2, cột B (Tên đầy đủ): Ô bắt buộc, không được để trống."
    )


def test_every_problem_of_a_row_is_reported_at_once_not_only_the_first(parse, other_parent_child):
    result = parse(
        xlsx(
            [["vien-khac", "", "", "Đơn vị khác", "01/01/2020"]],
            [["lhh-khong-co", "Cụm", 12, 1890]],
        )
    )
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [
        (ORGANIZATION_SHEET, 2, "A"),
        (ORGANIZATION_SHEET, 2, "B"),
        (MEMBERSHIP_SHEET, 2, "A"),
        (MEMBERSHIP_SHEET, 2, "C"),
        (MEMBERSHIP_SHEET, 2, "D"),
    ]


def test_a_group_that_does_not_exist_under_the_parent_is_named_by_number(parse):
    problem = only(parse(xlsx(memberships=[["lhh-nghe-an", "Cụm", 12, 2027]])).problems)
    assert (problem.sheet, problem.row, problem.column) == (MEMBERSHIP_SHEET, 2, "C")
    assert problem.message.startswith("Không có Cụm thi đua số 12")
    problem = only(parse(xlsx(memberships=[["lhh-nghe-an", "Khối", 4, 2027]])).problems)
    assert problem.message.startswith("Không có Khối thi đua số 4")


def test_a_year_out_of_range_is_refused_in_the_same_words_as_the_membership_form(parse, cluster4, org):
    result = parse(xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, 1890], ["lhh-nghe-an", "Cụm", 4, 2029]]))
    assert [str(p) for p in result.problems] == [
        "Trang «Thành viên», dòng 2, cột D (Năm): Năm 1890 nằm ngoài khoảng 2000–2028.",
        "Trang «Thành viên», dòng 3, cột D (Năm): Năm 2029 nằm ngoài khoảng 2000–2028.",
    ]
    form_says = services.membership_problems(
        group=cluster4, organization=org("nghe-an"), year=1890, today=TODAY
    )
    assert result.problems[0].message in form_says


def test_a_number_cell_holding_words_is_refused(parse):
    result = parse(
        xlsx(memberships=[["lhh-nghe-an", "Cụm", "mười hai", 2027], ["lhh-nghe-an", "Cụm", 4, 2027.5]])
    )
    assert [(p.row, p.column) for p in result.problems] == [(2, "C"), (3, "D")]
    assert "«mười hai»" in result.problems[0].message and "số nguyên" in result.problems[0].message


def test_the_same_membership_twice_in_the_file_is_a_duplicate(parse):
    result = parse(
        xlsx(
            memberships=[
                ["lhh-nghe-an", "Cụm", 4, 2027],
                ["lhh-ha-tinh", "Cụm", 4, 2027],
                ["lhh-nghe-an", "Cụm", 4, 2027],
                ["lhh-nghe-an", "Cụm", 4, 2024],
                ["lhh-nghe-an", "Cụm", 4, 2024],
            ]
        )
    )
    assert [(p.row, p.column) for p in result.problems] == [(4, "A"), (6, "A")]
    assert result.problems[0].message.startswith("Trùng với dòng 2")
    assert result.problems[1].message.startswith("Trùng với dòng 5"), "even rows that would be skipped"


def test_one_organization_in_two_groups_of_the_same_kind_in_one_year_of_the_file_is_refused(parse):
    result = parse(xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, 2027], ["lhh-nghe-an", "Cụm", 6, 2027]]))
    problem = only(result.problems)
    assert (problem.row, problem.column) == (3, "A")
    assert "Cụm thi đua số 4 năm 2027 ở dòng 2" in problem.message


def test_an_existing_identical_membership_is_not_an_error_but_skipped(parse):
    result = parse(xlsx(memberships=[["lhh-quang-binh", "Cụm", 4, 2025]]))
    assert result.problems == []
    assert result.memberships[0].action is Action.SKIP
    assert not result.has_changes


def test_an_organization_already_in_another_group_of_the_same_kind_that_year_is_refused(parse):
    problem = only(parse(xlsx(memberships=[["lhh-nghe-an", "Cụm", 6, 2024]])).problems)
    assert (problem.sheet, problem.row, problem.column) == (MEMBERSHIP_SHEET, 2, "A")
    assert problem.message.endswith("đã là thành viên Cụm thi đua số 4 năm 2024.")


def test_an_organization_merged_away_before_the_year_cannot_be_a_member(parse):
    # Quảng Bình merged into Quảng Trị on 01/07/2025 (demo): a member in 2025, not in 2026.
    problem = only(parse(xlsx(memberships=[["lhh-quang-binh", "Cụm", 4, 2026]])).problems)
    assert (problem.row, problem.column) == (2, "A")
    assert "đã thôi hoạt động từ 01/07/2025" in problem.message


def test_a_code_listed_twice_on_the_organization_sheet_is_refused(parse):
    result = parse(
        xlsx(
            [
                ["don-vi-a", "Đơn vị A", "", "Đơn vị khác", "01/01/2020"],
                ["don-vi-a", "Đơn vị A lần hai", "", "Đơn vị khác", "01/01/2021"],
            ]
        )
    )
    problem = only(result.problems)
    assert (problem.sheet, problem.row, problem.column) == (ORGANIZATION_SHEET, 3, "A")
    assert problem.message == "Mã «don-vi-a» trùng với dòng 2 của trang này."


def test_a_code_that_belongs_to_another_parent_body_is_refused_on_both_sheets(parse, other_parent_child):
    result = parse(
        xlsx(
            [["vien-khac", "Viện Khác", "", "Đơn vị khác", "01/01/2020"]],
            [["vien-khac", "Cụm", 4, 2027], ["vusta", "Cụm", 4, 2027]],
        )
    )
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [
        (ORGANIZATION_SHEET, 2, "A"),
        (MEMBERSHIP_SHEET, 2, "A"),
        (MEMBERSHIP_SHEET, 3, "A"),
    ]
    assert "thuộc cơ quan cấp trên khác" in result.problems[0].message
    assert "cơ quan cấp trên" in result.problems[2].message


def test_bad_codes_kinds_dates_and_lengths_on_the_organization_sheet_are_each_named(parse, vusta):
    result = parse(
        xlsx(
            [
                ["LHH Ha Noi", "Tên", "", "Đơn vị khác", "01/01/2020"],
                ["don-vi-b", "Tên", "", "Cơ quan cấp trên", "01/01/2020"],
                ["don-vi-c", "Tên", "", "Hội địa phương", "01/01/2020"],
                ["don-vi-d", "Tên", "", "Đơn vị khác", "31/02/2024"],
                ["don-vi-e", "T" * 301, "V" * 121, "Đơn vị khác", 45000],
            ]
        )
    )
    assert [(p.row, p.column) for p in result.problems] == [
        (2, "A"), (3, "D"), (4, "D"), (5, "E"), (6, "B"), (6, "C"), (6, "E"),
    ]  # fmt: skip
    text = messages_of(result)
    assert "«LHH Ha Noi» không hợp lệ" in text
    assert "Không nhập được cơ quan cấp trên" in text
    assert "Không có loại đơn vị «Hội địa phương»" in text and "«Hội ngành toàn quốc»" in text
    assert "Ngày không hợp lệ: «31/02/2024»" in text
    assert "tối đa 300" in text and "tối đa 120" in text


def test_a_new_name_on_a_day_that_already_has_a_name_is_refused_before_anything_is_written(parse):
    # Huế's city name took effect on 01/01/2025 (demo); another name that same day cannot be added.
    problem = only(parse(xlsx([["lhh-hue", "Tên khác", "", PROVINCIAL, "01/01/2025"]])).problems)
    assert (problem.row, problem.column) == (2, "E")
    assert "mỗi ngày chỉ một tên" in problem.message


def test_changing_the_kind_of_an_existing_organization_is_refused(parse):
    problem = only(
        parse(xlsx([["lhh-nghe-an", "Tên mới", "", "Hội ngành toàn quốc", "01/01/2027"]])).problems
    )
    assert (problem.row, problem.column) == (2, "D")


def test_a_formula_in_a_data_cell_is_refused(parse):
    result = parse(
        xlsx(
            [["don-vi-a", '=CONCAT("Đơn vị ", "A")', "", "Đơn vị khác", "=DATE(2024,1,1)"]],
            [["lhh-nghe-an", "Cụm", "=2+2", 2027]],
        )
    )
    assert [(p.sheet, p.row, p.column, p.message) for p in result.problems] == [
        (ORGANIZATION_SHEET, 2, "B", FORMULA),
        (ORGANIZATION_SHEET, 2, "E", FORMULA),
        (MEMBERSHIP_SHEET, 2, "C", FORMULA),
    ]


def test_a_membership_may_name_an_organization_created_by_the_same_file(parse):
    result = parse(
        xlsx(
            [["don-vi-moi", "Đơn vị Mới", "", "Đơn vị khác", "01/01/2020"]], [["don-vi-moi", "Cụm", 6, 2027]]
        )
    )
    assert result.problems == []
    assert result.memberships[0].action is Action.ADD


def test_the_example_rows_and_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(parse):
    result = parse(
        xlsx(
            memberships=[
                ["VD: lhh-vi-du", "Cụm", 4, 2027],
                [None, None, None, None],
                ["  ", None, None, None],
                ["lhh-khong-co", "Cụm", 4, 2027],
            ]
        )
    )
    assert [(p.row, p.column) for p in result.problems] == [(5, "A")]


# --- Problems with the shape of the file


def test_rows_past_the_size_a_sheet_claims_for_itself_are_still_read(parse):
    entries = _entries(xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, 2027], ["lhh-khong-co", "Cụm", 4, 2027]]))
    sheet = next(name for name in entries if name.startswith("xl/worksheets/sheet2"))
    entries[sheet] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:D1"', entries[sheet])
    assert b'<dimension ref="A1:D1"' in entries[sheet]
    problem = only(parse(_zip(entries)).problems)
    assert (problem.row, problem.column) == (3, "A")


def test_a_missing_sheet_is_named(parse):
    result = parse(xlsx(sheets=(ORGANIZATION_SHEET,)))
    assert [p.message for p in result.problems] == ["Không thấy trang tính «Thành viên»."]


def test_wrong_headers_are_named_by_column_and_the_rows_below_are_not_checked(parse):
    result = parse(
        xlsx(
            memberships=[["lhh-khong-co", "Cụm", 99, 1890]],
            membership_headers=("Mã đơn vị", "Cụm/Khối", "Số", None),
        )
    )
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [
        (MEMBERSHIP_SHEET, 1, "B"),
        (MEMBERSHIP_SHEET, 1, "D"),
    ]
    assert result.problems[0].message == "Tiêu đề cột phải là «Loại», tệp ghi «Cụm/Khối»."
    assert result.problems[1].message == "Thiếu tiêu đề cột «Năm»."


def test_headers_differing_only_in_case_or_spacing_are_accepted(parse):
    result = parse(
        xlsx(
            memberships=[["lhh-nghe-an", "Cụm", 4, 2027]],
            membership_headers=(" mã  đơn vị", "LOẠI", "số", "Năm "),
        )
    )
    assert result.problems == []


def test_more_than_five_thousand_data_rows_are_refused(vusta):
    workbook = Workbook(write_only=True)
    workbook.create_sheet(ORGANIZATION_SHEET).append(list(ORGANIZATION_HEADERS))
    members = workbook.create_sheet(MEMBERSHIP_SHEET)
    members.append(list(MEMBERSHIP_HEADERS))
    for _ in range(MAX_DATA_ROWS + 1):
        members.append(["lhh-nghe-an", "Cụm", 4, 2027])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse_registry_workbook(buffer.getvalue(), parent=vusta, today=TODAY)
    assert (
        only(result.problems).message
        == "Trang «Thành viên» có hơn 5.000 dòng dữ liệu; hãy chia thành nhiều tệp."
    )


# --- Files that are not workbooks, broken, or too large


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


NOT_WORKBOOKS = {
    "a PDF named .xlsx": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n",
    "random bytes": bytes(range(256)) * 8,
    "an HTML page": "<!doctype html><html><body><table><tr><td>Mã đơn vị</td></tr></table></body></html>".encode(),
    "an old .xls renamed": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000,
    "a text file": "Mã đơn vị;Tên đầy đủ\nlhh-ha-noi;Hà Nội\n".encode(),
    "a Word document": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
}


@pytest.mark.parametrize("content", NOT_WORKBOOKS.values(), ids=NOT_WORKBOOKS.keys())
def test_a_file_that_is_not_an_xlsx_is_refused_by_its_content_whatever_its_name(client_for, staff, content):
    before = counts()
    response = post_file(client_for(staff), content, name="danh-sach.xlsx")
    problem = only(response.context["result"].problems)
    assert problem.message.startswith(NOT_XLSX)
    assert (problem.sheet, problem.row, problem.column) == ("", None, None)
    assert 'role="alert"' in response.content.decode()
    assert counts() == before


def test_a_truncated_xlsx_is_reported_as_corrupted(parse):
    data = xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, 2027]])
    assert only(parse(data[: len(data) // 2]).problems).message == CORRUPT


def test_an_xlsx_whose_xml_is_broken_is_reported_as_corrupted(parse):
    entries = _entries(xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, 2027]]))
    entries["xl/workbook.xml"] = b"<workbook><sheets><sheet name="
    assert only(parse(_zip(entries)).problems).message == CORRUPT
    entries = _entries(xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, 2027]]))
    sheet = next(name for name in entries if name.startswith("xl/worksheets/sheet2"))
    entries[sheet] = entries[sheet][:-40]
    assert only(parse(_zip(entries)).problems).message == CORRUPT


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client_for, staff, settings, parse):
    data = xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, 2027]])
    settings.IMPORT_MAX_BYTES = len(data) - 1
    before = counts()
    response = post_file(client_for(staff), data)
    assert response.context["form"].errors["file"][0].startswith("Tệp nặng")
    assert "vượt giới hạn" in response.content.decode()
    assert counts() == before
    # The parser refuses it too, whoever calls it.
    assert "vượt giới hạn" in only(parse(data).problems).message


def test_a_small_file_that_inflates_far_beyond_the_limit_is_refused_without_being_parsed(
    client_for, staff, settings, monkeypatch
):
    settings.IMPORT_MAX_BYTES = 100 * 1024  # so the uncompressed limit is 2 MB
    entries = _entries(xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, 2027]]))
    sheet = next(name for name in entries if name.startswith("xl/worksheets/sheet2"))
    # 3 MB of spaces inside the sheet's XML: legal, and a few kilobytes once compressed.
    entries[sheet] = entries[sheet].replace(b"</worksheet>", b" " * (3 * 1024 * 1024) + b"</worksheet>")
    bomb = _zip(entries)
    assert len(bomb) < settings.IMPORT_MAX_BYTES

    def must_not_parse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr("thidua.organizations.excel.load_workbook", must_not_parse)
    response = post_file(client_for(staff), bomb)
    message = only(response.context["result"].problems).message
    assert message.startswith("Tệp .xlsx giải nén ra 3 MB, vượt giới hạn 2 MB")


# --- The service


def test_the_service_refuses_a_file_with_problems_with_a_validation_error_and_writes_nothing(staff, vusta):
    before = counts()
    data = xlsx(
        [["don-vi-a", "Đơn vị A", "", "Đơn vị khác", "01/01/2020"]],
        [["don-vi-a", "Cụm", 4, 2027], ["lhh-khong-co", "Cụm", 4, 2027]],
    )
    with pytest.raises(ValidationError) as raised:
        apply_registry_import(actor=staff, parent=vusta, data=data)
    assert isinstance(raised.value, ImportRejected)
    assert raised.value.messages == [
        "Trang «Thành viên», dòng 3, cột A (Mã đơn vị): "
        f"Không có đơn vị mã «lhh-khong-co» thuộc {vusta}, ở trang «Đơn vị» cũng không có."
    ]
    assert counts() == before
    with pytest.raises(ValidationError):
        apply_registry_import(actor=staff, parent=vusta, data=b"%PDF-1.4 not a workbook")
    assert counts() == before


def test_only_staff_of_the_parent_body_may_apply_an_import(officer_nghe_an, vusta):
    before = counts()
    data = xlsx([["don-vi-a", "Đơn vị A", "", "Đơn vị khác", "01/01/2020"]])
    with pytest.raises(PermissionDenied):
        apply_registry_import(actor=officer_nghe_an, parent=vusta, data=data)
    assert counts() == before


def test_a_failure_half_way_through_applying_rolls_back_every_row(staff, vusta, monkeypatch):
    data = xlsx(
        [["don-vi-a", "Đơn vị A", "", "Đơn vị khác", "01/01/2020"]],
        [["don-vi-a", "Cụm", 4, 2027], ["lhh-nghe-an", "Cụm", 4, 2027]],
    )
    real_add = services.add_membership
    calls = []

    def add_then_fail(**kwargs: Any) -> Membership:
        calls.append(kwargs)
        if len(calls) == 2:
            raise ValidationError("Cơ sở dữ liệu vừa thay đổi.")
        return real_add(**kwargs)

    monkeypatch.setattr(importing.services, "add_membership", add_then_fail)
    before = counts()
    with pytest.raises(ValidationError):
        apply_registry_import(actor=staff, parent=vusta, data=data)
    assert len(calls) == 2
    assert counts() == before
    assert not Organization.objects.filter(code="don-vi-a").exists()
    assert verify_chain() is None


# --- Confirm


def test_confirm_parses_the_file_again_and_refuses_what_the_registry_no_longer_allows(
    client_for, staff, vusta, org
):
    client = client_for(staff)
    preview = post_file(client, xlsx(memberships=[["lhh-nghe-an", "Cụm", 6, NEXT_YEAR]]))
    token = preview.context["confirm_form"].initial["token"]
    # Meanwhile someone puts Nghệ An into Cụm 4 for that year.
    cluster4 = EmulationGroup.objects.get(slug="vusta-cum-4")
    services.add_membership(actor=staff, group=cluster4, organization=org("nghe-an"), year=NEXT_YEAR)
    before = counts()
    response = client.post(confirm_url(), {"token": str(token)}, follow=True)
    assert response.status_code == 200
    assert ImportJob.objects.get().status == ImportStatus.REJECTED
    problem = only(response.context["result"].problems)
    assert problem.message.endswith(f"đã là thành viên Cụm thi đua số 4 năm {NEXT_YEAR}.")
    assert 'role="alert"' in response.content.decode()
    assert counts() == before
    assert default_storage.exists(f"imports/{token}.xlsx")


def test_a_forced_confirm_of_a_bad_file_writes_nothing(client_for, staff):
    token = uuid.uuid4()
    default_storage.save(f"imports/{token}.xlsx", ContentFile(b"<html>not a workbook</html>"))
    before = counts()
    response = client_for(staff).post(confirm_url(), {"token": str(token)}, follow=True)
    assert only(response.context["result"].problems).message == NOT_XLSX
    assert counts() == before


@pytest.mark.parametrize("token", ["", "not-a-uuid", "../../config/settings", str(uuid.uuid4())])
def test_confirm_with_a_tampered_or_unknown_token_says_so_and_writes_nothing(client_for, staff, token):
    before = counts()
    response = client_for(staff).post(confirm_url(), {"token": token})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Không tìm thấy tệp đã kiểm tra" in page and 'role="alert"' in page
    assert counts() == before


# --- Who may use the pages


def test_anonymous_visitors_are_sent_to_log_in(client_for):
    client = client_for(None)
    for response in (client.get(upload_url()), client.get(template_url()), client.post(confirm_url(), {})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_an_officer_of_a_member_may_not_import_into_the_parent_body(client_for, officer_nghe_an):
    client = client_for(officer_nghe_an)
    token = uuid.uuid4()
    default_storage.save(
        f"imports/{token}.xlsx", ContentFile(xlsx([["x-y", "X", "", "Đơn vị khác", "01/01/2020"]]))
    )
    before = counts()
    assert client.get(upload_url()).status_code == 403
    assert post_file(client, xlsx(memberships=[["lhh-nghe-an", "Cụm", 4, NEXT_YEAR]])).status_code == 403
    assert client.get(template_url()).status_code == 403
    assert client.post(confirm_url(), {"token": str(token)}).status_code == 403
    assert counts() == before


def test_parent_body_staff_see_the_upload_page_and_get_the_template(client_for, staff):
    client = client_for(staff)
    page = client.get(upload_url())
    assert page.status_code == 200
    assert template_url() in page.content.decode()
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert client.get(template_url()).status_code == 200


def test_the_pages_of_a_parent_body_that_does_not_exist_are_not_found(client_for, staff):
    assert client_for(staff).get(upload_url("khong-co")).status_code == 404


@pytest.mark.django_db
def test_a_preview_nobody_confirmed_is_forgotten_a_day_later(
    client_for: Any, staff: Any, tmp_path: Any, settings: Any
) -> None:
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)
    stale = default_storage.save("imports/00000000-0000-4000-8000-000000000000.xlsx", ContentFile(b"x"))
    fresh = default_storage.save("imports/11111111-1111-4111-8111-111111111111.xlsx", ContentFile(b"y"))
    two_days_ago = time.time() - 2 * 86400
    os.utime(default_storage.path(stale), (two_days_ago, two_days_ago))
    client_for(staff).post(
        "/cap-tren/vusta/nhap-excel/", {"file": ContentFile(b"not a workbook", name="a.xlsx")}
    )
    assert not default_storage.exists(stale)
    assert default_storage.exists(fresh)


# --- The confirmed import runs on the worker (issue 16)


@pytest.fixture
def db_queue(settings):
    """The database queue, with no worker: the confirmed import waits, as on a busy December day."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queued_job(client):
    preview = post_file(
        client,
        xlsx([["lhh-ha-noi", NEW_NAME, "Liên hiệp hội Hà Nội", PROVINCIAL, datetime.date(1990, 5, 1)]]),
    )
    token = preview.context["confirm_form"].initial["token"]
    response = client.post(confirm_url(), {"token": str(token), "filename": "dang-ky.xlsx"})
    assert response.status_code == 302
    return ImportJob.objects.get(), response["Location"]


@pytest.mark.usefixtures("db_queue")
def test_a_confirmed_import_waits_for_the_worker_and_its_page_says_so_then_shows_the_result(
    client_for, staff
):
    client = client_for(staff)
    before = counts()
    job, page_url = _queued_job(client)
    assert job.status == ImportStatus.QUEUED and counts() == before
    page = client.get(page_url).content.decode()
    assert "Đang chờ" in page and "job-status.js" in page and "«dang-ky.xlsx»" in page
    status_url = reverse("registry_import:job_status", kwargs={"parent_code": "vusta", "job": job.uuid})
    assert client.get(status_url).json() == {"status": "queued", "label": "Đang chờ", "finished": False}

    assert importing.run_import(job_uuid=str(job.uuid)).startswith("Đã nhập: 1 đơn vị mới")

    assert client.get(status_url).json()["finished"] is True
    page = client.get(page_url).content.decode()
    assert "Đã nhập: 1 đơn vị mới" in page and "job-status.js" not in page
    assert Organization.objects.filter(code="lhh-ha-noi").exists()


@pytest.mark.usefixtures("db_queue")
def test_an_import_run_again_after_it_finished_writes_nothing_more(client_for, staff):
    job, _ = _queued_job(client_for(staff))
    importing.run_import(job_uuid=str(job.uuid))
    after = counts()
    assert importing.run_import(job_uuid=str(job.uuid)) == importing.ALREADY
    assert counts() == after


@pytest.mark.usefixtures("db_queue")
def test_an_import_whose_file_was_removed_says_so_in_vietnamese_and_writes_nothing(client_for, staff):
    client = client_for(staff)
    job, page_url = _queued_job(client)
    default_storage.delete(job.stored_path)
    before = counts()

    assert importing.run_import(job_uuid=str(job.uuid)) == importing.MISSING_FILE

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and counts() == before
    page = client.get(page_url).content.decode()
    assert "Không tìm thấy tệp đã tải lên" in page and 'role="alert"' in page and "Tải tệp khác" in page


@pytest.mark.usefixtures("db_queue")
def test_only_the_parent_bodys_staff_follow_its_import(client_for, staff, officer_nghe_an):
    _job, page_url = _queued_job(client_for(staff))
    assert client_for(officer_nghe_an).get(page_url).status_code == 403
    assert client_for(None).get(page_url).status_code == 302
    other = reverse("registry_import:job", kwargs={"parent_code": "vusta", "job": uuid.uuid4()})
    assert client_for(staff).get(other).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_demo")
def test_a_second_worker_taking_a_running_import_is_told_it_is_taken_and_writes_nothing():
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("two workers at once need a server's row locks; SQLite serializes writers")
    from thidua.accounts.models import User

    staff = User.objects.get(username="vusta")
    path = default_storage.save(f"imports/{uuid.uuid4()}.xlsx", ContentFile(xlsx([])))
    job = ImportJob.objects.create(
        uuid=uuid.uuid4(), parent=Organization.objects.get(code="vusta"), actor=staff, stored_path=path
    )
    holding, release = threading.Event(), threading.Event()

    def first_worker():
        try:
            with transaction.atomic():
                ImportJob.objects.select_for_update().get(pk=job.pk)
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert holding.wait(30)
        assert importing.run_import(job_uuid=str(job.uuid)) == importing.TAKEN
    finally:
        release.set()
        thread.join(30)
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and job.finished_at is None
    default_storage.delete(path)
