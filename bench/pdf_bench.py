"""Speed of DOCX to PDF conversion (issue 5): the warm converter against a cold ``soffice`` in the same run.

The warm converter (thidua/documents/converter.py) keeps one headless soffice and drives each conversion
over a UNO socket; the baseline is what a converter without it pays per document, a cold
``soffice --headless --convert-to pdf`` with a fresh profile each time (LibreOffice's start and first-run
setup included). For reference it also times the converter's own fallback for machines without a Python
that has ``uno``: a cold ``soffice --convert-to`` that reuses one profile.

What it does:
1. builds a 2-page biên bản in the NĐ 30/2020 layout (``layout.render_docx``, Times New Roman), adding
   paragraphs until LibreOffice lays it out on exactly two pages (``pdfinfo``);
2. stops any warm soffice, then converts that DOCX ``--warm`` times (default 10) with ``convert_to_pdf``:
   the first conversion starts soffice, the others reuse it;
3. converts it ``--cold`` times (default 3) with a cold ``soffice``, each with a fresh profile, then as
   many times with one reused profile;
4. prints the medians per document and the ratio cold / warm, and writes the section
   "## PDF conversion (issue 5)" of docs/benchmarks.md (unless --no-write; the file is read again just
   before the one write, as other benchmarks write other sections). Exit status 0 when the warm median
   is below the cold one.

Usage, from the project root:
    .venv/bin/python -m bench.pdf_bench [--warm 10] [--cold 3] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.harness import DOCS, replace_section
from thidua.documents import converter
from thidua.documents.layout import Heading, Issuer, OfficialDocument, Paragraph, Signer, Table, render_docx

SECTION = "## PDF conversion (issue 5)"

SPEECH = (
    "Hội nghị đã nghe đồng chí Cụm trưởng trình bày báo cáo tổng kết công tác thi đua năm 2023 của Cụm thi "
    "đua số 4; các đại biểu thảo luận, đánh giá kết quả thực hiện các nội dung giao ước thi đua, những việc "
    "đã làm được, những tồn tại, hạn chế và nguyên nhân, đồng thời thống nhất phương hướng, nhiệm vụ năm 2024."
)


def minutes(paragraphs: int) -> OfficialDocument:
    """The minutes of a year-end conference, with ``paragraphs`` paragraphs of discussion."""
    return OfficialDocument(
        issuer=Issuer("Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam", "Cụm thi đua số 4", "Ninh Bình"),
        number_line="Số: 05/BB-CTĐ4",
        date=date(2023, 12, 8),
        type_name="Biên bản",
        summary="Hội nghị tổng kết công tác thi đua năm 2023",
        body=[
            Paragraph(
                "Vào hồi 08 giờ 00 ngày 08 tháng 12 năm 2023, tại Hội trường Liên hiệp các Hội Khoa học và Kỹ "
                "thuật tỉnh Ninh Bình, Cụm thi đua số 4 tổ chức Hội nghị tổng kết công tác thi đua năm 2023."
            ),
            Heading("I. THÀNH PHẦN THAM DỰ"),
            Paragraph(
                "Đại diện lãnh đạo Liên hiệp các Hội Khoa học và Kỹ thuật của 07 tỉnh: Ninh Bình, Thanh Hóa, "
                "Nghệ An, Hà Tĩnh, Quảng Bình, Quảng Trị, Thừa Thiên Huế."
            ),
            Heading("II. NỘI DUNG HỘI NGHỊ"),
            *[Paragraph(SPEECH) for _ in range(paragraphs)],
            Table(
                header=["TT", "Đơn vị", "Số phiếu", "Tỷ lệ"],
                rows=[
                    ["1", "Liên hiệp hội tỉnh Ninh Bình", "6", "85,7%"],
                    ["2", "Liên hiệp hội tỉnh Nghệ An", "1", "14,3%"],
                    ["", "Tổng cộng", "7", "100%"],
                ],
                bold_last_row=True,
            ),
            Paragraph("Hội nghị kết thúc hồi 11 giờ 30 cùng ngày."),
        ],
        signers=[
            Signer("", "Thư ký", "Trần Thị Bình"),
            Signer("TM. Cụm thi đua số 4", "Cụm trưởng", "Nguyễn Văn An"),
        ],
        recipients=["Các thành viên Cụm", "Ban Thi đua - Khen thưởng VUSTA", "Lưu: VT, CTĐ4"],
    )


def pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True)  # noqa: S603, S607
    return int(next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:")))


def two_page_docx() -> tuple[bytes, int]:
    """The minutes with as many discussion paragraphs as fill two pages (converted by the warm soffice)."""
    for paragraphs in range(4, 40):
        docx = render_docx(minutes(paragraphs))
        count = pages(converter.convert_to_pdf(docx))
        if count == 2 and pages(converter.convert_to_pdf(render_docx(minutes(paragraphs + 1)))) == 2:
            return docx, count  # two pages, and not on the edge of a third
        if count > 2:
            break
    raise SystemExit("could not make a 2-page document")


def cold(soffice: str, docx: Path, profile: Path, out: Path) -> float:
    command = [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}"]
    command += ["--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), str(docx)]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=300)  # noqa: S603 -- our paths
    seconds = time.perf_counter() - started
    pdf = out / (docx.stem + ".pdf")
    if not pdf.read_bytes().startswith(b"%PDF"):
        raise SystemExit(f"cold soffice wrote no PDF: {pdf}")
    pdf.unlink()
    return seconds


def _version(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    except OSError:
        return "?"
    said = (result.stdout or result.stderr).strip()
    return said.splitlines()[0] if said else "?"


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main(argv: list[str] | None = None) -> int:
    # The converter reads its LibreOffice settings from the project's settings.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=10, help="conversions with the warm converter")
    parser.add_argument("--cold", type=int, default=3, help="cold soffice conversions (each kind)")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)

    soffice = converter.soffice_path()
    if soffice is None:
        print("LibreOffice is not installed: nothing to measure", file=sys.stderr)
        return 1
    if not converter.warm_available():
        print("no Python with LibreOffice's uno module (python3-uno): no warm converter", file=sys.stderr)
        return 1
    if shutil.which("pdfinfo") is None:
        print("pdfinfo (poppler-utils) is needed to check the page count", file=sys.stderr)
        return 1

    docx, page_count = two_page_docx()
    converter.shutdown()  # the measured run starts without soffice: its first conversion starts it

    warm: list[float] = []
    pids: set[int | None] = set()
    for _ in range(args.warm):
        started = time.perf_counter()
        pdf = converter.convert_to_pdf(docx)
        warm.append(time.perf_counter() - started)
        assert pdf.startswith(b"%PDF")
        pids.add(converter.warm_pid())
    converter.shutdown()

    with tempfile.TemporaryDirectory(prefix="thidua-pdf-bench-") as directory:
        work = Path(directory)
        source = work / "bien-ban.docx"
        source.write_bytes(docx)
        fresh = [cold(soffice, source, work / f"profile-{n}", work / "out") for n in range(args.cold)]
        cold(soffice, source, work / "profile-reused", work / "out")  # creates the profile: not counted
        reused = [cold(soffice, source, work / "profile-reused", work / "out") for _ in range(args.cold)]

    warm_median, cold_median = statistics.median(warm), statistics.median(fresh)
    reused_median = statistics.median(reused)
    ratio = cold_median / warm_median
    rows = [
        (
            f"warm converter, {args.warm} conversions (one soffice, pid unchanged: {len(pids) == 1})",
            warm_median,
            f"first (starts soffice) {warm[0]:.2f} s; fastest {min(warm):.2f} s",
        ),
        (
            f"cold `soffice --convert-to pdf`, fresh profile, {args.cold} runs",
            cold_median,
            f"{min(fresh):.2f}–{max(fresh):.2f} s",
        ),
        (
            f"cold `soffice --convert-to pdf`, reused profile (the fallback without python3-uno), {args.cold} runs",
            reused_median,
            f"{min(reused):.2f}–{max(reused):.2f} s",
        ),
    ]
    today = datetime.date.today().isoformat()
    lines = [
        SECTION,
        "",
        "Goal (issue 5): PDFs are converted from the DOCX by LibreOffice running headless as a warm, reused "
        "process, not a cold start per document; this compares the two in the same run.",
        "",
        "Run: `.venv/bin/python -m bench.pdf_bench` (options `--warm`, `--cold`, `--no-write`). It builds a "
        f"biên bản in the NĐ 30/2020 layout that LibreOffice lays out on {page_count} pages, converts it "
        f"{args.warm} times with `convert_to_pdf` (the warm soffice stopped first, so the first conversion "
        f"starts it), then {args.cold} times with a cold `soffice --headless --convert-to pdf`, each with a "
        f"fresh profile (`-env:UserInstallation`), and {args.cold} times with one reused profile after a "
        "warm-up run (the converter's fallback where no Python has `uno`). Times are wall-clock per document: "
        "for the warm converter DOCX bytes in to PDF bytes out, for a cold one the `soffice` command.",
        "",
        f"Run of {today}, {os.cpu_count()} cores ({_cpu()}), {_version([soffice, '--version'])}, "
        f"Python {platform.python_version()} (the UNO helper: {_version([converter.uno_python() or '?', '--version'])}):",
        "",
        "| conversion | median s per document | spread |",
        "|---|---:|---|",
        *[f"| {name} | {seconds:.3f} | {spread} |" for name, seconds, spread in rows],
        "",
        "| ratio | value |",
        "|---|---:|",
        f"| cold (fresh profile) / warm | **{ratio:.1f}×** |",
        f"| cold (reused profile) / warm | {reused_median / warm_median:.1f}× |",
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        replace_section(SECTION, section)
        print(f"\nwritten to {DOCS}")
    return 0 if warm_median < cold_median else 1


if __name__ == "__main__":
    raise SystemExit(main())
