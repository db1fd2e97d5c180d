"""Speed of the score sheet import (issue 3), as a ratio against the raw parse of the same files.

Goal: importing a 10-member × 80-criterion workbook, parsing and validating included, stays under 1 s on
this machine. Read two ways, both reported: the 10 members' sheets (80 criteria each) one after the
other, and one sheet of 80 criteria. The baseline, measured in the same run on the same bytes, is the
raw parse: openpyxl opening the file (read-only) and iterating every value of the sheet, and python-
calamine doing the same when it is importable (it is not a dependency: it reads cached values only, so
it cannot tell a formula from a value, which the import must refuse).

What it does:
1. builds a throwaway database: a temporary SQLite file (the project's settings: WAL, synchronous=FULL),
   and, with --postgres URL (or DATABASE_URL set), a database `thidua_bench_score_import` on that server
   (created and dropped here, never the suite's test database);
2. creates directly, without the demo: a parent body, a cluster of 10 members with an officer each, a
   year with an agreement in force of 80 criteria in 10 groups (every kind, bonus and penalty included)
   and an empty assessment per member;
3. exports each member's sheet with `score_sheet_workbook` and fills every value cell with openpyxl;
4. measures, per workbook and over several rounds (median): (a) the raw parse, (b) `parse_score_sheet`
   (file checks, openpyxl, identity, every row against the criteria; 3 queries), and (c)
   `apply_score_sheet` (every row changed: one `save_self_score` and one audit event per criterion, in
   one transaction), alternating two fillings so that each apply changes all 80 rows;
5. prints a Markdown section; with --write it replaces that section in docs/benchmarks.md.

Each database is measured in a child process of its own (Django is set up once per process).

Usage, from the project root:
    .venv/bin/python bench/score_import.py [--rounds 5] [--postgres URL] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = 10
CRITERIA = 80
YEAR = 2030
HEADING = "## Score sheet import (issue 3)"
GOAL_SECONDS = 1.0
TEST_DATABASE = "thidua_bench_score_import"


def _setup_django(scratch: Path) -> Callable[[], None]:
    """Settings for a throwaway database; returns what tears it down."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["THIDUA_VAR_DIR"] = str(scratch / "var")
    os.environ["THIDUA_MEDIA_ROOT"] = str(scratch / "media")
    os.environ.setdefault("THIDUA_SECRET_KEY", "bench-only-not-secret")
    postgres = bool(os.environ.get("DATABASE_URL", "").strip())
    if not postgres:
        os.environ["THIDUA_SQLITE_PATH"] = str(scratch / "bench.sqlite3")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if postgres:
        # Django's test database on that server: created here, dropped at the end, whatever it held.
        old_name = connection.settings_dict["NAME"]
        # A name of its own, so that it never drops the test database of a suite running on the same server.
        connection.settings_dict["TEST"]["NAME"] = TEST_DATABASE
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)
    call_command("migrate", verbosity=0, interactive=False)
    return lambda: None


def _build() -> list[Any]:
    """The 10 members' empty assessments of a year whose agreement of 80 criteria is in force."""
    from django.utils import timezone

    from thidua.accounts.models import Role, RoleKind, User
    from thidua.agreements.models import Agreement, AgreementStatus, Criterion, CriterionGroup, CriterionKind
    from thidua.assessments.models import Assessment, Score
    from thidua.organizations.models import (
        EmulationGroup,
        Membership,
        Organization,
        OrganizationKind,
        OrganizationName,
    )
    from thidua.years.models import EmulationYear, YearStage

    since = datetime.date(2000, 1, 1)
    parent = Organization.objects.create(code="bench-parent", kind=OrganizationKind.PARENT_BODY)
    OrganizationName.objects.create(organization=parent, name="Cơ quan cấp trên (bench)", valid_from=since)
    group = EmulationGroup.objects.create(parent=parent, number=1, slug="bench-cum-1")
    members = []
    for index in range(1, MEMBERS + 1):
        member = Organization.objects.create(
            code=f"bench-{index:02d}", kind=OrganizationKind.PROVINCIAL_UNION, parent=parent
        )
        OrganizationName.objects.create(
            organization=member, name=f"Liên hiệp các Hội Khoa học và Kỹ thuật số {index}", valid_from=since
        )
        Membership.objects.create(group=group, organization=member, year=YEAR)
        officer = User.objects.create(username=f"bench{index:02d}", full_name=f"Cán bộ thi đua {index}")
        Role.objects.create(user=officer, kind=RoleKind.OFFICER, organization=member)
        members.append((member, officer))
    emulation_year = EmulationYear.objects.create(group=group, year=YEAR, stage=YearStage.SELF_SCORING)
    agreement = Agreement.objects.create(
        emulation_year=emulation_year,
        status=AgreementStatus.IN_FORCE,
        title=f"Giao ước thi đua năm {YEAR} (bench)",
        bonus_cap=Decimal(5),
        penalty_cap=Decimal(5),
        in_force_at=timezone.now(),
    )
    # 8 ordinary groups of 9 criteria cycling through the four ordinary kinds, then 4 bonus and 4 penalty.
    ordinary = [
        CriterionKind.FIXED,
        CriterionKind.QUANTITATIVE,
        CriterionKind.PASS_FAIL,
        CriterionKind.PER_OCCURRENCE,
    ]
    layout = [
        (f"{g}", f"Nhóm tiêu chí {g}", Decimal(45), [ordinary[i % 4] for i in range(9)]) for g in range(1, 9)
    ]
    layout += [("T", "Điểm thưởng", Decimal(5), [CriterionKind.BONUS] * 4)]
    layout += [("TR", "Điểm trừ", Decimal(5), [CriterionKind.PENALTY] * 4)]
    criteria = []
    for position, (code, title, maximum, kinds) in enumerate(layout, start=1):
        criterion_group = CriterionGroup.objects.create(
            agreement=agreement, position=position, code=code, title=title, max_points=maximum
        )
        for number, kind in enumerate(kinds, start=1):
            criteria.append(
                Criterion(
                    agreement=agreement,
                    group=criterion_group,
                    position=number,
                    code=f"{code}.{number}",
                    text=f"Tiêu chí {code}.{number}: nội dung công việc theo giao ước, có minh chứng kèm theo",
                    kind=kind,
                    max_points=Decimal(5)
                    if kind not in (CriterionKind.BONUS, CriterionKind.PENALTY)
                    else Decimal(2),
                    target=Decimal(10) if kind == CriterionKind.QUANTITATIVE else None,
                    points_per_unit=Decimal(1) if kind == CriterionKind.PER_OCCURRENCE else None,
                )
            )
    Criterion.objects.bulk_create(criteria)
    assert len(criteria) == CRITERIA
    saved = list(agreement.criteria.all())
    assessments = []
    for member, officer in members:
        assessment = Assessment.objects.create(
            emulation_year=emulation_year, organization=member, agreement=agreement
        )
        Score.objects.bulk_create(Score(assessment=assessment, criterion=c) for c in saved)
        assessments.append((assessment, officer))
    return assessments


def _value(kind: str, seed: int) -> Any:
    """A valid value for the kind; `seed` varies it so that two fillings differ on every row."""
    if kind == "pass_fail":
        return seed % 2
    if kind in ("quantitative", "per_occurrence"):
        return 3 + seed % 4
    if kind in ("bonus", "penalty"):
        return 0.5 + seed % 2
    return 3.5 + seed % 2  # fixed, up to 5


def _fill(data: bytes, kinds: dict[str, str], seed: int) -> bytes:
    from openpyxl import load_workbook

    from thidua.assessments.excel import HEADER_ROW, NOTE, SCORE_SHEET, VALUE

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[SCORE_SHEET]
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        code = sheet.cell(row=row, column=1).value
        if code in kinds:
            sheet.cell(row=row, column=VALUE).value = _value(kinds[code], seed + row)
            sheet.cell(
                row=row, column=NOTE
            ).value = f"Thuyết minh {code}, lần {seed}: đã thực hiện theo kế hoạch."
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _openpyxl_raw(data: bytes) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    count = 0
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        count += sum(1 for value in row if value is not None)
    workbook.close()
    return count


def _calamine_raw() -> Callable[[bytes], int] | None:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None

    def parse(data: bytes) -> int:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_index(0).to_python()
        return sum(1 for row in rows for value in row if value not in (None, ""))

    return parse


def _median_seconds(action: Callable[[], Any], rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per measurement; the median is kept")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DATABASE_URL", "").strip(),
        help="also measure on this PostgreSQL server (default: DATABASE_URL when set); its test database is "
        "created and dropped",
    )
    parser.add_argument(
        "--write", action="store_true", help="replace this benchmark's section in docs/benchmarks.md"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    rounds = max(1, options.rounds)

    if options.child:
        # One database per process: Django is set up once, for the database the parent chose.
        with tempfile.TemporaryDirectory(prefix="thidua-bench-") as scratch:
            teardown = _setup_django(Path(scratch))
            try:
                print(json.dumps(_measure(rounds)))
            finally:
                teardown()
        return 0

    runs = [_child(rounds, "")]
    if options.postgres:
        runs.append(_child(rounds, options.postgres))
    text = "\n".join(_report(runs, rounds, postgres=bool(options.postgres)))
    print(text)
    if options.write:
        _write(text)
        print(f"\nwritten to {ROOT / 'docs' / 'benchmarks.md'}")
    return 0


def _child(rounds: int, database_url: str) -> dict[str, Any]:
    environment = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--rounds", str(rounds)]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=1800, check=False)  # noqa: S603 -- this script, fixed arguments
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the measurement on {'PostgreSQL' if database_url else 'SQLite'} failed")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _measure(rounds: int) -> dict[str, Any]:
    from django.db import connection

    from thidua.assessments.excel import score_sheet_workbook
    from thidua.assessments.excel_reading import parse_score_sheet
    from thidua.assessments.importing import apply_score_sheet
    from thidua.assessments.models import Assessment

    assessments = _build()
    kinds = {c.code: c.kind for c in assessments[0][0].agreement.criteria.all()}

    score_sheet_workbook(assessments[0][0])  # warm-up: imports, first queries
    exported = []
    export = []
    for assessment, _ in assessments:
        started = time.perf_counter()
        exported.append(score_sheet_workbook(assessment))
        export.append(time.perf_counter() - started)
    fillings = [(_fill(data, kinds, 0), _fill(data, kinds, 1)) for data in exported]
    files = [first for first, _ in fillings]

    raw = [_median_seconds(partial(_openpyxl_raw, data), rounds) for data in files]
    calamine = _calamine_raw()
    raw_calamine = [_median_seconds(partial(calamine, data), rounds) for data in files] if calamine else []

    parsed = []
    for (assessment, _), data in zip(assessments, files, strict=True):
        fresh = Assessment.objects.select_related("organization", "agreement", "emulation_year__group").get(
            pk=assessment.pk
        )
        result = parse_score_sheet(data, assessment=fresh)
        assert result.ok and len(result.rows) == CRITERIA, [str(p) for p in result.problems[:3]]
        parsed.append(_median_seconds(partial(parse_score_sheet, data, assessment=fresh), rounds))

    applied = []
    for (assessment, officer), pair in zip(assessments, fillings, strict=True):
        timings = []
        for turn in range(max(2, rounds)):
            data = pair[turn % 2]  # alternate, so every apply changes all 80 rows
            started = time.perf_counter()
            changed = apply_score_sheet(actor=officer, assessment=assessment, data=data)
            timings.append(time.perf_counter() - started)
            assert changed == CRITERIA, changed
        applied.append(statistics.median(timings))

    if connection.vendor == "postgresql":
        database = f"PostgreSQL {connection.cursor().connection.info.server_version // 10000} (throwaway database on the local server)"
    else:
        database = "SQLite (temporary file; WAL, synchronous=FULL as configured)"
    return {
        "database": database,
        "size": statistics.median(len(d) for d in files),
        "raw": raw,
        "calamine": raw_calamine,
        "calamine_version": _calamine_version(),
        "parse": parsed,
        "apply": applied,
        "export": export,
    }


def _calamine_version() -> str:
    try:
        from importlib.metadata import version

        return version("python-calamine")
    except Exception:
        return ""


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _report(runs: list[dict[str, Any]], rounds: int, *, postgres: bool) -> list[str]:
    def row(label: str, per_file: list[float], base: list[float]) -> str:
        one = statistics.median(per_file)
        return f"| {label} | {_ms(one)} | {_ms(sum(per_file))} | {one / statistics.median(base):.2f} |"

    command = ".venv/bin/python bench/score_import.py --rounds " + str(rounds)
    if postgres:
        command += " --postgres postgres://…"
    if runs[0]["calamine"] and os.environ.get("PYTHONPATH"):
        command = f"PYTHONPATH={os.environ['PYTHONPATH']} {command}"
    lines = [
        HEADING,
        "",
        f"Command: `{command}` (from the project root; `--write` replaces this section).",
        f"Machine: {os.cpu_count()} cores ({_cpu()}), Python {platform.python_version()}. "
        f"Date: {datetime.date.today():%Y-%m-%d}.",
        f"Data: {MEMBERS} members × {CRITERIA} criteria in 10 groups (every kind of criterion, bonus and penalty "
        f"included), one sheet per member with every row filled, about {int(runs[0]['size']) // 1024} KB each. "
        f'Each figure is the median of {rounds} rounds for one file; the "10 files" column adds the ten '
        "files' medians (one after the other, as ten members importing). Ratios are against (a), the raw "
        "openpyxl parse of the same files in the same run.",
        "",
        "(c) writes through `save_self_score`, as a click on the scoring page does: each changed row costs "
        "the same few queries (the score, its audit event and the audit chain's head), so it grows with the "
        "rows changed and with the database's round-trip time; other processes shared the 2 cores, so "
        "figures move by tens of percent from run to run.",
    ]
    for run in runs:
        raw = run["raw"]
        lines += [
            "",
            f"{run['database']}:",
            "",
            "| Step | One file (80 criteria) | 10 files (10 × 80) | Ratio to (a) |",
            "|---|---|---|---|",
            row("(a) raw parse: openpyxl read-only load + iterate values", raw, raw),
        ]
        if run["calamine"]:
            lines.append(
                row(
                    f"(a′) raw parse: python-calamine {run['calamine_version']} load + iterate values (not used)",
                    run["calamine"],
                    raw,
                )
            )
        lines += [
            row("(b) `parse_score_sheet`: file checks, parse, identity, validation", run["parse"], raw),
            row("(c) `apply_score_sheet`: re-parse, 80 × `save_self_score` with audit", run["apply"], raw),
            row("export: `score_sheet_workbook`, for reference", run["export"], raw),
        ]
        parse_one, parse_all = statistics.median(run["parse"]), sum(run["parse"])
        whole_one = statistics.median(p + a for p, a in zip(run["parse"], run["apply"], strict=True))
        whole_all = sum(run["parse"]) + sum(run["apply"])
        verdict = "met" if parse_all < GOAL_SECONDS else "NOT met"
        lines += [
            "",
            f"Goal, parsing and validating under {GOAL_SECONDS:.0f} s: one file {_ms(parse_one)}, the ten files "
            f"{_ms(parse_all)}: {verdict}. The whole import, preview (b) then confirm (c): one file "
            f"{_ms(whole_one)}, the ten files {_ms(whole_all)}.",
        ]
    if runs[0]["calamine"]:
        if os.environ.get("PYTHONPATH"):
            lines += [
                "",
                "(a′) was measured with python-calamine installed outside the project, for comparison only "
                f"(`pip install --target {os.environ['PYTHONPATH']} python-calamine`); it is not a dependency.",
            ]
        factor = statistics.median(runs[0]["raw"]) / statistics.median(runs[0]["calamine"])
        lines += [
            "",
            f"python-calamine parses about {factor:.0f} times faster, but it returns cached values only: it cannot "
            "tell a formula typed into a value cell from a value, which the import must refuse. The import keeps "
            "openpyxl (already a dependency); parsing and validating stay far under the goal.",
        ]
    else:
        lines += ["", "python-calamine was not importable in this run: no row for it."]
    return lines


def _write(section: str) -> None:
    """Replace this benchmark's section of docs/benchmarks.md (up to the next "## " heading), or append it."""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find(HEADING + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    else:
        end = text.find("\n## ", start + len(HEADING))
        rest = text[end + 1 :] if end != -1 else ""
        text = text[:start] + section + "\n" + ("\n" + rest if rest else "")
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
