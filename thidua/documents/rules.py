"""Document numbers, and what the checks of a signed original's signatures add up to: pure, stdlib only.

NĐ 30/2020/NĐ-CP, Điều 15 and Phụ lục I: a document's number runs from 01 on the first day of each
calendar year, per issuer; numbers below 10 take a leading zero; the number line reads
"Số: 05/BB-CTĐ4" — number, type code, issuer code.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_PATTERN = "{so}/{loai}-{ma}"
FIELDS = {"so", "loai", "ma", "nam"}


def pattern_problems(pattern: str) -> list[str]:
    """Why a number pattern cannot be used (Vietnamese), or [] when it can."""
    try:
        fields = {name for _, name, _, _ in Formatter().parse(pattern) if name is not None}
    except ValueError:
        return ["Mẫu số văn bản có dấu ngoặc nhọn không khớp."]
    problems = []
    if "so" not in fields:
        problems.append("Mẫu số văn bản phải có {so} (số thứ tự).")
    unknown = fields - FIELDS
    if unknown:
        problems.append("Mẫu số văn bản có trường không biết: " + ", ".join(sorted(unknown)) + ".")
    return problems


def format_number(pattern: str, *, number: int, type_code: str, issuer_code: str, year: int) -> str:
    """ "05/BB-CTĐ4" from number 5: two digits at least, as NĐ 30 writes numbers below 10."""
    if number < 1:
        raise ValueError("document numbers start at 1")
    return pattern.format(so=f"{number:02d}", loai=type_code, ma=issuer_code, nam=year)


def draft_number(pattern: str, *, type_code: str, issuer_code: str, year: int) -> str:
    """ "    /BB-CTĐ4": a draft's number line leaves the number blank. NĐ 30/2020 gives the number when the
    document is issued (ban hành), never to a draft, and the clerk writes nothing in by hand."""
    return pattern.format(so="    ", loai=type_code, ma=issuer_code, nam=year)


def number_line(number_text: str) -> str:
    return f"Số: {number_text}"


# --- Signed originals: what the checks of their signatures add up to (issue 15) ----------------------


class Verdict(enum.StrEnum):
    """The outcome of checking an uploaded original's signatures. The first four are kept with the
    original; a broken or changed file is refused and never stored."""

    VALID = "valid"
    UNTRUSTED = "untrusted"
    REVOKED = "revoked"
    UNSIGNED = "unsigned"
    BROKEN = "broken"
    CHANGED = "changed"


REFUSED = frozenset({Verdict.BROKEN, Verdict.CHANGED})


class Revocation(enum.StrEnum):
    """What the revocation data embedded in the file said of the signer's certificate."""

    GOOD = "good"  # data for this certificate was embedded and says it was not revoked
    REVOKED = "revoked"
    ABSENT = "absent"  # nothing embedded for it: not checked (the server never fetches)
    STALE = "stale"  # embedded, but past its validity at upload: not checked
    NOT_CHECKED = "not_checked"  # the certificate is not trusted anyway, or the signature unreadable


@dataclass(frozen=True)
class SignatureFacts:
    """What checking one signature found; `trust_problem` says why it is not trusted (Vietnamese)."""

    signer: str
    intact: bool  # the signed bytes hash to what was signed, and the signature value verifies
    unchanged: bool  # nothing was added after it but further signatures and validation data
    trusted: bool  # the certificate chains to a configured root and was valid at upload
    revocation: Revocation
    trust_problem: str = ""


def verdict(signatures: Sequence[SignatureFacts]) -> Verdict:
    """The file's outcome: its worst signature decides, in the order broken, changed, revoked,
    untrusted. A broken signature comes first: if the signed bytes differ, whether more was appended
    says nothing."""
    if not signatures:
        return Verdict.UNSIGNED
    if not all(s.intact for s in signatures):
        return Verdict.BROKEN
    if not all(s.unchanged for s in signatures):
        return Verdict.CHANGED
    if any(s.revocation is Revocation.REVOKED for s in signatures):
        return Verdict.REVOKED
    if not all(s.trusted for s in signatures):
        return Verdict.UNTRUSTED
    return Verdict.VALID


def refusal(signatures: Sequence[SignatureFacts]) -> str | None:
    """Why the file is refused (Vietnamese, naming the signer), or None when it may be kept."""
    outcome = verdict(signatures)
    if outcome is Verdict.BROKEN:
        signer = next(s.signer for s in signatures if not s.intact)
        return (
            f"Chữ ký số của {signer} không khớp với nội dung tệp: nội dung đã ký bị sửa hoặc chữ ký bị hỏng. "
            "Bản gốc không được lưu; hãy tải lên đúng tệp đã ký."
        )
    if outcome is Verdict.CHANGED:
        signer = next(s.signer for s in signatures if not s.unchanged)
        return (
            f"Tệp đã bị sửa sau khi {signer} ký: có nội dung thêm vào sau chữ ký (không phải chữ ký số khác). "
            "Bản gốc không được lưu; hãy tải lên đúng tệp đã ký."
        )
    return None


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
REVOCATION_WORDS: dict[str, str] = {
    Revocation.GOOD: "đã kiểm tra thu hồi theo dữ liệu đi kèm: chưa bị thu hồi",
    Revocation.REVOKED: "chứng thư số đã bị thu hồi",
    Revocation.ABSENT: "tệp không kèm dữ liệu thu hồi nên chưa kiểm tra thu hồi",
    Revocation.STALE: "dữ liệu thu hồi đi kèm đã hết hạn khi tải lên nên chưa kiểm tra được thu hồi",
    Revocation.NOT_CHECKED: "chưa kiểm tra thu hồi",
}


def describe_signature(entry: Mapping[str, Any]) -> str:
    """One line of the document page for one signature of a kept original's report (Vietnamese)."""
    parts = [str(entry.get("signer") or "Người ký không rõ")]
    if entry.get("organization"):
        parts[0] += f" ({entry['organization']})"
    when = entry.get("timestamp") or entry.get("signing_time")
    if when:
        moment = datetime.datetime.fromisoformat(when).astimezone(VIETNAM)
        source = "theo dấu thời gian" if entry.get("timestamp") else "theo máy của người ký"
        parts.append(f"ký lúc {moment:%H:%M} ngày {moment:%d/%m/%Y} ({source})")
    else:
        parts.append("không ghi thời điểm ký")
    parts.append("nội dung toàn vẹn" if entry.get("intact") else "nội dung không toàn vẹn")
    if entry.get("trusted"):
        parts.append("chứng thư số tin cậy")
    else:
        parts.append("chứng thư số chưa tin cậy: " + str(entry.get("trust_problem") or "không rõ lý do"))
    revocation = REVOCATION_WORDS.get(str(entry.get("revocation")))
    if revocation:
        parts.append(revocation)
    return "; ".join(parts) + "."
