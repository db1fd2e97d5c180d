"""The leaders a conference's delegates are picked from (issue 15, part 2): those of the year's members
and of the parent body in office on the conference's day, and no one else."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from thidua.accounts.models import User
from thidua.conferences.models import Conference
from thidua.conferences.selectors import leaders_on_the_day
from thidua.conferences.tests import helpers
from thidua.organizations.models import Officeholder, Organization, Position

pytestmark = pytest.mark.django_db
D = datetime.date


def _holder(
    code: str, name: str, started_on: datetime.date, ended_on: datetime.date | None = None
) -> Officeholder:
    return Officeholder.objects.create(
        organization=Organization.objects.get(code=code),
        full_name=name,
        position=Position.VICE_CHAIRMAN,
        started_on=started_on,
        ended_on=ended_on,
    )


def test_the_leaders_offered_are_the_members_and_the_parent_bodys_in_office_on_the_conferences_day(
    quangtri: User, conference_2026: Conference
) -> None:
    members = {o.pk for o in helpers.members_2026()}
    parent_id = conference_2026.emulation_year.group.parent_id
    member = Organization.objects.get(pk=min(members))
    outsider = Organization.objects.exclude(pk__in=[*members, parent_id]).order_by("pk").first()
    assert outsider is not None
    # The conference is on 22/12/2026.
    in_office = _holder(member.code, "Người đương nhiệm", D(2026, 1, 1))
    of_the_parent = _holder(Organization.objects.get(pk=parent_id).code, "Người cấp trên", D(2020, 1, 1))
    ended = _holder(member.code, "Người đã thôi", D(2020, 1, 1), D(2026, 12, 21))
    later = _holder(member.code, "Người sắp nhận", D(2026, 12, 23))
    elsewhere = _holder(outsider.code, "Người đơn vị khác", D(2020, 1, 1))

    leaders = list(leaders_on_the_day(conference_2026))
    offered = {h.pk for h in leaders}
    assert {in_office.pk, of_the_parent.pk} <= offered
    assert not {ended.pk, later.pk, elsewhere.pk} & offered
    assert {h.organization_id for h in leaders} <= members | {parent_id}


def test_a_delegate_picked_from_the_leaders_is_added_with_their_name_and_one_outside_them_is_refused(
    quangtri: User, conference_2026: Conference
) -> None:
    member = helpers.members_2026()[0]
    picked = _holder(member.code, "Trần Thị Chọn", D(2026, 1, 1))
    outsider = Organization.objects.exclude(
        pk__in=[*(o.pk for o in helpers.members_2026()), conference_2026.emulation_year.group.parent_id]
    ).first()
    assert outsider is not None
    refused = _holder(outsider.code, "Người đơn vị khác", D(2020, 1, 1))
    client = Client()
    client.force_login(quangtri)
    add = f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference_2026.pk}/dai-bieu/them/"
    client.post(add, {"officeholder": picked.pk})
    client.post(add, {"officeholder": refused.pk})
    names = set(conference_2026.delegates.values_list("full_name", flat=True))
    assert "Trần Thị Chọn" in names and "Người đơn vị khác" not in names
