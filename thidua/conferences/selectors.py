"""Reads of conferences that several pages share (no writes)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from thidua.conferences.models import Conference


def conference_in_year(*, slug: str, year: int, pk: int) -> Conference:
    """The conference `pk` of the group `slug`'s year, with what its pages print; 404 otherwise. No
    permission is checked: each page asks its own question."""
    return get_object_or_404(
        Conference.objects.select_related("emulation_year__group__parent", "host"),
        pk=pk,
        emulation_year__group__slug=slug,
        emulation_year__year=year,
    )
