"""Who signs, and under which mark (NĐ 30/2020/NĐ-CP, Điều 13 and Phụ lục I, Mục II.8.b): the head for the
cluster ("TM."), the deputy in the head's stead ("KT."), read back from the DOCX with python-docx."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from docx import Document as read_docx

from thidua.accounts.models import User
from thidua.conferences.models import Conference
from thidua.documents import issuing
from thidua.documents.generators import proposal_letter, score_summary_document
from thidua.documents.layout import OfficialDocument, Signer, render_docx
from thidua.documents.models import Document
from thidua.documents.tests.test_layout import CLUSTER_4, blocks
from thidua.organizations.models import Leadership, LeadershipRole, Officeholder


def signature_lines(content: bytes) -> list[str]:
    """The lines of the signature cell of a document one person signs (the right cell of the last table)."""
    docx = read_docx(io.BytesIO(content))
    return [p.text for p in docx.tables[-1].rows[0].cells[1].paragraphs if p.text]


def one_signer(signer: Signer) -> bytes:
    import datetime

    return render_docx(
        OfficialDocument(
            issuer=CLUSTER_4,
            number_line="Số: 01/TTr-CTĐ4",
            date=datetime.date(2023, 12, 8),
            type_name="Tờ trình",
            summary="Về việc đề nghị khen thưởng",
            body=[],
            signers=[signer],
            recipients=["Như trên", "Lưu: VT, Cụm 4"],
        )
    )


def test_the_head_signs_for_the_cluster_under_tm():
    signer = Signer.for_collective(collective="Cụm thi đua số 4", title="Cụm trưởng", name="Nguyễn Văn An")
    assert signature_lines(one_signer(signer)) == ["TM. CỤM THI ĐUA SỐ 4", "CỤM TRƯỞNG", "Nguyễn Văn An"]


def test_the_deputy_signs_in_the_heads_stead_under_kt():
    signer = Signer.for_head(head_title="Cụm trưởng", title="Cụm phó", name="Lê Văn Bình")
    assert signature_lines(one_signer(signer)) == ["KT. CỤM TRƯỞNG", "CỤM PHÓ", "Lê Văn Bình"]


def test_a_deputy_of_a_collective_body_has_the_tm_line_above_the_kt_line():
    signer = Signer.for_head(
        head_title="Chủ tịch", title="Phó Chủ tịch", name="Lê Văn Bình", collective="Ủy ban nhân dân"
    )
    assert signature_lines(one_signer(signer)) == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Lê Văn Bình",
    ]


@pytest.mark.parametrize(
    ("signer", "lines"),
    [
        (
            Signer.for_head(head_title="Cụm trưởng", title="Chánh Văn phòng", name="A", mark="TL."),
            "TL. CỤM TRƯỞNG",
        ),
        (
            Signer.for_head(head_title="Cụm trưởng", title="Chánh Văn phòng", name="A", mark="TUQ."),
            "TUQ. CỤM TRƯỞNG",
        ),
        (Signer.acting(title="Cụm trưởng", name="A"), "Q. CỤM TRƯỞNG"),
    ],
)
def test_by_order_by_delegation_and_acting_marks_stand_before_the_title(signer, lines):
    assert signature_lines(one_signer(signer))[0] == lines


def test_an_authority_line_without_a_known_mark_is_refused():
    with pytest.raises(ValueError, match="phải bắt đầu bằng"):
        one_signer(Signer("Thay mặt Cụm", "Cụm trưởng", "A"))


def test_kt_is_not_written_before_a_collective():
    with pytest.raises(ValueError):
        Signer.for_head(head_title="Cụm trưởng", title="Cụm phó", name="A", mark="TM.")


# --- the documents built from the data ----------------------------------------------------------------


@pytest.fixture
def conference(cluster4: Any) -> Conference:
    return Conference.objects.get(emulation_year__group=cluster4, emulation_year__year=2023)


@pytest.fixture
def heads_named(org: Any) -> None:
    """2023 (demo): Ninh Bình heads Cụm 4, Nghệ An is its deputy; their chairmen renamed for the test."""
    for code, name in (("ninh-binh", "Nguyễn Văn An"), ("nghe-an", "Lê Văn Bình")):
        Officeholder.objects.filter(organization=org(code), position="chairman").update(full_name=name)


@pytest.mark.django_db
@pytest.mark.usefixtures("heads_named")
def test_the_proposal_signed_by_the_deputy_reads_kt_cum_truong_over_cum_pho(conference):
    docx = read_docx(
        io.BytesIO(render_docx(proposal_letter(conference, number_text="01/TTr-CTĐ4", signed_by="deputy")))
    )
    assert [p.text for p in blocks(docx) if p.text][-3:] == ["KT. CỤM TRƯỞNG", "CỤM PHÓ", "Lê Văn Bình"]


@pytest.mark.django_db
@pytest.mark.usefixtures("heads_named")
def test_the_score_summary_is_signed_by_the_head_under_tm_by_default(conference):
    content = render_docx(score_summary_document(conference.emulation_year, number_text="01/BC-CTĐ4"))
    assert signature_lines(content) == ["TM. CỤM THI ĐUA SỐ 4", "CỤM TRƯỞNG", "Nguyễn Văn An"]


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.django_db
@pytest.mark.usefixtures("heads_named", "media", "no_pdf")
def test_the_secretariat_chooses_the_deputy_to_sign_the_proposal_on_the_page(
    client_for: Any, officer_ninh_binh: User, conference: Conference
) -> None:
    client = client_for(officer_ninh_binh)
    page = client.get("/nam-thi-dua/vusta-cum-4/2023/van-ban/").content.decode()
    assert "Cụm phó ký thay (KT.)" in page
    client.post(
        "/nam-thi-dua/vusta-cum-4/2023/van-ban/lap/",
        {"conference": conference.pk, "kind": "proposal", "signed_by": "deputy"},
    )
    document = Document.objects.get()
    assert signature_lines(document.docx.read()) == [
        "TM. CỤM THI ĐUA SỐ 4",
        "KT. CỤM TRƯỞNG",
        "CỤM PHÓ",
        "Lê Văn Bình",
    ]
    # Issuing makes the DOCX again with its number: the deputy still signs (KT.).
    client.post(f"/nam-thi-dua/vusta-cum-4/2023/van-ban/{document.pk}/ban-hanh/")
    document.refresh_from_db()
    assert document.number is not None
    assert signature_lines(document.docx.read())[1:3] == ["KT. CỤM TRƯỞNG", "CỤM PHÓ"]


@pytest.mark.django_db
@pytest.mark.usefixtures("media", "no_pdf")
def test_a_year_without_a_deputy_cannot_have_a_document_signed_in_the_heads_stead(
    officer_ninh_binh: User, conference: Conference
) -> None:
    Leadership.objects.filter(
        group=conference.emulation_year.group, year=2023, role=LeadershipRole.DEPUTY
    ).delete()
    with pytest.raises(ValidationError, match="chưa ghi nhận cụm phó"):
        issuing.issue(actor=officer_ninh_binh, kind="proposal", conference=conference, signed_by="deputy")
    assert not Document.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("media", "no_pdf")
def test_the_minutes_keep_chair_and_secretary_whoever_is_chosen_to_sign(
    officer_ninh_binh: User, conference: Conference
) -> None:
    document = issuing.issue(
        actor=officer_ninh_binh, kind="minutes", conference=conference, signed_by="deputy"
    )
    docx = read_docx(io.BytesIO(document.docx.read()))
    heads = [c.paragraphs[0].text for c in docx.tables[-2].rows[0].cells]
    assert heads == ["THƯ KÝ", "CHỦ TRÌ"]
