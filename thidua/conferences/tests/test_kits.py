"""Encrypted ballots made ahead (thidua/conferences/kits.py): a web process makes kits for the open polls
in its own memory, a cast finishes one, and what comes out is a ballot like any other, counted the same."""

from __future__ import annotations

import os
import time

import pytest
from django.test import Client

from thidua.accounts.models import User
from thidua.conferences import kits, services
from thidua.conferences.models import Ballot, Conference, Poll

pytestmark = pytest.mark.django_db

SHELF = 4


@pytest.fixture
def kits_on(settings: object) -> object:
    settings.BALLOT_KITS = SHELF  # type: ignore[attr-defined]
    kits._shelves.clear()
    kits._in_flight = 0  # no request of an earlier test left counted
    yield settings
    kits._shelves.clear()


def test_a_request_never_seen_to_end_does_not_stop_the_kits_for_good(kits_on: object) -> None:
    kits._request_started()
    assert kits._serving()
    kits._last_started -= kits.LONGEST_REQUEST_SECONDS
    kits._last_finished -= 1
    assert not kits._serving()


def _filled(poll_pk: int, count: int = SHELF) -> None:
    deadline = time.monotonic() + 30
    while kits.on_shelf(poll_pk) < count:
        assert time.monotonic() < deadline, f"{kits.on_shelf(poll_pk)} kits after 30 s"
        time.sleep(0.02)


def _open(quangtri: User, conference: Conference) -> Poll:
    return services.open_poll(
        actor=quangtri, poll=services.create_election_poll(actor=quangtri, conference=conference, role="head")
    )


def test_the_voting_page_has_the_open_polls_kits_made_in_the_background(
    kits_on: object, quangtri: User, conference_2026: Conference
) -> None:
    poll = _open(quangtri, conference_2026)
    assert kits.on_shelf(poll.pk) == 0
    assert Client().get(f"/bo-phieu/{conference_2026.pk}/").status_code == 200
    _filled(poll.pk)
    shape = services.ballot_shape(Poll.objects.prefetch_related("choices").get(pk=poll.pk))
    taken = [kits.take(poll.pk, shape) for _ in range(SHELF)]
    # Each kit once: no two ballots share their randomness.
    assert len({id(k) for k in taken}) == SHELF and all(k is not None for k in taken)
    assert len({k.slots[0].randomness for k in taken if k is not None}) == SHELF
    _filled(poll.pk)  # taking one starts making more


def test_a_kit_made_for_another_shape_or_a_closed_poll_is_never_used(
    kits_on: object, quangtri: User, conference_2026: Conference
) -> None:
    poll = _open(quangtri, conference_2026)
    shape = services.ballot_shape(Poll.objects.prefetch_related("choices").get(pk=poll.pk))
    kits.keep_ready({poll.pk: shape})
    _filled(poll.pk)
    public, slots, limit = shape
    assert kits.take(poll.pk, (public, slots + 1, limit)) is None  # another shape: no kit of this one
    assert kits.on_shelf(poll.pk) <= SHELF
    kits.keep_ready({})  # the poll is no longer open: its kits are dropped
    assert kits.on_shelf(poll.pk) == 0


def test_a_vote_cast_where_no_voting_page_was_served_makes_no_kits(
    kits_on: object, quangtri: User, conference_2026: Conference
) -> None:
    # The demo and the commands cast through the service: no thread making kits behind them.
    poll = _open(quangtri, conference_2026)
    delegate = conference_2026.delegates.order_by("pk").first()
    assert delegate is not None
    services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    assert kits.on_shelf(poll.pk) == 0 and poll.pk not in kits._shelves
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_a_forked_child_starts_with_none_of_its_parents_kits(
    kits_on: object, quangtri: User, conference_2026: Conference
) -> None:
    poll = _open(quangtri, conference_2026)
    kits.keep_ready(
        {poll.pk: services.ballot_shape(Poll.objects.prefetch_related("choices").get(pk=poll.pk))}
    )
    _filled(poll.pk)
    child = os.fork()
    if child == 0:  # pragma: no cover — the child reports by its exit status
        os._exit(0 if kits.on_shelf(poll.pk) == 0 else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert kits.on_shelf(poll.pk) == SHELF


def test_ballots_cast_from_kits_are_checked_and_counted_like_any_other(
    kits_on: object, quangtri: User, conference_2026: Conference
) -> None:
    poll = _open(quangtri, conference_2026)
    assert Client().get(f"/bo-phieu/{conference_2026.pk}/").status_code == 200
    _filled(poll.pk)
    picks = [["lhh-hue"]] * 3 + [["lhh-ha-tinh"]] * 2 + [[services.BLANK]]
    fresh = Poll.objects.prefetch_related("choices").get(pk=poll.pk)
    for delegate, selections in zip(conference_2026.delegates.order_by("pk"), picks, strict=True):
        services.cast_vote(poll=fresh, delegate=delegate, selections=selections)
    assert kits.on_shelf(poll.pk) < SHELF or Ballot.objects.filter(poll=poll).count() == 6
    closed = services.close_poll(actor=quangtri, poll=poll)
    counted = services.count_poll(
        actor=quangtri, poll=closed, typed={s.index: s.code for s in poll.board_shares[:2]}
    )
    assert {r["key"]: r["votes"] for r in counted.result["choices"] if r["votes"]} == {
        "lhh-hue": 3,
        "lhh-ha-tinh": 2,
    }
    assert counted.result["blank"] == 1
