"""What each stage of a year waits for, asked of the app that owns that work.

The years app sits below agreements, assessments, conferences and awards, so it cannot read their
tables; each of them registers the gate of the stages it owns in its `AppConfig.ready()`. A stage with
no registered gate (an app not installed) never holds a year back.
"""

from __future__ import annotations

from collections.abc import Callable

from thidua.years.models import EmulationYear
from thidua.years.rules import Gate, Stage

GateCheck = Callable[[EmulationYear], Gate]

_gates: dict[Stage, GateCheck] = {}


def register_gate(stage: Stage, check: GateCheck) -> None:
    _gates[stage] = check


def gate_of(emulation_year: EmulationYear, stage: Stage) -> Gate:
    check = _gates.get(stage)
    return check(emulation_year) if check else Gate(done=True)
