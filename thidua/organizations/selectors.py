"""Reads of the registry that several pages and services share."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from thidua.organizations import rules
from thidua.organizations.models import (
    Leadership,
    LeadershipRole,
    Officeholder,
    Organization,
    Position,
    WomenShare,
)


def names_match(words: Iterable[str], *, field: str = "search_text") -> Q:
    """Organizations whose names, folded (`Organization.search_text`), have a word beginning with each of
    `words` (folded too): "ha tinh" finds "Hà Tĩnh" and "Hà Giang, tỉnh…", not "Thanh Hóa" because
    "thanh" holds "ha" inside it. A word begins the text or follows a space ("… | " joins the names). A
    number is a whole word: "10" is not "100"."""
    condition = Q()
    for word in words:
        if word.isdigit():
            condition &= (
                Q(**{f"{field}__contains": f" {word} "})
                | Q(**{f"{field}__endswith": f" {word}"})
                | Q(**{f"{field}__startswith": f"{word} "})
                | Q(**{field: word})
            )
        else:
            condition &= Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": f" {word}"})
    return condition


def names_hold_phrase(words: Iterable[str], *, field: str = "search_text") -> Q:
    """Organizations one of whose names, folded, holds the words in that order, one after another: what a
    search ranks first ("ha tinh": the units of Hà Tĩnh before those of Hà Giang province)."""
    phrase = " ".join(words)
    return Q(**{f"{field}__startswith": phrase}) | Q(**{f"{field}__contains": f" {phrase}"})


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


def heads_on(*, organization_ids: Iterable[int], day: datetime.date) -> dict[int, tuple[Officeholder, bool]]:
    """Who heads each organization on `day`, by organization id, in one query: (the officeholder, whether
    they act as head, "Q.") as rules.head_on decides; an organization with no head recorded for that day
    is absent, and a document it would sign cannot be issued."""
    holders: dict[int, list[Officeholder]] = {}
    for holder in Officeholder.objects.filter(
        organization_id__in=list(organization_ids),
        position__in=[Position.CHAIRMAN, Position.ACTING_CHAIRMAN],
        started_on__lte=day,
    ).exclude(ended_on__lt=day):
        holders.setdefault(holder.organization_id, []).append(holder)
    heads = {}
    for organization_id, kept in holders.items():
        by_key = {h.pk: h for h in kept}
        found = rules.head_on([h.term() for h in kept], day)
        if found is not None:
            heads[organization_id] = (by_key[found[0].key], found[1])  # type: ignore[index]
    return heads


def heads_of_year(lookup: str, year: int) -> Prefetch[str, QuerySet[Leadership], str]:
    """Prefetch, as `heads` on each group reached by `lookup` (its leaderships), the group's head of
    `year` with their names: a list of groups names each head without a query per row."""
    return Prefetch(
        lookup,
        queryset=Leadership.objects.filter(year=year, role=LeadershipRole.HEAD)
        .select_related("organization")
        .prefetch_related("organization__names"),
        to_attr="heads",
    )
