"""Reads of conferences that several pages share (no writes)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from thidua.conferences.models import Conference, Delegate, Poll, PollStatus
from thidua.lib.dates import vietnam_today
from thidua.organizations.models import Membership, Officeholder, Organization


def conference_in_year(*, slug: str, year: int, pk: int) -> Conference:
    """The conference `pk` of the group `slug`'s year, with what its pages print; 404 otherwise. No
    permission is checked: each page asks its own question."""
    return get_object_or_404(
        Conference.objects.select_related("emulation_year__group__parent", "host"),
        pk=pk,
        emulation_year__group__slug=slug,
        emulation_year__year=year,
    )


def present_count(*, conference_id: int) -> int:
    """How many of the conference's delegates are present."""
    return Delegate.objects.filter(conference_id=conference_id, checked_in_at__isnull=False).count()


def voting_open(*, conference_id: int) -> bool:
    """Whether a poll of the conference is open: only then can a vote check a delegate in."""
    return Poll.objects.filter(conference_id=conference_id, status=PollStatus.OPEN).exists()


def leaders_on_the_day(conference: Conference) -> QuerySet[Officeholder]:
    """The leaders of the year's members and of the parent body in office on the conference's day: the
    people the secretariat picks its delegates, chair and secretary from (issue 15, part 2)."""
    emulation_year = conference.emulation_year
    day = vietnam_today(conference.starts_at)
    members = Membership.objects.filter(group_id=emulation_year.group_id, year=emulation_year.year)
    parent = Organization.objects.filter(pk=emulation_year.group.parent_id)
    return (
        # One list of ids, the members' and the parent body's, as a subquery: an OR of the members'
        # subquery with the parent's id kept the planner from the officeholders' index, and at national
        # size (24,000 officeholders) it read the whole table and every organization, 25 ms against 0.3.
        Officeholder.objects.filter(
            organization_id__in=members.values("organization_id").union(parent.values("id"), all=True),
            started_on__lte=day,
        )
        .exclude(ended_on__lt=day)
        .select_related("organization")
        .prefetch_related("organization__names")
        .order_by("organization__code", "position", "full_name")
    )
