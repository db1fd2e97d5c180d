"""A parent body's Word templates: fields filled (split runs too), page setup and fonts kept, uploads
checked by content and by field, versions kept, used when a document is issued; read back with python-docx."""

from __future__ import annotations

import copy
import hashlib
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as read_docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from thidua.accounts.models import Role, RoleKind, User
from thidua.audit.models import AuditEvent
from thidua.conferences.models import Conference
from thidua.documents import templating
from thidua.documents.models import Document, DocumentTemplate
from thidua.documents.tests.test_layout import minutes
from thidua.organizations.models import Organization, OrganizationKind

PAGE = "/cap-tren/vusta/mau-van-ban"


def edit(data: bytes, change: Any) -> bytes:
    """The template after ``change(document)``, saved again as Word would."""
    document = read_docx(io.BytesIO(data))
    change(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def all_text(data: bytes) -> str:
    """Every paragraph of the body, tables (nested too) and headers, one a line."""
    document = read_docx(io.BytesIO(data))
    roots = [document.element.body] + [
        rel.target_part.element for rel in document.part.rels.values() if "header" in rel.reltype
    ]
    return "\n".join(
        "".join(t.text or "" for t in p.iter(qn("w:t"))) for root in roots for p in root.iter(qn("w:p"))
    )


def paragraph_with(document: Any, text: str) -> Any:
    return next(
        p
        for p in document.element.body.iter(qn("w:p"))
        if text in "".join(t.text or "" for t in p.iter(qn("w:t")))
    )


def wider_margins_bigger_body(document: Any) -> None:
    """What a parent body's clerk does in Word: left margin 35 mm, top 25 mm, body in 13 pt."""
    section = document.sections[0]
    section.left_margin, section.top_margin = Mm(35), Mm(25)
    for run in paragraph_with(document, "noi_dung").iter(qn("w:r")):
        properties = run.find(qn("w:rPr"))
        properties.find(qn("w:sz")).set(qn("w:val"), "26")


def without(field: str) -> Any:
    def change(document: Any) -> None:
        for t in paragraph_with(document, field).iter(qn("w:t")):
            t.text = ""

    return change


# --- the engine ---------------------------------------------------------------------------------------


def test_the_built_in_template_has_every_field_and_passes_its_own_check():
    data = templating.default_template()
    assert templating.template_problems(data, recipients=True) == []
    for name in templating.FIELDS:
        assert f"{{{{ {name} }}}}" in all_text(data)


def test_a_template_with_wider_margins_and_a_smaller_body_lays_the_minutes_out_with_them_and_fills_every_field():
    template = edit(templating.default_template(), wider_margins_bigger_body)
    filled = read_docx(io.BytesIO(templating.fill(template, minutes())))
    section = filled.sections[0]
    assert (round(section.left_margin.mm), round(section.top_margin.mm)) == (35, 25)
    text = all_text(templating.fill(template, minutes()))
    assert "{{" not in text and "}}" not in text
    for line in (
        "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT VIỆT NAM",
        "CỤM THI ĐUA SỐ 4",
        "Số: 05/BB-CTĐ4",
        "Ninh Bình, ngày 08 tháng 12 năm 2023",
        "BIÊN BẢN",
        "Hội nghị tổng kết công tác thi đua năm 2023",
        "I. THÀNH PHẦN THAM DỰ",
        "TM. CỤM THI ĐUA SỐ 4",
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Nơi nhận:",
        "- Lưu: VT, Cụm 4.",
    ):
        assert line in text.splitlines(), line
    body = paragraph_with(filled, "Chủ trì: đồng chí Nguyễn Văn An")
    assert {r.find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")) for r in body.iter(qn("w:r"))} == {"26"}


def test_the_tables_of_the_body_narrow_to_the_templates_text_width():
    template = edit(templating.default_template(), wider_margins_bigger_body)
    filled = read_docx(io.BytesIO(templating.fill(template, minutes())))
    votes = next(t for t in filled.tables if t.rows[0].cells[0].text == "TT")
    assert sum(column.width for column in votes.columns) <= Mm(160)


def split_summary(document: Any) -> None:
    """Word's way of storing "{{ trich_yeu }}" after an edit: three runs, a spell-check mark between."""
    paragraph = paragraph_with(document, "trich_yeu")
    run = paragraph.find(qn("w:r"))
    pieces = ["{{ tri", "ch_y", "eu }}"]
    run.find(qn("w:t")).text = pieces[0]
    anchor = run
    for piece in pieces[1:]:
        mark = OxmlElement("w:proofErr")
        mark.set(qn("w:type"), "spellStart")
        anchor.addnext(mark)
        clone = copy.deepcopy(run)
        clone.find(qn("w:t")).text = piece
        mark.addnext(clone)
        anchor = clone


def test_a_field_split_across_runs_is_found_and_filled_in_the_format_of_its_first_run():
    template = edit(templating.default_template(), split_summary)
    assert templating.template_problems(template, recipients=True) == []
    filled = read_docx(io.BytesIO(templating.fill(template, minutes())))
    summary = paragraph_with(filled, "Hội nghị tổng kết công tác")
    runs = [r for r in summary.iter(qn("w:r")) if r.find(qn("w:t")) is not None and r.find(qn("w:t")).text]
    assert [r.find(qn("w:t")).text for r in runs] == ["Hội nghị tổng kết công tác thi đua năm 2023"]
    assert runs[0].find(qn("w:rPr")).find(qn("w:b")) is not None


def test_text_around_a_split_field_keeps_its_place():
    def split_number(document: Any) -> None:
        paragraph = paragraph_with(document, "so_ky_hieu")
        run = paragraph.find(qn("w:r"))
        run.find(qn("w:t")).text = "Số: {{ so_"
        clone = copy.deepcopy(run)
        clone.find(qn("w:t")).text = "ky_hieu }} (bản sao)"
        run.addnext(clone)

    filled = templating.fill(edit(templating.default_template(), split_number), minutes())
    assert "Số: 05/BB-CTĐ4 (bản sao)" in all_text(filled).splitlines()


def test_data_that_reads_like_a_field_is_written_as_text():
    import dataclasses

    odd = dataclasses.replace(minutes(), summary="Về {{ chu_ky }} và {{ trich_yeu }}")
    lines = all_text(templating.fill(templating.default_template(), odd)).splitlines()
    assert "Về {{ chu_ky }} và {{ trich_yeu }}" in lines
    assert "TM. CỤM THI ĐUA SỐ 4" in lines


def test_one_signer_signs_in_the_templates_cell_beside_the_recipients():
    import dataclasses

    from thidua.documents.layout import Signer

    letter = dataclasses.replace(
        minutes(),
        signers=[Signer.for_head(head_title="Cụm trưởng", title="Cụm phó", name="Lê Văn Bình")],
    )
    filled = read_docx(io.BytesIO(templating.fill(templating.default_template(), letter)))
    left, right = filled.tables[-1].rows[0].cells
    assert [p.text for p in right.paragraphs if p.text] == ["KT. CỤM TRƯỞNG", "CỤM PHÓ", "Lê Văn Bình"]
    assert left.paragraphs[0].text == "Nơi nhận:"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (without("trich_yeu"), "Mẫu thiếu trường {{ trich_yeu }} (trích yếu)."),
        (without("chu_ky"), "Mẫu thiếu trường {{ chu_ky }} (chữ ký)."),
        (
            lambda d: (
                paragraph_with(d, "noi_dung")
                .find(qn("w:r"))
                .find(qn("w:t"))
                .__setattr__("text", "Kính gửi: {{ noi_dung }}")
            ),
            "Trường {{ noi_dung }} (nội dung) phải đứng riêng một đoạn",
        ),
        (
            lambda d: (
                paragraph_with(d, "trich_yeu")
                .find(qn("w:r"))
                .find(qn("w:t"))
                .__setattr__("text", "{{ trich_yeu }} {{ ngay_ky }}")
            ),
            "Mẫu có trường không biết: {{ ngay_ky }}",
        ),
    ],
)
def test_a_template_with_a_field_missing_misplaced_or_unknown_is_refused_naming_the_field(change, message):
    problems = templating.template_problems(edit(templating.default_template(), change), recipients=True)
    assert any(message in problem for problem in problems), problems


def test_the_agreement_and_the_vote_count_need_no_recipients_field():
    data = edit(templating.default_template(), without("noi_nhan"))
    assert templating.template_problems(data, recipients=False) == []
    assert templating.template_problems(data, recipients=True) == [
        "Mẫu thiếu trường {{ noi_nhan }} (nơi nhận)."
    ]


# --- the pages ----------------------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def upload(client: Any, kind: str, data: bytes, name: str = "mau.docx") -> Any:
    return client.post(f"{PAGE}/{kind}/tai-len/", {"file": SimpleUploadedFile(name, data)}, follow=True)


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_staff_download_the_default_adjust_it_and_upload_it_as_version_one_then_two(
    client_for: Any, staff: User
) -> None:
    client = client_for(staff)
    default = client.get(f"{PAGE}/minutes/mac-dinh.docx")
    assert default.status_code == 200 and default["Content-Disposition"].endswith('mac-dinh.docx"')
    adjusted = edit(default.content, wider_margins_bigger_body)
    page = upload(client, "minutes", adjusted, "mẫu biên bản.docx").content.decode()
    assert "Đã lưu mẫu Biên bản hội nghị (BB) (bản 1)" in page
    upload(client, "minutes", default.content)
    first, second = DocumentTemplate.objects.filter(kind="minutes").order_by("version")
    assert (first.version, second.version) == (1, 2)
    assert first.sha256 == hashlib.sha256(adjusted).hexdigest() and first.original_name == "mẫu biên bản.docx"
    assert b"".join(client.get(f"{PAGE}/minutes/ban-1.docx").streaming_content) == adjusted
    events = AuditEvent.objects.filter(verb="document_template.upload").order_by("seq")
    assert [e.data["version"] for e in events] == [1, 2]
    listing = client.get(f"{PAGE}/").content.decode()
    assert 'bản 2</a> <span class="muted">(đang dùng)' in listing


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_a_template_missing_the_summary_is_refused_with_the_field_named_and_nothing_saved(
    client_for: Any, staff: User
) -> None:
    page = upload(client_for(staff), "proposal", edit(templating.default_template(), without("trich_yeu")))
    assert "Mẫu thiếu trường {{ trich_yeu }} (trích yếu)." in page.content.decode()
    assert not DocumentTemplate.objects.exists()
    assert not AuditEvent.objects.filter(verb="document_template.upload").exists()


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 a pdf named .docx", "Tệp không phải văn bản Word .docx"),
        (
            zip_of({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}),
            "Tệp không phải văn bản Word .docx",
        ),
        (b"PK\x03\x04 cut short", "Tệp không phải văn bản Word .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old .doc", "có thể là tệp .doc cũ"),
        (
            zip_of({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>", "pad": bytes(400_000)}),
            "Tệp giải nén ra",
        ),
        (
            zip_of(
                {"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>", "word/vbaProject.bin": b"x"}
            ),
            "Mẫu không được chứa macro",
        ),
        (
            zip_of({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"}),
            "Không đọc được tệp Word này",
        ),
    ],
)
def test_an_upload_that_is_not_a_safe_docx_is_refused_by_content_before_word_is_read(
    client_for: Any, staff: User, settings: Any, data: bytes, message: str
) -> None:
    settings.IMPORT_MAX_BYTES = 15_000  # the zip bomb may then inflate to 300 KB at most
    page = upload(client_for(staff), "minutes", data).content.decode()
    assert message in page
    assert not DocumentTemplate.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    client_for: Any, staff: User, settings: Any
) -> None:
    settings.IMPORT_MAX_BYTES = 1000
    page = upload(client_for(staff), "minutes", templating.default_template()).content.decode()
    assert "vượt giới hạn 1000 byte" in page
    assert not DocumentTemplate.objects.exists()


ROLES = {"anonymous": 302, "nghean": 403, "ninhbinh": 403, "bientap": 403, "quangtri": 403, "vusta": 302}


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
@pytest.mark.parametrize("role", sorted(ROLES))
def test_only_the_parent_bodys_staff_upload_its_templates(client_for: Any, role: str) -> None:
    client = client_for(None if role == "anonymous" else User.objects.get(username=role))
    response = client.post(
        f"{PAGE}/minutes/tai-len/", {"file": SimpleUploadedFile("mau.docx", templating.default_template())}
    )
    assert response.status_code == ROLES[role]
    assert DocumentTemplate.objects.exists() == (role == "vusta")
    if role == "anonymous":
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_staff_of_another_parent_body_cannot_see_nor_upload_vustas_templates(client_for: Any) -> None:
    other = Organization.objects.create(code="bo-khac", kind=OrganizationKind.PARENT_BODY)
    clerk = User.objects.create_user(username="canbo-khac", password="x")
    Role.objects.create(user=clerk, kind=RoleKind.PARENT_STAFF, organization=other)
    client = client_for(clerk)
    assert client.get(f"{PAGE}/").status_code == 403
    assert (
        client.post(f"{PAGE}/minutes/tai-len/", {"file": SimpleUploadedFile("m.docx", b"x")}).status_code
        == 403
    )
    assert client.get("/cap-tren/bo-khac/mau-van-ban/").status_code == 200
    assert not DocumentTemplate.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_issued_minutes_are_laid_out_on_the_parent_bodys_current_template(
    client_for: Any, staff: User, officer_ninh_binh: User, monkeypatch: Any
) -> None:
    from thidua.documents import converter

    monkeypatch.setattr(converter, "convert_to_pdf", lambda data, **kwargs: b"%PDF-1.7")
    upload(client_for(staff), "minutes", edit(templating.default_template(), wider_margins_bigger_body))
    template = DocumentTemplate.objects.get()
    conference = Conference.objects.get(emulation_year__year=2023)
    client = client_for(officer_ninh_binh)
    client.post(
        "/nam-thi-dua/vusta-cum-4/2023/van-ban/lap/", {"conference": conference.pk, "kind": "minutes"}
    )
    client.post(
        "/nam-thi-dua/vusta-cum-4/2023/van-ban/lap/", {"conference": conference.pk, "kind": "summary"}
    )
    for draft in Document.objects.order_by("pk"):
        client.post(f"/nam-thi-dua/vusta-cum-4/2023/van-ban/{draft.pk}/ban-hanh/")
    minutes_document, summary_document = Document.objects.order_by("number")
    assert minutes_document.template == template and summary_document.template is None
    content = minutes_document.docx.read()
    assert round(read_docx(io.BytesIO(content)).sections[0].left_margin.mm) == 35
    assert "{{" not in all_text(content) and "Số: 01/BB-CTĐ4" in all_text(content).splitlines()
    # The summary has no template of its own: the built-in layout, left margin 30 mm.
    assert round(read_docx(io.BytesIO(summary_document.docx.read())).sections[0].left_margin.mm) == 30
