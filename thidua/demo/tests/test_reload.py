"""`make run` loads the demo every time it starts: over an existing demo it must add nothing and refuse
nothing, though by then its 2023 is a closed year whose sheets take no change."""

from __future__ import annotations

from typing import Any

import pytest

from thidua.assessments.models import Assessment, Score
from thidua.audit.models import AuditEvent
from thidua.years.models import EmulationYear, YearStage


@pytest.mark.django_db
def test_loading_the_demo_again_over_itself_adds_nothing_and_refuses_nothing(cluster4: Any) -> None:
    from thidua.demo.loader import load_full_demo

    assert EmulationYear.objects.get(group=cluster4, year=2023).stage == YearStage.CLOSED
    counts = (Assessment.objects.count(), Score.objects.count(), AuditEvent.objects.count())
    load_full_demo()
    assert (Assessment.objects.count(), Score.objects.count(), AuditEvent.objects.count()) == counts
