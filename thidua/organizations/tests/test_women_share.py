"""Each organization's share of women per year, with its source (issue 15): what the tie-break's
women-share step reads (NĐ 152/2025/NĐ-CP, Điều 4 khoản 6; DOMAIN.md, Voting: "the share of women of each
collective is recorded per year")."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.organizations import selectors, services
from thidua.organizations.models import Organization, WomenShare

pytestmark = pytest.mark.django_db
URL = "/don-vi/lhh-nghe-an/ty-le-nu/"
SOURCE = "Báo cáo số lượng cán bộ ngày 31/12/2026 (dữ liệu minh họa)"


def _nghe_an() -> Organization:
    return Organization.objects.get(code="lhh-nghe-an")


def _quang_tri_officer() -> User:
    return User.objects.get(username="quangtri")


def test_an_officer_records_the_share_typed_the_vietnamese_way_and_the_page_shows_it(
    officer_nghe_an: User, client_for: Callable[[Any], Client]
) -> None:
    client = client_for(officer_nghe_an)
    response = client.post(URL, {"year": "2026", "percent": "72,5", "source": SOURCE})
    assert response.status_code == 302
    share = WomenShare.objects.get(organization=_nghe_an(), year=2026)
    assert (share.percent, share.source, share.share) == (Decimal("72.50"), SOURCE, Fraction(29, 40))
    event = AuditEvent.objects.filter(verb="organization.women_share").get()
    assert event.data == {"year": 2026, "before": None, "after": ["72.50", SOURCE]}
    page = client.get("/don-vi/lhh-nghe-an/").content.decode()
    assert "72,5%" in page and SOURCE in page and "NĐ 152/2025/NĐ-CP, Điều 4 khoản 6" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"year": "2026", "percent": "120", "source": SOURCE}, "percent", "Tỷ lệ nữ (%) phải từ 0 đến 100"),
        ({"year": "2026", "percent": "-5", "source": SOURCE}, "percent", "Tỷ lệ nữ (%) phải từ 0 đến 100"),
        ({"year": "2026", "percent": "bảy mươi", "source": SOURCE}, "percent", "Tỷ lệ nữ (%): Không phải số"),
        ({"year": "2026", "percent": "69,995", "source": SOURCE}, "percent", "tối đa hai chữ số thập phân"),
        ({"year": "2026", "percent": "", "source": SOURCE}, "percent", "Tỷ lệ nữ (%): cần ghi"),
        ({"year": "2026", "percent": "75", "source": "  "}, "source", "Căn cứ: cần ghi"),
        ({"year": "năm nay", "percent": "75", "source": SOURCE}, "year", "Năm: phải là một số"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_is_written(
    officer_nghe_an: User, client_for: Callable[[Any], Client], data: dict[str, str], field: str, message: str
) -> None:
    response = client_for(officer_nghe_an).post(URL, data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not WomenShare.objects.exists()
    assert not AuditEvent.objects.filter(verb="organization.women_share").exists()


def test_the_service_refuses_a_share_outside_0_to_100_percent_whoever_calls_it(staff: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_women_share(
            actor=staff, organization=_nghe_an(), year=2026, percent=Decimal("100.5"), source=""
        )
    assert refused.value.message_dict == {
        "percent": ["Tỷ lệ nữ (%) phải từ 0 đến 100, không phải 100,5."],
        "source": ["Cần ghi căn cứ của số liệu tỷ lệ nữ (văn bản, báo cáo)."],
    }
    assert not WomenShare.objects.exists()


def test_a_correction_replaces_the_figure_and_the_audit_keeps_both(staff: User) -> None:
    nghe_an = _nghe_an()
    services.record_women_share(actor=staff, organization=nghe_an, year=2026, percent=Decimal(68), source="A")
    services.record_women_share(actor=staff, organization=nghe_an, year=2026, percent=Decimal(71), source="B")
    assert WomenShare.objects.get(organization=nghe_an).percent == Decimal(71)
    last = AuditEvent.objects.filter(verb="organization.women_share").order_by("-pk").first()
    assert last is not None and last.data["before"] == ["68.00", "A"] and last.data["after"] == ["71.00", "B"]


def test_the_secretariat_records_its_members_shares_for_its_own_year_only(officer_ha_tinh: User) -> None:
    secretariat = _quang_tri_officer()  # Quảng Trị heads Cụm 4 in 2026
    services.record_women_share(
        actor=secretariat, organization=_nghe_an(), year=2026, percent=Decimal(70), source=SOURCE
    )
    with pytest.raises(PermissionDenied):
        services.record_women_share(
            actor=secretariat, organization=_nghe_an(), year=2023, percent=Decimal(70), source=SOURCE
        )
    # Another member's officer is neither.
    with pytest.raises(PermissionDenied):
        services.record_women_share(
            actor=officer_ha_tinh, organization=_nghe_an(), year=2026, percent=Decimal(90), source=SOURCE
        )
    assert list(WomenShare.objects.values_list("year", flat=True)) == [2026]


def test_the_selector_reads_a_year_s_shares_of_many_organizations_in_one_query(
    staff: User, django_assert_num_queries: Any
) -> None:
    nghe_an, others = _nghe_an(), list(Organization.objects.exclude(code="lhh-nghe-an")[:3])
    services.record_women_share(actor=staff, organization=nghe_an, year=2026, percent=Decimal(75), source="A")
    with django_assert_num_queries(1):
        shares = selectors.women_shares(organization_ids=[nghe_an.pk, *(o.pk for o in others)], year=2026)
    assert {pk: s.share for pk, s in shares.items()} == {nghe_an.pk: Fraction(3, 4)}
