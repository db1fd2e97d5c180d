"""DOCX to PDF through LibreOffice, kept warm: one headless ``soffice`` per process, reused for every document.

How: one long-running ``soffice.bin --headless --accept=socket,host=127.0.0.1,port=N;urp;`` with its own
throw-away profile, started lazily on the first conversion, and for each document a short helper script
run by the *system* Python, the one that has LibreOffice's ``uno`` module (Debian's ``python3-uno``), which
connects over the socket and calls ``loadComponentFromURL`` and ``storeToURL`` with the
``writer_pdf_Export`` filter. Why this design:

- ``uno`` is a binding compiled for the interpreter LibreOffice was built against (Debian's
  ``/usr/bin/python3``); the project's virtualenv is a separately built Python, so ``import uno`` cannot
  work in the app process. The helper is the smallest bridge: ~50 lines, stdlib plus ``uno``, started per
  conversion (≈ 40 ms of Python start-up, no LibreOffice start: ≈ 0.15–0.2 s per 2-page document against
  ≈ 1.3–1.7 s for a cold soffice, bench/pdf_bench.py), so there is no second long-running
  process to supervise, no protocol of our own, and a hung conversion is ended by ``subprocess.run``'s
  timeout.
- ``unoserver`` (PyPI) would give the same shape with more moving parts: its server must itself be
  installed into the system Python (with pip on an "externally managed" Debian Python) and run next to
  soffice as a second daemon, and the app would speak XML-RPC to it. Nothing it adds is needed here.
- Where no Python with ``uno`` is found, conversion falls back to ``soffice --convert-to`` per document,
  with one reused profile directory: it skips LibreOffice's first-run setup, but it is *not* a warm
  process (every document pays LibreOffice's start, ≈ 1–2 s). ``warm_available()`` tells which mode
  runs; CI must install ``python3-uno`` (the tests fail under ``CI`` without it) to test the warm one.

The process: ``soffice.bin`` itself rather than the ``soffice`` shell script (which execs ``oosplash``,
which forks ``soffice.bin``), so the pid we hold is the one that converts and dies; a fresh profile makes
the first ``soffice.bin`` exit with status 81 ("restart me", what oosplash otherwise handles), after
which it is started once more. It listens on 127.0.0.1 only, on a port free at start, in its own session
(process group), so stopping it leaves no child behind. The UNO socket lets any local user drive
LibreOffice, like ``unoserver``'s: run thidua on a machine not shared with untrusted local users.

Concurrency: one LibreOffice instance converts one document at a time, so a lock is held around each
conversion (and around start, restart and stop). Every process has its own converter: after a fork
(gunicorn workers) a child never uses or stops its parent's soffice, it starts its own on first use.
If soffice died (killed, crashed) it is started again before the next conversion; a conversion that
times out kills it, so the next one starts afresh. At interpreter exit soffice is stopped and its
temporary directory (profile and work files) removed.

Fonts: documents name Times New Roman (``layout.FONT_NAME``). Where that font is not installed,
LibreOffice draws it with Liberation Serif, which fontconfig aliases as its metric-compatible substitute
(same widths, so the same line and page breaks): a converted test document embeds
``LiberationSerif`` (``pdffonts``), and with ``fonts-liberation2`` every Vietnamese letter is there
(Debian 12's older ``fonts-liberation`` lacks ệ, ỗ, ư…). Where Times New Roman is installed, it is
embedded under its own name (``TimesNewRoman…``, which the test also accepts). Nothing here picks a font.

Settings: ``THIDUA_SOFFICE`` (environment) is the path of ``soffice`` (default: ``soffice`` or
``libreoffice`` on the PATH); set to a missing file, PDFs are unavailable. ``THIDUA_UNO_PYTHON`` names
the Python that has ``uno`` when it is neither LibreOffice's bundled one nor ``/usr/bin/python3``.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from functools import cache
from pathlib import Path

from django.conf import settings

__all__ = [
    "UNAVAILABLE_MESSAGE",
    "ConversionFailed",
    "PdfUnavailable",
    "convert_to_pdf",
    "pdf_available",
    "shutdown",
    "warm_available",
    "warm_pid",
]

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "Máy chủ chưa cài LibreOffice nên chưa tạo được PDF; văn bản DOCX vẫn tải được."
STARTUP_TIMEOUT = 60.0  # seconds for soffice to listen, first-run profile setup included
RESTART_STATUS = 81  # soffice.bin's "restart me" after it created a fresh profile

# Run by the system Python: argv = port, source path, target path, seconds to keep trying to connect.
# Exit 0: converted; 3: could not connect (soffice not there: restart it); 2: LibreOffice refused the file.
# Soffice already listens when the helper runs, so a short patience only covers a soffice just killed,
# which ``poll()`` may still see running for a moment.
_HELPER = r"""
import os, sys, time
import uno
from com.sun.star.beans import PropertyValue

def done(status, message=""):
    # os._exit skips the interpreter's teardown, where pyuno's bridge sometimes crashed (SIGSEGV about
    # once in 40 conversions here with a plain exit; none in 200 since): the result is already written.
    if message:
        print(message, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)

def props(**values):
    result = []
    for name, value in values.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        result.append(p)
    return tuple(result)

port, source, target, patience = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
deadline = time.monotonic() + patience
while True:
    try:
        remote = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        break
    except Exception as error:
        if time.monotonic() > deadline:
            done(3, f"cannot connect to soffice on port {port}: {error}")
        time.sleep(0.05)
desktop = remote.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", remote)
# An explicit import filter: a damaged file fails instead of opening as plain text. Never run macros,
# never update links (UpdateDocMode NO_UPDATE), nothing shown.
try:
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0,
        props(Hidden=True, ReadOnly=True, FilterName="MS Word 2007 XML", MacroExecutionMode=0, UpdateDocMode=0),
    )
except Exception as error:
    done(2, f"LibreOffice could not open the DOCX: {error}")
if document is None:
    done(2, "LibreOffice could not open the DOCX")
try:
    document.storeToURL(uno.systemPathToFileUrl(target), props(FilterName="writer_pdf_Export"))
except Exception as error:
    document.close(True)
    done(2, f"LibreOffice could not write the PDF: {error}")
document.close(True)
done(0)
"""


class PdfUnavailable(Exception):
    """LibreOffice is not installed here: serve the DOCX and say so (``UNAVAILABLE_MESSAGE``)."""

    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)


class ConversionFailed(Exception):
    """LibreOffice could not convert this document (damaged file, timeout, crash)."""


def soffice_path() -> str | None:
    """The ``soffice`` to run: ``THIDUA_SOFFICE`` when set (None if that file is missing), else the PATH's."""
    configured = settings.SOFFICE
    if configured:
        return configured if os.path.isfile(configured) and os.access(configured, os.X_OK) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    """Whether PDFs can be made here at all (LibreOffice installed), warm or not."""
    return soffice_path() is not None


def _program_dir(soffice: str) -> Path:
    return Path(os.path.realpath(soffice)).parent


@cache
def _has_uno(python: str) -> bool:
    try:
        result = subprocess.run(  # noqa: S603 -- a fixed check on a path we chose
            [python, "-I", "-c", "import uno"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


def uno_python(soffice: str | None = None) -> str | None:
    """A Python that can ``import uno``: ``THIDUA_UNO_PYTHON``, LibreOffice's bundled one, the system's."""
    soffice = soffice or soffice_path()
    candidates = [settings.UNO_PYTHON]
    if soffice:
        candidates.append(str(_program_dir(soffice) / "python"))  # The Document Foundation's own builds
    candidates += ["/usr/bin/python3", "/usr/local/bin/python3"]
    for python in candidates:
        if python and os.path.isfile(python) and os.access(python, os.X_OK) and _has_uno(python):
            return python
    return None


def warm_available() -> bool:
    """Whether conversions run in a warm soffice (a Python with ``uno`` found), not one start each."""
    return pdf_available() and uno_python() is not None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _spawn(command: list[str]) -> subprocess.Popen[bytes]:
    """Start soffice silent, in a process group of its own, so that `_end` reaches whatever it starts, but
    in the caller's session: a new session is a new autogroup, which Linux's autogroup scheduling gives as
    much CPU as the web servers' whatever the worker's priority (docs/decisions.md, "Background work that
    survives a killed worker")."""
    return subprocess.Popen(  # noqa: S603 -- the configured soffice, our own arguments
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        process_group=0,
    )


def _end(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in its own process group, and whatever it started, SIGKILL after 5 s."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)  # its process group: outlives a killed leader while members live
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of a leader that exited on SIGTERM


class _Converter:
    """The process-wide warm soffice; every method but ``pid`` is called with ``lock`` held."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._owner = os.getpid()
        self._root: Path | None = None  # temporary directory: profile/ and work/
        self._process: subprocess.Popen[bytes] | None = None
        self._port = 0
        atexit.register(self.stop)
        os.register_at_fork(after_in_child=self._after_fork)

    # --- lifecycle

    def _after_fork(self) -> None:
        """In a forked child (gunicorn worker): a fresh lock, and the parent's soffice and files not ours."""
        self.lock = threading.Lock()  # another thread of the parent may have held it at the fork
        self._forget_after_fork()

    def _forget_after_fork(self) -> None:
        if self._owner != os.getpid():
            self._owner, self._root, self._process, self._port = os.getpid(), None, None, 0

    def _directory(self) -> Path:
        if self._root is None or not self._root.exists():
            self._root = Path(tempfile.mkdtemp(prefix="thidua-soffice-"))
            (self._root / "work").mkdir()
        return self._root

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _start(self, soffice: str) -> None:
        root = self._directory()
        program = _program_dir(soffice) / "soffice.bin"
        executable = str(program) if program.is_file() else soffice
        deadline = time.monotonic() + STARTUP_TIMEOUT
        for _attempt in range(3):
            self._port = _free_port()
            command = [
                executable,
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                "--nolockcheck",
                f"--accept=socket,host=127.0.0.1,port={self._port};urp;StarOffice.ComponentContext",
                f"-env:UserInstallation={(root / 'profile').as_uri()}",
            ]
            self._process = _spawn(command)
            while time.monotonic() < deadline:
                status = self._process.poll()
                if status is not None:
                    break
                if _listening(self._port):
                    logger.info("soffice started, pid %s, port %s", self._process.pid, self._port)
                    return
                time.sleep(0.05)
            else:
                self._kill()
                raise ConversionFailed(f"LibreOffice did not start within {STARTUP_TIMEOUT:.0f} s")
            self._kill()  # exited: 81 after creating the profile, otherwise a failure worth one more try
            if status != RESTART_STATUS:
                logger.warning("soffice exited with status %s while starting", status)
        raise ConversionFailed("LibreOffice exited while starting, three times")

    def _kill(self) -> None:
        if self._process is not None:
            _end(self._process)
            self._process = None

    def stop(self) -> None:
        """Stop soffice and remove its profile; at exit, and when tests or the bench want a fresh start."""
        if self._owner != os.getpid():
            return
        self._kill()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def pid(self) -> int | None:
        with self.lock:
            self._forget_after_fork()
            return self._process.pid if self._alive() and self._process is not None else None

    # --- conversion

    def convert(self, soffice: str, docx: bytes, timeout: float) -> bytes:
        self._forget_after_fork()
        python = uno_python(soffice)
        if python is None:
            return self._convert_cold(soffice, docx, timeout)
        for attempt in (1, 2):
            if not self._alive():
                self._kill()  # reap it and any child it left
                self._start(soffice)
            status, message, pdf = self._run_helper(python, docx, timeout)
            if status == 0 and pdf.startswith(b"%PDF"):
                return pdf
            if status == 3 and attempt == 1:  # soffice there but not answering: start afresh, once
                self._kill()
                continue
            if status < 0 and attempt == 1:  # the helper died of a signal: once more
                logger.warning("the UNO helper died of signal %s; converting again", -status)
                continue
            raise ConversionFailed(message or f"LibreOffice wrote no PDF (helper status {status})")
        raise AssertionError("unreachable")

    def _run_helper(self, python: str, docx: bytes, timeout: float) -> tuple[int, str, bytes]:
        work = self._directory() / "work"
        name = uuid.uuid4().hex
        source, target = work / f"{name}.docx", work / f"{name}.pdf"
        source.write_bytes(docx)
        try:
            try:
                result = subprocess.run(  # noqa: S603 -- our helper, our temporary paths
                    [python, "-I", "-c", _HELPER, str(self._port), str(source), str(target), "2"],
                    capture_output=True,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                self._kill()  # LibreOffice may be stuck on this document: the next one gets a fresh soffice
                raise ConversionFailed(f"LibreOffice took longer than {timeout:g} s") from None
            message = result.stderr.decode("utf-8", "replace").strip().splitlines()
            pdf = target.read_bytes() if result.returncode == 0 and target.exists() else b""
            return result.returncode, message[-1] if message else "", pdf
        finally:
            source.unlink(missing_ok=True)
            target.unlink(missing_ok=True)

    def _convert_cold(self, soffice: str, docx: bytes, timeout: float) -> bytes:
        """No Python with ``uno``: one ``soffice --convert-to`` per document, the profile reused."""
        root = self._directory()
        work = root / "work" / uuid.uuid4().hex
        work.mkdir()
        source = work / "document.docx"
        source.write_bytes(docx)
        command = [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--infilter=MS Word 2007 XML",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            process = _spawn(command)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _end(process)
                raise ConversionFailed(f"LibreOffice took longer than {timeout:g} s") from None
            target = work / "out" / "document.pdf"
            pdf = target.read_bytes() if target.exists() else b""
            if not pdf.startswith(b"%PDF"):
                raise ConversionFailed("LibreOffice could not open the DOCX")
            return pdf
        finally:
            shutil.rmtree(work, ignore_errors=True)


_converter = _Converter()


def convert_to_pdf(docx: bytes, *, timeout: float = 60) -> bytes:
    """The PDF of a DOCX, made by the warm LibreOffice (started on first use, restarted if it died).

    Raises ``PdfUnavailable`` where LibreOffice is not installed, ``ConversionFailed`` when it could not
    convert this document or took longer than ``timeout`` seconds. Conversions are serialised.
    """
    soffice = soffice_path()
    if soffice is None or not pdf_available():
        raise PdfUnavailable()
    with _converter.lock:
        return _converter.convert(soffice, docx, timeout)


def warm_pid() -> int | None:
    """The pid of the warm ``soffice.bin`` while one runs in this process (None before first use)."""
    return _converter.pid()


def shutdown() -> None:
    """Stop the warm soffice and remove its profile now (it also happens at interpreter exit)."""
    with _converter.lock:
        _converter.stop()
