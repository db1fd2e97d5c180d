"""Reads of conferences that several pages share (no writes)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from thidua.conferences.models import Conference
from thidua.lib.dates import vietnam_today
from thidua.organizations.models import Membership, Officeholder


def conference_in_year(*, slug: str, year: int, pk: int) -> Conference:
    """The conference `pk` of the group `slug`'s year, with what its pages print; 404 otherwise. No
    permission is checked: each page asks its own question."""
    return get_object_or_404(
        Conference.objects.select_related("emulation_year__group__parent", "host"),
        pk=pk,
        emulation_year__group__slug=slug,
        emulation_year__year=year,
    )


def leaders_on_the_day(conference: Conference) -> QuerySet[Officeholder]:
    """The leaders of the year's members and of the parent body in office on the conference's day: the
    people the secretariat picks its delegates, chair and secretary from (issue 15, part 2)."""
    emulation_year = conference.emulation_year
    day = vietnam_today(conference.starts_at)
    return (
        # The members as a subquery of ids, not a join: an OR across a join to the memberships kept the
        # planner from the indexes, and at national size (59,000 memberships) the page waited on it.
        Officeholder.objects.filter(
            Q(
                organization_id__in=Membership.objects.filter(
                    group_id=emulation_year.group_id, year=emulation_year.year
                ).values("organization_id")
            )
            | Q(organization_id=emulation_year.group.parent_id),
            started_on__lte=day,
        )
        .exclude(ended_on__lt=day)
        .select_related("organization")
        .prefetch_related("organization__names")
        .order_by("organization__code", "position", "full_name")
    )
