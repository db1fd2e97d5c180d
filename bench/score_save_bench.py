"""Cost of a score save with its version check (issue 13), as a ratio against the save before it.

Goal: `save_self_score` with the form's version (the sheet locked against a submit in another tab, the
row written by one compare-and-set UPDATE) costs at most 1.1× the save it replaced, measured in the
same run on the same rows. The baseline is that earlier save, kept below as it was: the officer check,
the draft check on the already-loaded sheet, `Score.save(update_fields=…)` and the audit event.

What it does:
1. creates the database `thidua_bench_score_save` on the PostgreSQL server (dropped first if a crashed
   run left it), migrates it and loads the whole demo;
2. takes Ninh Bình's 2026 draft sheet and its officer;
3. for each round, saves every criterion of the sheet once with each function, alternating which goes
   first and the value written, each save in its own transaction as a request's would be;
4. reports the median time per save of each and their ratio; drops the database even on failure.

Usage, from the project root:
    .venv/bin/python -m bench.score_save_bench [--rounds 7] [--server postgres://…] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from typing import Any

from bench.harness import ROOT, create_database, drop_database, replace_section

DATABASE = "thidua_bench_score_save"
HEADING = "## Score save with its version check (issue 13)"
GOAL_RATIO = 1.1


def _earlier_save(actor: Any, score: Any, value: Decimal | None, note: str) -> None:
    """`save_self_score` before issue 13 (an atomic block of its own, as it was): no version, no lock;
    the baseline."""
    from django.db import transaction

    with transaction.atomic():
        _earlier_body(actor, score, value, note)


def _earlier_body(actor: Any, score: Any, value: Decimal | None, note: str) -> None:
    from django.core.exceptions import ValidationError

    from thidua.assessments import rules
    from thidua.assessments.models import AssessmentStatus
    from thidua.assessments.services import _require_member_officer, spec_of
    from thidua.audit.services import record

    assessment = score.assessment
    _require_member_officer(actor, assessment.organization)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError("Bản tự chấm đã nộp; cần mở lại trước khi sửa.")
    before = (score.self_value, score.self_points, score.note)
    score.self_points = None if value is None else rules.points(spec_of(score.criterion), value)
    score.self_value = value
    score.note = note.strip()
    score.save(update_fields=["self_value", "self_points", "note"])
    if before != (score.self_value, score.self_points, score.note):
        record(
            actor=actor,
            verb="score.self",
            target=score,
            group=assessment.emulation_year.group,
            data={
                "organization": assessment.organization.code,
                "criterion": score.criterion.code,
                "value": [before[0], score.self_value],
                "points": [before[1], score.self_points],
            },
        )


def _measure(rounds: int) -> tuple[list[float], list[float], int]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from thidua.accounts.models import User
    from thidua.assessments import services
    from thidua.assessments.models import Assessment, AssessmentStatus
    from thidua.demo.loader import load_full_demo

    call_command("migrate", verbosity=0, interactive=False)
    load_full_demo()
    officer = User.objects.get(username="ninhbinh")
    assessment = Assessment.objects.get(emulation_year__year=2026, organization__code="lhh-ninh-binh")
    assert assessment.status == AssessmentStatus.DRAFT

    def scores() -> list[Any]:
        return list(
            assessment.scores.select_related(
                "criterion",
                "criterion__group",
                "assessment__organization",
                "assessment__emulation_year__group",
            ).filter(criterion__kind__in=["fixed", "pass_fail"])
        )

    def earlier(score: Any, value: Decimal) -> None:
        _earlier_save(officer, score, value, "")

    def versioned(score: Any, value: Decimal) -> None:
        services.save_self_score(actor=officer, score=score, value=value, note="", version=score.version)

    timings: dict[str, list[float]] = {"earlier": [], "versioned": []}
    saves = 0
    for number in range(rounds * 2):
        # The two functions take turns save by save on neighbouring rows, swapping rows every round:
        # whatever else the machine does falls on both alike. Each save changes its row (0 ↔ 1).
        rows = scores()  # as a request loads them
        for index, score in enumerate(rows):
            label, save = ("earlier", earlier) if (index + number) % 2 else ("versioned", versioned)
            value = Decimal(0) if score.self_value else Decimal(1)
            started = time.perf_counter()
            with transaction.atomic():
                save(score, value)
            timings[label].append(time.perf_counter() - started)
        saves += len(rows) // 2
    return timings["earlier"], timings["versioned"], saves


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--write", action="store_true", help="replace this section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DATABASE_URL": f"{args.server}/{DATABASE}",
            "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
            "THIDUA_SECRET_KEY": "bench-only-not-a-secret",
            "THIDUA_DB_POOL": "0",
        }
    )
    print(f"Creating database {DATABASE}, migrating, loading the demo…")
    create_database(args.server, DATABASE)
    try:
        earlier, versioned, saves = _measure(args.rounds)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(args.server, DATABASE)
    earlier_ms, versioned_ms = statistics.median(earlier) * 1000, statistics.median(versioned) * 1000
    ratio = versioned_ms / earlier_ms
    verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
    text = "\n".join(
        [
            HEADING,
            "",
            f"Date: {datetime.date.today().isoformat()}. PostgreSQL, {saves} "
            "saves per function, each in its own transaction, the two interleaved save by save; `python -m "
            "bench.score_save_bench`.",
            "",
            "| save | median per save | ratio |",
            "|---|---|---|",
            f"| before issue 13 (no version, baseline) | {earlier_ms:.3f} ms | 1.00 |",
            f"| with the form's version (lock + compare-and-set) | {versioned_ms:.3f} ms | {ratio:.3f} |",
            "",
            f"Goal: at most {GOAL_RATIO}× the earlier save: **{verdict}**.",
        ]
    )
    print(text)
    if args.write:
        replace_section(HEADING, text)
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
