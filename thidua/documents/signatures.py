"""Checking the signatures of an uploaded signed original (issue 15), with pyHanko, offline.

For each PAdES or CMS signature in the PDF: is it intact (the signed bytes hash to what was signed and
the signature value verifies), was anything but further signatures and validation data added after it,
who signed and when, does the certificate chain to a root the parent body installed, and what the
revocation data embedded in the file says. Nothing is ever fetched: government CA roots are installed by
an administrator as files (``SIGNATURE_TRUST_ROOTS``, a PEM/DER file or a directory of them), and a CRL or
OCSP response counts only when the file carries it. `rules.verdict` turns the findings into the outcome.

The certificate is judged at upload time, the moment the server sees the file: an office uploads what
was just signed. The time a signer's computer wrote into the signature is shown as such, never trusted;
a signature time-stamp is shown instead when its authority chains to the same roots.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate, AdESSubIndic
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.general import NonexistentAttributeError, find_unique_cms_attribute
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    validate_pdf_signature,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from thidua.documents import rules
from thidua.lib.text import clean_text

_T = TypeVar("_T")

# Files of a roots directory that are read; anything else there (a README, a backup) is left alone.
ROOT_SUFFIXES = {".pem", ".crt", ".cer", ".der"}
# A signing certificate carries non-repudiation, digital signature or both, depending on the CA's
# profile; pyHanko's default asks for non-repudiation alone and would call some valid ones untrusted.
KEY_USAGE = KeyUsageConstraints(
    key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False
)


class Unreadable(Exception):
    """The upload is not a PDF whose signatures can be read; the message says why (Vietnamese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RootsUnavailable(Exception):
    """The configured trust roots cannot be read: the administrator's to fix, not the uploader's."""


@dataclass(frozen=True)
class Checked:
    verdict: rules.Verdict
    facts: list[rules.SignatureFacts]
    report: dict[str, Any]

    @property
    def refusal(self) -> str | None:
        return rules.refusal(self.facts)


# --- Trust roots -------------------------------------------------------------------------------------


def trust_roots_path() -> str:
    """The configured roots: the setting, else the environment variable of the same name with the
    project's prefix; empty when none are configured (every signature is then untrusted)."""
    configured = getattr(settings, "SIGNATURE_TRUST_ROOTS", None)
    if configured is None:
        configured = os.environ.get("THIDUA_SIGNATURE_TRUST_ROOTS", "")
    return str(configured).strip()


def _certificates(data: bytes, source: Path) -> list[asn1_x509.Certificate]:
    try:
        if pem.detect(data):
            return [
                asn1_x509.Certificate.load(der)
                for kind, _, der in pem.unarmor(data, multiple=True)
                if kind == "CERTIFICATE"
            ]
        certificate = asn1_x509.Certificate.load(data)
        certificate.native  # noqa: B018 — parses it all now, so a damaged file fails here, not mid-check
        return [certificate]
    except (ValueError, TypeError) as error:
        raise RootsUnavailable(f"{source}: not a PEM or DER certificate ({error})") from error


def load_trust_roots(path: str) -> list[asn1_x509.Certificate]:
    """The certificates of a PEM bundle or DER file, or of every such file in a directory. Raises
    RootsUnavailable when a configured path is missing or holds no certificate: a typo must not pass
    for "no roots" and quietly mark every signature untrusted."""
    if not path:
        return []
    location = Path(path)
    if location.is_dir():
        files = sorted(f for f in location.iterdir() if f.is_file() and f.suffix.lower() in ROOT_SUFFIXES)
    elif location.is_file():
        files = [location]
    else:
        raise RootsUnavailable(f"{path}: no such file or directory")
    roots = []
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise RootsUnavailable(f"{file}: {error}") from error
        roots += _certificates(data, file)
    if not roots:
        raise RootsUnavailable(f"{path}: no certificate found")
    return roots


# --- Reading the file --------------------------------------------------------------------------------


def _reader(data: bytes) -> PdfFileReader:
    not_pdf = "Tệp không đọc được như một tệp PDF (tệp hỏng, hoặc không phải PDF dù có phần mở rộng .pdf)."
    if not data.startswith(b"%PDF-"):
        raise Unreadable("Bản gốc đã ký phải là tệp PDF (kiểm tra theo nội dung tệp).")
    # pyHanko raises many kinds of error on a malformed file; any of them means the same to the uploader.
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        reader.root  # noqa: B018 — the catalogue is where every later step starts
    except Exception:
        # Office software writes slightly malformed PDFs (stray bytes, wrong xref offsets) that viewers
        # open: kept when unsigned, but a signature cannot be judged in a file that has to be repaired.
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            signed = not reader.encrypted and bool(reader.embedded_signatures)
        except Exception as error:
            raise Unreadable(not_pdf) from error
        if signed:
            raise Unreadable(
                "Tệp PDF có chữ ký số nhưng sai cấu trúc nên không kiểm tra được chữ ký; "
                "hãy tải lên đúng tệp mà phần mềm ký số đã xuất."
            ) from None
    if reader.encrypted:
        raise Unreadable(
            "Tệp PDF đặt mật khẩu nên không kiểm tra được chữ ký số; hãy tải lên bản không đặt mật khẩu."
        )
    return reader


@dataclass
class _Revinfo:
    """The validation data the file carries: its document security store and each signature's
    Adobe revocation archive (the two places PAdES and CMS signatures put it)."""

    certs: list[asn1_x509.Certificate]
    crls: list[asn1_crl.CertificateList]
    ocsps: list[asn1_ocsp.OCSPResponse]


def _embedded_revinfo(reader: PdfFileReader, signatures: Sequence[EmbeddedPdfSignature]) -> _Revinfo:
    found = _Revinfo([], [], [])
    try:
        store = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        pass
    else:
        context = store.as_validation_context({"trust_roots": [], "allow_fetching": False})
        found.certs += list(store.load_certs())
        found.crls += context.crls
        found.ocsps += context.ocsps
    for signature in signatures:
        try:
            archive = find_unique_cms_attribute(
                signature.signer_info["signed_attrs"], "adobe_revocation_info_archival"
            )
        except (NonexistentAttributeError, ValueError, KeyError):
            continue
        found.crls += list(archive["crl"]) if archive["crl"].native else []
        found.ocsps += list(archive["ocsp"]) if archive["ocsp"].native else []
    return found


def _revinfo_for(certificate: asn1_x509.Certificate, revinfo: _Revinfo) -> bool:
    """Whether the embedded data speaks of ``certificate`` in a way the validator uses: a CRL of its
    issuer or an OCSP response for its serial number, for a certificate that declares that service
    (a validator does not look for revocation of a certificate that names no CRL or OCSP)."""
    if certificate.crl_distribution_points and any(
        c["tbs_cert_list"]["issuer"] == certificate.issuer for c in revinfo.crls
    ):
        return True
    if certificate.ocsp_urls:
        for response in revinfo.ocsps:
            try:
                answers = response.basic_ocsp_response["tbs_response_data"]["responses"]
            except (ValueError, KeyError, TypeError):
                continue
            if any(a["cert_id"]["serial_number"].native == certificate.serial_number for a in answers):
                return True
    return False


# --- Judging each signature --------------------------------------------------------------------------

TRUST_PROBLEMS = {
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: (
        "chứng thư số không do tổ chức chứng thực có chứng thư gốc được cơ quan cấp trên cài đặt cấp"
    ),
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: "chứng thư số đã hết hạn hoặc chưa có hiệu lực khi tải lên",
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: "chứng thư số đã hết hạn khi tải lên",
    AdESIndeterminate.REVOKED_NO_POE: "chứng thư số đã bị thu hồi",
    AdESIndeterminate.REVOKED_CA_NO_POE: "chứng thư của tổ chức chứng thực đã bị thu hồi",
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: "chuỗi chứng thư số không đáp ứng ràng buộc",
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE: "chữ ký dùng thuật toán không còn an toàn",
    AdESIndeterminate.TRY_LATER: "dữ liệu thu hồi đi kèm không còn hiệu lực",
}


def _trust_problem(status: PdfSignatureStatus, roots: Sequence[asn1_x509.Certificate]) -> str:
    if status.trusted:
        return ""
    if not roots:
        return "máy chủ chưa cài chứng thư gốc của tổ chức chứng thực nào"
    indication: AdESSubIndic | None = status.trust_problem_indic
    if indication is None:
        return "không xác định được chuỗi chứng thư số"
    known = TRUST_PROBLEMS.get(indication)  # type: ignore[call-overload]
    return known or f"chuỗi chứng thư số không hợp lệ ({getattr(indication, 'name', indication)})"


ALLOWED_AFTER_SIGNING = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES}


def _unchanged(status: PdfSignatureStatus, signature_fields: set[str]) -> bool:
    """Nothing was added after this signature but further signatures (filling signature fields) and
    validation data (DSS, document time-stamps). Filling other form fields, adding annotations or
    changing a page counts as a change: a signed original is not a form."""
    if status.docmdp_ok is False:
        return False
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return False
    diff = status.diff_result
    if not isinstance(diff, DiffResult):
        return False  # the diff policy found something it could not explain
    if diff.modification_level in ALLOWED_AFTER_SIGNING:
        return True
    return diff.modification_level == ModificationLevel.FORM_FILLING and diff.changed_form_fields <= (
        signature_fields
    )


def _name(certificate: asn1_x509.Certificate | None) -> tuple[str, str]:
    """(common name, organization) of a certificate's subject, NFC, for the page."""
    if certificate is None:
        return "", ""
    subject = certificate.subject.native
    name = subject.get("common_name") or certificate.subject.human_friendly
    return clean_text(_text(name)), clean_text(_text(subject.get("organization_name") or ""))


def _text(value: Any) -> str:
    """A name attribute as text: a subject may repeat one (two organization names), joined then."""
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _validate(
    signature: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate], revinfo: _Revinfo | None
) -> PdfSignatureStatus:
    context = ValidationContext(
        trust_roots=roots,
        other_certs=revinfo.certs if revinfo else [],
        crls=revinfo.crls if revinfo else [],
        ocsps=revinfo.ocsps if revinfo else [],
        allow_fetching=False,  # roots and revocation data come from the administrator and the file only
        revocation_mode="soft-fail",  # no data for a certificate is not a failure; data saying revoked is
    )
    return outside_event_loop(
        lambda: validate_pdf_signature(signature, context, key_usage_settings=KEY_USAGE)
    )


def outside_event_loop(work: Callable[[], _T]) -> _T:
    """``work()``, where pyHanko's synchronous calls can run: they start an event loop of their own
    (asyncio.run), which cannot start in a thread already running one (an ASGI server; a test process
    after a Playwright test). Then a worker thread runs it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _judge(
    signature: EmbeddedPdfSignature,
    *,
    roots: list[asn1_x509.Certificate],
    revinfo: _Revinfo,
    signature_fields: set[str],
) -> tuple[rules.SignatureFacts, dict[str, Any]]:
    try:
        certificate: asn1_x509.Certificate | None = signature.signer_cert
    except Exception:  # a CMS blob without the signer's certificate: it cannot be verified at all
        certificate = None
    signer, organization = _name(certificate)
    entry: dict[str, Any] = {"field": clean_text(signature.field_name or ""), "signer": signer}
    if organization:
        entry["organization"] = organization
    try:
        status = _validate(signature, roots, revinfo)
        revocation = rules.Revocation.ABSENT
        if status.trust_problem_indic == AdESIndeterminate.TRY_LATER:
            # The embedded data was issued for the signing and has since passed its next update: it
            # proves nothing now, which is the same as carrying none. Judged again without it.
            status = _validate(signature, roots, None)
            revocation = rules.Revocation.STALE
    except Exception:
        # pyHanko raises on CMS it cannot parse or algorithms it does not know: a signature nobody can
        # verify is as good as broken for an original.
        facts = rules.SignatureFacts(
            signer=signer or "người ký không rõ",
            intact=False,
            unchanged=False,
            trusted=False,
            revocation=rules.Revocation.NOT_CHECKED,
        )
        entry.update(intact=False, unchanged=False, trusted=False, revocation=facts.revocation.value)
        return facts, entry
    if status.revoked:
        revocation = rules.Revocation.REVOKED
    elif not status.trusted:
        revocation = rules.Revocation.NOT_CHECKED if revocation is rules.Revocation.ABSENT else revocation
    elif (
        revocation is rules.Revocation.ABSENT
        and certificate is not None
        and _revinfo_for(certificate, revinfo)
    ):
        revocation = rules.Revocation.GOOD
    facts = rules.SignatureFacts(
        signer=signer or "người ký không rõ",
        intact=status.intact and status.valid,
        unchanged=_unchanged(status, signature_fields),
        trusted=status.trusted,
        revocation=revocation,
        trust_problem=_trust_problem(status, roots),
    )
    timestamp = status.timestamp_validity
    entry.update(
        issuer=_issuer(status),
        signing_time=_iso(status.signer_reported_dt),
        timestamp=_iso(timestamp.timestamp) if timestamp is not None and timestamp.trusted else None,
        intact=facts.intact,
        unchanged=facts.unchanged,
        trusted=facts.trusted,
        trust_problem=facts.trust_problem,
        revocation=facts.revocation.value,
    )
    return facts, entry


def _issuer(status: PdfSignatureStatus) -> str:
    issuer = status.signing_cert.issuer.native
    return clean_text(str(issuer.get("common_name") or status.signing_cert.issuer.human_friendly))


def check(data: bytes, *, roots: list[asn1_x509.Certificate] | None = None) -> Checked:
    """Check every signature of ``data``. Raises Unreadable for a file that is not a readable PDF and
    RootsUnavailable when the configured roots cannot be read (``roots`` given: the setting is not read).
    Writes nothing: the caller keeps or refuses the file by the verdict."""
    if roots is None:
        roots = load_trust_roots(trust_roots_path())
    reader = _reader(data)
    try:
        # Document time-stamps (/DocTimeStamp) prove a time, not a person's signature: they count as
        # validation data added after the signatures, not as signers.
        signatures = [s for s in reader.embedded_signatures if s.sig_object_type == "/Sig"]
    except Exception as error:
        raise Unreadable("Không đọc được các chữ ký số trong tệp PDF (tệp hỏng).") from error
    revinfo = _embedded_revinfo(reader, signatures)
    fields = {s.field_name for s in signatures}
    judged = [_judge(s, roots=roots, revinfo=revinfo, signature_fields=fields) for s in signatures]
    facts = [f for f, _ in judged]
    report = {
        "checked_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "trust_roots": len(roots),
        "signatures": [e for _, e in judged],
    }
    return Checked(verdict=rules.verdict(facts), facts=facts, report=report)
