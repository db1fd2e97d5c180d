"""The dossier and award pages as people click through them, the Excel list read back, and the demo's
flag on Ninh Bình's page."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from thidua.awards.excel import HEADER_ROW, HEADERS, SHEET
from thidua.awards.models import Award, Dossier, DossierStatus
from thidua.awards.tests.conftest import pdf_upload
from thidua.conferences.models import Poll, PollKind
from thidua.documents.models import Document
from thidua.organizations.models import (
    AwardForm,
    EmulationGroup,
    Organization,
    OrganizationKind,
    OrganizationName,
)
from thidua.years.models import EmulationYear

pytestmark = pytest.mark.django_db
Y = "/nam-thi-dua/vusta-cum-4/2023/ho-so-khen-thuong"
FLAG = "Cờ thi đua của Liên hiệp Hội Việt Nam"


# --- The demo


def test_the_demo_gives_the_conferences_leader_the_flag_and_its_page_shows_it(client_for: Any) -> None:
    poll = Poll.objects.get(conference__emulation_year__year=2023, kind=PollKind.NOMINATION)
    (leader_code,) = poll.result["elected"]
    award = Award.objects.get(year=2023)
    assert (award.organization.code, award.award_form) == (leader_code, AwardForm.PARENT_FLAG)
    assert award.dossier.status == DossierStatus.DECIDED
    page = client_for(None).get(f"/don-vi/{leader_code}/").content.decode()
    assert "Khen thưởng qua các năm" in page
    assert FLAG in page and "123/QĐ-LHHVN" in page and "28/12/2023" in page
    assert "Dữ liệu minh họa" in page


def test_loading_the_demo_again_adds_nothing(staff: Any, cluster4: EmulationGroup) -> None:
    from thidua.audit.models import AuditEvent
    from thidua.awards.demo import load_awards_demo

    before = (Award.objects.count(), Document.objects.count(), AuditEvent.objects.count())
    load_awards_demo(staff, cluster4)
    assert (Award.objects.count(), Document.objects.count(), AuditEvent.objects.count()) == before


def test_an_organization_without_awards_shows_no_award_section(client_for: Any) -> None:
    assert "Khen thưởng qua các năm" not in client_for(None).get("/don-vi/lhh-ha-tinh/").content.decode()


def test_a_member_reads_the_decided_dossier_with_the_councils_threshold_and_its_source(
    client_for: Any, officer_nghe_an: Any
) -> None:
    page = client_for(officer_nghe_an).get(f"{Y}/").content.decode()
    assert "Đã có quyết định khen thưởng" in page and "gửi lúc 09:00 10/12/2023" in page
    assert "04/TTr-CTĐ4" in page and "01/BB-CTĐ4" in page
    assert "từ 4/5 (80%) tổng số thành viên Hội đồng trở lên" in page
    assert "NĐ 98/2023/NĐ-CP" in page
    assert "10 / 9" in page and "✔ Đạt" in page
    # 10 votes with 9 present: the page says why that holds.
    assert "có mặt: 9 (thành viên vắng mặt bỏ phiếu bằng văn bản, được tính vào số phiếu)" in page
    assert "Gửi hồ sơ" not in page and "Bỏ</button>" not in page


def test_the_year_dashboard_links_to_the_dossier(client_for: Any, officer_nghe_an: Any) -> None:
    page = client_for(officer_nghe_an).get("/nam-thi-dua/vusta-cum-4/2023/").content.decode()
    assert f'href="{Y}/"' in page


# --- The secretariat


def test_the_secretariat_assembles_and_sends_the_dossier_through_the_pages(
    year_2023: EmulationYear, client_for: Any, officer_ninh_binh: Any, staff: Any
) -> None:
    client = client_for(officer_ninh_binh)
    before = client.get(f"{Y}/").content.decode()
    assert "Chưa lập hồ sơ" in before and "Lập hồ sơ</button>" in before
    response = client.post(f"{Y}/lap/", follow=True)
    assert "1 đề nghị lấy từ kết quả suy tôn" in response.content.decode()

    refused = client.post(f"{Y}/gui/", follow=True).content.decode()
    assert "Chưa gửi được hồ sơ" in refused and "Thiếu tờ trình đề nghị khen thưởng" in refused

    issued = Document.objects.filter(issuer_group__slug="vusta-cum-4", year=2023)
    client.post(f"{Y}/van-ban/", {"documents": [d.pk for d in issued]})
    upload = client.post(
        f"{Y}/bao-cao-thanh-tich/",
        {
            "bao-cao-organization": Dossier.objects.get().proposals.get().organization.pk,
            "bao-cao-file": pdf_upload(),
        },
        follow=True,
    )
    assert "Đã lưu báo cáo thành tích" in upload.content.decode()
    sent = client.post(f"{Y}/gui/", follow=True).content.decode()
    assert "Đã gửi hồ sơ đến Liên hiệp Hội Việt Nam" in sent
    assert Dossier.objects.get().status == DossierStatus.SUBMITTED

    incoming = client_for(staff).get("/cap-tren/vusta/ho-so-khen-thuong/").content.decode()
    assert "Cụm thi đua số 4" in incoming and "Hội đồng bỏ phiếu" in incoming


def test_the_send_button_is_refused_while_the_nominees_achievement_report_is_missing(
    draft: Dossier, client_for: Any, officer_ninh_binh: Any, issued_2023: list[Document]
) -> None:
    client = client_for(officer_ninh_binh)
    client.post(f"{Y}/van-ban/", {"documents": [d.pk for d in issued_2023]})
    leader = draft.proposals.get().organization.name_in_year(2023)
    page = client.get(f"{Y}/").content.decode()
    assert "Chưa gửi được hồ sơ" in page and f"Thiếu báo cáo thành tích của: {leader}" in page
    assert "disabled>Gửi hồ sơ đến" in page

    refused = client.post(f"{Y}/gui/", follow=True).content.decode()
    assert f"Chưa gửi được hồ sơ: Thiếu báo cáo thành tích của: {leader}" in refused
    assert "Đã gửi hồ sơ" not in refused
    assert Dossier.objects.get().status == DossierStatus.DRAFT


def test_a_member_officer_can_read_but_not_create_nor_send(
    year_2023: EmulationYear, client_for: Any, officer_nghe_an: Any
) -> None:
    client = client_for(officer_nghe_an)
    assert "Lập hồ sơ</button>" not in client.get(f"{Y}/").content.decode()
    for path in ("lap/", "gui/", "van-ban/", "de-nghi/", "tra-lai/"):
        assert client.post(f"{Y}/{path}").status_code == 403, path
    assert not Dossier.objects.exists()


def test_an_editor_is_refused_everywhere(draft: Dossier, client_for: Any, editor: Any) -> None:
    client = client_for(editor)
    for path in ("", "hoi-dong-bo-phieu/", "quyet-dinh/"):
        assert client.get(f"{Y}/{path}").status_code == 403
    assert client.post(f"{Y}/bao-cao-thanh-tich/").status_code == 403


def test_a_member_who_is_not_proposed_cannot_upload_a_report(
    draft: Dossier, client_for: Any, officer_nghe_an: Any, org: Any
) -> None:
    response = client_for(officer_nghe_an).post(
        f"{Y}/bao-cao-thanh-tich/",
        {"bao-cao-organization": org("nghe-an").pk, "bao-cao-file": pdf_upload()},
        follow=True,
    )
    assert "không có đề nghị khen thưởng nào" in response.content.decode()
    assert not draft.reports.exists()


def test_a_proposal_is_added_and_removed_on_the_page(
    draft: Dossier, client_for: Any, officer_ninh_binh: Any, org: Any
) -> None:
    client = client_for(officer_ninh_binh)
    client.post(
        f"{Y}/de-nghi/",
        {"de-nghi-organization": org("ha-tinh").pk, "de-nghi-award_form": AwardForm.PARENT_MERIT},
    )
    proposal = draft.proposals.get(organization=org("ha-tinh"))
    assert "Bằng khen của Liên hiệp Hội Việt Nam" in client.get(f"{Y}/").content.decode()
    client.post(f"{Y}/de-nghi/{proposal.pk}/bo/")
    assert not draft.proposals.filter(organization=org("ha-tinh")).exists()


# --- The parent body


def test_staff_return_a_dossier_and_the_secretariat_reads_why(
    submitted: Dossier, client_for: Any, staff: Any, officer_ninh_binh: Any
) -> None:
    assert client_for(officer_ninh_binh).post(f"{Y}/tra-lai/", {"reason": "x"}).status_code == 403
    client_for(staff).post(f"{Y}/tra-lai/", {"reason": "Bổ sung báo cáo thành tích"})
    page = client_for(officer_ninh_binh).get(f"{Y}/").content.decode()
    assert "Cơ quan cấp trên đã trả lại hồ sơ" in page and "Bổ sung báo cáo thành tích" in page
    assert Dossier.objects.get().status == DossierStatus.DRAFT


def test_staff_record_the_council_vote_and_the_decision_on_their_pages(
    submitted: Dossier, client_for: Any, staff: Any
) -> None:
    client = client_for(staff)
    proposal = submitted.proposals.get()
    form = client.get(f"{Y}/hoi-dong-bo-phieu/").content.decode()
    assert "từ 4/5 tổng số thành viên Hội đồng trở lên" in form and "7 thành viên cần 6 phiếu" in form
    assert "NĐ 98/2023/NĐ-CP" in form
    bad = client.post(f"{Y}/hoi-dong-bo-phieu/", {"members": 7, "present": 9, f"votes_{proposal.pk}": 6})
    assert bad.status_code == 200
    assert "Số thành viên có mặt (9) nhiều hơn tổng số thành viên Hội đồng (7)." in bad.content.decode()
    client.post(f"{Y}/hoi-dong-bo-phieu/", {"members": 7, "present": 5, f"votes_{proposal.pk}": 6})
    proposal.refresh_from_db()
    assert (proposal.votes_in_favour, proposal.passed) == (6, True)

    missing = client.post(
        f"{Y}/quyet-dinh/", {"number": "", "date": "", "signer_name": "", "signer_title": ""}
    )
    assert "Ngày quyết định" in missing.content.decode() and missing.status_code == 200
    client.post(
        f"{Y}/quyet-dinh/",
        {
            "number": "7/QĐ-LHHVN",
            "date": "2024-01-10",
            "signer_name": "Nguyễn Văn A",
            "signer_title": "Chủ tịch",
        },
    )
    award = Award.objects.get()
    assert (award.decision_number, award.decision_date) == ("7/QĐ-LHHVN", datetime.date(2024, 1, 10))
    after = client.get(f"{Y}/quyet-dinh/").content.decode()
    assert "Đã ghi nhận Quyết định số 7/QĐ-LHHVN" in after
    assert client.post(f"{Y}/hoi-dong-bo-phieu/", {"members": 7}, follow=True).status_code == 200
    assert Award.objects.count() == 1


def test_the_awards_of_a_year_export_to_a_formatted_workbook(client_for: Any, staff: Any) -> None:
    page = client_for(staff).get("/cap-tren/vusta/khen-thuong/2023/").content.decode()
    assert FLAG in page and "Cụm thi đua số 4" in page
    response = client_for(staff).get("/cap-tren/vusta/khen-thuong/2023/danh-sach.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="khen-thuong-vusta-2023.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content))[SHEET]
    assert sheet["A1"].value == "DANH SÁCH TẬP THỂ ĐƯỢC KHEN THƯỞNG NĂM 2023"
    assert tuple(c.value for c in sheet[HEADER_ROW]) == HEADERS
    row = [c.value for c in sheet[HEADER_ROW + 1]]
    award = Award.objects.get(year=2023)
    assert row[:5] == [1, FLAG, award.organization.name_in_year(2023), "Cụm thi đua số 4", "123/QĐ-LHHVN"]
    assert row[5] == datetime.datetime(2023, 12, 28)
    assert (
        sheet.cell(row=HEADER_ROW, column=1).font.b
        and sheet.cell(row=HEADER_ROW + 1, column=2).border.left.style == "thin"
    )
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)


def test_a_year_without_awards_says_so_on_the_page_instead_of_exporting_an_empty_workbook(
    client_for: Any, staff: Any
) -> None:
    client = client_for(staff)
    page = client.get("/cap-tren/vusta/khen-thuong/2019/").content.decode()
    assert "danh-sach.xlsx" not in page  # no button for a file with nothing in it
    response = client.get("/cap-tren/vusta/khen-thuong/2019/danh-sach.xlsx")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Năm 2019 chưa có quyết định khen thưởng nào để xuất Excel." in response.content.decode()


def test_the_awards_of_a_year_are_shown_fifty_at_a_time_numbered_across_pages(
    client_for: Any, staff: Any
) -> None:
    _many_awards(60)
    client = client_for(staff)
    first = client.get("/cap-tren/vusta/khen-thuong/2023/").content.decode()
    second = client.get("/cap-tren/vusta/khen-thuong/2023/?trang=2").content.decode()
    assert first.count('class="award-row"') == 50
    assert second.count('class="award-row"') == 11
    assert "<td>51</td>" in second and "Trang 2/2" in second
    # The workbook holds them all.
    workbook = client.get("/cap-tren/vusta/khen-thuong/2023/danh-sach.xlsx")
    sheet = load_workbook(io.BytesIO(workbook.content))[SHEET]
    assert sheet.cell(row=HEADER_ROW + 61, column=1).value == 61


def _many_awards(count: int) -> None:
    """`count` more awards of 2023 for new organizations, half through another cluster's dossier."""
    staff_dossier = Dossier.objects.get(emulation_year__group__slug="vusta-cum-4", emulation_year__year=2023)
    vusta = Organization.objects.get(code="vusta")
    cluster9 = EmulationGroup.objects.get(parent=vusta, number=9)
    other_year, _ = EmulationYear.objects.get_or_create(group=cluster9, year=2023)
    other = Dossier.objects.create(
        emulation_year=other_year, created_by=staff_dossier.created_by, status=DossierStatus.DECIDED
    )
    for index in range(count):
        organization = Organization.objects.create(
            code=f"thu-{index}", kind=OrganizationKind.ASSOCIATION, parent=vusta
        )
        OrganizationName.objects.create(
            organization=organization, name=f"Hội thử {index}", valid_from=datetime.date(2000, 1, 1)
        )
        Award.objects.create(
            organization=organization,
            year=2023,
            award_form=AwardForm.PARENT_MERIT,
            decision_number="8/QĐ",
            decision_date=datetime.date(2024, 1, 2),
            dossier=other if index % 2 else staff_dossier,
        )


def test_the_awards_of_a_year_cost_the_same_queries_for_1_row_and_for_21(client_for: Any, staff: Any) -> None:
    client = client_for(staff)
    url = "/cap-tren/vusta/khen-thuong/2023/"
    client.get(url)  # the session and the user's roles, outside the count
    with CaptureQueriesContext(connection) as small:
        small_page = client.get(url)
    _many_awards(20)
    with CaptureQueriesContext(connection) as large:
        large_page = client.get(url)
    assert small_page.content.decode().count('class="award-row"') == 1
    assert large_page.content.decode().count('class="award-row"') == 21
    assert len(small) == len(large), "\n".join(q["sql"] for q in large.captured_queries)
