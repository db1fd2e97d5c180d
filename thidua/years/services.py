"""Every change to an emulation year's stage: moved by one service, when the stage's work is done."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from thidua.accounts.models import User
from thidua.accounts.permissions import can_open_year, can_run_year, is_parent_staff, require
from thidua.audit.services import record
from thidua.organizations.models import EmulationGroup, Membership
from thidua.organizations.services import carry_members_into_next_year
from thidua.years.models import EmulationYear
from thidua.years.rules import Gate, Stage, advance
from thidua.years.stages import gate_of

DEADLINE_FIELDS = (
    "signing_due",
    "self_scoring_due",
    "review_due",
    "answer_due",
    "conference_date",
    "dossier_due",
    "reminder_days",
)


@transaction.atomic
def open_year(
    *, actor: User, group: EmulationGroup, year: int, deadlines: dict[str, datetime.date | None] | None = None
) -> EmulationYear:
    require(
        can_open_year(actor, group, year),
        "Chỉ cụm trưởng, cụm phó năm trước hoặc cơ quan cấp trên được mở năm thi đua.",
    )
    # Locking the group makes two clicks on "Mở năm" queue: the second sees the first's year.
    EmulationGroup.objects.select_for_update().filter(pk=group.pk).first()
    if EmulationYear.objects.filter(group=group, year=year).exists():
        raise ValidationError({"year": f"{group} đã có năm thi đua {year}."})
    # Membership carries over from last year, a merged member replaced by its successor (DOMAIN.md,
    # the 01/07/2025 merger); parent-body staff adjust the list afterwards.
    carry_members_into_next_year(actor=actor, group=group, year=year - 1)
    if not Membership.objects.filter(group=group, year=year).exists():
        raise ValidationError(
            {"year": f"{group} chưa có thành viên năm {year}; cơ quan cấp trên cần ghi danh sách trước."}
        )
    deadlines = _without_blank_reminder(deadlines or {})
    emulation_year = EmulationYear.objects.create(group=group, year=year, **deadlines)
    record(
        actor=actor,
        verb="year.open",
        target=emulation_year,
        group=group,
        data={"year": year, **deadlines},
    )
    return emulation_year


@transaction.atomic
def set_deadlines(
    *, actor: User, emulation_year: EmulationYear, deadlines: dict[str, datetime.date | None]
) -> EmulationYear:
    require(
        can_run_year(actor, emulation_year.group, emulation_year.year),
        "Chỉ thường trực cụm hoặc cơ quan cấp trên được thực hiện thao tác này.",
    )
    deadlines = _without_blank_reminder(deadlines)
    before = {f: getattr(emulation_year, f) for f in DEADLINE_FIELDS}
    for name, value in deadlines.items():
        if name not in DEADLINE_FIELDS:
            raise ValueError(name)
        setattr(emulation_year, name, value)
    emulation_year.save(update_fields=list(deadlines))
    record(
        actor=actor,
        verb="year.deadlines",
        target=emulation_year,
        group=emulation_year.group,
        data={
            f: [before[f], getattr(emulation_year, f)]
            for f in deadlines
            if before[f] != getattr(emulation_year, f)
        },
    )
    return emulation_year


def _without_blank_reminder(deadlines: dict[str, Any]) -> dict[str, Any]:
    """A blank reminder lead time keeps the year's setting; a blank date clears the deadline."""
    return {k: v for k, v in deadlines.items() if not (k == "reminder_days" and v is None)}


@dataclass(frozen=True)
class StageReport:
    stage: Stage
    moved: bool
    # What holds the year at its stage, and who must act; None once the year is closed.
    gate: Gate | None


@transaction.atomic
def advance_year(*, actor: User | None, emulation_year: EmulationYear) -> StageReport:
    """Move the year on as far as its work allows. The services whose change can complete a stage call
    it (the last signature, the last settled score, the closed conference, the dossier sent); the
    worker's daily sweep calls it for the stage that ends on a date (the agreement in force from
    1 January). Each move is one audit event."""
    locked = EmulationYear.objects.select_for_update().select_related("group").get(pk=emulation_year.pk)
    start = Stage(locked.stage)
    reached, gate = advance(start, lambda stage: gate_of(locked, stage))
    if reached != start:
        locked.stage = reached.value
        locked.save(update_fields=["stage"])
        record(
            actor=actor,
            verb="year.stage",
            target=locked,
            group=locked.group,
            data={"from": start.value, "to": reached.value},
        )
    emulation_year.stage = locked.stage
    return StageReport(reached, reached != start, gate)


@transaction.atomic
def archive_year(*, actor: User, emulation_year: EmulationYear, reason: str) -> EmulationYear:
    """The parent body closes a past year whose work was done outside thidua (on paper, before it was
    used): its to-dos end and it leaves the open years. Its data stay as they are."""
    require(
        is_parent_staff(actor, emulation_year.group.parent),
        "Chỉ cơ quan cấp trên được đóng một năm thi đua đã tổng kết ngoài hệ thống.",
    )
    locked = EmulationYear.objects.select_for_update().select_related("group").get(pk=emulation_year.pk)
    if locked.stage == Stage.CLOSED:
        return locked
    record(
        actor=actor,
        verb="year.archive",
        target=locked,
        group=locked.group,
        data={"from": locked.stage, "reason": reason.strip()},
    )
    locked.stage = Stage.CLOSED.value
    locked.save(update_fields=["stage"])
    return locked


def advance_open_years() -> int:
    """Ask every open year to move on: the worker's daily sweep, for the stage that ends on a date (the
    agreement in force from 1 January). Returns how many years moved."""
    moved = 0
    for emulation_year in EmulationYear.objects.exclude(stage=Stage.CLOSED.value).only("pk", "stage"):
        moved += advance_year(actor=None, emulation_year=emulation_year).moved
    return moved
