"""Document numbers: pure, stdlib only.

NĐ 30/2020/NĐ-CP, Điều 15 and Phụ lục I: a document's number runs from 01 on the first day of each
calendar year, per issuer; numbers below 10 take a leading zero; the number line reads
"Số: 05/BB-CTĐ4" — number, type code, issuer code.
"""

from __future__ import annotations

from string import Formatter

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
