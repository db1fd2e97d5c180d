"""Reads of the registry that several pages and services share."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from thidua.organizations.models import Organization, WomenShare


def members_in_year(*, group_id: int, year: int) -> QuerySet[Organization]:
    """The organizations of a group in a year, with their names loaded (`name_in_year` reads no more)."""
    return Organization.objects.filter(
        memberships__group_id=group_id, memberships__year=year
    ).prefetch_related("names")


def women_shares(*, organization_ids: Iterable[int], year: int) -> dict[int, WomenShare]:
    """Each organization's recorded share of women in `year`, by organization id, in one query; an
    organization with no figure for the year is absent (the tie-break then cannot judge it on that)."""
    return {
        share.organization_id: share
        for share in WomenShare.objects.filter(organization_id__in=list(organization_ids), year=year)
    }
