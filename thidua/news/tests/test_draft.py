"""'Soạn tin': the article written from the replayed 08/12/2023 conference of Cụm 4."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.conferences.models import Conference
from thidua.news import services
from thidua.news.drafting import draft_text, join_vietnamese
from thidua.news.models import ArticlePage
from thidua.news.tests.helpers import HOST, SEED_PATH, category, home

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference_2023(db: Any) -> Conference:
    return Conference.objects.select_related("emulation_year__group__parent", "host").get(
        emulation_year__year=2023
    )


def _url(conference: Conference) -> str:
    return f"/nam-thi-dua/vusta-cum-4/2023/hoi-nghi/{conference.pk}/soan-tin/"


def test_the_lead_gives_the_day_and_the_clusters_full_name(conference_2023: Conference) -> None:
    text = draft_text(conference_2023)
    assert text.lead.startswith("Sáng ngày 08/12/2023, tại ")
    assert "Cụm thi đua số 4 của Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam" in text.lead
    assert text.title == (
        "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2023 của Cụm thi đua số 4 "
        "Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam"
    )


def test_the_attendees_are_named_as_they_were_that_day(conference_2023: Conference) -> None:
    attendance = draft_text(conference_2023).paragraphs[0]
    assert (
        "của 7 đơn vị thành viên trong Cụm gồm: Liên hiệp hội tỉnh Ninh Bình, Liên hiệp hội tỉnh Thanh Hóa"
        in attendance
    )
    # Quảng Bình still existed and Huế was still a province on 08/12/2023.
    assert "Liên hiệp hội tỉnh Quảng Trị và Liên hiệp hội tỉnh Thừa Thiên Huế." in attendance
    assert "thành phố Huế" not in attendance
    assert "Liên hiệp hội tỉnh Quảng Bình" in attendance


def test_the_draft_tells_the_years_work_the_discussion_the_awards_the_election_and_the_agreement(
    conference_2023: Conference,
) -> None:
    body = " ".join(draft_text(conference_2023).paragraphs)
    assert "các mặt công tác chính như: xây dựng và phát triển tổ chức; giáo dục chính trị tư tưởng;" in body
    assert "Điểm thưởng" not in body and "điểm trừ" not in body
    assert "Tại Hội nghị, các đại biểu thảo luận các vấn đề về hoạt động của Liên hiệp Hội" in body
    assert (
        "suy tôn Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình với 6/7 phiếu tán thành (85,71%) "
        "là đơn vị dẫn đầu phong trào thi đua của Cụm thi đua số 4 năm 2023, đề nghị Liên hiệp Hội Việt Nam "
        "tặng Cờ thi đua của Liên hiệp Hội Việt Nam."
    ) in body
    assert (
        "Hội nghị đã bầu Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Nghệ An làm Cụm trưởng và Liên hiệp "
        "các Hội Khoa học và Kỹ thuật tỉnh Hà Tĩnh làm Cụm phó Cụm thi đua số 4 năm 2024."
    ) in body
    assert "thông qua giao ước thi đua năm 2024 và 7 đơn vị thành viên đã ký kết giao ước" in body


def test_the_draft_is_prose_not_a_list_of_fields(conference_2023: Conference) -> None:
    text = draft_text(conference_2023)
    for paragraph in [text.lead, *text.paragraphs]:
        assert paragraph[0].isupper() and paragraph.endswith(".")
        assert "\n" not in paragraph
        # No "Field: value" lines: every paragraph is made of full sentences of some length.
        assert not re.match(r"^[^ ]+( [^ ]+)?: ", paragraph)
        assert len(paragraph.split()) >= 12


@pytest.mark.parametrize(
    ("items", "sentence"),
    [([], ""), (["A"], "A"), (["A", "B"], "A và B"), (["A", "B", "C"], "A, B và C")],
)
def test_lists_in_a_sentence_end_with_va(items: list[str], sentence: str) -> None:
    assert join_vietnamese(items) == sentence


def test_the_draft_is_an_unpublished_article_in_the_hosts_news_category_with_an_audit_event(
    conference_2023: Conference, officer_ninh_binh: Any
) -> None:
    article = services.draft_article(actor=officer_ninh_binh, conference=conference_2023)
    assert not article.live
    assert article.get_parent().specific == category()
    assert article.source_conference == conference_2023
    assert article.get_latest_revision() is not None
    assert article.lead.startswith("Sáng ngày 08/12/2023")
    assert [block.block_type for block in article.body] == ["paragraph"] * len(
        draft_text(conference_2023).paragraphs
    )
    event = AuditEvent.objects.filter(verb="news.draft_from_conference").get()
    assert event.target_id == str(article.pk)
    assert event.actor == officer_ninh_binh


def test_asking_twice_gives_the_same_draft(conference_2023: Conference, officer_ninh_binh: Any) -> None:
    first = services.draft_article(actor=officer_ninh_binh, conference=conference_2023)
    second = services.draft_article(actor=officer_ninh_binh, conference=conference_2023)
    assert first.pk == second.pk
    assert ArticlePage.objects.filter(source_conference=conference_2023).count() == 1


@pytest.mark.parametrize("username", ["ninhbinh", "vusta", "bientap"])
def test_the_secretariat_the_parent_body_and_the_hosts_editor_may_draft(
    conference_2023: Conference, username: str
) -> None:
    from thidua.accounts.models import User

    article = services.draft_article(actor=User.objects.get(username=username), conference=conference_2023)
    assert article.pk


@pytest.mark.parametrize("username", ["nghean", "quangtri"])
def test_other_members_officers_may_not_draft(conference_2023: Conference, username: str) -> None:
    from thidua.accounts.models import User

    with pytest.raises(PermissionDenied):
        services.draft_article(actor=User.objects.get(username=username), conference=conference_2023)
    assert not ArticlePage.objects.filter(source_conference=conference_2023).exists()


def test_a_conference_not_yet_closed_gets_no_draft(conference_2023: Conference, staff: Any) -> None:
    conference_2023.closed_at = None
    conference_2023.save(update_fields=["closed_at"])
    with pytest.raises(ValidationError):
        services.draft_article(actor=staff, conference=conference_2023)


def test_the_button_sends_the_editor_to_the_draft_in_the_news_admin(
    conference_2023: Conference, client_for: Any, editor: Any
) -> None:
    response = client_for(editor).post(_url(conference_2023))
    article = ArticlePage.objects.get(source_conference=conference_2023)
    assert response.status_code == 302
    assert response["Location"] == f"/quan-tri-tin/pages/{article.pk}/edit/"
    assert client_for(editor).get(response["Location"]).status_code == 200


def test_the_button_brings_the_secretariat_back_to_the_conference(
    conference_2023: Conference, client_for: Any, officer_ninh_binh: Any
) -> None:
    page = client_for(officer_ninh_binh).get(f"/nam-thi-dua/vusta-cum-4/2023/hoi-nghi/{conference_2023.pk}/")
    assert "Soạn tin" in page.content.decode()
    response = client_for(officer_ninh_binh).post(_url(conference_2023))
    assert response.status_code == 302
    assert response["Location"] == f"/nam-thi-dua/vusta-cum-4/2023/hoi-nghi/{conference_2023.pk}/"


def test_other_members_see_no_button_and_are_refused(
    conference_2023: Conference, client_for: Any, officer_nghe_an: Any
) -> None:
    page = client_for(officer_nghe_an).get(f"/nam-thi-dua/vusta-cum-4/2023/hoi-nghi/{conference_2023.pk}/")
    assert "Soạn tin" not in page.content.decode()
    assert client_for(officer_nghe_an).post(_url(conference_2023)).status_code == 403
    assert client_for(None).post(_url(conference_2023)).status_code == 302
    assert client_for(officer_nghe_an).get(_url(conference_2023)).status_code == 405


def test_once_published_the_draft_appears_in_other_news_under_the_seed_article(
    conference_2023: Conference, client: Any, editor: Any
) -> None:
    article = services.draft_article(actor=editor, conference=conference_2023)
    # Through the workflow: the editor submits, Ninh Bình's manager approves, which publishes it.
    services.moderation_workflow(home()).start(article, editor)  # type: ignore[union-attr]
    task_state = article.current_workflow_state.current_task_state  # type: ignore[union-attr]
    task_state.approve(user=User.objects.get(username="duyettin"))
    html = client.get(SEED_PATH, HTTP_HOST=HOST).content.decode()
    other = html.split("Các tin khác", 1)[1]
    assert "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2023 của Cụm thi đua số 4" in other
    found = client.get("/tim-kiem/?q=suy+ton", HTTP_HOST=HOST).content.decode()
    assert "1 kết quả" in found


def test_the_hosts_editor_sees_the_ended_conference_for_its_soan_tin_and_nothing_else(
    conference_2023: Conference, client_for: Any, editor: Any
) -> None:
    page = client_for(editor).get(f"/nam-thi-dua/vusta-cum-4/2023/hoi-nghi/{conference_2023.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Soạn tin" in html and "Trang tin Liên hiệp hội tỉnh Ninh Bình" in html
    assert "Đại biểu (" not in html and "Các cuộc bỏ phiếu" not in html and "Kết thúc hội nghị" not in html
    conference_2023.closed_at = None
    conference_2023.save(update_fields=["closed_at"])
    assert (
        client_for(editor).get(f"/nam-thi-dua/vusta-cum-4/2023/hoi-nghi/{conference_2023.pk}/").status_code
        == 403
    )


def test_the_demo_gives_every_cluster_4_member_a_news_site_and_loading_again_adds_none() -> None:
    from thidua.news.demo import load_news_demo
    from thidua.news.models import HomePage
    from thidua.organizations.demo import CLUSTER_4_NEW

    codes = {p.code for p in CLUSTER_4_NEW}
    with_site = set(HomePage.objects.values_list("organization__code", flat=True))
    assert codes <= with_site
    homes = HomePage.objects.count()
    load_news_demo()
    assert HomePage.objects.count() == homes


@pytest.fixture
def quang_tri_without_site(db: Any) -> Conference:
    """The 2023 conference as if Quảng Trị, which has no news site here, had hosted it."""
    from thidua.news.models import HomePage
    from thidua.organizations.models import Organization

    HomePage.objects.get(organization__code="lhh-quang-tri").delete()
    conference = Conference.objects.select_related("emulation_year__group__parent", "host").get(
        emulation_year__year=2023
    )
    conference.host = Organization.objects.get(code="lhh-quang-tri")
    conference.save(update_fields=["host"])
    return conference


def test_where_the_host_has_no_site_the_secretariat_picks_one_of_the_members_or_the_parent_body(
    quang_tri_without_site: Conference, client_for: Any, officer_ninh_binh: Any
) -> None:
    from thidua.accounts.models import Role, RoleKind
    from thidua.news.models import HomePage

    conference = quang_tri_without_site
    nghe_an = HomePage.objects.get(organization__code="lhh-nghe-an")
    editor = User.objects.create_user(username="bientap-nghean", password="x")
    Role.objects.create(user=editor, kind=RoleKind.EDITOR, organization=nghe_an.organization)
    html = (
        client_for(officer_ninh_binh)
        .get(f"/nam-thi-dua/vusta-cum-4/2023/hoi-nghi/{conference.pk}/")
        .content.decode()
    )
    assert 'name="trang_tin"' in html
    select = html.split('name="trang_tin"', 1)[1].split("</select>", 1)[0]
    offered = set(re.findall(r'<option value="(\d+)">', select))
    expected = {str(pk) for pk in services.sites_to_choose(conference).values_list("pk", flat=True)}
    # The members' sites that someone edits: Ninh Bình's and now Nghệ An's (a draft elsewhere would wait
    # for nobody).
    assert offered == expected and len(offered) == 2
    with pytest.raises(ValidationError, match="hãy chọn trang tin"):
        services.draft_article(actor=officer_ninh_binh, conference=conference)
    response = client_for(officer_ninh_binh).post(_url(conference), {"trang_tin": nghe_an.pk})
    assert response.status_code == 302
    article = ArticlePage.objects.get(source_conference=conference)
    assert article.get_parent().get_parent().specific == nghe_an
    assert AuditEvent.objects.get(verb="news.draft_from_conference").data["site"] == nghe_an.pk


def test_a_site_outside_the_cluster_and_its_parent_body_is_refused(
    quang_tri_without_site: Conference, officer_ninh_binh: Any
) -> None:
    from thidua.organizations.models import Organization

    outsider = services.open_news_site(
        actor=User.objects.get(username="quantri"), organization=Organization.objects.get(code="lhh-can-tho")
    )
    with pytest.raises(ValidationError, match="không phải trang tin của đơn vị thành viên"):
        services.draft_article(actor=officer_ninh_binh, conference=quang_tri_without_site, site=outsider)
    assert not ArticlePage.objects.filter(source_conference=quang_tri_without_site).exists()


def test_the_parent_bodys_staff_may_pick_the_site_and_an_editor_may_not(
    quang_tri_without_site: Conference, staff: Any, editor: Any
) -> None:
    from thidua.news.models import HomePage

    ninh_binh = HomePage.objects.get(organization__code="lhh-ninh-binh")
    with pytest.raises(PermissionDenied):  # Ninh Bình's editor is no editor of the host
        services.draft_article(actor=editor, conference=quang_tri_without_site, site=ninh_binh)
    article = services.draft_article(actor=staff, conference=quang_tri_without_site, site=ninh_binh)
    assert article.get_parent().specific == category()


def test_the_drafts_address_is_its_title_without_marks_short_enough_to_share(
    conference_2023: Conference, officer_ninh_binh: Any
) -> None:
    # Wagtail kept the Vietnamese letters: copied from the browser, about 400 characters of escapes.
    article = services.draft_article(actor=officer_ninh_binh, conference=conference_2023)
    assert article.slug.isascii() and len(article.slug) <= 80, article.slug
    assert article.slug.startswith("hoi-nghi-tong-ket-cong-tac-thi-dua-khen-thuong")
    assert article.url is not None and "%" not in article.url


def test_a_host_site_nobody_edits_counts_as_none_and_the_page_then_says_where_the_draft_waits(
    conference_2023: Conference, client_for: Any, officer_ninh_binh: Any
) -> None:
    # The demo's 2026 host, Quảng Trị, has a site but no editor: its draft reached nobody's to-do.
    from thidua.news.models import HomePage
    from thidua.organizations.models import Organization

    conference_2023.host = Organization.objects.get(code="lhh-quang-tri")
    conference_2023.save(update_fields=["host"])
    assert HomePage.objects.filter(organization__code="lhh-quang-tri").exists()
    assert services.host_site(conference_2023) is None
    offered = {site.organization.code for site in services.sites_to_choose(conference_2023)}
    assert offered == {"lhh-ninh-binh"}
    page = f"/nam-thi-dua/vusta-cum-4/2023/hoi-nghi/{conference_2023.pk}/"
    client = client_for(officer_ninh_binh)
    site = HomePage.objects.get(organization__code="lhh-ninh-binh")
    assert client.post(_url(conference_2023), {"trang_tin": site.pk}).status_code == 302
    html = client.get(page).content.decode()
    assert 'id="tin-da-soan"' in html and f"trên trang tin «{site.title}»" in html
    assert "chờ biên tập viên" in html and 'name="trang_tin"' not in html
