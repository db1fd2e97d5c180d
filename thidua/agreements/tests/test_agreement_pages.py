"""The agreement pages as the secretariat and a member's officer use them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from thidua.accounts.models import User
from thidua.agreements.models import Agreement, AgreementStatus
from thidua.years.models import EmulationYear


@pytest.fixture
def year_2027(db: Any, cluster4: Any, staff: Any) -> EmulationYear:
    from thidua.organizations import services as registry
    from thidua.years import services as year_services

    registry.copy_memberships(actor=staff, group=cluster4, from_year=2026, to_year=2027)
    return year_services.open_year(actor=staff, group=cluster4, year=2027)


Y = "/nam-thi-dua/vusta-cum-4/2027"


@pytest.mark.django_db
def test_the_secretariat_drafts_from_the_template_adds_a_criterion_and_opens_signing(
    client_for: Any, year_2027: EmulationYear
) -> None:
    client = client_for(User.objects.get(username="quangtri"))
    assert client.post(f"{Y}/giao-uoc/tao/", {"source": "template"}).status_code == 302
    agreement = Agreement.objects.get(emulation_year=year_2027)
    group = agreement.criterion_groups.get(code="5")
    response = client.post(
        f"{Y}/giao-uoc/tieu-chi/moi/",
        {
            "group": group.pk,
            "code": "5.3",
            "text": "Chuyển đổi số trong phổ biến kiến thức",
            "kind": "fixed",
            "max_points": "2,5",
        },
    )
    assert response.status_code == 302
    assert agreement.criteria.get(code="5.3").max_points == Decimal("2.5")
    response = client.post(
        f"{Y}/giao-uoc/tieu-chi/moi/",
        {"group": group.pk, "code": "5.3", "text": "Trùng", "kind": "fixed", "max_points": "1"},
    )
    assert "Mã tiêu chí «5.3» đã có trong giao ước." in response.content.decode()
    assert client.post(f"{Y}/giao-uoc/mo-ky/").status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SIGNING


@pytest.mark.django_db
def test_a_member_signs_for_its_own_organization_and_not_for_another(
    client_for: Any, year_2027: EmulationYear
) -> None:
    from thidua.agreements import services

    secretariat = User.objects.get(username="quangtri")
    agreement = services.create_agreement_from_template(actor=secretariat, emulation_year=year_2027)
    services.open_for_signing(actor=secretariat, agreement=agreement)
    client = client_for(User.objects.get(username="nghean"))
    page = client.get(f"{Y}/giao-uoc/").content.decode()
    assert "Ký giao ước thay mặt" in page
    data = {"signer_name": "Nguyễn Văn A", "signer_title": "Chủ tịch", "confirm": "on"}
    assert client.post(f"{Y}/giao-uoc/ky/", {**data, "organization": "lhh-ha-tinh"}).status_code == 403
    client.post(f"{Y}/giao-uoc/ky/", {**data, "organization": "lhh-nghe-an"})
    assert agreement.signatures.get().signer_name == "Nguyễn Văn A"
    page = client.get(f"{Y}/giao-uoc/").content.decode()
    assert "Ký giao ước thay mặt" not in page


@pytest.mark.django_db
def test_a_member_cannot_draft_or_edit_the_agreement(
    client_for: Any, year_2027: EmulationYear, officer_nghe_an: User
) -> None:
    client = client_for(officer_nghe_an)
    assert client.post(f"{Y}/giao-uoc/tao/", {"source": "template"}).status_code == 403
    assert not Agreement.objects.filter(emulation_year=year_2027).exists()


def test_an_amendment_warns_of_a_work_area_its_criteria_overfill_and_drops_the_template_note(
    client_for: Any, year_2027: EmulationYear, staff: User
) -> None:
    from thidua.agreements import services
    from thidua.agreements.template_data import DEFAULTS_NOTE
    from thidua.organizations.models import Organization

    quangtri = User.objects.get(username="quangtri")
    client = client_for(staff)  # runs every year of the parent body's clusters
    drafted = services.create_agreement_from_template(actor=quangtri, emulation_year=year_2027)
    assert DEFAULTS_NOTE in client.get(f"{Y}/giao-uoc/").content.decode()
    services.open_for_signing(actor=quangtri, agreement=drafted)
    for code in [member.code for member in services.members_of(year_2027)]:
        officer = User.objects.get(username=code.removeprefix("lhh-").replace("-", ""))
        services.sign(
            actor=officer,
            agreement=drafted,
            organization=Organization.objects.get(code=code),
            signer_name="Chủ tịch",
            signer_title="Chủ tịch",
        )
    drafted.refresh_from_db()
    amendment = services.amend(actor=quangtri, agreement=drafted, reason="Sửa thang điểm")
    page = client.get(f"{Y}/giao-uoc/").content.decode()
    assert DEFAULTS_NOTE not in page and 'id="vuot-diem-nhom"' not in page
    group = amendment.criterion_groups.get(code="1")
    criterion = group.criteria.order_by("position").first()
    assert criterion is not None
    fields = {f: getattr(criterion, f) for f in services.CRITERION_FIELDS}
    services.save_criterion(
        actor=quangtri,
        agreement=amendment,
        criterion=criterion,
        values={**fields, "group": group, "max_points": group.max_points + Decimal("3.5")},
    )
    page = client.get(f"{Y}/giao-uoc/").content.decode()
    assert 'id="vuot-diem-nhom"' in page
    total = sum(c.max_points for c in group.criteria.all())
    assert f"Nhóm 1 «{group.title}»: các tiêu chí cộng lại {total:.2f}".replace(".", ",") in page
