"""The agreement's life: draft from the template, edit, open for signing, every member signs, in force,
amended and signed again; who may do each step."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from thidua.accounts.models import User
from thidua.agreements import services
from thidua.agreements.models import Agreement, AgreementStatus
from thidua.audit.services import verify_chain
from thidua.organizations.models import Organization
from thidua.years import services as year_services
from thidua.years.models import EmulationYear, YearStage

CUM4_2026 = ["ninh-binh", "thanh-hoa", "nghe-an", "ha-tinh", "quang-tri", "hue"]


@pytest.fixture
def secretariat_2027(db: Any, cluster4: Any, staff: Any, org: Any) -> User:
    """Quảng Trị heads Cụm 4 in 2026 (demo), so its officer drafts the 2027 agreement."""
    return User.objects.get(username="quangtri")


@pytest.fixture
def year_2027(db: Any, cluster4: Any, staff: Any) -> EmulationYear:
    from thidua.organizations import services as registry

    registry.copy_memberships(actor=staff, group=cluster4, from_year=2026, to_year=2027)
    return year_services.open_year(actor=staff, group=cluster4, year=2027)


def _sign_all(agreement: Agreement, skip: str | None = None) -> None:
    for province in CUM4_2026:
        if province == skip:
            continue
        officer = User.objects.get(username=province.replace("-", ""))
        services.sign(
            actor=officer,
            agreement=agreement,
            organization=Organization.objects.get(code=f"lhh-{province}"),
            signer_name=f"Chủ tịch {province}",
            signer_title="Chủ tịch",
        )


@pytest.mark.django_db
def test_the_template_drafts_eight_work_areas_and_bonus_and_penalty(
    year_2027: EmulationYear, secretariat_2027: User
) -> None:
    agreement = services.create_agreement_from_template(actor=secretariat_2027, emulation_year=year_2027)
    groups = list(agreement.criterion_groups.all())
    assert [g.code for g in groups] == ["1", "2", "3", "4", "5", "6", "7", "8", "T", "TR"]
    assert sum(g.max_points for g in groups[:8]) == Decimal(100)
    # The template's points are defaults: the draft's page tells its drafters, the agreement's text does not.
    assert "mặc định" not in agreement.goals and "mẫu" not in agreement.goals
    assert agreement.status == AgreementStatus.DRAFT


@pytest.mark.django_db
def test_an_officer_of_a_member_that_is_not_the_head_cannot_draft_the_agreement(
    year_2027: EmulationYear, officer_nghe_an: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.create_agreement_from_template(actor=officer_nghe_an, emulation_year=year_2027)


@pytest.mark.django_db
def test_the_agreement_comes_into_force_when_the_last_member_signs(
    year_2027: EmulationYear, secretariat_2027: User
) -> None:
    agreement = services.create_agreement_from_template(actor=secretariat_2027, emulation_year=year_2027)
    services.open_for_signing(actor=secretariat_2027, agreement=agreement)
    _sign_all(agreement, skip="hue")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNING
    services.record_paper_signing(
        actor=secretariat_2027,
        agreement=agreement,
        organization=Organization.objects.get(code="lhh-hue"),
        signer_name="Chủ tịch Huế",
        signer_title="Chủ tịch",
        signed_on=datetime.date(2026, 12, 20),
        scan=SimpleUploadedFile("ky.pdf", b"%PDF-1.4 scanned signature page", content_type="application/pdf"),
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE
    # Signed in December 2026, the 2027 agreement binds from 1 January 2027: the year waits for it.
    assert agreement.in_force_at is not None
    assert timezone.localtime(agreement.in_force_at).date() == datetime.date(2027, 1, 1)
    assert EmulationYear.objects.get(pk=year_2027.pk).stage == YearStage.IN_FORCE
    assert len(agreement.signatures.get(organization__code="lhh-hue").scan_sha256) == 64
    assert verify_chain() is None


@pytest.mark.django_db
def test_a_paper_signing_needs_a_real_pdf(year_2027: EmulationYear, secretariat_2027: User) -> None:
    agreement = services.create_agreement_from_template(actor=secretariat_2027, emulation_year=year_2027)
    services.open_for_signing(actor=secretariat_2027, agreement=agreement)
    with pytest.raises(ValidationError, match="PDF"):
        services.record_paper_signing(
            actor=secretariat_2027,
            agreement=agreement,
            organization=Organization.objects.get(code="lhh-hue"),
            signer_name="A",
            signer_title="B",
            signed_on=datetime.date(2026, 12, 20),
            scan=SimpleUploadedFile("ky.pdf", b"<html>disguised</html>"),
        )


@pytest.mark.django_db
def test_an_officer_signs_only_for_their_own_organization(
    year_2027: EmulationYear, secretariat_2027: User, officer_nghe_an: User
) -> None:
    agreement = services.create_agreement_from_template(actor=secretariat_2027, emulation_year=year_2027)
    services.open_for_signing(actor=secretariat_2027, agreement=agreement)
    with pytest.raises(PermissionDenied):
        services.sign(
            actor=officer_nghe_an,
            agreement=agreement,
            organization=Organization.objects.get(code="lhh-ha-tinh"),
            signer_name="A",
            signer_title="B",
        )


@pytest.mark.django_db
def test_an_agreement_in_force_is_locked_and_an_amendment_is_signed_again(
    year_2027: EmulationYear, secretariat_2027: User
) -> None:
    agreement = services.create_agreement_from_template(actor=secretariat_2027, emulation_year=year_2027)
    services.open_for_signing(actor=secretariat_2027, agreement=agreement)
    _sign_all(agreement)
    agreement.refresh_from_db()
    criterion = agreement.criteria.get(code="1.1")
    with pytest.raises(ValidationError, match="không sửa được"):
        services.save_criterion(
            actor=secretariat_2027,
            agreement=agreement,
            criterion=criterion,
            values={
                "group": criterion.group,
                "code": "1.1",
                "text": "x",
                "kind": "fixed",
                "max_points": Decimal(5),
            },
        )
    amendment = services.amend(
        actor=secretariat_2027, agreement=agreement, reason="Bổ sung tiêu chí chuyển đổi số"
    )
    assert amendment.version == 2 and amendment.criteria.count() == agreement.criteria.count()
    services.open_for_signing(actor=secretariat_2027, agreement=amendment)
    _sign_all(amendment)
    agreement.refresh_from_db()
    amendment.refresh_from_db()
    assert (agreement.status, amendment.status) == (AgreementStatus.SUPERSEDED, AgreementStatus.IN_FORCE)
    assert services.agreement_in_force(year_2027) == amendment


@pytest.mark.django_db
def test_a_quantitative_criterion_needs_a_target(year_2027: EmulationYear, secretariat_2027: User) -> None:
    agreement = services.create_agreement_from_template(actor=secretariat_2027, emulation_year=year_2027)
    group = agreement.criterion_groups.get(code="1")
    with pytest.raises(ValidationError) as error:
        services.save_criterion(
            actor=secretariat_2027,
            agreement=agreement,
            criterion=None,
            values={
                "group": group,
                "code": "1.9",
                "text": "Hội viên mới",
                "kind": "quantitative",
                "max_points": Decimal(5),
            },
        )
    assert "chỉ tiêu" in str(error.value)


@pytest.mark.django_db
def test_next_year_copies_last_years_agreement(
    year_2027: EmulationYear, secretariat_2027: User, cluster4: Any, staff: Any
) -> None:
    from thidua.organizations import services as registry

    agreement = services.create_agreement_from_template(actor=secretariat_2027, emulation_year=year_2027)
    services.open_for_signing(actor=secretariat_2027, agreement=agreement)
    _sign_all(agreement)
    registry.copy_memberships(actor=staff, group=cluster4, from_year=2027, to_year=2028)
    year_2028 = year_services.open_year(actor=staff, group=cluster4, year=2028)
    copy = services.copy_previous_agreement(actor=staff, emulation_year=year_2028)
    assert copy.criteria.count() == agreement.criteria.count()
    assert copy.title.startswith("Giao ước thi đua năm 2028")


def test_an_amendment_opened_after_the_signing_deadline_asks_to_sign_it_without_being_late(
    year_2027: EmulationYear, secretariat_2027: User
) -> None:
    from thidua.agreements.todo import signing_todos

    year_2027.signing_due = datetime.date(2027, 1, 31)
    year_2027.save(update_fields=["signing_due"])
    agreement = services.create_agreement_from_template(actor=secretariat_2027, emulation_year=year_2027)
    services.open_for_signing(actor=secretariat_2027, agreement=agreement)
    officer = User.objects.get(username="ninhbinh")
    (first,) = signing_todos(officer, datetime.date(2027, 2, 1))
    assert first.text == "Ký giao ước — Cụm thi đua số 4 năm 2027" and first.overdue
    _sign_all(agreement)
    agreement.refresh_from_db()
    amendment = services.amend(actor=secretariat_2027, agreement=agreement, reason="Sửa thang điểm 6.1")
    services.open_for_signing(actor=secretariat_2027, agreement=amendment)
    (item,) = signing_todos(officer, datetime.date(2027, 7, 1))
    assert item.text == "Ký giao ước sửa đổi lần 1 — Cụm thi đua số 4 năm 2027"
    assert item.due is None and not item.overdue
