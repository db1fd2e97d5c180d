"""What a file really is, judged by its content, never by its name (DESIGN.md: files are checked by
content). Pure: stdlib only."""

from __future__ import annotations

import zipfile
from typing import BinaryIO

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Per OOXML part names: a Word document has word/document.xml, a workbook xl/workbook.xml.
_OOXML_MAIN_PART = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
LABELS = {PDF: "PDF", PNG: "ảnh PNG", JPEG: "ảnh JPEG", DOCX: "Word (.docx)", XLSX: "Excel (.xlsx)"}


def sniff_pdf(head: bytes) -> bool:
    return head.startswith(b"%PDF-")


def detect(stream: BinaryIO) -> str | None:
    """The content type of `stream` among PDF, PNG, JPEG, DOCX and XLSX, or None. Reads from the start
    and leaves the position at the start."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if sniff_pdf(head):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            stream.seek(0)
        if "[Content_Types].xml" not in names:
            return None
        for part, content_type in _OOXML_MAIN_PART.items():
            if part in names:
                return content_type
    return None
