"""A throwaway certificate authority and real signed PDFs for the signature tests and the benchmark.

Everything is made in memory: a root, an intermediate-free signer certificate issued by it, CRLs,
and PDFs laid out by reportlab (uncompressed page streams, so a test can find and alter a page's text)
then signed by pyHanko as a signing tool would sign them. Nothing here is used by the application.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from thidua.documents.signatures import outside_event_loop

UTC = datetime.UTC
# Certificates valid from a little before now: the check runs at upload time.
NOW = datetime.datetime.now(UTC).replace(microsecond=0)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Liên hiệp các Hội KH&KT tỉnh Ninh Bình"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _new_key(kind: str) -> PrivateKey:
    """P-256 keys for the tests (made in microseconds); RSA 2048, what Vietnamese CAs issue, for the
    benchmark."""
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


@dataclass(frozen=True)
class Authority:
    """A root CA: its certificate and key, and the PEM a parent body would install as a trust root."""

    name: str
    certificate: x509.Certificate
    key: PrivateKey
    key_kind: str = "ec"

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue(self, common_name: str, *, days: int = 365) -> Signer:
        key = _new_key(self.key_kind)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=1))
            .not_valid_after(NOW + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            # Where the CA publishes its CRL, as real signing certificates say: a validator checks
            # revocation only for a certificate that declares where to find it. Never fetched here.
            .add_extension(
                x509.CRLDistributionPoints(
                    [
                        x509.DistributionPoint(
                            full_name=[x509.UniformResourceIdentifier("http://ca.invalid/crl")],
                            relative_name=None,
                            reasons=None,
                            crl_issuer=None,
                        )
                    ]
                ),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        return Signer(common_name, certificate, key, self)

    def crl(
        self,
        *,
        revoked: tuple[x509.Certificate, ...] = (),
        age: datetime.timedelta = datetime.timedelta(hours=1),
    ) -> x509.CertificateRevocationList:
        """A CRL issued ``age`` ago for a week, listing ``revoked``."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(NOW - age)
            .next_update(NOW - age + datetime.timedelta(days=7))
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
            .add_extension(x509.CRLNumber(1), critical=False)
        )
        for certificate in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(certificate.serial_number)
                .revocation_date(NOW - datetime.timedelta(minutes=30))
                .build()
            )
        return builder.sign(self.key, hashes.SHA256())


def authority(name: str, *, key_kind: str = "ec") -> Authority:
    key = _new_key(key_kind)
    subject = _name(name)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=30))
        .not_valid_after(NOW + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(name, certificate, key, key_kind)


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class Signer:
    """A person's signing certificate and key, as on their USB token."""

    name: str
    certificate: x509.Certificate
    key: PrivateKey
    issuer: Authority

    def pyhanko_signer(self) -> signers.SimpleSigner:
        key = asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return signers.SimpleSigner(
            signing_cert=_asn1_certificate(self.certificate),
            signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs([_asn1_certificate(self.issuer.certificate)]),
        )


def pdf(pages: int = 1, *, title: str = "Biên bản hội nghị tổng kết", scans: Sequence[bytes] = ()) -> bytes:
    """A real PDF of ``pages`` pages, each saying "Trang N" (page streams left uncompressed). With
    ``scans`` (JPEG files), page N also shows the Nth, as a scanned signed page does."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    drawing = canvas.Canvas(out, pagesize=A4, pageCompression=0, invariant=1)
    drawing.setTitle(title)
    for number in range(1, pages + 1):
        if scans:
            drawing.drawImage(ImageReader(io.BytesIO(scans[(number - 1) % len(scans)])), 0, 0, *A4)
        drawing.setFont("Helvetica", 12)
        drawing.drawString(72, 770, "Cum thi dua so 4 - Bien ban hoi nghi tong ket nam 2023")
        for line in range(40):
            drawing.drawString(
                72, 740 - line * 16, f"Trang {number:02d}, dong {line + 1:02d}: noi dung bien ban."
            )
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def sign(
    data: bytes,
    signer: Signer,
    *,
    field_name: str = "ChuKy1",
    crl: x509.CertificateRevocationList | None = None,
) -> bytes:
    """``data`` signed by ``signer`` as an incremental update (PAdES, a new invisible field). With
    ``crl``, a CMS signature (adbe.pkcs7.detached) carrying the CRL in its revocation archive, as
    older signing tools make them."""
    meta = signers.PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256", reason="Ký ban hành")
    if crl is not None:
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
            embed_validation_info=True,
            validation_context=ValidationContext(
                trust_roots=[_asn1_certificate(signer.issuer.certificate)],
                crls=[asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))],
                allow_fetching=False,
                revocation_mode="hard-fail",
            ),
        )
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    # Outside any running event loop, as the product's check (pyHanko starts its own).
    return outside_event_loop(
        lambda: signers.sign_pdf(writer, meta, signer=signer.pyhanko_signer()).getvalue()
    )


def embed_crl(data: bytes, crl: x509.CertificateRevocationList) -> bytes:
    """``crl`` added to the document security store in an incremental update after the signatures,
    as a signing tool does for long-term validation (PAdES-LT)."""
    out = io.BytesIO(data)
    DocumentSecurityStore.add_dss(
        out, None, crls=[asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))]
    )
    return out.getvalue()


def change_first_page(data: bytes, text: bytes = b"(Trang da bi sua sau khi ky.) Tj") -> bytes:
    """An incremental update appended after the signatures that replaces page 1's content: what an
    editor saving the signed file after a change writes."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 770 Td " + text + b" ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def alter_signed_byte(data: bytes) -> bytes:
    """One letter of page 1's text changed in place, inside the signed byte range: the file still
    parses, the signature no longer matches."""
    at = data.index(b"Trang 01, dong 01")
    return data[:at] + b"Trang 07" + data[at + len(b"Trang 01") :]
