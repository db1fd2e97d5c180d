"""A parent body's groups in bulk, for the overview's tests: `count` more groups of VUSTA in one year,
each with a member, a head, a year at a stage (cycling through every stage, some late) and, for the
groups at the dossier stage or past it, a dossier voted and decided with an award. Written in a few
bulk inserts, so two data sizes cost the test little."""

from __future__ import annotations

import datetime
from typing import Any

from thidua.accounts.models import User
from thidua.awards.models import Award, Dossier, DossierStatus, Proposal
from thidua.lib.text import fold, sort_text
from thidua.organizations import models as registry
from thidua.years.models import EmulationYear, YearStage
from thidua.years.services import DEADLINE_FIELDS

STAGES = list(YearStage.values)
LONG_AGO = datetime.date(2000, 1, 1)


def add_groups(
    count: int, *, year: int, start: int = 100, late_every: int = 3
) -> list[registry.EmulationGroup]:
    """`count` groups numbered from `start`, clusters and blocks in turn, named "Hội thử nghiệm số N"
    for their member; every `late_every`-th one has its stage's deadline passed long ago."""
    vusta = registry.Organization.objects.get(code="vusta")
    staff = User.objects.get(username="vusta")
    names = [f"Hội thử nghiệm Đông Á số {start + i}" for i in range(count)]
    organizations = registry.Organization.objects.bulk_create(
        registry.Organization(
            code=f"thu-nghiem-{start + i}",
            kind=registry.OrganizationKind.ASSOCIATION,
            parent=vusta,
            search_text=fold(name),
            sort_key=sort_text(name),
        )
        for i, name in enumerate(names)
    )
    registry.OrganizationName.objects.bulk_create(
        registry.OrganizationName(organization=o, name=name, valid_from=datetime.date(2020, 1, 1))
        for o, name in zip(organizations, names, strict=True)
    )
    groups = registry.EmulationGroup.objects.bulk_create(
        registry.EmulationGroup(
            parent=vusta,
            kind=registry.GroupKind.CLUSTER if i % 2 else registry.GroupKind.BLOCK,
            number=start + i,
            slug=f"vusta-thu-nghiem-{start + i}",
        )
        for i in range(count)
    )
    registry.Membership.objects.bulk_create(
        registry.Membership(group=g, organization=o, year=year)
        for g, o in zip(groups, organizations, strict=True)
    )
    registry.Leadership.objects.bulk_create(
        registry.Leadership(
            group=g, organization=o, year=year, role=registry.LeadershipRole.HEAD, source="Thử nghiệm"
        )
        for g, o in zip(groups, organizations, strict=True)
    )
    years = EmulationYear.objects.bulk_create(
        _year(g, year, STAGES[i % len(STAGES)], late=i % late_every == 0) for i, g in enumerate(groups)
    )
    decided = [y for y in years if y.stage in (YearStage.DOSSIER, YearStage.CLOSED)]
    dossiers = Dossier.objects.bulk_create(
        Dossier(
            emulation_year=y,
            status=DossierStatus.DECIDED,
            created_by=staff,
            submitted_at=datetime.datetime(year, 12, 10, 9, tzinfo=datetime.UTC),
            council_members=11,
            council_present=9,
            council_voted_at=datetime.datetime(year, 12, 26, 7, tzinfo=datetime.UTC),
            decision_number=f"{start}/QĐ-TN",
            decision_date=datetime.date(year, 12, 28),
            decision_signer_name="Người ký thử nghiệm",
            decision_signer_title="Chủ tịch",
        )
        for y in decided
    )
    by_group = {g.pk: o for g, o in zip(groups, organizations, strict=True)}
    Proposal.objects.bulk_create(
        Proposal(
            dossier=d,
            organization=by_group[d.emulation_year.group_id],
            award_form=registry.AwardForm.PARENT_MERIT,
            votes_in_favour=9,
            votes_needed=9,
            passed=True,
        )
        for d in dossiers
    )
    Award.objects.bulk_create(
        Award(
            organization=by_group[d.emulation_year.group_id],
            year=year,
            award_form=registry.AwardForm.PARENT_MERIT,
            decision_number=d.decision_number,
            decision_date=d.decision_date,
            dossier=d,
        )
        for d in dossiers
    )
    return groups


def _year(group: registry.EmulationGroup, year: int, stage: str, *, late: bool) -> EmulationYear:
    """A year at `stage`; late, every deadline lies long ago (so its stage's, if it has one, has passed),
    else far ahead."""
    day = LONG_AGO if late else datetime.date(2100, 1, 1)
    deadlines: dict[str, Any] = {name: day for name in DEADLINE_FIELDS if name != "reminder_days"}
    return EmulationYear(group=group, year=year, stage=stage, **deadlines)
