"""One click per document from the replayed 2023 conference, as the secretariat of 2023 uses it."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.accounts.models import User
from thidua.conferences.models import Conference
from thidua.documents.models import Document
from thidua.documents.tests import signing

Y = "/nam-thi-dua/vusta-cum-4/2023/van-ban"


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_the_secretariat_issues_the_minutes_with_the_next_number_as_docx_and_pdf(
    client_for: Any, officer_ninh_binh: User, monkeypatch: Any
) -> None:
    from thidua.documents import converter

    monkeypatch.setattr(converter, "convert_to_pdf", lambda data, **kwargs: b"%PDF-1.7 made")
    conference = Conference.objects.get(emulation_year__year=2023)
    client = client_for(officer_ninh_binh)
    response = client.post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"}, follow=True)
    assert "Đã lập dự thảo «Hội nghị tổng kết" in response.content.decode()
    draft = Document.objects.get(kind="minutes")
    assert draft.number is None and draft.docx.read()[:2] == b"PK"
    issued = client.post(f"{Y}/{draft.pk}/ban-hanh/", follow=True).content.decode()
    document = Document.objects.get(number_text="01/BB-CTĐ4")
    assert f"Đã ban hành văn bản số 01/BB-CTĐ4 ngày {document.date:%d/%m/%Y}." in issued
    assert document.docx.read()[:2] == b"PK" and document.pdf.read() == b"%PDF-1.7 made"
    assert client.get(f"{Y}/{document.pk}/docx/").status_code == 200
    client.post(f"{Y}/lap/", {"conference": conference.pk, "kind": "proposal"})
    proposal = Document.objects.get(kind="proposal")
    second = client.post(f"{Y}/{proposal.pk}/ban-hanh/", follow=True)
    assert "02/TTr-CTĐ4" in second.content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_without_libreoffice_the_docx_is_kept_and_the_page_says_the_pdf_is_missing(
    client_for: Any, officer_ninh_binh: User, monkeypatch: Any
) -> None:
    from thidua.documents import converter

    def unavailable(data: bytes, **kwargs: Any) -> bytes:
        raise converter.PdfUnavailable(converter.PdfUnavailable.__doc__ or "")

    monkeypatch.setattr(converter, "convert_to_pdf", unavailable)
    conference = Conference.objects.get(emulation_year__year=2023)
    response = client_for(officer_ninh_binh).post(
        f"{Y}/lap/", {"conference": conference.pk, "kind": "summary"}, follow=True
    )
    assert "PDF chưa tạo được" in response.content.decode()
    document = Document.objects.get()
    assert document.docx and not document.pdf


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_a_draft_discarded_from_the_register_lets_the_button_make_it_again(
    client_for: Any, officer_ninh_binh: User, officer_nghe_an: User, monkeypatch: Any
) -> None:
    from thidua.documents import converter

    monkeypatch.setattr(converter, "convert_to_pdf", lambda data, **kwargs: b"%PDF-1.7")
    conference = Conference.objects.get(emulation_year__year=2023)
    client = client_for(officer_ninh_binh)
    client.post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"})
    draft = Document.objects.get()
    assert client_for(officer_nghe_an).post(f"{Y}/{draft.pk}/huy/", {"reason": "x"}).status_code == 403
    assert client_for(officer_nghe_an).post(f"{Y}/{draft.pk}/ban-hanh/").status_code == 403
    page = client.post(f"{Y}/{draft.pk}/huy/", {"reason": "Sai ngày"}, follow=True).content.decode()
    assert "Đã hủy dự thảo «Hội nghị tổng kết" in page
    remade = client.post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"}, follow=True)
    assert "Đã lập dự thảo" in remade.content.decode()
    assert [d.status for d in Document.objects.order_by("pk")] == ["discarded", "draft"]
    assert not Document.objects.exclude(number=None).exists()  # no number spent on a draft


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_a_member_officer_cannot_issue_the_clusters_documents(client_for: Any, officer_nghe_an: User) -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    assert (
        client_for(officer_nghe_an)
        .post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"})
        .status_code
        == 403
    )
    assert not Document.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_every_published_poll_gets_its_vote_count_minutes_and_the_signed_original_is_kept(
    client_for: Any, officer_ninh_binh: User, monkeypatch: Any
) -> None:
    from thidua.documents import converter

    monkeypatch.setattr(converter, "convert_to_pdf", lambda data, **kwargs: b"%PDF-1.7")
    conference = Conference.objects.get(emulation_year__year=2023)
    client = client_for(officer_ninh_binh)
    for poll in conference.polls.all():
        client.post(f"{Y}/lap/", {"conference": conference.pk, "poll": poll.pk, "kind": "count"})
    assert Document.objects.filter(summary__startswith="Kiểm phiếu").count() == 4
    document = Document.objects.order_by("pk").first()
    assert document is not None
    refused = client.post(
        f"{Y}/{document.pk}/ban-goc/", {"file": SimpleUploadedFile("ky.pdf", b"%PDF-1.7 x")}, follow=True
    )
    assert "Văn bản còn là dự thảo" in refused.content.decode() and not document.originals.exists()
    client.post(f"{Y}/{document.pk}/ban-hanh/")
    client.post(f"{Y}/{document.pk}/ban-goc/", {"file": SimpleUploadedFile("ky.pdf", signing.pdf(1))})
    assert document.originals.get().version == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("media")
def test_the_real_converter_makes_a_pdf_of_the_minutes_where_libreoffice_is_installed(
    client_for: Any, officer_ninh_binh: User
) -> None:
    import os

    if shutil.which("soffice") is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs LibreOffice (.ci/run)")
        pytest.skip("LibreOffice is not installed here")
    conference = Conference.objects.get(emulation_year__year=2023)
    client_for(officer_ninh_binh).post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"})
    assert Document.objects.get().pdf.read()[:5] == b"%PDF-"
