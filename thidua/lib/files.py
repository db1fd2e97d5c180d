"""What a file really is, judged by its content, never by its name (DESIGN.md: files are checked by
content). Pure: stdlib only."""

from __future__ import annotations

import enum
import io
import secrets
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


# Compound File Binary: an old .doc/.xls, or an Office file encrypted with a password (wrapped in CFB).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ArchiveProblem(enum.Enum):
    """Why an uploaded Office Open XML file cannot be opened; each caller words it for its own file."""

    TOO_LARGE = "too_large"
    OLE = "ole"  # an old binary format, or a password-protected file
    NOT_OOXML = "not_ooxml"  # not a zip, or a zip without the expected parts
    CORRUPT = "corrupt"  # a zip, cut short or damaged
    INFLATES = "inflates"  # uncompressed size over the limit: a zip bomb, or far too much content


def ooxml_problem(data: bytes, *, main_part: str, max_bytes: int, max_unpacked: int) -> ArchiveProblem | None:
    """The guard every upload of an .xlsx or .docx goes through before any XML of it is parsed: by size,
    by content (a zip holding ``[Content_Types].xml`` and ``main_part``) and by uncompressed size (a few
    kilobytes of zip can inflate to gigabytes). None when the file may be opened."""
    if len(data) > max_bytes:
        return ArchiveProblem.TOO_LARGE
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        if data.startswith(b"PK\x03\x04"):
            return ArchiveProblem.CORRUPT
        if data.startswith(OLE_MAGIC):
            return ArchiveProblem.OLE
        return ArchiveProblem.NOT_OOXML
    except (OSError, ValueError, EOFError, NotImplementedError):
        return ArchiveProblem.CORRUPT
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or main_part not in names:
            return ArchiveProblem.NOT_OOXML
        # The sizes are the archive's own claims; zipfile stops at the claimed size and then fails the
        # CRC check, so a lying entry ends as "corrupted" rather than as an unbounded read.
        if sum(entry.file_size for entry in entries) > max_unpacked:
            return ArchiveProblem.INFLATES
    return None


def unpacked_size(data: bytes) -> int:
    """The uncompressed size an archive claims (for messages; call after ``ooxml_problem``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(entry.file_size for entry in archive.infolist())


def has_part(data: bytes, name: str) -> bool:
    """Whether the archive holds an entry ``name`` (call after ``ooxml_problem``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return name in archive.namelist()


def random_name(extension: str) -> str:
    """The name an uploaded file is stored under: 128 random bits and the extension of its checked type.
    Nothing of the uploader's name reaches the file system (no path tricks, no personal data in names),
    and a name cannot be guessed from the file's content, the record's id or the time."""
    return f"{secrets.token_hex(16)}.{extension}"
