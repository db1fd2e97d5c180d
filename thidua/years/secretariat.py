"""The secretariat's to-dos: the current stage of each year it runs, while that stage waits for it.

One provider for every stage, from the stage's gate, so a new gate is a new to-do with no code here.
Links go by URL name only: the years app does not import the apps whose pages they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db.models import F
from django.urls import reverse

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.years.models import EmulationYear, YearStage
from thidua.years.rules import STAGE_DEADLINES, Stage
from thidua.years.stages import gate_of
from thidua.years.todos import Todo, todo

SECRETARIAT = "Thường trực cụm"

# Where the secretariat does each stage's work: one click from the to-do. Cross-checking has its own to-do
# (settling, in assessments.todo), with the count of scores ready to settle, and so has the conference
# (closing it, in conferences.todo), which links to the conference itself.
STAGE_WORK: Mapping[Stage, tuple[str, str]] = {
    Stage.DRAFTING: ("Soạn giao ước và mở ký", "years:agreement"),
    Stage.SELF_SCORING: ("Phân công chấm chéo", "scoring:assign"),
    Stage.SETTLED: ("Chuẩn bị hội nghị tổng kết", "conferences:list"),
    Stage.DOSSIER: ("Lập và gửi hồ sơ đề nghị khen thưởng", "awards:dossier"),
}


def secretariat_todos(user: User, today: date) -> list[Todo]:
    from thidua.organizations.models import Leadership, LeadershipRole

    officer_of = permissions.officer_org_ids(user)
    if not officer_of:
        return []
    headed = Leadership.objects.filter(role=LeadershipRole.HEAD, organization_id__in=officer_of).values_list(
        "group_id", "year"
    )
    pairs = set(headed)
    if not pairs:
        return []
    years = (
        EmulationYear.objects.filter(group_id__in={g for g, _ in pairs})
        .exclude(stage=YearStage.CLOSED)
        .select_related("group")
    )
    items = []
    for emulation_year in years:
        if (emulation_year.group_id, emulation_year.year) not in pairs:
            continue
        stage = Stage(emulation_year.stage)
        if stage not in STAGE_WORK:
            continue
        work, page = STAGE_WORK[stage]
        gate = gate_of(emulation_year, stage)
        if gate.done or SECRETARIAT not in gate.who:
            continue
        due_field = STAGE_DEADLINES.get(stage)
        items.append(
            todo(
                key=f"stage:{emulation_year.pk}:{stage.value}",
                text=f"{work} — {emulation_year.group} năm {emulation_year.year} (thường trực cụm)",
                url=reverse(page, args=[emulation_year.group.slug, emulation_year.year]),
                due=getattr(emulation_year, due_field) if due_field else None,
                today=today,
                emulation_year_id=emulation_year.pk,
            )
        )
    return items


def next_year_todos(user: User, today: date) -> list[Todo]:
    """The head (or deputy) elected for a year no one has opened yet opens it: members carry over and
    next year's agreement is drafted from there (DOMAIN.md, the year step 5)."""
    from thidua.organizations.models import Leadership

    officer_of = permissions.officer_org_ids(user)
    if not officer_of:
        return []
    elected = (
        Leadership.objects.filter(organization_id__in=officer_of, year__gt=today.year - 1)
        .exclude(group__years__year=F("year"))
        .select_related("group")
        .order_by("year")
    )
    items = []
    for leadership in elected:
        group = leadership.group
        if not permissions.can_open_year(user, group, leadership.year):
            continue
        items.append(
            todo(
                key=f"open-year:{group.pk}:{leadership.year}",
                text=f"Mở năm thi đua {leadership.year} — {group}",
                url=reverse("open_year", args=[group.slug]) + f"?nam={leadership.year}",
                due=None,
                today=today,
            )
        )
    return items
