"""The registry as users see it: the demo's facts, the services' refusals, the query budget."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thidua.audit.models import AuditEvent
from thidua.lib.text import fold
from thidua.organizations import services
from thidua.organizations.models import Leadership, Membership, Organization, Regulation

MEMBER_LINK = re.compile(r'<td><a href="/don-vi/[^"]+">([^<]+)</a>')


def _member_names(client: Any, year: int) -> list[str]:
    response = client.get(f"/cum-khoi/vusta-cum-4/?nam={year}")
    assert response.status_code == 200
    return MEMBER_LINK.findall(response.content.decode())


@pytest.mark.django_db
def test_cluster_4_had_seven_members_in_2023_with_thua_thien_hue(client_for: Any) -> None:
    names = _member_names(client_for(None), 2023)
    assert len(names) == 7
    assert "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Thừa Thiên Huế" in names
    assert "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Quảng Bình" in names


@pytest.mark.django_db
def test_cluster_4_has_six_members_in_2026_with_hue_and_without_quang_binh(client_for: Any) -> None:
    names = _member_names(client_for(None), 2026)
    assert len(names) == 6
    assert "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Huế" in names
    assert not any("Quảng Bình" in n for n in names)


@pytest.mark.django_db
def test_the_cluster_page_names_the_head_and_deputy_of_the_year_and_labels_demo_figures(
    client_for: Any,
) -> None:
    page = client_for(None).get("/cum-khoi/vusta-cum-4/?nam=2023").content.decode()
    assert "Cụm trưởng" in page and "Cụm phó" in page
    assert "Dữ liệu minh họa" in page


@pytest.mark.django_db
def test_quang_binh_page_shows_its_merger_into_quang_tri(client_for: Any) -> None:
    page = client_for(None).get("/don-vi/lhh-quang-binh/").content.decode()
    assert "Đã sáp nhập vào" in page
    assert "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Quảng Trị" in page
    assert "01/07/2025" in page


@pytest.mark.django_db
def test_ninh_binh_page_lists_the_unions_it_absorbed_and_its_years_as_head(client_for: Any) -> None:
    page = client_for(None).get("/don-vi/lhh-ninh-binh/").content.decode()
    assert "Hà Nam" in page and "Nam Định" in page
    assert "Cụm trưởng" in page


@pytest.mark.django_db
def test_searching_without_diacritics_finds_organizations_by_any_of_their_names(client_for: Any) -> None:
    page = client_for(None).get("/don-vi/", {"q": "thua thien"}).content.decode()
    assert "thành phố Huế" in page  # found through its former name
    page = client_for(None).get("/don-vi/", {"q": "ĐỒNG THÁP"}).content.decode()
    assert "tỉnh Đồng Tháp" in page


@pytest.mark.django_db
def test_the_cluster_page_runs_the_same_number_of_queries_for_seven_or_seventy_members(
    client_for: Any, staff: Any, cluster4: Any, cold_queries: Any
) -> None:
    client = client_for(staff)
    client.get("/cum-khoi/")  # the browser's first visit sets its CSRF cookie; both measured visits carry it
    with cold_queries() as small:
        client.get("/cum-khoi/vusta-cum-4/?nam=2024")
    vusta = cluster4.parent
    for index in range(63):
        organization = services.create_organization(
            actor=staff, code=f"test-{index}", kind="other", parent=vusta, name=f"Đơn vị thử {index}",
            valid_from=datetime.date(2000, 1, 1),
        )  # fmt: skip
        services.rename_organization(
            actor=staff,
            organization=organization,
            name=f"Đơn vị mới {index}",
            valid_from=datetime.date(2020, 1, 1),
        )
        Membership.objects.create(group=cluster4, organization=organization, year=2024)
    with cold_queries() as large:
        response = client.get("/cum-khoi/vusta-cum-4/?nam=2024")
    assert len(MEMBER_LINK.findall(response.content.decode())) == 70
    assert len(large) == len(small)


@pytest.mark.django_db
def test_an_officer_cannot_add_a_membership_even_by_calling_the_service(
    officer_nghe_an: Any, cluster4: Any, org: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.add_membership(actor=officer_nghe_an, group=cluster4, organization=org("nghe-an"), year=2027)


@pytest.mark.django_db
def test_an_organization_cannot_join_two_clusters_in_the_same_year(staff: Any, org: Any) -> None:
    from thidua.organizations.models import EmulationGroup

    cluster6 = EmulationGroup.objects.get(slug="vusta-cum-6")
    with pytest.raises(ValidationError, match="đã là thành viên Cụm thi đua số 4 năm 2023"):
        services.add_membership(actor=staff, group=cluster6, organization=org("nghe-an"), year=2023)


@pytest.mark.django_db
def test_a_merged_organization_cannot_be_a_member_after_its_merger(
    staff: Any, org: Any, cluster4: Any
) -> None:
    with pytest.raises(ValidationError, match="thôi hoạt động"):
        services.add_membership(actor=staff, group=cluster4, organization=org("quang-binh"), year=2026)


@pytest.mark.django_db
def test_the_head_must_be_a_member_that_year_and_cannot_also_be_deputy(
    staff: Any, org: Any, cluster4: Any
) -> None:
    with pytest.raises(ValidationError, match="không phải thành viên"):
        services.set_leadership(
            actor=staff, group=cluster4, year=2026, role="head", organization=org("quang-binh")
        )
    with pytest.raises(ValidationError, match="đã là Cụm phó"):
        services.set_leadership(actor=staff, group=cluster4, year=2026, role="head", organization=org("hue"))


@pytest.mark.django_db
def test_secretariat_rights_follow_the_head_of_the_year(
    staff: Any, org: Any, cluster4: Any, officer_ninh_binh: Any, officer_nghe_an: Any
) -> None:
    from thidua.accounts.models import User
    from thidua.accounts.permissions import is_secretariat

    assert is_secretariat(officer_ninh_binh, cluster4, 2023)
    assert not is_secretariat(officer_nghe_an, cluster4, 2023)
    Leadership.objects.filter(group=cluster4, year=2023).delete()
    services.set_leadership(actor=staff, group=cluster4, year=2023, role="head", organization=org("nghe-an"))
    # Fresh user objects: the role cache lives for one request.
    assert is_secretariat(User.objects.get(pk=officer_nghe_an.pk), cluster4, 2023)
    assert not is_secretariat(User.objects.get(pk=officer_ninh_binh.pk), cluster4, 2023)


@pytest.mark.django_db
def test_every_registry_change_writes_an_audit_event_with_before_and_after(
    staff: Any, cluster4: Any, org: Any
) -> None:
    before = AuditEvent.objects.count()
    services.set_leadership(
        actor=staff, group=cluster4, year=2026, role="deputy", organization=org("ha-tinh")
    )
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None and event.verb == "leadership.set" and event.group_id == cluster4.pk
    assert event.data["before"] == "lhh-hue" and event.data["after"] == "lhh-ha-tinh"
    assert event.actor_id == staff.pk


@pytest.mark.django_db
def test_a_renamed_organization_keeps_its_old_name_for_old_years(staff: Any, org: Any) -> None:
    nghe_an = org("nghe-an")
    services.rename_organization(
        actor=staff,
        organization=nghe_an,
        name="Liên hiệp hội Nghệ An mới",
        valid_from=datetime.date(2027, 1, 1),
    )
    nghe_an = Organization.objects.get(pk=nghe_an.pk)
    assert nghe_an.name_in_year(2026) == "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Nghệ An"
    assert nghe_an.name_in_year(2027) == "Liên hiệp hội Nghệ An mới"


@pytest.mark.django_db
def test_the_regulation_in_force_is_the_newest_version_started_by_that_year() -> None:
    vusta = Organization.objects.get(code="vusta")
    assert Regulation.objects.in_force(vusta, 2023).valid_from_year == 2022  # type: ignore[union-attr]
    assert Regulation.objects.in_force(vusta, 2030).valid_from_year == 2026  # type: ignore[union-attr]
    assert Regulation.objects.in_force(vusta, 2010) is None


@pytest.mark.django_db
def test_the_regulation_page_shows_every_rule_with_its_source(client_for: Any) -> None:
    regulation = Regulation.objects.get(parent__code="vusta", valid_from_year=2026)
    page = client_for(None).get(f"/quy-che/{regulation.pk}/").content.decode()
    assert "&gt; 1/2 (50%)" in page
    assert "NĐ 152/2025/NĐ-CP Điều 4 khoản 6" in page
    assert "Thông lệ [L]" in page


@pytest.mark.django_db
def test_staff_start_a_new_regulation_version_from_the_one_in_force(client_for: Any, staff: Any) -> None:
    client = client_for(staff)
    form = client.get("/cap-tren/vusta/quy-che/2028/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"threshold_numerator": 2, "threshold_denominator": 3, "threshold_inclusive": "on"})
    data.pop("self_vote_allowed", None)
    response = client.post("/cap-tren/vusta/quy-che/2028/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    new = Regulation.objects.get(parent__code="vusta", valid_from_year=2028)
    assert (new.threshold_numerator, new.threshold_denominator, new.threshold_inclusive) == (2, 3, True)
    assert new.self_vote_allowed is False
    assert new.seats == {"parent_flag": 1}
    # The 2026 version is untouched: years already run keep their rules.
    assert Regulation.objects.get(parent__code="vusta", valid_from_year=2026).threshold_numerator == 1


@pytest.mark.django_db
def test_a_regulation_with_an_unknown_tie_break_step_is_refused_with_the_line_named(
    client_for: Any, staff: Any
) -> None:
    client = client_for(staff)
    form = client.get("/cap-tren/vusta/quy-che/2028/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["tie_break_text"] = "final_score\nbốc thăm"
    response = client.post("/cap-tren/vusta/quy-che/2028/", data)
    assert response.status_code == 200
    assert "Dòng 2: không có bước xử lý «bốc thăm»." in response.content.decode()
    assert not Regulation.objects.filter(valid_from_year=2028).exists()


def test_the_regulation_s_tie_break_steps_are_the_ones_the_rule_applies_and_the_demo_keeps_the_default() -> (
    None
):
    # organizations sits above lib, so the steps are named twice: once for the form and the database,
    # once for the pure rule (thidua/lib/tiebreak.py). They must never drift apart.
    from thidua.lib import tiebreak
    from thidua.organizations.demo import REGULATION_VALUES
    from thidua.organizations.models import TieBreak

    assert [(s.name, s.value) for s in TieBreak] == [(s.name, s.value) for s in tiebreak.Step]
    # DOMAIN.md, Voting: "Default: higher final score → re-vote among the tied (round 2) → the
    # women-share rule → refer to the parent body".
    assert tuple(REGULATION_VALUES["tie_break_order"]) == tiebreak.DEFAULT_ORDER


@pytest.mark.django_db
def test_staff_add_a_member_and_set_the_head_through_the_year_page(
    client_for: Any, staff: Any, org: Any
) -> None:
    client = client_for(staff)
    path = "/cum-khoi/vusta-cum-4/nam/2027/"
    response = client.post(path, {"action": "copy", "c-from_year": "2026"})
    assert response.status_code == 302
    assert Membership.objects.filter(group__slug="vusta-cum-4", year=2027).count() == 6
    response = client.post(
        path, {"action": "lead", "l-role": "head", "l-organization": org("hue").pk, "l-source": "Biên bản"}
    )
    assert response.status_code == 302
    assert (
        Leadership.objects.get(group__slug="vusta-cum-4", year=2027, role="head").organization.code
        == "lhh-hue"
    )
    # Quảng Bình merged into Quảng Trị on 01/07/2025: never offered for 2027, and refused if posted.
    assert f'value="{org("quang-binh").pk}"' not in client.get(path).content.decode()
    response = client.post(path, {"action": "add", "m-organization": org("quang-binh").pk})
    assert response.status_code == 200
    assert "thôi hoạt động hoặc sáp nhập" in response.content.decode()
    assert not Membership.objects.filter(group__slug="vusta-cum-4", year=2027, organization=org("quang-binh"))


@pytest.mark.django_db
def test_decomposed_vietnamese_typed_into_a_form_is_stored_composed(client_for: Any, staff: Any) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Cụm Bắc Trung Bộ")
    response = client_for(staff).post("/cum-khoi/vusta-cum-4/sua/", {"nickname": decomposed, "notes": ""})
    assert response.status_code == 302
    from thidua.organizations.models import EmulationGroup

    assert EmulationGroup.objects.get(slug="vusta-cum-4").nickname == unicodedata.normalize("NFC", decomposed)


def _found(client: Any, query: str) -> list[str]:
    response = client.get("/don-vi/", {"q": query})
    assert response.status_code == 200
    return [
        fold(name)
        for name in re.findall(r'<a href="/don-vi/lhh-[^"/]+/">([^<]+)</a>', response.content.decode())
    ]


@pytest.mark.django_db
def test_an_organization_renamed_through_the_form_is_found_at_once_by_its_new_and_its_former_name(
    staff: Any, client_for: Any
) -> None:
    client = client_for(staff)
    response = client.post(
        "/don-vi/lhh-nghe-an/doi-ten/",
        {"name": "Liên hiệp các Hội Khoa học Đông Bắc Nghệ An", "valid_from": "2027-01-01"},
    )
    assert response.status_code == 302
    # Folded both ways: no diacritics typed, or the new name's own, or "Đ" as "d".
    for query in ["dong bac nghe an", "Đông Bắc", "khoa hoc ky thuat tinh nghe an"]:
        assert fold("Liên hiệp các Hội Khoa học Đông Bắc Nghệ An") in _found(client, query), query


@pytest.mark.django_db
def test_a_stale_regulation_save_is_refused_with_who_saved_and_when_and_a_second_save_overwrites(
    client_for: Any, staff: Any
) -> None:
    client = client_for(staff)
    regulation = Regulation.objects.get(parent__code="vusta", valid_from_year=2026)
    form = client.get("/cap-tren/vusta/quy-che/2026/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.pop("self_vote_allowed", None)
    assert data["version"] == regulation.version
    services.save_regulation(
        actor=staff,
        parent=regulation.parent,
        valid_from_year=2026,
        values={"title": "Quy chế sửa ở tab khác"},
        version=regulation.version,
    )
    refused = client.post("/cap-tren/vusta/quy-che/2026/", {**data, "title": "Quy chế của tôi"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Quy chế áp dụng từ năm 2026 đã được sửa bởi" in page and "Quy chế sửa ở tab khác" in page
    assert 'value="Quy chế của tôi"' in page
    assert Regulation.objects.get(pk=regulation.pk).title == "Quy chế sửa ở tab khác"
    overwrite = {**data, "title": "Quy chế của tôi", "version": regulation.version + 1}
    assert client.post("/cap-tren/vusta/quy-che/2026/", overwrite).status_code == 302
    saved = Regulation.objects.get(pk=regulation.pk)
    assert saved.title == "Quy chế của tôi" and saved.version == regulation.version + 2


@pytest.mark.django_db
def test_two_tabs_starting_the_same_years_regulation_keep_the_first_and_refuse_the_second(
    staff: Any,
) -> None:
    from thidua.web.versioning import StaleEdit

    parent = Organization.objects.get(code="vusta")
    rules = Regulation.objects.get(parent=parent, valid_from_year=2026)
    values = {f: getattr(rules, f) for f in services.REGULATION_FIELDS}
    services.save_regulation(actor=staff, parent=parent, valid_from_year=2030, values=values, version=0)
    with pytest.raises(StaleEdit, match="Quy chế áp dụng từ năm 2030 đã được sửa"):
        services.save_regulation(actor=staff, parent=parent, valid_from_year=2030, values=values, version=0)


def test_a_blocks_pages_call_its_leaders_block_head_and_deputy(client_for: Any, staff: Any) -> None:
    from thidua.organizations.models import EmulationGroup, GroupKind

    block = EmulationGroup.objects.filter(kind=GroupKind.BLOCK).first()
    if block is None:
        parent = EmulationGroup.objects.get(slug="vusta-cum-4").parent
        block = EmulationGroup.objects.create(
            parent=parent, kind=GroupKind.BLOCK, number=77, slug="khoi-thu-77"
        )
    page = client_for(staff).get(f"/cum-khoi/{block.slug}/").content.decode()
    assert "<dt>Khối trưởng</dt>" in page and "<dt>Khối phó</dt>" in page
    assert "Cụm trưởng" not in page


def test_the_group_list_shows_fifty_groups_of_a_parent_body_a_page_with_their_members(
    client_for: Any, cluster4: Any
) -> None:
    from django.utils import timezone

    from thidua.organizations.models import EmulationGroup, GroupKind
    from thidua.organizations.views import GROUPS_PER_PAGE

    parent = cluster4.parent
    existing = EmulationGroup.objects.filter(parent=parent).count()
    EmulationGroup.objects.bulk_create(
        EmulationGroup(parent=parent, kind=GroupKind.BLOCK, number=200 + i, slug=f"khoi-thu-{i}")
        for i in range(GROUPS_PER_PAGE + 5 - existing)
    )
    client = client_for(None)
    first = client.get("/cum-khoi/").content.decode()
    links = re.findall(r'<tr><td><a href="/cum-khoi/([^"/]+)/">', first)
    assert len([slug for slug in links if slug.startswith(("vusta", "khoi-thu"))]) == GROUPS_PER_PAGE
    assert f"?cap_tren={parent.code}&amp;trang=2" in first
    second = client.get("/cum-khoi/", {"cap_tren": parent.code, "trang": "2"}).content.decode()
    section = second.split(f'id="{parent.code}"')[1].split("</section>")[0]
    rest = re.findall(r'<tr><td><a href="/cum-khoi/([^"/]+)/">', section)
    assert len(rest) == 5 and not set(rest) & set(links)
    members = Membership.objects.filter(group=cluster4, year=timezone.localdate().year).count()
    # Blocks come before clusters: Cụm 4 is on the second page, with its members of this year.
    assert f'<a href="/cum-khoi/vusta-cum-4/">Cụm thi đua số 4</a></td><td>{members}</td>' in section
