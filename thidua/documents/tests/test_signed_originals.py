"""Signed originals checked on upload (issue 15): real PDFs signed by pyHanko under a throwaway CA made in
the test, checked against the roots the parent body configured as a file."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.documents import rules, services, signatures
from thidua.documents.models import Document, DocumentStatus, SignatureStatus, SignedOriginal
from thidua.documents.tests import signing
from thidua.organizations.models import EmulationGroup

Y = "/nam-thi-dua/vusta-cum-4/2023/van-ban"


@pytest.fixture(scope="module")
def ca() -> signing.Authority:
    """The CA whose root the parent body installed."""
    return signing.authority("CA thử nghiệm của cơ quan cấp trên")


@pytest.fixture(scope="module")
def stranger_ca() -> signing.Authority:
    """A CA nobody installed: its signatures are intact but not trusted."""
    return signing.authority("CA không được cài đặt")


@pytest.fixture(scope="module")
def head(ca: signing.Authority) -> signing.Signer:
    return ca.issue("Nguyễn Văn An")


@pytest.fixture(scope="module")
def clerk(ca: signing.Authority) -> signing.Signer:
    return ca.issue("Trần Thị Bình")


@pytest.fixture(scope="module")
def minutes() -> bytes:
    return signing.pdf(3)


@pytest.fixture
def roots(settings: Any, tmp_path: Path, ca: signing.Authority) -> Path:
    """The parent body's roots as an administrator installs them: a PEM file named by the setting."""
    bundle = tmp_path / "roots" / "goc.pem"
    bundle.parent.mkdir()
    bundle.write_bytes(ca.pem)
    settings.SIGNATURE_TRUST_ROOTS = str(bundle)
    return bundle


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def draft(db: Any, officer_ninh_binh: User) -> Document:
    # Registered by hand, so issued with its number: an original is signed after the number is given.
    return services.register(
        actor=officer_ninh_binh,
        doc_type="BB",
        date=datetime.date(2023, 12, 8),
        place="Ninh Bình",
        summary="Hội nghị tổng kết công tác thi đua năm 2023",
        group=EmulationGroup.objects.get(slug="vusta-cum-4"),
        issuer_code="CTĐ4",
    )


@pytest.fixture
def upload(
    officer_ninh_binh: User, draft: Document, roots: Path, media: Path
) -> Callable[[bytes], SignedOriginal]:
    def send(data: bytes, name: str = "ban-goc.pdf") -> SignedOriginal:
        return services.upload_signed_original(
            actor=officer_ninh_binh, document=draft, upload=SimpleUploadedFile(name, data)
        )

    return send


def assert_nothing_written(draft: Document, media: Path) -> None:
    assert not SignedOriginal.objects.exists()
    assert Document.objects.get(pk=draft.pk).status == DocumentStatus.ISSUED  # unchanged
    assert not AuditEvent.objects.filter(verb="document.signed_original", target_id=str(draft.pk)).exists()
    assert not (media / "originals").exists() or not any((media / "originals").rglob("*.pdf"))


# --- Through the service ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_pdf_signed_under_the_configured_root_is_kept_as_valid_with_its_signer_and_time(
    upload: Callable[[bytes], SignedOriginal], minutes: bytes, head: signing.Signer
) -> None:
    signed = signing.sign(minutes, head)
    original = upload(signed)
    assert original.signature_status == SignatureStatus.VALID
    assert original.file.read() == signed  # kept byte for byte: the signature must still verify later
    [entry] = original.signature_report["signatures"]
    assert entry["signer"] == "Nguyễn Văn An"
    assert entry["issuer"] == "CA thử nghiệm của cơ quan cấp trên"
    assert entry["intact"] and entry["unchanged"] and entry["trusted"]
    signed_at = datetime.datetime.fromisoformat(entry["signing_time"])
    assert abs(signed_at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=5)
    assert entry["revocation"] == rules.Revocation.ABSENT
    assert original.signature_report["trust_roots"] == 1
    [line] = original.signature_lines()
    assert line.startswith("Nguyễn Văn An (Liên hiệp các Hội KH&KT tỉnh Ninh Bình); ký lúc ")
    assert "(theo máy của người ký); nội dung toàn vẹn; chứng thư số tin cậy" in line
    assert "tệp không kèm dữ liệu thu hồi nên chưa kiểm tra thu hồi" in line
    event = AuditEvent.objects.get(verb="document.signed_original", target_id=str(original.document_id))
    assert event.data["signature_status"] == "valid" and event.data["signers"] == ["Nguyễn Văn An"]


@pytest.mark.django_db
def test_a_pdf_changed_after_signing_is_refused_with_the_reason_and_nothing_is_written(
    upload: Callable[[bytes], SignedOriginal],
    minutes: bytes,
    head: signing.Signer,
    draft: Document,
    media: Path,
) -> None:
    changed = signing.change_first_page(signing.sign(minutes, head))
    with pytest.raises(ValidationError) as refused:
        upload(changed)
    assert refused.value.messages == [
        "Tệp đã bị sửa sau khi Nguyễn Văn An ký: có nội dung thêm vào sau chữ ký (không phải chữ ký số khác). "
        "Bản gốc không được lưu; hãy tải lên đúng tệp đã ký."
    ]
    assert_nothing_written(draft, media)


@pytest.mark.django_db
def test_a_pdf_whose_signed_bytes_were_altered_is_refused_with_the_reason_and_nothing_is_written(
    upload: Callable[[bytes], SignedOriginal],
    minutes: bytes,
    head: signing.Signer,
    draft: Document,
    media: Path,
) -> None:
    broken = signing.alter_signed_byte(signing.sign(minutes, head))
    with pytest.raises(ValidationError, match="Chữ ký số của Nguyễn Văn An không khớp với nội dung tệp"):
        upload(broken)
    assert_nothing_written(draft, media)


@pytest.mark.django_db
def test_a_pdf_signed_under_a_root_nobody_installed_is_kept_but_marked_untrusted(
    upload: Callable[[bytes], SignedOriginal], minutes: bytes, stranger_ca: signing.Authority
) -> None:
    original = upload(signing.sign(minutes, stranger_ca.issue("Lê Văn Lạ")))
    assert original.signature_status == SignatureStatus.UNTRUSTED
    [entry] = original.signature_report["signatures"]
    assert entry["intact"] and entry["unchanged"] and not entry["trusted"]
    assert entry["trust_problem"] == (
        "chứng thư số không do tổ chức chứng thực có chứng thư gốc được cơ quan cấp trên cài đặt cấp"
    )
    assert (
        "chứng thư số chưa tin cậy: chứng thư số không do tổ chức chứng thực" in original.signature_lines()[0]
    )


@pytest.mark.django_db
def test_an_unsigned_pdf_is_kept_and_marked_unsigned(
    upload: Callable[[bytes], SignedOriginal], minutes: bytes, draft: Document
) -> None:
    original = upload(minutes)
    assert original.signature_status == SignatureStatus.UNSIGNED
    assert original.get_signature_status_display() == "Chưa ký số"
    assert original.signature_report["signatures"] == [] and original.signature_lines() == []
    assert Document.objects.get(pk=draft.pk).status == DocumentStatus.ISSUED


@pytest.mark.django_db
def test_a_pdf_signed_twice_is_valid_and_lists_both_signers_in_signing_order(
    upload: Callable[[bytes], SignedOriginal],
    minutes: bytes,
    head: signing.Signer,
    clerk: signing.Signer,
) -> None:
    twice = signing.sign(signing.sign(minutes, clerk, field_name="ThuKy"), head, field_name="CumTruong")
    original = upload(twice)
    assert original.signature_status == SignatureStatus.VALID
    report = original.signature_report["signatures"]
    assert [(e["field"], e["signer"]) for e in report] == [
        ("ThuKy", "Trần Thị Bình"),
        ("CumTruong", "Nguyễn Văn An"),
    ]
    # The first signature does not cover the second's revision: a further signature is no change.
    assert all(e["intact"] and e["unchanged"] and e["trusted"] for e in report)
    assert len(original.signature_lines()) == 2


@pytest.mark.django_db
def test_a_second_signature_does_not_excuse_a_change_made_before_it(
    upload: Callable[[bytes], SignedOriginal],
    minutes: bytes,
    head: signing.Signer,
    clerk: signing.Signer,
) -> None:
    tampered = signing.sign(
        signing.change_first_page(signing.sign(minutes, clerk)), head, field_name="CumTruong"
    )
    with pytest.raises(ValidationError, match="Tệp đã bị sửa sau khi Trần Thị Bình ký"):
        upload(tampered)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><body>Bien ban</body></html>", "bien-ban.pdf"),
        (b"%PDF-1.7 but nothing of a PDF after the header", "bien-ban.pdf"),
        ("docx", "bien-ban.pdf"),  # a Word file renamed .pdf
    ],
    ids=["html", "pdf-header-only", "docx-renamed"],
)
def test_a_file_that_is_not_a_pdf_by_its_content_is_refused_in_vietnamese_and_nothing_is_written(
    upload: Callable[..., SignedOriginal], draft: Document, media: Path, data: Any, name: str
) -> None:
    if data == "docx":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
        data = out.getvalue()
    with pytest.raises(ValidationError) as refused:
        upload(data, name)
    assert "PDF" in refused.value.messages[0]
    assert refused.value.message_dict["file"][0].startswith(
        ("Bản gốc đã ký phải là tệp PDF", "Tệp không đọc được")
    )
    assert_nothing_written(draft, media)


@pytest.mark.django_db
def test_a_password_protected_pdf_is_refused_saying_why(
    upload: Callable[[bytes], SignedOriginal], draft: Document, media: Path
) -> None:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    locked = canvas.Canvas(out, encrypt="matkhau")
    locked.drawString(72, 770, "Bien ban")
    locked.showPage()
    locked.save()
    with pytest.raises(ValidationError, match="Tệp PDF đặt mật khẩu nên không kiểm tra được chữ ký số"):
        upload(out.getvalue())
    assert_nothing_written(draft, media)


# --- Revocation data embedded in the file -------------------------------------------------------------


@pytest.mark.django_db
def test_a_crl_in_the_document_security_store_is_checked_and_the_page_says_so(
    upload: Callable[[bytes], SignedOriginal], minutes: bytes, head: signing.Signer, ca: signing.Authority
) -> None:
    original = upload(signing.embed_crl(signing.sign(minutes, head), ca.crl()))
    assert original.signature_status == SignatureStatus.VALID
    assert original.signature_report["signatures"][0]["revocation"] == rules.Revocation.GOOD
    assert "đã kiểm tra thu hồi theo dữ liệu đi kèm: chưa bị thu hồi" in original.signature_lines()[0]


@pytest.mark.django_db
def test_a_crl_in_a_cms_signatures_revocation_archive_is_checked_too(
    upload: Callable[[bytes], SignedOriginal], minutes: bytes, head: signing.Signer, ca: signing.Authority
) -> None:
    original = upload(signing.sign(minutes, head, crl=ca.crl()))
    assert original.signature_status == SignatureStatus.VALID
    assert original.signature_report["signatures"][0]["revocation"] == rules.Revocation.GOOD


@pytest.mark.django_db
def test_a_certificate_the_embedded_crl_revokes_is_kept_marked_revoked(
    upload: Callable[[bytes], SignedOriginal], minutes: bytes, ca: signing.Authority
) -> None:
    revoked = ca.issue("Phạm Văn Thu Hồi")
    original = upload(
        signing.embed_crl(signing.sign(minutes, revoked), ca.crl(revoked=(revoked.certificate,)))
    )
    assert original.signature_status == SignatureStatus.REVOKED
    [entry] = original.signature_report["signatures"]
    assert entry["revocation"] == rules.Revocation.REVOKED and not entry["trusted"]


@pytest.mark.django_db
def test_embedded_revocation_data_past_its_validity_is_not_a_failure_and_the_page_says_it_was_not_checked(
    upload: Callable[[bytes], SignedOriginal], minutes: bytes, head: signing.Signer, ca: signing.Authority
) -> None:
    old_crl = ca.crl(age=datetime.timedelta(days=10))  # next update was 3 days ago
    original = upload(signing.embed_crl(signing.sign(minutes, head), old_crl))
    assert original.signature_status == SignatureStatus.VALID
    assert original.signature_report["signatures"][0]["revocation"] == rules.Revocation.STALE
    assert "dữ liệu thu hồi đi kèm đã hết hạn khi tải lên" in original.signature_lines()[0]


# --- The configured roots -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_configured_roots_a_signature_is_kept_untrusted_and_the_page_says_why(
    upload: Callable[[bytes], SignedOriginal], minutes: bytes, head: signing.Signer, settings: Any
) -> None:
    settings.SIGNATURE_TRUST_ROOTS = ""
    original = upload(signing.sign(minutes, head))
    assert original.signature_status == SignatureStatus.UNTRUSTED
    assert original.signature_report["trust_roots"] == 0
    assert "máy chủ chưa cài chứng thư gốc" in original.signature_lines()[0]


@pytest.mark.django_db
def test_roots_unreadable_where_configured_refuse_the_upload_and_warn_at_start_up(
    upload: Callable[[bytes], SignedOriginal],
    minutes: bytes,
    head: signing.Signer,
    settings: Any,
    tmp_path: Path,
    draft: Document,
    media: Path,
) -> None:
    settings.SIGNATURE_TRUST_ROOTS = str(tmp_path / "khong-co")
    with pytest.raises(ValidationError, match="Máy chủ chưa đọc được chứng thư gốc"):
        upload(signing.sign(minutes, head))
    assert_nothing_written(draft, media)
    warnings = [m for m in checks.run_checks() if m.id == "documents.W001"]
    assert len(warnings) == 1 and "khong-co" in warnings[0].msg


def test_roots_are_read_from_a_directory_of_pem_and_der_files_and_other_files_are_left_alone(
    tmp_path: Path, ca: signing.Authority, stranger_ca: signing.Authority
) -> None:
    from cryptography.hazmat.primitives import serialization

    (tmp_path / "bundle.pem").write_bytes(ca.pem + stranger_ca.pem)
    (tmp_path / "root.cer").write_bytes(ca.certificate.public_bytes(serialization.Encoding.DER))
    (tmp_path / "README.txt").write_text("Chứng thư gốc của Ban Cơ yếu Chính phủ")
    roots = signatures.load_trust_roots(str(tmp_path))
    assert len(roots) == 3
    (tmp_path / "hong.crt").write_bytes(b"not a certificate")
    with pytest.raises(signatures.RootsUnavailable, match=r"hong\.crt"):
        signatures.load_trust_roots(str(tmp_path))


def test_a_check_writes_nothing_and_takes_roots_given_to_it(minutes: bytes, head: signing.Signer) -> None:
    checked = signatures.check(signing.sign(minutes, head), roots=[])
    assert checked.verdict is rules.Verdict.UNTRUSTED and checked.refusal is None


# --- Through the page ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("roots", "media")
def test_uploading_through_the_page_shows_the_result_in_vietnamese(
    client_for: Any, officer_ninh_binh: User, draft: Document, minutes: bytes, head: signing.Signer
) -> None:
    client = client_for(officer_ninh_binh)
    signed = SimpleUploadedFile("ban-goc.pdf", signing.sign(minutes, head))
    page = client.post(f"{Y}/{draft.pk}/ban-goc/", {"file": signed}, follow=True).content.decode()
    assert (
        f"Đã lưu bản gốc đã ký (bản 1) của văn bản {draft.number_text}. Chữ ký số hợp lệ: Nguyễn Văn An."
        in page
    )
    assert "Chữ ký số của bản 1 (1)" in page and "nội dung toàn vẹn; chứng thư số tin cậy" in page
    unsigned = SimpleUploadedFile("ban-goc.pdf", minutes)
    page = client.post(f"{Y}/{draft.pk}/ban-goc/", {"file": unsigned}, follow=True).content.decode()
    assert f"Đã lưu bản gốc đã ký (bản 2) của văn bản {draft.number_text}. Chưa ký số." in page
    assert '<span class="badge">Chưa ký số</span>' in page


@pytest.mark.django_db
@pytest.mark.usefixtures("roots", "media")
def test_the_page_marks_an_untrusted_signature_and_says_why(
    client_for: Any,
    officer_ninh_binh: User,
    draft: Document,
    minutes: bytes,
    stranger_ca: signing.Authority,
) -> None:
    signed = SimpleUploadedFile("ban-goc.pdf", signing.sign(minutes, stranger_ca.issue("Lê Văn Lạ")))
    page = (
        client_for(officer_ninh_binh)
        .post(f"{Y}/{draft.pk}/ban-goc/", {"file": signed}, follow=True)
        .content.decode()
    )
    assert '<li class="warning">' in page
    assert "Chữ ký số toàn vẹn, chứng thư số chưa được tin cậy: Lê Văn Lạ." in page
    assert '<span class="badge">Chữ ký số toàn vẹn, chứng thư số chưa được tin cậy</span>' in page
    assert (
        "chứng thư số không do tổ chức chứng thực có chứng thư gốc được cơ quan cấp trên cài đặt cấp" in page
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("roots")
def test_a_file_changed_after_signing_is_refused_on_the_page_with_the_reason(
    client_for: Any,
    officer_ninh_binh: User,
    draft: Document,
    minutes: bytes,
    head: signing.Signer,
    media: Path,
) -> None:
    changed = SimpleUploadedFile("ban-goc.pdf", signing.change_first_page(signing.sign(minutes, head)))
    page = (
        client_for(officer_ninh_binh)
        .post(f"{Y}/{draft.pk}/ban-goc/", {"file": changed}, follow=True)
        .content.decode()
    )
    assert '<li class="error">Tệp đã bị sửa sau khi Nguyễn Văn An ký' in page
    assert_nothing_written(draft, media)


@pytest.mark.django_db
@pytest.mark.usefixtures("roots")
def test_only_the_years_runners_may_upload_an_original_as_before(
    client_for: Any,
    officer_nghe_an: User,
    editor: User,
    staff: User,
    draft: Document,
    minutes: bytes,
    head: signing.Signer,
    media: Path,
) -> None:
    signed = signing.sign(minutes, head)

    def post(user: User | None) -> int:
        return (
            client_for(user)
            .post(f"{Y}/{draft.pk}/ban-goc/", {"file": SimpleUploadedFile("ban-goc.pdf", signed)})
            .status_code
        )

    assert post(None) == 302  # to the login page
    assert post(officer_nghe_an) == 403  # a member of the cluster, not its secretariat
    assert post(editor) == 403
    assert_nothing_written(draft, media)
    assert post(staff) == 302  # the parent body runs the year too: saved, back to the register
    assert SignedOriginal.objects.get().signature_status == SignatureStatus.VALID


# --- The rules ----------------------------------------------------------------------------------------


def facts(**changes: Any) -> rules.SignatureFacts:
    base = {
        "signer": "Nguyễn Văn An",
        "intact": True,
        "unchanged": True,
        "trusted": True,
        "revocation": rules.Revocation.ABSENT,
    }
    return rules.SignatureFacts(**{**base, **changes})


@pytest.mark.parametrize(
    ("signatures_found", "expected"),
    [
        ([], rules.Verdict.UNSIGNED),
        ([facts()], rules.Verdict.VALID),
        ([facts(), facts(signer="Trần Thị Bình")], rules.Verdict.VALID),
        ([facts(trusted=False)], rules.Verdict.UNTRUSTED),
        ([facts(), facts(trusted=False)], rules.Verdict.UNTRUSTED),
        ([facts(trusted=False, revocation=rules.Revocation.REVOKED)], rules.Verdict.REVOKED),
        ([facts(trusted=False), facts(unchanged=False)], rules.Verdict.CHANGED),
        # A broken signature comes before a change: the signed bytes themselves are not what was signed.
        ([facts(unchanged=False), facts(intact=False)], rules.Verdict.BROKEN),
        ([facts(intact=False, unchanged=False, trusted=False)], rules.Verdict.BROKEN),
    ],
)
def test_the_worst_signature_decides_the_outcome(
    signatures_found: list[rules.SignatureFacts], expected: rules.Verdict
) -> None:
    assert rules.verdict(signatures_found) is expected
    assert (rules.refusal(signatures_found) is not None) == (expected in rules.REFUSED)


def test_the_refusal_names_the_signer_whose_signature_failed() -> None:
    found = [facts(), facts(signer="Trần Thị Bình", intact=False)]
    assert (rules.refusal(found) or "").startswith("Chữ ký số của Trần Thị Bình không khớp")


def test_a_signature_line_reads_the_time_in_vietnam_and_prefers_a_trusted_timestamp() -> None:
    entry = {
        "signer": "Nguyễn Văn An",
        "signing_time": "2023-12-08T02:00:00+00:00",
        "intact": True,
        "trusted": True,
        "revocation": "good",
    }
    assert rules.describe_signature(entry) == (
        "Nguyễn Văn An; ký lúc 09:00 ngày 08/12/2023 (theo máy của người ký); nội dung toàn vẹn; "
        "chứng thư số tin cậy; đã kiểm tra thu hồi theo dữ liệu đi kèm: chưa bị thu hồi."
    )
    stamped = rules.describe_signature({**entry, "timestamp": "2023-12-08T02:05:00+00:00"})
    assert "ký lúc 09:05 ngày 08/12/2023 (theo dấu thời gian)" in stamped
    assert "không ghi thời điểm ký" in rules.describe_signature({**entry, "signing_time": None})
