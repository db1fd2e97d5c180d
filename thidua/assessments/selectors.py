"""Reads of assessments that several pages share: where each member of a year stands."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q

from thidua.agreements.models import Agreement
from thidua.assessments.models import Assessment, ReviewAssignment
from thidua.lib.text import vietnamese_sort_key
from thidua.organizations.models import Organization
from thidua.years.models import EmulationYear


@dataclass
class MemberStatus:
    organization: Organization
    name: str
    signed: bool
    assessment: Assessment | None
    reviewer: Organization | None
    reviewed: bool
    disagreements: int
    unanswered: int
    unsettled: int


def member_statuses(*, emulation_year: EmulationYear, agreement: Agreement | None) -> list[MemberStatus]:
    """Each member of the year, in Vietnamese order: signed, self-scored, cross-checked, answered,
    settled. A fixed number of queries, whatever the number of members and scores."""
    year = emulation_year.year
    signed_ids = set(agreement.signatures.values_list("organization_id", flat=True)) if agreement else set()
    members = list(
        Organization.objects.filter(
            memberships__group_id=emulation_year.group_id, memberships__year=year
        ).prefetch_related("names")
    )
    assessments = {
        a.organization_id: a
        for a in Assessment.objects.filter(emulation_year=emulation_year).annotate(
            disagreements=Count(
                "scores",
                filter=Q(scores__reviewed_points__isnull=False)
                & ~Q(scores__reviewed_points=F("scores__self_points")),
            ),
            unanswered=Count(
                "scores",
                filter=Q(scores__reviewed_points__isnull=False)
                & ~Q(scores__reviewed_points=F("scores__self_points"))
                & Q(scores__answer=""),
            ),
            unsettled=Count("scores", filter=Q(scores__final_points__isnull=True)),
        )
    }
    assignments = {
        a.reviewed_id: a
        # The reviewers' names with them: the dashboard prints each (one query, not one per member).
        for a in ReviewAssignment.objects.filter(emulation_year=emulation_year)
        .select_related("reviewer")
        .prefetch_related("reviewer__names")
    }
    rows = []
    for member in members:
        assessment = assessments.get(member.pk)
        assignment = assignments.get(member.pk)
        rows.append(
            MemberStatus(
                organization=member,
                name=member.name_in_year(year),
                signed=member.pk in signed_ids,
                assessment=assessment,
                reviewer=assignment.reviewer if assignment else None,
                reviewed=bool(assignment and assignment.completed_at),
                disagreements=getattr(assessment, "disagreements", 0),
                unanswered=getattr(assessment, "unanswered", 0),
                unsettled=getattr(assessment, "unsettled", 0),
            )
        )
    rows.sort(key=lambda r: vietnamese_sort_key(r.name))
    return rows
