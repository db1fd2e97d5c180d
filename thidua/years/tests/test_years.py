"""The year as one flow: its stage moves by one service, next year is opened by this year's head, and
every role finds what waits for it on its home page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from thidua.accounts.models import User
from thidua.agreements import services as agreements
from thidua.agreements.models import AgreementStatus
from thidua.audit.models import AuditEvent
from thidua.organizations.models import Membership
from thidua.years import services
from thidua.years.models import EmulationYear, YearStage
from thidua.years.selectors import year_stages
from thidua.years.todos import todos_for


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.mark.django_db
def test_the_2026_head_opens_2027_with_the_members_carried_over(cluster4: Any) -> None:
    year = services.open_year(actor=_user("quangtri"), group=cluster4, year=2027)
    members = set(
        Membership.objects.filter(group=cluster4, year=2027).values_list("organization__code", flat=True)
    )
    assert members == set(
        Membership.objects.filter(group=cluster4, year=2026).values_list("organization__code", flat=True)
    )
    assert len(members) == 6
    assert year.stage == YearStage.DRAFTING
    assert AuditEvent.objects.filter(verb="year.open").exists()


@pytest.mark.django_db
def test_opening_a_year_twice_is_refused_with_a_vietnamese_reason(cluster4: Any) -> None:
    services.open_year(actor=_user("quangtri"), group=cluster4, year=2027)
    with pytest.raises(ValidationError, match="đã có năm thi đua 2027"):
        services.open_year(actor=_user("vusta"), group=cluster4, year=2027)
    assert EmulationYear.objects.filter(group=cluster4, year=2027).count() == 1


@pytest.mark.django_db
def test_an_ordinary_member_cannot_open_next_year(cluster4: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.open_year(actor=_user("thanhhoa"), group=cluster4, year=2027)
    assert not EmulationYear.objects.filter(group=cluster4, year=2027).exists()


@pytest.mark.django_db
def test_a_merged_member_is_replaced_by_its_successor_when_members_carry_over(
    cluster4: Any, staff: User
) -> None:
    # 2024's seven members include Quảng Bình, merged into Quảng Trị on 01/07/2025: a list carried from
    # 2024 into 2026 holds Quảng Trị once and never Quảng Bình.
    from thidua.organizations.services import copy_memberships

    Membership.objects.filter(group=cluster4, year=2026).delete()
    copy_memberships(actor=staff, group=cluster4, from_year=2024, to_year=2026)
    codes = list(
        Membership.objects.filter(group=cluster4, year=2026).values_list("organization__code", flat=True)
    )
    assert "lhh-quang-binh" not in codes and codes.count("lhh-quang-tri") == 1
    assert len(codes) == 6


@pytest.mark.django_db
def test_the_membership_form_never_offers_an_organization_merged_away(cluster4: Any, staff: User) -> None:
    client = Client()
    client.force_login(staff)
    page = client.get(f"/cum-khoi/{cluster4.slug}/nam/2027/").content.decode()
    assert "Quảng Bình" not in page and "Hà Nam" not in page and "Nam Định" not in page


@pytest.mark.django_db
def test_next_years_agreement_is_copied_with_its_years_moved_on_and_binds_from_1_january(
    cluster4: Any,
) -> None:
    head = _user("quangtri")
    year = services.open_year(actor=head, group=cluster4, year=2027)
    agreement = agreements.copy_previous_agreement(actor=head, emulation_year=year)
    assert "2026" not in agreement.goals and "2027" in agreement.goals
    agreements.open_for_signing(actor=head, agreement=agreement)
    year.refresh_from_db()
    assert year.stage == YearStage.SIGNING
    for organization in agreements.members_of(year):
        officer = User.objects.filter(roles__organization=organization, roles__kind="officer").first()
        agreements.sign(
            actor=officer,
            agreement=agreement,
            organization=organization,
            signer_name="Chủ tịch",
            signer_title="Chủ tịch",
        )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE
    assert agreement.in_force_at is not None
    assert timezone.localtime(agreement.in_force_at).date() == datetime.date(2027, 1, 1)
    year.refresh_from_db()
    # 2027 has not begun: the year waits at "in force", its self-scoring not open yet.
    assert year.stage == YearStage.IN_FORCE
    current = next(row for row in year_stages(emulation_year=year) if row.state == "current")
    assert current.gate is not None and "Năm 2027 chưa bắt đầu." in current.gate.missing


@pytest.mark.django_db
def test_the_year_selector_lists_every_open_year(cluster4: Any) -> None:
    services.open_year(actor=_user("quangtri"), group=cluster4, year=2027)
    page = Client().get(f"/cum-khoi/{cluster4.slug}/").content.decode()
    assert "?nam=2027" in page


@pytest.mark.django_db
def test_the_stage_service_says_what_is_missing_and_who_must_act(cluster4: Any) -> None:
    year = EmulationYear.objects.get(group=cluster4, year=2026)
    report = services.advance_year(actor=_user("quangtri"), emulation_year=year)
    assert report.stage == YearStage.SELF_SCORING and not report.moved
    assert report.gate is not None
    assert any("chưa nộp bản tự chấm" in m for m in report.gate.missing)
    assert "Chưa phân công chấm chéo." in report.gate.missing
    assert "Thường trực cụm" in report.gate.who


@pytest.mark.django_db
def test_the_demo_2023_year_reached_closed_through_its_own_data(cluster4: Any) -> None:
    assert EmulationYear.objects.get(group=cluster4, year=2023).stage == YearStage.CLOSED
    assert EmulationYear.objects.get(group=cluster4, year=2024).stage == YearStage.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("ninhbinh", "Tự chấm điểm — Cụm thi đua số 4 năm 2026"),
        ("quangtri", "Phân công chấm chéo — Cụm thi đua số 4 năm 2026 (thường trực cụm)"),
        ("duyettin", "Tin chờ duyệt: "),
    ],
)
def test_each_role_finds_its_work_on_its_home_page_one_click_away(
    cluster4: Any, username: str, expected: str
) -> None:
    user = _user(username)
    items = [t for t in todos_for(user) if t.text.startswith(expected)]
    assert items, [t.text for t in todos_for(user)]
    client = Client()
    client.force_login(user)
    home = client.get("/").content.decode()
    assert items[0].url in home
    assert client.get(items[0].url).status_code == 200


@pytest.mark.django_db
def test_nobody_is_asked_to_self_score_a_year_the_parent_body_archived(cluster4: Any) -> None:
    texts = [t.text for t in todos_for(_user("ninhbinh"))]
    assert not [t for t in texts if "2024" in t]


@pytest.mark.django_db
def test_parent_body_staff_and_news_people_get_a_shortcut_to_their_desk(cluster4: Any) -> None:
    for username, label in (("vusta", "Hồ sơ đề nghị khen thưởng gửi"), ("bientap", "Quản trị trang tin")):
        client = Client()
        client.force_login(_user(username))
        assert label in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_dossier_sent_to_the_parent_body_waits_on_its_staffs_home_page(cluster4: Any) -> None:
    from thidua.awards.models import Dossier, DossierStatus

    dossier = Dossier.objects.get(emulation_year__group=cluster4, emulation_year__year=2023)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.SUBMITTED, council_voted_at=None)
    texts = [t.text for t in todos_for(_user("vusta"))]
    assert any(t.startswith("Hồ sơ đến: Hội đồng bỏ phiếu") for t in texts)


@pytest.mark.django_db
def test_deadlines_page_and_stage_button_for_the_secretariat(cluster4: Any) -> None:
    client = Client()
    client.force_login(_user("quangtri"))
    page = client.get(f"/nam-thi-dua/{cluster4.slug}/2026/").content.decode()
    assert "Các giai đoạn của năm" in page and "Chưa phân công chấm chéo." in page
    response = client.post(f"/nam-thi-dua/{cluster4.slug}/2026/chuyen-giai-doan/", follow=True)
    assert "Chưa chuyển được khỏi giai đoạn Tự chấm điểm" in response.content.decode()
    url = f"/nam-thi-dua/{cluster4.slug}/2026/chuyen-giai-doan/"
    for username, status in (("thanhhoa", 403), ("bientap", 403), ("vusta", 302), ("quangtri", 302)):
        client.force_login(_user(username))
        assert client.post(url).status_code == status, username
    assert client.get(url).status_code == 405
    client.logout()
    assert client.post(url)["Location"].startswith("/tai-khoan/dang-nhap/")


@pytest.mark.django_db
def test_the_head_is_asked_to_end_its_conference_and_lands_on_the_closing_form(cluster4: Any) -> None:
    from thidua.conferences.models import Conference

    year = EmulationYear.objects.get(group=cluster4, year=2023)
    EmulationYear.objects.filter(pk=year.pk).update(stage=YearStage.CONFERENCE)
    Conference.objects.filter(emulation_year=year).update(closed_at=None)
    head = _user("ninhbinh")  # Ninh Bình headed Cụm 4 in 2023
    items = [t for t in todos_for(head) if t.key.startswith("close-conference:")]
    assert len(items) == 1 and items[0].url.endswith("#ket-thuc")
    client = Client()
    client.force_login(head)
    assert 'id="ket-thuc"' in client.get(items[0].url).content.decode()
    assert not [t for t in todos_for(_user("nghean")) if t.key.startswith("close-conference:")]


@pytest.mark.django_db
def test_the_hosts_editor_is_asked_for_an_article_about_an_ended_conference(cluster4: Any) -> None:
    from thidua.news.models import ArticlePage

    # The 2023 year reopened at its dossier: its conference has ended and has no article of thidua's.
    EmulationYear.objects.filter(group=cluster4, year=2023).update(stage=YearStage.DOSSIER)
    assert not ArticlePage.objects.filter(source_conference__emulation_year__group=cluster4).exists()
    editor = _user("bientap")
    items = [t for t in todos_for(editor) if t.key.startswith("news-conference:")]
    assert len(items) == 1 and items[0].url.endswith("#soan-tin")
    client = Client()
    client.force_login(editor)
    assert "Soạn tin" in client.get(items[0].url).content.decode()


@pytest.mark.django_db
def test_a_to_do_link_of_another_organization_is_refused_in_vietnamese_and_writes_nothing(
    cluster4: Any,
) -> None:
    from thidua.assessments.models import Assessment

    # Thanh Hóa has not started its 2026 sheet: its to-do link, followed by Ninh Bình's officer.
    link = next(t.url for t in todos_for(_user("thanhhoa")) if t.key.startswith("self-score:"))
    before = Assessment.objects.count(), AuditEvent.objects.count()
    client = Client()
    client.force_login(_user("ninhbinh"))
    response = client.get(link)
    assert response.status_code == 403
    assert "quyền" in response.content.decode() or "đơn vị mình" in response.content.decode()
    assert (Assessment.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_ending_the_conference_moves_the_year_past_its_conference_stage(cluster4: Any) -> None:
    from thidua.awards.models import Dossier, DossierStatus
    from thidua.conferences.models import Conference
    from thidua.conferences.services import close_conference

    year = EmulationYear.objects.get(group=cluster4, year=2023)
    EmulationYear.objects.filter(pk=year.pk).update(stage=YearStage.CONFERENCE)
    Dossier.objects.filter(emulation_year=year).update(status=DossierStatus.DRAFT, submitted_at=None)
    conference = Conference.objects.get(emulation_year=year)
    Conference.objects.filter(pk=conference.pk).update(closed_at=None)
    conference.refresh_from_db()
    close_conference(actor=_user("ninhbinh"), conference=conference)
    year.refresh_from_db()
    assert year.stage == YearStage.DOSSIER
    assert AuditEvent.objects.filter(verb="year.stage", data__to="dossier").exists()


@pytest.mark.django_db
def test_the_head_elected_for_next_year_is_asked_to_open_it_on_the_right_year(cluster4: Any) -> None:
    from thidua.organizations.models import Leadership, Organization

    Leadership.objects.create(
        group=cluster4, year=2027, role="head", organization=Organization.objects.get(code="lhh-hue")
    )
    head = _user("hue")
    items = [t for t in todos_for(head) if t.key.startswith("open-year:")]
    assert [t.text for t in items] == ["Mở năm thi đua 2027 — Cụm thi đua số 4"]
    client = Client()
    client.force_login(head)
    page = client.get(items[0].url)
    assert page.status_code == 200 and 'value="2027"' in page.content.decode()
    services.open_year(actor=head, group=cluster4, year=2027)
    assert not [t for t in todos_for(head) if t.key.startswith("open-year:")]


@pytest.mark.django_db
def test_after_the_conference_the_head_is_asked_to_issue_its_documents(cluster4: Any) -> None:
    from thidua.documents.models import Document, DocumentType

    year = EmulationYear.objects.get(group=cluster4, year=2023)
    EmulationYear.objects.filter(pk=year.pk).update(stage=YearStage.DOSSIER)
    Document.objects.filter(issuer_group=cluster4, doc_type=DocumentType.PROPOSAL).update(status="discarded")
    head = _user("ninhbinh")
    items = [t for t in todos_for(head) if t.key.startswith("issue-documents:")]
    assert len(items) == 1
    client = Client()
    client.force_login(head)
    assert client.get(items[0].url).status_code == 200


@pytest.mark.django_db
def test_a_nominee_is_sent_to_the_dossier_page_to_upload_its_achievement_report(cluster4: Any) -> None:
    from thidua.awards.models import AchievementReport, Dossier, DossierStatus

    dossier = Dossier.objects.get(emulation_year__group=cluster4, emulation_year__year=2023)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.DRAFT, submitted_at=None)
    AchievementReport.objects.filter(dossier=dossier).delete()
    nominee = dossier.proposals.select_related("organization").first()
    assert nominee is not None
    officer = User.objects.filter(roles__organization=nominee.organization, roles__kind="officer").first()
    items = [t for t in todos_for(officer) if t.key.startswith("report:")]
    assert len(items) == 1 and items[0].url.endswith("#bao-cao-thanh-tich")
    client = Client()
    client.force_login(officer)
    assert 'id="bao-cao-thanh-tich"' in client.get(items[0].url).content.decode()


@pytest.mark.django_db
def test_the_hourly_sweep_moves_a_year_whose_first_of_january_has_come(cluster4: Any) -> None:
    from thidua.years.tasks import advance_years

    EmulationYear.objects.filter(group=cluster4, year=2026).update(stage=YearStage.IN_FORCE)
    assert advance_years.call() == {"moved": 1}
    assert EmulationYear.objects.get(group=cluster4, year=2026).stage == YearStage.SELF_SCORING
    assert advance_years.call() == {"moved": 0}


@pytest.mark.django_db
def test_opening_next_year_suggests_last_years_deadlines_a_year_later_with_the_year_first(
    cluster4: Any,
) -> None:
    import re

    from thidua.years.rules import moved_on

    this = EmulationYear.objects.get(group=cluster4, year=2026)
    EmulationYear.objects.filter(pk=this.pk).update(
        signing_due=datetime.date(2026, 1, 31), conference_date=datetime.date(2026, 12, 22), reminder_days=5
    )
    client = Client()
    client.force_login(User.objects.get(username="quangtri"))  # head of Cụm 4 in 2026
    page = client.get("/cum-khoi/vusta-cum-4/mo-nam-thi-dua/?nam=2027").content.decode()
    assert 'name="signing_due" value="2027-01-31"' in page
    assert 'name="conference_date" value="2027-12-22"' in page
    assert re.search(r'name="reminder_days"[^>]*value="5"', page)
    assert page.index('name="year"') < page.index('name="signing_due"')
    assert moved_on(datetime.date(2024, 2, 29), 1) == datetime.date(2025, 2, 28)
