"""An organization's officeholders by date (issue 15, part 2): the list officers keep, by hand or from an
.xlsx, all or nothing, and the rule that tells who holds a position on a day."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.organizations import excel, rules, services
from thidua.organizations.models import Officeholder, Organization, Position

D = datetime.date
URL = "/don-vi/lhh-nghe-an/lanh-dao/"


@pytest.fixture(autouse=True)
def _no_leaders_yet(db: Any) -> None:
    """Nghệ An as a union that has not recorded its leaders yet (the demo records them)."""
    Officeholder.objects.filter(organization__code="lhh-nghe-an").delete()


def _term(key: object, name: str, position: str, start: D, end: D | None = None) -> rules.Term:
    return rules.Term(key, name, position, start, end)


def test_the_chairman_on_a_day_is_the_one_whose_term_covers_it_and_an_acting_one_signs_q_between() -> None:
    terms = [
        _term(1, "Trần Văn Cũ", "chairman", D(2019, 1, 1), D(2023, 6, 30)),
        _term(2, "Lê Thị Quyền", "acting_chairman", D(2023, 7, 1), D(2023, 9, 30)),
        _term(3, "Phạm Văn Mới", "chairman", D(2023, 10, 1)),
    ]
    assert rules.head_on(terms, D(2023, 6, 30)) == (terms[0], False)
    assert rules.head_on(terms, D(2023, 7, 1)) == (terms[1], True)
    assert rules.head_on(terms, D(2023, 12, 8)) == (terms[2], False)
    assert rules.head_on(terms, D(2018, 12, 31)) is None


def test_two_chairmen_on_a_common_day_overlap_but_two_vice_chairmen_do_not() -> None:
    chairmen = [
        _term(1, "A", "chairman", D(2020, 1, 1), D(2023, 6, 30)),
        _term(2, "B", "chairman", D(2023, 6, 30)),
    ]
    assert rules.overlapping_terms(chairmen) == [(chairmen[0], chairmen[1])]
    back_to_back = [chairmen[0], _term(2, "B", "chairman", D(2023, 7, 1))]
    assert rules.overlapping_terms(back_to_back) == []
    vices = [_term(1, "A", "vice_chairman", D(2020, 1, 1)), _term(2, "B", "vice_chairman", D(2021, 1, 1))]
    assert rules.overlapping_terms(vices) == []
    twice = [vices[0], _term(3, "a", "vice_chairman", D(2022, 1, 1))]
    assert rules.overlapping_terms(twice) == [(twice[0], twice[1])]


def _workbook(rows: list[list[Any]], sheet: str = excel.OFFICEHOLDER_SHEET) -> bytes:
    book = Workbook()
    page = book.active
    assert page is not None
    page.title = sheet
    page.append(list(excel.OFFICEHOLDER_HEADERS))
    for row in rows:
        page.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: Client, data: bytes, name: str = "lanh-dao.xlsx") -> Any:
    return client.post(URL, {"action": "import", "file": SimpleUploadedFile(name, data)})


@pytest.mark.django_db
def test_an_officer_loads_the_leaders_from_the_template_and_the_page_lists_them(
    officer_nghe_an: User, client_for: Callable[[Any], Client]
) -> None:
    client = client_for(officer_nghe_an)
    template = client.get(URL + "mau.xlsx")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    page = book[excel.OFFICEHOLDER_SHEET]
    page.append(["Hoàng Văn Thi Đua", "Cán bộ thi đua", "01/03/2022", None, "Quyết định 5/QĐ (minh họa)"])
    page.append(["Nguyễn Thị Chủ Tịch", "chủ tịch", datetime.datetime(2021, 1, 1), "31/12/2025", ""])
    out = io.BytesIO()
    book.save(out)
    response = _upload(client, out.getvalue())
    assert response.status_code == 302
    nghe_an = Organization.objects.get(code="lhh-nghe-an")
    kept = {(h.full_name, h.position, h.started_on, h.ended_on) for h in nghe_an.officeholders.all()}
    assert kept == {
        ("Hoàng Văn Thi Đua", Position.EMULATION_OFFICER, D(2022, 3, 1), None),
        ("Nguyễn Thị Chủ Tịch", Position.CHAIRMAN, D(2021, 1, 1), D(2025, 12, 31)),
    }  # the template's example row is skipped
    added = AuditEvent.objects.filter(verb="organization.officeholders.add", target_id=str(nghe_an.pk))
    assert added.count() == 2  # the demo's, then this file's
    listing = client.get(URL).content.decode()
    assert "Nguyễn Thị Chủ Tịch" in listing and "31/12/2025" in listing


@pytest.mark.django_db
def test_a_sheet_with_overlapping_chairmen_is_refused_by_row_and_nothing_is_written(
    officer_nghe_an: User, client_for: Callable[[Any], Client]
) -> None:
    client = client_for(officer_nghe_an)
    data = _workbook(
        [
            ["Cán bộ Một", "Cán bộ thi đua", "01/01/2023", "", ""],
            ["Người A", "Chủ tịch", "01/01/2020", "30/06/2023", ""],
            ["Người B", "Chủ tịch", "15/06/2023", "", ""],
        ]
    )
    response = _upload(client, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Chưa nhập gì" in page
    assert "Dòng 4: Chủ tịch Người B (15/06/2023 – nay) trùng thời gian với Chủ tịch Người A" in page
    assert not Officeholder.objects.filter(organization__code="lhh-nghe-an").exists()


@pytest.mark.django_db
def test_bad_cells_and_a_file_that_is_not_a_workbook_are_named_and_nothing_is_written(
    officer_nghe_an: User, client_for: Callable[[Any], Client]
) -> None:
    client = client_for(officer_nghe_an)
    page = _upload(client, _workbook([["Người A", "Giám đốc", "hôm qua", "", ""]])).content.decode()
    assert "Trang «Lãnh đạo», dòng 2, cột B (Chức vụ): Không có chức vụ «Giám đốc»" in page
    assert "dòng 2, cột C (Từ ngày)" in page
    page = _upload(client, b"%PDF-1.7 not a workbook", "lanh-dao.xlsx").content.decode()
    assert "Tệp không phải bảng tính Excel .xlsx" in page
    page = _upload(client, _workbook([["Người A", "Chủ tịch", "01/01/2020", "", ""]], sheet="Trang 1"))
    assert "Không thấy trang tính «Lãnh đạo»" in page.content.decode()
    assert not Officeholder.objects.filter(organization__code="lhh-nghe-an").exists()


@pytest.mark.django_db
def test_a_term_ending_before_it_starts_or_clashing_with_a_kept_one_is_refused_on_its_field(
    officer_nghe_an: User, client_for: Callable[[Any], Client]
) -> None:
    nghe_an = Organization.objects.get(code="lhh-nghe-an")
    services.add_officeholders(
        actor=officer_nghe_an,
        organization=nghe_an,
        inputs=[services.OfficeholderInput("Người A", Position.CHAIRMAN, D(2020, 1, 1), None)],
    )
    client = client_for(officer_nghe_an)
    form = {"action": "add", "full_name": "Người B", "position": "chairman", "started_on": "2024-01-01"}
    page = client.post(URL, form).content.decode()
    assert "trùng thời gian với Chủ tịch Người A (01/01/2020 – nay) (đã có trong danh sách)" in page
    page = client.post(URL, {**form, "ended_on": "2019-12-31"}).content.decode()
    assert "Ngày thôi giữ chức (31/12/2019) trước ngày bắt đầu (01/01/2024)." in page
    # Ending A's term the day before makes room for B: the change of chairman mid-year.
    holder = nghe_an.officeholders.get()
    edited = {
        "full_name": "Người A",
        "position": "chairman",
        "started_on": "2020-01-01",
        "ended_on": "2023-12-31",
    }
    assert client.post(f"{URL}{holder.pk}/sua/", edited).status_code == 302
    assert client.post(URL, form).status_code == 302
    assert nghe_an.officeholders.count() == 2


@pytest.mark.django_db
def test_only_the_organizations_officers_and_the_parent_staff_keep_its_leaders(
    officer_ha_tinh: User, staff: User, client_for: Callable[[Any], Client]
) -> None:
    nghe_an = Organization.objects.get(code="lhh-nghe-an")
    value = services.OfficeholderInput("Người A", Position.CHAIRMAN, D(2020, 1, 1), None)
    with pytest.raises(PermissionDenied):
        services.add_officeholders(actor=officer_ha_tinh, organization=nghe_an, inputs=[value])
    assert client_for(officer_ha_tinh).get(URL).status_code == 403
    assert client_for(None).get(URL).status_code == 302  # to the sign-in page
    services.add_officeholders(actor=staff, organization=nghe_an, inputs=[value])
    holder = nghe_an.officeholders.get()
    assert client_for(officer_ha_tinh).post(f"{URL}{holder.pk}/bo/").status_code == 403
    assert client_for(staff).post(f"{URL}{holder.pk}/bo/").status_code == 302
    assert not nghe_an.officeholders.exists()
    with pytest.raises(ValidationError):
        services.add_officeholders(actor=staff, organization=nghe_an, inputs=[value, value])
