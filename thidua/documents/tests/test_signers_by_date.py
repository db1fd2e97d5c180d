"""The signer in office on the document's date (issue 15, part 2): a change of chairman mid-year, an
acting chairman ("Q."), the deputy signing in the head's stead ("KT."), and no issuing while nobody is
known to sign (NĐ 30/2020/NĐ-CP, Điều 13 and Phụ lục I, Mục II.8.b)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from docx import Document as read_docx

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.conferences.models import Conference
from thidua.documents import issuing
from thidua.documents.generators import proposal_letter
from thidua.documents.layout import render_docx
from thidua.documents.models import Document, DocumentStatus, NumberSequence
from thidua.documents.tests.test_signatures import signature_lines
from thidua.organizations import services as registry
from thidua.organizations.models import Officeholder, Organization, Position

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def conference(cluster4: Any) -> Conference:
    return Conference.objects.get(emulation_year__group=cluster4, emulation_year__year=2023)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def _ninh_binh() -> Organization:
    return Organization.objects.get(code="lhh-ninh-binh")


def _chairmen(staff: User, organization: Organization, *terms: tuple[str, str, D, D | None]) -> None:
    """Replace `organization`'s heads with `terms` (name, position, from, to)."""
    organization.officeholders.filter(position__in=[Position.CHAIRMAN, Position.ACTING_CHAIRMAN]).delete()
    registry.add_officeholders(
        actor=staff,
        organization=organization,
        inputs=[registry.OfficeholderInput(n, p, start, end) for n, p, start, end in terms],
    )


def _signature(conference: Conference, on: D, signed_by: str = "head") -> list[str]:
    document = proposal_letter(conference, number_text="01/TTr-CTĐ4", signed_by=signed_by, signed_on=on)
    return signature_lines(render_docx(document))


def test_a_chairman_who_changes_mid_year_signs_before_the_change_and_the_new_one_after(
    staff: User, conference: Conference
) -> None:
    _chairmen(
        staff,
        _ninh_binh(),
        ("Trần Văn Cũ", Position.CHAIRMAN, D(2019, 1, 1), D(2023, 11, 30)),
        ("Phạm Thị Mới", Position.CHAIRMAN, D(2023, 12, 1), None),
    )
    assert _signature(conference, D(2023, 11, 30)) == ["TM. CỤM THI ĐUA SỐ 4", "CỤM TRƯỞNG", "Trần Văn Cũ"]
    assert _signature(conference, D(2023, 12, 8)) == ["TM. CỤM THI ĐUA SỐ 4", "CỤM TRƯỞNG", "Phạm Thị Mới"]


def test_an_acting_chairman_signs_as_acting_head_under_q(staff: User, conference: Conference) -> None:
    _chairmen(
        staff,
        _ninh_binh(),
        ("Trần Văn Cũ", Position.CHAIRMAN, D(2019, 1, 1), D(2023, 11, 30)),
        ("Lê Văn Quyền", Position.ACTING_CHAIRMAN, D(2023, 12, 1), None),
    )
    assert _signature(conference, D(2023, 12, 8)) == ["TM. CỤM THI ĐUA SỐ 4", "Q. CỤM TRƯỞNG", "Lê Văn Quyền"]


def test_the_deputy_signs_for_the_head_under_kt_with_the_deputy_unions_chairman(
    staff: User, conference: Conference
) -> None:
    nghe_an = Organization.objects.get(code="lhh-nghe-an")  # Cụm phó in 2023 (demo)
    _chairmen(staff, nghe_an, ("Võ Văn Phó", Position.CHAIRMAN, D(2021, 5, 1), None))
    assert _signature(conference, D(2023, 12, 8), signed_by="deputy") == [
        "TM. CỤM THI ĐUA SỐ 4",
        "KT. CỤM TRƯỞNG",
        "CỤM PHÓ",
        "Võ Văn Phó",
    ]


@pytest.mark.usefixtures("media", "no_pdf")
def test_a_document_nobody_is_known_to_sign_is_drafted_but_not_issued_until_the_signer_is_recorded(
    staff: User, officer_ninh_binh: User, conference: Conference, client_for: Any
) -> None:
    ninh_binh = _ninh_binh()
    ninh_binh.officeholders.all().delete()
    client = client_for(officer_ninh_binh)
    client.post(
        "/nam-thi-dua/vusta-cum-4/2023/van-ban/lap/", {"conference": conference.pk, "kind": "proposal"}
    )
    draft = Document.objects.get(kind="proposal")
    assert draft.status == DocumentStatus.DRAFT
    assert signature_lines(draft.docx.read()) == [
        "TM. CỤM THI ĐUA SỐ 4",
        "CỤM TRƯỞNG",
    ]  # no name, no placeholder
    assert "Chủ tịch (hoặc Quyền Chủ tịch) của Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình" in (
        draft.missing_signers
    )
    register = client.get("/nam-thi-dua/vusta-cum-4/2023/van-ban/").content.decode()
    assert (
        "Chưa biết người ký, chưa ban hành được" in register and "/don-vi/lhh-ninh-binh/lanh-dao/" in register
    )

    issued_on = D(2023, 12, 10)
    with pytest.raises(ValidationError, match="Chưa ban hành được vì chưa biết người ký") as refused:
        issuing.issue_draft(actor=officer_ninh_binh, document=draft, date=issued_on)
    assert "tại ngày 10/12/2023" in str(refused.value)
    draft.refresh_from_db()
    assert (draft.status, draft.number) == (DocumentStatus.DRAFT, None)
    assert not NumberSequence.objects.filter(year=2023, last_number__gt=0).exists()  # no number spent
    assert not AuditEvent.objects.filter(verb="document.issue", target_id=str(draft.pk)).exists()

    registry.add_officeholders(
        actor=staff,
        organization=ninh_binh,
        inputs=[registry.OfficeholderInput("Đinh Văn Ký", Position.CHAIRMAN, D(2023, 1, 1), None)],
    )
    issued = issuing.issue_draft(actor=officer_ninh_binh, document=draft, date=issued_on)
    assert issued.number == 1 and issued.missing_signers == ""
    docx = read_docx(io.BytesIO(issued.docx.read()))
    assert "Đinh Văn Ký" in [p.text for p in docx.tables[-1].rows[0].cells[1].paragraphs]


@pytest.mark.usefixtures("media", "no_pdf")
def test_minutes_without_a_secretary_chosen_are_not_issued_and_say_where_to_choose_one(
    officer_ninh_binh: User, conference: Conference
) -> None:
    conference.delegates.filter(role="secretary").update(role="")
    draft = issuing.issue(actor=officer_ninh_binh, kind="minutes", conference=conference, with_pdf=False)
    assert draft.missing_signers.startswith("Thư ký hội nghị (chọn trong mục «Chủ trì, thư ký")
    with pytest.raises(ValidationError, match="Thư ký hội nghị"):
        issuing.issue_draft(actor=officer_ninh_binh, document=draft, with_pdf=False)
    assert Officeholder.objects.exists()  # the leaders are untouched; only the conference lacks its role
