"""The worker lowers its session's autogroup only when it leads that session and runs below normal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.harness import ROOT

PROBE = (
    "import sys; from pathlib import Path; from thidua.lib.priority import lower_own_session; "
    "print(lower_own_session(Path(sys.argv[1])))"
)


def _probe(path: Path, *, new_session: bool, niceness: int, idle: bool = False) -> str:
    def lower() -> None:
        os.nice(niceness)
        if idle:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))

    done = subprocess.run(  # noqa: S603 -- this interpreter, our own probe
        [sys.executable, "-c", PROBE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        start_new_session=new_session,
        preexec_fn=lower,
    )
    return done.stdout.strip()


def test_a_niced_worker_that_leads_its_session_gives_the_session_its_nice(tmp_path):
    group = tmp_path / "autogroup"
    assert _probe(group, new_session=True, niceness=10) == "10"
    assert group.read_text() == "10\n"


def test_a_worker_in_the_idle_class_puts_its_session_at_the_lowest_nice(tmp_path):
    group = tmp_path / "autogroup"
    assert _probe(group, new_session=True, niceness=10, idle=True) == "19"
    assert group.read_text() == "19\n"


def test_a_worker_in_someone_elses_session_leaves_that_session_alone(tmp_path):
    group = tmp_path / "autogroup"
    assert _probe(group, new_session=False, niceness=10) == "None"
    assert not group.exists()


def test_a_worker_at_normal_priority_leaves_its_session_alone(tmp_path):
    group = tmp_path / "autogroup"
    assert _probe(group, new_session=True, niceness=0) == "None"
    assert not group.exists()


def test_a_kernel_without_autogroups_is_no_error(tmp_path):
    assert _probe(tmp_path / "missing" / "autogroup", new_session=True, niceness=10) == "None"
