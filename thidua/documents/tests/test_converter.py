"""DOCX to PDF through the warm LibreOffice of ``thidua.documents.converter``.

Where LibreOffice (or python3-uno, or poppler-utils) is missing these tests skip, except on CI, whose
.ci/run installs them: there a missing one is a broken install and fails.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from thidua.documents import converter
from thidua.documents.converter import ConversionFailed, PdfUnavailable, convert_to_pdf

TEXT = "Cộng hòa xã hội chủ nghĩa Việt Nam — Biên bản hội nghị tổng kết"
MESSAGE = "Máy chủ chưa cài LibreOffice nên chưa tạo được PDF; văn bản DOCX vẫn tải được."


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run should have installed it")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def warm() -> None:
    """LibreOffice with a Python that has ``uno``, so conversions run in the warm soffice."""
    if not converter.pdf_available():
        _missing("LibreOffice (soffice) is not installed here")
    if not converter.warm_available():
        _missing("no Python with LibreOffice's uno module here (Debian: python3-uno)")


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        _missing(f"{tool} (poppler-utils) is not installed here")
    assert path is not None
    return path


def times_new_roman_docx(text: str = TEXT) -> bytes:
    """A one-paragraph DOCX whose run names Times New Roman in all four font slots, as layout.py does."""
    document = Document()
    run = document.add_paragraph().add_run(text)
    run.font.name = "Times New Roman"
    fonts = run._element.get_or_add_rPr().find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        run._element.get_or_add_rPr().append(fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), "Times New Roman")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _run(tool: str, pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    arguments = [tool, str(path), "-"] if tool.endswith("pdftotext") else [tool, str(path)]
    return subprocess.run(arguments, check=True, capture_output=True, text=True, timeout=30).stdout  # noqa: S603


def test_a_docx_in_times_new_roman_becomes_a_pdf_with_its_vietnamese_text_in_liberation_serif_or_times(
    warm, tmp_path
):
    pdftotext, pdffonts = _poppler("pdftotext"), _poppler("pdffonts")
    pdf = convert_to_pdf(times_new_roman_docx())
    assert pdf.startswith(b"%PDF")
    assert TEXT in " ".join(_run(pdftotext, pdf, tmp_path).split())  # every diacritic came through
    # Embedded as e.g. "BAAAAA+LiberationSerif": LibreOffice's stand-in for an absent Times New Roman.
    fonts = [line.split()[0].split("+")[-1] for line in _run(pdffonts, pdf, tmp_path).splitlines()[2:]]
    assert fonts and all(font.startswith(("LiberationSerif", "TimesNewRoman")) for font in fonts), fonts


def test_two_conversions_run_in_the_same_warm_soffice_process(warm):
    convert_to_pdf(times_new_roman_docx())
    first = converter.warm_pid()
    assert first is not None
    assert convert_to_pdf(times_new_roman_docx("Lần thứ hai")).startswith(b"%PDF")
    assert converter.warm_pid() == first


def test_soffice_runs_in_its_own_process_group_but_in_the_callers_session(warm):
    # A new session would be a new autogroup of full CPU weight (Linux autogroup scheduling), and
    # soffice would then take its share of the CPU from the web servers whatever the worker's nice.
    convert_to_pdf(times_new_roman_docx())
    pid = converter.warm_pid()
    assert pid is not None
    assert os.getpgid(pid) == pid
    assert os.getsid(pid) == os.getsid(0)


def test_after_the_soffice_process_is_killed_the_next_conversion_starts_a_new_one_and_succeeds(warm):
    convert_to_pdf(times_new_roman_docx())
    killed = converter.warm_pid()
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    assert convert_to_pdf(times_new_roman_docx()).startswith(b"%PDF")
    assert converter.warm_pid() not in (None, killed)


@pytest.mark.parametrize("damaged", [b"not a docx at all", b"PK\x03\x04 a zip header and then garbage"])
def test_a_damaged_docx_raises_conversion_failed_and_the_converter_still_works_afterwards(warm, damaged):
    with pytest.raises(ConversionFailed):
        convert_to_pdf(damaged)
    assert convert_to_pdf(times_new_roman_docx()).startswith(b"%PDF")


def test_a_conversion_longer_than_its_timeout_fails_and_the_next_one_gets_a_fresh_soffice(warm):
    convert_to_pdf(times_new_roman_docx())
    stuck = converter.warm_pid()
    with pytest.raises(ConversionFailed, match="longer than"):
        convert_to_pdf(times_new_roman_docx(), timeout=0.001)
    assert convert_to_pdf(times_new_roman_docx()).startswith(b"%PDF")
    assert converter.warm_pid() not in (None, stuck)


def test_conversions_from_several_threads_take_turns_in_the_one_soffice(warm):
    convert_to_pdf(times_new_roman_docx())
    pid = converter.warm_pid()
    results: list[bytes] = []
    errors: list[BaseException] = []

    def convert(number: int) -> None:
        try:
            results.append(convert_to_pdf(times_new_roman_docx(f"Văn bản số {number}")))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=convert, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert len(results) == 4 and all(pdf.startswith(b"%PDF") for pdf in results)
    assert converter.warm_pid() == pid


def test_a_forked_worker_starts_its_own_soffice_and_leaves_its_parents_running(warm):
    convert_to_pdf(times_new_roman_docx())
    parent = converter.warm_pid()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the worker: convert, say which soffice did it, stop it, leave without pytest's exit
        status = 1
        try:
            ok = convert_to_pdf(times_new_roman_docx()).startswith(b"%PDF")
            os.write(write, f"{ok} {converter.warm_pid()}".encode())
            converter.shutdown()
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as pipe:
        said = pipe.read()
    assert os.waitpid(child, 0)[1] == 0
    ok, worker = said.split()
    assert ok == "True" and int(worker) != parent
    assert convert_to_pdf(times_new_roman_docx()).startswith(b"%PDF")
    assert converter.warm_pid() == parent


def test_shutdown_stops_soffice_and_removes_its_profile(warm):
    convert_to_pdf(times_new_roman_docx())
    pid, root = converter.warm_pid(), converter._converter._root
    assert pid is not None and root is not None and root.exists()
    converter.shutdown()
    assert converter.warm_pid() is None
    assert not root.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert convert_to_pdf(times_new_roman_docx()).startswith(b"%PDF")  # started again on demand


def test_at_interpreter_exit_soffice_is_stopped_and_its_profile_removed(warm, tmp_path):
    script = textwrap.dedent(
        """
        from thidua.documents import converter
        from thidua.documents.tests.test_converter import times_new_roman_docx
        assert converter.convert_to_pdf(times_new_roman_docx()).startswith(b"%PDF")
        print(converter.warm_pid(), converter._converter._root)
        """
    )
    root_dir = Path(__file__).resolve().parents[3]
    result = subprocess.run(  # noqa: S603 -- this interpreter, our own script
        [sys.executable, "-c", script], cwd=root_dir, capture_output=True, text=True, timeout=120, check=True
    )
    pid, profile = result.stdout.split()
    assert not Path(profile).exists()
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid), 0)


def test_where_libreoffice_is_absent_conversion_raises_pdf_unavailable_in_vietnamese(monkeypatch):
    monkeypatch.setattr(converter, "pdf_available", lambda: False)
    with pytest.raises(PdfUnavailable) as raised:
        convert_to_pdf(times_new_roman_docx())
    assert str(raised.value) == MESSAGE


def test_thidua_soffice_naming_a_missing_file_makes_pdfs_unavailable(settings, tmp_path):
    settings.SOFFICE = str(tmp_path / "no-such-soffice")
    assert converter.pdf_available() is False
    with pytest.raises(PdfUnavailable, match="chưa cài LibreOffice"):
        convert_to_pdf(times_new_roman_docx())


def test_without_a_python_that_has_uno_each_document_is_converted_by_a_cold_soffice(warm, monkeypatch):
    converter.shutdown()
    monkeypatch.setattr(converter, "uno_python", lambda soffice=None: None)
    assert convert_to_pdf(times_new_roman_docx()).startswith(b"%PDF")
    assert converter.warm_pid() is None  # no process kept between documents
    with pytest.raises(ConversionFailed):
        convert_to_pdf(b"not a docx at all")
