"""Speed of making each document (issue 5): DOCX generation per document type, then its PDF conversion
with the warm converter against a cold ``soffice`` start, all in the same run.

The documents are those one click issues from Cụm 4's replayed conference of 08/12/2023 (the demo,
built in a throwaway SQLite database as ``make samples`` does): biên bản hội nghị, biên bản kiểm phiếu
(the flag's nomination), tờ trình, bảng tổng hợp, giao ước thi đua. Generation is timed in two steps:
*build*, reading the data and composing the document (``issuing.plan_for(...).build``: the database
queries, counted once), and *render*, laying it out as DOCX bytes (``layout.render_docx``).

Baselines, timed in the same rounds: (a) python-docx saving an empty ``Document()`` to memory, the
least any DOCX costs with this library; (b) ``render_docx`` of a one-paragraph document in the full
NĐ 30/2020 frame (header, type name, one paragraph, one signature), what the frame itself costs.

What it does:
1. builds the demo, then for ``--rounds`` rounds (default 20) times (a), (b) and, for each document
   type, build then render; prints and records the medians and the ratios to (a) and (b);
2. converts each type's DOCX to PDF ``--convert`` times (default 5) with ``convert_to_pdf`` after one
   conversion that starts the warm soffice (timed on its own), and ``--cold`` times (default 3) with a
   cold ``soffice --headless --convert-to pdf`` with a fresh profile (``bench.pdf_bench.cold``);
3. writes the section "## DOCX generation per document (issue 5)" of docs/benchmarks.md (unless
   ``--no-write``; the file is read again just before the one write, as other benchmarks write other
   sections).

Usage, from the project root:
    .venv/bin/python -m bench.docx_bench [--rounds 20] [--convert 5] [--cold 3] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import DOCS, replace_section
from bench.pdf_bench import _cpu, _version, cold, pages
from thidua.demo.samples import OFFICIAL, setup_django

SECTION = "## DOCX generation per document (issue 5)"
LABELS = {
    "minutes": "biên bản hội nghị",
    "count": "biên bản kiểm phiếu (suy tôn)",
    "proposal": "tờ trình",
    "summary": "bảng tổng hợp",
    "agreement": "giao ước thi đua",
}


@dataclass
class Timings:
    build: list[float] = field(default_factory=list)
    render: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    queries: int = 0
    docx_bytes: int = 0
    pages: int = 0
    warm: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


GOAL_MS = 100  # issue 15: DOCX generation at most 100 ms per document


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="generation rounds (all types each round)")
    parser.add_argument("--convert", type=int, default=5, help="warm conversions per type")
    parser.add_argument("--cold", type=int, default=3, help="cold soffice conversions per type")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]  # other work on the machine moves every figure; the ratios move less

    with tempfile.TemporaryDirectory(prefix="thidua-docx-bench-") as directory:
        work = Path(directory)
        setup_django(work / "demo.sqlite3")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from docx import Document

        from thidua.conferences.models import PollKind
        from thidua.demo.samples import replayed_conference
        from thidua.documents import converter, issuing
        from thidua.documents.layout import Issuer, OfficialDocument, Paragraph, Signer, render_docx

        soffice = converter.soffice_path()
        if soffice is None or not converter.warm_available() or shutil.which("pdfinfo") is None:
            print("needs LibreOffice, python3-uno and poppler-utils (pdfinfo)", file=sys.stderr)
            return 1

        conference = replayed_conference()
        nomination = conference.polls.get(kind=PollKind.NOMINATION)
        plans = {
            kind: issuing.plan_for(kind, conference=conference, poll=nomination if kind == "count" else None)
            for _, kind in OFFICIAL
        }
        one_paragraph = OfficialDocument(
            issuer=Issuer("Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam", "Cụm thi đua số 4", "Ninh Bình"),
            number_line="Số: 01/BB-CTĐ4",
            date=datetime.date(2023, 12, 8),
            type_name="Biên bản",
            summary="Hội nghị tổng kết công tác thi đua năm 2023",
            body=[Paragraph("Hội nghị kết thúc hồi 11 giờ 30 cùng ngày.")],
            signers=[Signer("TM. Cụm thi đua số 4", "Cụm trưởng", "Nguyễn Văn An")],
        )

        def empty_docx() -> bytes:
            buffer = io.BytesIO()
            Document().save(buffer)
            return buffer.getvalue()

        timings = {kind: Timings() for kind in plans}
        for kind, plan in plans.items():  # warm-up: imports, template parse, query plans; not counted
            with CaptureQueriesContext(connection) as queries:
                document = plan.build("01/BB-CTĐ4", plan.date)
            timings[kind].queries = len(queries)
            timings[kind].docx_bytes = len(render_docx(document))
        empty_docx()
        render_docx(one_paragraph)

        empty: list[float] = []
        frame: list[float] = []
        for _ in range(args.rounds):
            empty.append(_timed(empty_docx))
            frame.append(_timed(lambda: render_docx(one_paragraph)))
            for kind, plan in plans.items():
                started = time.perf_counter()
                document = plan.build("01/BB-CTĐ4", plan.date)
                built = time.perf_counter()
                render_docx(document)
                done = time.perf_counter()
                timings[kind].build.append(built - started)
                timings[kind].render.append(done - built)
                timings[kind].total.append(done - started)

        docx = {kind: render_docx(plan.build("01/BB-CTĐ4", plan.date)) for kind, plan in plans.items()}
        converter.shutdown()  # the first conversion below starts soffice, timed on its own
        first_start = _timed(lambda: converter.convert_to_pdf(docx[next(iter(docx))]))
        for kind, content in docx.items():
            timings[kind].pages = pages(converter.convert_to_pdf(content))
            for _ in range(args.convert):
                started = time.perf_counter()
                converter.convert_to_pdf(content)
                timings[kind].warm.append(time.perf_counter() - started)
        converter.shutdown()
        for index, (kind, content) in enumerate(docx.items()):
            source = work / f"{kind}.docx"
            source.write_bytes(content)
            for run in range(args.cold):
                profile = work / f"profile-{index}-{run}"
                timings[kind].cold.append(cold(soffice, source, profile, work / "out"))

    empty_median, frame_median = statistics.median(empty), statistics.median(frame)
    generation_rows = []
    conversion_rows = []
    for kind, timing in timings.items():
        total = statistics.median(timing.total)
        warm = statistics.median(timing.warm)
        cold_median = statistics.median(timing.cold)
        generation_rows.append(
            f"| {LABELS[kind]} | {timing.pages} | {timing.docx_bytes // 1024} | {timing.queries} | "
            f"{_ms(statistics.median(timing.build))} | {_ms(statistics.median(timing.render))} | "
            f"{_ms(total)} | {total / empty_median:.1f}× | {total / frame_median:.1f}× |"
        )
        conversion_rows.append(
            f"| {LABELS[kind]} | {_ms(total)} | {_ms(warm)} | {_ms(cold_median)} | "
            f"{warm / total:.1f}× | **{cold_median / warm:.1f}×** |"
        )
    today = datetime.date.today().isoformat()
    slowest = max(statistics.median(timing.total) for timing in timings.values())
    lines = [
        SECTION,
        "",
        "Goal (issue 5): the time to generate each document as DOCX from the data, and to convert it to PDF "
        "with the warm converter against a cold soffice start, measured in the same run.",
        "",
        "Run: `.venv/bin/python -m bench.docx_bench` (options `--rounds`, `--convert`, `--cold`, `--no-write`). "
        "It builds the demo in a throwaway SQLite database (as `make samples` does) and makes each document "
        "one click issues from Cụm 4's replayed conference of 08/12/2023. *Build* reads the data and composes "
        "the document (`issuing.plan_for(...).build`, its SQL queries counted once), *render* lays it out as "
        "DOCX bytes (`layout.render_docx`). Baselines in the same rounds: (a) python-docx saving an empty "
        "`Document()` to memory, the least a DOCX costs with this library; (b) `render_docx` of a "
        f"one-paragraph document in the full NĐ 30/2020 frame. Medians of {args.rounds} rounds, every type "
        f"each round; conversion: {args.convert} warm conversions per type after one that starts soffice, "
        f"{args.cold} cold `soffice --headless --convert-to pdf` per type with a fresh profile.",
        "",
        f"Run of {today}, {os.cpu_count()} cores ({_cpu()}, load average {load:.1f} at the start), Python {platform.python_version()}, SQLite "
        f"(throwaway file; WAL, synchronous=FULL as configured), {_version([soffice, '--version'])}:",
        "",
        f"Baselines: (a) empty `Document()` saved: {_ms(empty_median)} ms; (b) one-paragraph document in "
        f"the frame: {_ms(frame_median)} ms ({frame_median / empty_median:.1f}× (a)).",
        "",
        "| document | pages | DOCX KB | queries | build ms | render ms | total ms | / (a) | / (b) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *generation_rows,
        "",
        f"Goal (issue 15): at most {GOAL_MS} ms to generate each document as DOCX (build + render), the "
        "signers looked up by date and the layout's keep-together rules included: "
        + (
            f"**met** (slowest: {_ms(slowest)} ms)."
            if slowest * 1000 <= GOAL_MS
            else f"**missed** (slowest: {_ms(slowest)} ms)."
        ),
        "",
        f"PDF conversion per document (the first conversion, which starts the warm soffice: "
        f"{first_start:.2f} s, not counted):",
        "",
        "| document | DOCX generation ms | warm conversion ms | cold soffice ms | warm / generation | cold / warm |",
        "|---|---:|---:|---:|---:|---:|",
        *conversion_rows,
    ]
    section = "\n".join(lines)
    print(section)
    met = slowest * 1000 <= GOAL_MS
    if not args.no_write:
        replace_section(SECTION, section)
        print(f"\nwritten to {DOCS}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
