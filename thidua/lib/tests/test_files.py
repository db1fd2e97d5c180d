from __future__ import annotations

import io
import zipfile

import pytest

from thidua.lib import files


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n...", files.PDF),
        (b"\x89PNG\r\n\x1a\n....", files.PNG),
        (b"\xff\xd8\xff\xe0....", files.JPEG),
        (_zip("[Content_Types].xml", "word/document.xml"), files.DOCX),
        (_zip("[Content_Types].xml", "xl/workbook.xml"), files.XLSX),
        (_zip("word/document.xml"), None),
        (_zip("[Content_Types].xml", "ppt/presentation.xml"), None),
        (b"PK\x03\x04 broken zip", None),
        (b"<html>not a pdf</html>", None),
        (b"MZ\x90\x00 an exe renamed .pdf", None),
        (b"", None),
    ],
)
def test_files_are_recognized_by_content_whatever_their_name(content: bytes, expected: str | None) -> None:
    stream = io.BytesIO(content)
    assert files.detect(stream) == expected
    assert stream.tell() == 0
