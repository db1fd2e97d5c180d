"""Reads of the registry that several pages and services share."""

from __future__ import annotations

from django.db.models import QuerySet

from thidua.organizations.models import Organization


def members_in_year(*, group_id: int, year: int) -> QuerySet[Organization]:
    """The organizations of a group in a year, with their names loaded (`name_in_year` reads no more)."""
    return Organization.objects.filter(
        memberships__group_id=group_id, memberships__year=year
    ).prefetch_related("names")
