"""Every registry page, for every role: who may read it and who may change through it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from thidua.organizations.models import EmulationGroup, Membership, Officeholder, Organization, Regulation

# Personas: anonymous; officers of Nghệ An (submitted its 2026 sheet) and Ninh Bình (2026 draft, head
# in 2023); Quảng Trị's officer (head of Cụm 4 in 2026: the secretariat); the editor; VUSTA's staff.
ANON, NGHE_AN, NINH_BINH, EDITOR, STAFF, QUANG_TRI = (
    "anonymous",
    "nghean",
    "ninhbinh",
    "bientap",
    "vusta",
    "quangtri",
)
ROLES = [ANON, NGHE_AN, NINH_BINH, EDITOR, STAFF, QUANG_TRI]

PUBLIC = dict.fromkeys(ROLES, 200)
STAFF_ONLY = {ANON: 302, NGHE_AN: 403, NINH_BINH: 403, EDITOR: 403, STAFF: 200, QUANG_TRI: 403}
LOGGED_IN = {ANON: 302, NGHE_AN: 200, NINH_BINH: 200, EDITOR: 200, STAFF: 200, QUANG_TRI: 200}
YEAR_MEMBERS = {ANON: 302, NGHE_AN: 200, NINH_BINH: 200, EDITOR: 403, STAFF: 200, QUANG_TRI: 200}
YEAR_RUNNERS = {ANON: 302, NGHE_AN: 403, NINH_BINH: 403, EDITOR: 403, STAFF: 200, QUANG_TRI: 200}
# Criteria can only be edited in a draft; 2026's agreement is in force, so runners find nothing to edit.
DRAFT_ONLY = {ANON: 302, NGHE_AN: 403, NINH_BINH: 403, EDITOR: 403, STAFF: 404, QUANG_TRI: 404}
Y = "/nam-thi-dua/vusta-cum-4/2026"
# The replayed 2023 conference: Ninh Bình headed Cụm 4 that year (demo), so its officer runs it.
RUNNERS_2023 = {ANON: 302, NGHE_AN: 403, NINH_BINH: 200, EDITOR: 403, STAFF: 200, QUANG_TRI: 403}
# The same people, on something the 2023 conference does not have (paper ballots of an electronic poll).
RUNNERS_2023_NOT_FOUND = {ANON: 302, NGHE_AN: 403, NINH_BINH: 404, EDITOR: 403, STAFF: 404, QUANG_TRI: 403}


def _conference_2023() -> str:
    from thidua.conferences.models import Conference

    return f"/nam-thi-dua/vusta-cum-4/2023/hoi-nghi/{Conference.objects.get(emulation_year__year=2023).pk}"


def _document_2023() -> str:
    """A document of Cụm 4 numbered in 2023 that has no file yet (made here: the demo's documents have
    their DOCX)."""
    import datetime

    from thidua.accounts.models import User
    from thidua.documents import services as documents
    from thidua.documents.models import Document

    document = Document.objects.filter(year=2023, docx="").first() or documents.register(
        actor=User.objects.get(username="vusta"),
        doc_type="BB",
        date=datetime.date(2023, 12, 8),
        place="Ninh Bình",
        summary="Kiểm thử",
        group=EmulationGroup.objects.get(slug="vusta-cum-4"),
        issuer_code="CTĐ4",
    )
    return f"/nam-thi-dua/vusta-cum-4/2023/van-ban/{document.pk}"


def _published_poll_2023() -> str:
    from thidua.conferences.models import Poll

    poll = Poll.objects.filter(conference__emulation_year__year=2023).first()
    assert poll is not None
    return f"{_conference_2023()}/bo-phieu/{poll.pk}"


def _evidence_pk() -> int:
    from thidua.assessments.models import Evidence

    return Evidence.objects.filter(
        score__assessment__organization__code="lhh-ninh-binh", score__assessment__emulation_year__year=2026
    ).values_list("pk", flat=True)[0]


def _criterion_pk() -> int:
    from thidua.agreements.models import Criterion

    return Criterion.objects.filter(agreement__emulation_year__year=2026).values_list("pk", flat=True)[0]


Y2023 = "/nam-thi-dua/vusta-cum-4/2023"


def _report_pk() -> int:
    from thidua.awards.models import AchievementReport

    report = AchievementReport.objects.filter(dossier__emulation_year__year=2023).first()
    assert report is not None
    return report.pk


def _regulation_pk() -> int:
    return Regulation.objects.get(parent__code="vusta", valid_from_year=2022).pk


def _nghe_an_officeholder_pk() -> int:
    holder = Officeholder.objects.filter(organization__code="lhh-nghe-an").order_by("pk").first()
    assert holder is not None, "the demo records Nghệ An's leaders"
    return holder.pk


# URL name → (path builder, expected status per role). A new URL without a row here fails
# `test_every_registry_url_has_an_entry_in_the_permission_matrix`.
GET_MATRIX: dict[str, tuple[Any, dict[str, int]]] = {
    "home": (lambda: "/", PUBLIC),
    "organizations:group_list": (lambda: "/cum-khoi/", PUBLIC),
    "organizations:group_detail": (lambda: "/cum-khoi/vusta-cum-4/?nam=2023", PUBLIC),
    "organizations:organization_list": (lambda: "/don-vi/?q=nghe", PUBLIC),
    "organizations:organization_detail": (lambda: "/don-vi/lhh-nghe-an/", PUBLIC),
    "organizations:regulation_detail": (lambda: f"/quy-che/{_regulation_pk()}/", PUBLIC),
    "organizations:group_edit": (lambda: "/cum-khoi/vusta-cum-4/sua/", STAFF_ONLY),
    "organizations:group_year": (lambda: "/cum-khoi/vusta-cum-4/nam/2026/", STAFF_ONLY),
    "organizations:group_create": (lambda: "/cap-tren/vusta/them-cum-khoi/", STAFF_ONLY),
    "organizations:organization_create": (lambda: "/cap-tren/vusta/them-don-vi/", STAFF_ONLY),
    "organizations:organization_rename": (lambda: "/don-vi/lhh-nghe-an/doi-ten/", STAFF_ONLY),
    "organizations:organization_merge": (lambda: "/don-vi/lhh-nghe-an/sap-nhap/", STAFF_ONLY),
    "organizations:regulation_new": (lambda: "/cap-tren/vusta/quy-che/moi/", STAFF_ONLY),
    "organizations:regulation_edit": (lambda: "/cap-tren/vusta/quy-che/2027/", STAFF_ONLY),
    "organizations:organization_profile": (
        lambda: "/don-vi/lhh-nghe-an/thong-tin/",
        {ANON: 302, NGHE_AN: 200, NINH_BINH: 403, EDITOR: 403, STAFF: 200, QUANG_TRI: 403},
    ),
    # Its officers, its parent body's staff, and the secretariat of its group that year (Quảng Trị, 2026).
    "organizations:organization_women_share": (
        lambda: "/don-vi/lhh-nghe-an/ty-le-nu/?nam=2026",
        {ANON: 302, NGHE_AN: 200, NINH_BINH: 403, EDITOR: 403, STAFF: 200, QUANG_TRI: 200},
    ),
    # An organization's leaders by date: its officers and its parent body's staff (issue 15, part 2).
    "organizations:officeholder_list": (
        lambda: "/don-vi/lhh-nghe-an/lanh-dao/",
        {ANON: 302, NGHE_AN: 200, NINH_BINH: 403, EDITOR: 403, STAFF: 200, QUANG_TRI: 403},
    ),
    "organizations:officeholder_template": (
        lambda: "/don-vi/lhh-nghe-an/lanh-dao/mau.xlsx",
        {ANON: 302, NGHE_AN: 200, NINH_BINH: 403, EDITOR: 403, STAFF: 200, QUANG_TRI: 403},
    ),
    "organizations:officeholder_edit": (
        lambda: f"/don-vi/lhh-nghe-an/lanh-dao/{_nghe_an_officeholder_pk()}/sua/",
        {ANON: 302, NGHE_AN: 200, NINH_BINH: 403, EDITOR: 403, STAFF: 200, QUANG_TRI: 403},
    ),
    "audit:group_audit": (
        lambda: "/nhat-ky/cum-khoi/vusta-cum-4/",
        {ANON: 302, NGHE_AN: 200, NINH_BINH: 200, EDITOR: 403, STAFF: 200, QUANG_TRI: 200},
    ),
    "accounts:login": (
        lambda: "/tai-khoan/dang-nhap/",
        {ANON: 200, NGHE_AN: 302, NINH_BINH: 302, EDITOR: 302, STAFF: 302, QUANG_TRI: 302},
    ),
    # Each user's own account: e-mail address and to-do e-mails.
    "accounts:profile": (lambda: "/tai-khoan/", LOGGED_IN),
    "accounts:password_change": (lambda: "/tai-khoan/doi-mat-khau/", LOGGED_IN),
    "accounts:password_change_done": (lambda: "/tai-khoan/doi-mat-khau/xong/", LOGGED_IN),
    # The second sign-in step: nobody here owes it (the suite runs with it not required and no device),
    # so its page sends everyone on; setting up an authenticator is open to every signed-in user.
    "accounts:two_factor": (lambda: "/tai-khoan/xac-thuc-hai-buoc/", dict.fromkeys(ROLES, 302)),
    "accounts:two_factor_enrol": (lambda: "/tai-khoan/xac-thuc-hai-buoc/cai-dat/", LOGGED_IN),
    "organizations:organization_accounts": (lambda: "/tai-khoan/don-vi/lhh-nghe-an/", STAFF_ONLY),
    # Each user's own API tokens.
    "api_tokens:list": (lambda: "/tai-khoan/ma-truy-cap-api/", LOGGED_IN),
    "open_year": (lambda: "/cum-khoi/vusta-cum-4/mo-nam-thi-dua/", YEAR_RUNNERS),
    "years:dashboard": (lambda: f"{Y}/", YEAR_MEMBERS),
    "years:agreement": (lambda: f"{Y}/giao-uoc/", YEAR_MEMBERS),
    "years:agreement_version": (lambda: f"{Y}/giao-uoc/lan-1/", YEAR_MEMBERS),
    "years:criterion_group_new": (lambda: f"{Y}/giao-uoc/nhom/moi/", DRAFT_ONLY),
    "years:criterion_group_edit": (lambda: f"{Y}/giao-uoc/nhom/1/", DRAFT_ONLY),
    "years:criterion_new": (lambda: f"{Y}/giao-uoc/tieu-chi/moi/", DRAFT_ONLY),
    "years:criterion_edit": (lambda: f"{Y}/giao-uoc/tieu-chi/{_criterion_pk()}/", DRAFT_ONLY),
    "scoring:sheet": (
        lambda: f"{Y}/cham-diem/lhh-ninh-binh/",
        {ANON: 302, NGHE_AN: 403, NINH_BINH: 200, EDITOR: 403, STAFF: 200, QUANG_TRI: 200},
    ),
    "scoring:evidence": (
        lambda: f"{Y}/cham-diem/lhh-ninh-binh/minh-chung/{_evidence_pk()}/",
        {ANON: 302, NGHE_AN: 403, NINH_BINH: 200, EDITOR: 403, STAFF: 200, QUANG_TRI: 200},
    ),
    # Nobody is assigned to review in 2026 yet.
    "scoring:review": (
        lambda: f"{Y}/cham-cheo/lhh-nghe-an/",
        {ANON: 302, NGHE_AN: 403, NINH_BINH: 403, EDITOR: 403, STAFF: 403, QUANG_TRI: 403},
    ),
    "scoring:assign": (lambda: f"{Y}/phan-cong-cham-cheo/", YEAR_RUNNERS),
    "conferences:list": (lambda: "/nam-thi-dua/vusta-cum-4/2023/hoi-nghi/", YEAR_MEMBERS),
    # The host's news editors see an ended year-end conference's page (cut down to its "Soạn tin").
    "conferences:detail": (lambda: f"{_conference_2023()}/", {**YEAR_MEMBERS, EDITOR: 200}),
    "conferences:check_in_page": (lambda: f"{_conference_2023()}/diem-danh/", RUNNERS_2023),
    "conferences:edit": (lambda: f"{_conference_2023()}/sua/", RUNNERS_2023),
    "conferences:poll": (lambda: f"{_published_poll_2023()}/", YEAR_MEMBERS),
    "conferences:ballots": (lambda: f"{_published_poll_2023()}/danh-sach-phieu/", PUBLIC),
    "conferences:ballots_json": (lambda: f"{_published_poll_2023()}/ho-so-phieu.json", PUBLIC),
    # 2023 voted electronically: there are no paper ballots to print, but only runners learn that.
    "conferences:paper_ballots": (lambda: f"{_published_poll_2023()}/phieu-giay.pdf", RUNNERS_2023_NOT_FOUND),
    "conferences:projector": (lambda: f"{_conference_2023()}/trinh-chieu/", RUNNERS_2023),
    "conferences:progress": (lambda: f"{_conference_2023()}/tien-do.json", RUNNERS_2023),
    # Delegates vote with the code on their card, without an account.
    "documents:list": (lambda: "/nam-thi-dua/vusta-cum-4/2023/van-ban/", YEAR_MEMBERS),
    "documents:pdf_status": (
        lambda: "/nam-thi-dua/vusta-cum-4/2023/van-ban/trang-thai-pdf/?ids=1",
        YEAR_MEMBERS,
    ),
    # The document has no file yet: members reach the view and find nothing (404); others are refused.
    "documents:file": (
        lambda: f"{_document_2023()}/docx/",
        {ANON: 302, NGHE_AN: 404, NINH_BINH: 404, EDITOR: 403, STAFF: 404, QUANG_TRI: 404},
    ),
    "documents:original": (
        lambda: f"{_document_2023()}/ban-goc/1/",
        {ANON: 302, NGHE_AN: 404, NINH_BINH: 404, EDITOR: 403, STAFF: 404, QUANG_TRI: 404},
    ),
    # A parent body's Word templates: its own staff only.
    "document_templates:list": (lambda: "/cap-tren/vusta/mau-van-ban/", STAFF_ONLY),
    "document_templates:default": (lambda: "/cap-tren/vusta/mau-van-ban/minutes/mac-dinh.docx", STAFF_ONLY),
    # No template uploaded in the demo: staff reach the view and find no version 1 (404).
    "document_templates:version": (
        lambda: "/cap-tren/vusta/mau-van-ban/minutes/ban-1.docx",
        {ANON: 302, NGHE_AN: 403, NINH_BINH: 403, EDITOR: 403, STAFF: 404, QUANG_TRI: 403},
    ),
    "vote:start": (lambda: f"/bo-phieu/{_conference_2023().rsplit('/', 1)[1]}/", PUBLIC),
    # The demo's decided dossier of 2023: members read it; only the parent body votes and decides.
    "awards:dossier": (lambda: f"{Y2023}/ho-so-khen-thuong/", YEAR_MEMBERS),
    "awards:report": (lambda: f"{Y2023}/ho-so-khen-thuong/bao-cao-thanh-tich/{_report_pk()}/", YEAR_MEMBERS),
    "awards:council_vote": (lambda: f"{Y2023}/ho-so-khen-thuong/hoi-dong-bo-phieu/", STAFF_ONLY),
    "awards:decision": (lambda: f"{Y2023}/ho-so-khen-thuong/quyet-dinh/", STAFF_ONLY),
    "parent_awards:incoming": (lambda: "/cap-tren/vusta/ho-so-khen-thuong/", STAFF_ONLY),
    "parent_awards:year": (lambda: "/cap-tren/vusta/khen-thuong/2023/", STAFF_ONLY),
    # The parent body's overview of a year, for its staff (issue 16); the award history is public.
    "parent_awards:overview": (lambda: "/cap-tren/vusta/tong-quan/2023/", STAFF_ONLY),
    "parent_awards:overview_dossiers": (lambda: "/cap-tren/vusta/tong-quan/2023/ho-so/", STAFF_ONLY),
    "parent_awards:overview_council": (lambda: "/cap-tren/vusta/tong-quan/2023/hoi-dong/", STAFF_ONLY),
    "parent_awards:overview_decisions": (lambda: "/cap-tren/vusta/tong-quan/2023/quyet-dinh/", STAFF_ONLY),
    "parent_awards:statistics": (lambda: "/cap-tren/vusta/tong-quan/2023/thong-ke/", STAFF_ONLY),
    "parent_awards:statistics_xlsx": (lambda: "/cap-tren/vusta/tong-quan/2023/thong-ke.xlsx", STAFF_ONLY),
    "parent_awards:history": (lambda: "/cap-tren/vusta/lich-su-khen-thuong/", PUBLIC),
    "parent_awards:year_xlsx": (lambda: "/cap-tren/vusta/khen-thuong/2023/danh-sach.xlsx", STAFF_ONLY),
    "scoring:settle_all": (lambda: f"{Y}/chot-diem/", YEAR_RUNNERS),
    # The sitemap of the news site asked for (thidua's own host: the portal and every organization's site).
    "sitemap": (lambda: "/sitemap.xml", PUBLIC),
    # The icon browsers ask every site for.
    "favicon": (lambda: "/favicon.ico", PUBLIC),
}
# POST-only URLs, checked below with their own data.
POST_ONLY = {
    "organizations:membership_remove",
    "organizations:leadership_clear",
    "organizations:officeholder_remove",
    "accounts:logout",
    "accounts:role_revoke",
    # Each checked in thidua/accounts/tests/test_two_factor.py: one's own codes, and the staff's reset.
    "accounts:recovery_codes_regenerate",
    "accounts:two_factor_turn_off",
    "accounts:two_factor_reset",
    "api_tokens:revoke",
    "years:deadlines",
    "years:advance",
    "conferences:check_in_list",
    "conferences:check_in_scan",
    "conferences:close",
    "years:agreement_create",
    "years:agreement_text",
    "years:criterion_delete",
    "years:open_signing",
    "years:sign",
    "years:sign_paper",
    "years:amend",
    "scoring:submit",
    "scoring:reopen",
    "scoring:effect_read",  # its officers only: tests/test_amendments_carry_the_year.py
    "scoring:evidence_add",
    "scoring:evidence_remove",
    "scoring:settle_score",
    "conferences:delegate_add",
    "conferences:roles",
    "conferences:check_in",
    "conferences:cards",
    "conferences:poll_create",
    "conferences:paper_count",
    "conferences:poll_count",
    "conferences:poll_action",
    "documents:issue",
    "documents:original_upload",
    "documents:discard",  # the year's runners only: thidua/documents/tests/test_document_pages.py
    "documents:publish",  # the year's runners only: thidua/documents/tests/test_document_pages.py
    "documents:replace",  # the year's runners only: thidua/documents/tests/test_one_current_document.py
    "document_templates:upload",
    "awards:create",
    "awards:documents",
    "awards:proposal_add",
    "awards:proposal_remove",
    "awards:report_upload",
    "awards:submit",
    "awards:return",
    "news:draft_from_conference",
}
# Mounted third-party or import pages with their own tests. The REST API (`api:`) has its own matrix,
# by operation and method, with the same rule: thidua/api/tests/test_permission_matrix.py.
ELSEWHERE = {"registry_import", "score_excel", "score_summary", "api"}
# Wagtail's URL configurations (the editors' admin, article files, the news pages' catch-all): Wagtail
# checks its own permissions, page by page; thidua/news/tests checks who reaches the admin and what the
# public pages show. thidua.news.public_urls is Wagtail's public URLs with the page cache around them.
THIRD_PARTY_URLCONFS = ("wagtail.", "thidua.news.public_urls")


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            if getattr(entry.urlconf_module, "__name__", "").startswith(THIRD_PARTY_URLCONFS):
                continue
            namespace = entry.namespace or ""
            names |= _names(entry, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{prefix}{entry.name}")
    return names


def test_every_registry_url_has_an_entry_in_the_permission_matrix() -> None:
    names = _names(get_resolver())
    missing = {
        n for n in names if n not in GET_MATRIX and n not in POST_ONLY and n.split(":")[0] not in ELSEWHERE
    }
    assert not missing, f"URLs without a permission entry: {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(GET_MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_each_role_as_the_matrix_says(name: str, role: str, client_for: Any) -> None:
    from thidua.accounts.models import User

    path_of, expected = GET_MATRIX[name]
    client = client_for(None if role == ANON else User.objects.get(username=role))
    response = client.get(path_of())
    assert response.status_code == expected[role], f"{role} GET {path_of()}"
    if expected[role] == 302 and role == ANON:
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")
    if expected[role] == 403:
        assert "Không có quyền" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [NGHE_AN, NINH_BINH, EDITOR])
def test_only_parent_body_staff_can_remove_a_membership(role: str, client_for: Any) -> None:
    from thidua.accounts.models import User

    membership = Membership.objects.get(
        group__slug="vusta-cum-4", year=2026, organization__code="lhh-thanh-hoa"
    )
    response = client_for(User.objects.get(username=role)).post(f"/thanh-vien/{membership.pk}/bo/")
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_parent_body_staff_remove_a_membership_through_the_page(client_for: Any, staff: Any) -> None:
    membership = Membership.objects.get(
        group__slug="vusta-cum-4", year=2026, organization__code="lhh-thanh-hoa"
    )
    response = client_for(staff).post(f"/thanh-vien/{membership.pk}/bo/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_removing_a_membership_needs_a_post(client_for: Any, staff: Any) -> None:
    membership = Membership.objects.get(
        group__slug="vusta-cum-4", year=2026, organization__code="lhh-thanh-hoa"
    )
    assert client_for(staff).get(f"/thanh-vien/{membership.pk}/bo/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("role", [NGHE_AN, NINH_BINH, EDITOR])
def test_only_parent_body_staff_can_clear_a_head(role: str, client_for: Any) -> None:
    from thidua.accounts.models import User
    from thidua.organizations.models import Leadership

    lead = Leadership.objects.get(group__slug="vusta-cum-4", year=2026, role="head")
    response = client_for(User.objects.get(username=role)).post(f"/lanh-dao-cum/{lead.pk}/bo/")
    assert response.status_code == 403
    assert Leadership.objects.filter(pk=lead.pk).exists()


@pytest.mark.django_db
def test_an_officer_of_nghe_an_cannot_change_ha_tinh_records(client_for: Any, officer_nghe_an: Any) -> None:
    ha_tinh = Organization.objects.get(code="lhh-ha-tinh")
    response = client_for(officer_nghe_an).post(
        "/don-vi/lhh-ha-tinh/thong-tin/", {"head_name": "Người lạ", "address": "Không phải đây"}
    )
    assert response.status_code == 403
    ha_tinh.refresh_from_db()
    assert ha_tinh.head_name != "Người lạ"


@pytest.mark.django_db
def test_an_officer_of_nghe_an_updates_nghe_an_profile(client_for: Any, officer_nghe_an: Any) -> None:
    response = client_for(officer_nghe_an).post(
        "/don-vi/lhh-nghe-an/thong-tin/",
        {
            "head_name": "Nguyễn Văn A",
            "head_title": "Chủ tịch",
            "address": "Vinh",
            "phone": "",
            "email": "",
            "website": "",
        },
    )
    assert response.status_code == 302
    assert Organization.objects.get(code="lhh-nghe-an").head_name == "Nguyễn Văn A"


@pytest.mark.django_db
def test_the_admin_site_is_closed_to_everyone_but_system_administrators(client_for: Any, staff: Any) -> None:
    assert client_for(staff).get("/quan-tri/").status_code == 302
    from thidua.accounts.models import User

    assert client_for(User.objects.get(username="quantri")).get("/quan-tri/").status_code == 200


# A delegate's phone: no account, only the one-time code of a card, entered on the voting page. Whatever it
# opens afterwards, it must get no further than an anonymous visitor.
@pytest.fixture
def delegate_phone() -> Any:
    import datetime
    from zoneinfo import ZoneInfo

    from django.test import Client

    from thidua.accounts.models import User
    from thidua.conferences import services as conferences
    from thidua.years.models import EmulationYear

    secretariat = User.objects.get(username=QUANG_TRI)
    conference = conferences.create_conference(
        actor=secretariat,
        emulation_year=EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026),
        values={
            "title": "Hội nghị tổng kết năm 2026",
            "starts_at": datetime.datetime(2026, 12, 22, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
            "place": "Đông Hà",
            "host": Organization.objects.get(code="lhh-quang-tri"),
        },
    )
    conferences.add_delegate(
        actor=secretariat,
        conference=conference,
        organization=Organization.objects.get(code="lhh-nghe-an"),
        full_name="Đại biểu Nghệ An",
        votes=True,
    )
    code = conferences.issue_codes(actor=secretariat, conference=conference)[0].code
    phone = Client()
    entered = phone.post(f"/bo-phieu/{conference.pk}/", {"code": code, "step": "list"})
    assert entered.status_code == 200 and "Đại biểu Nghệ An" in entered.content.decode()
    return phone


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(GET_MATRIX))
def test_a_delegates_phone_that_entered_its_code_reaches_no_more_than_an_anonymous_visitor(
    name: str, delegate_phone: Any
) -> None:
    path_of, expected = GET_MATRIX[name]
    assert delegate_phone.get(path_of()).status_code == expected[ANON], f"delegate GET {path_of()}"
