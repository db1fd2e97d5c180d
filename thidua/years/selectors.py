"""Reads of a year that several pages share: its stages, and the years a group has open."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.utils import timezone

from thidua.years.models import EmulationYear, YearStage
from thidua.years.rules import STAGE_DEADLINES, Stage, StageRow, stage_rows
from thidua.years.stages import gate_of


def year_stages(*, emulation_year: EmulationYear) -> list[StageRow]:
    """Every stage in order: done, the current one with what it waits for and who must act, and those
    ahead; each with its deadline and whether it is late. One gate is asked: the current stage's."""
    current = Stage(emulation_year.stage)
    gate = gate_of(emulation_year, current) if current != Stage.CLOSED else None
    deadlines = {name: getattr(emulation_year, name) for name in set(STAGE_DEADLINES.values())}
    return stage_rows(current, deadlines, gate, timezone.localdate())


def open_years(*, group_id: int) -> QuerySet[EmulationYear]:
    """The group's years not yet closed, the latest first."""
    return EmulationYear.objects.filter(group_id=group_id).exclude(stage=YearStage.CLOSED).order_by("-year")


def open_years_of_members(*, organization_ids: set[int]) -> QuerySet[EmulationYear]:
    """The open years of every group these organizations are members of in that year: where an officer's
    to-dos can be."""
    return (
        EmulationYear.objects.filter(
            group__memberships__organization_id__in=organization_ids,
            group__memberships__year=F("year"),
        )
        .exclude(stage=YearStage.CLOSED)
        .select_related("group", "group__parent")
        .distinct()
    )
