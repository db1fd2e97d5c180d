"""Key cards lost (a double click on «Mở bỏ phiếu», a jammed printer, a closed tab): the cards exist only
in the answer to the click that opened the poll, so without a way to make the key anew the poll could
never be counted and the conference never closed. Found by a browser walk of the year."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.conferences import services
from thidua.conferences.models import Ballot, Conference, Participation, Poll, PollStatus

pytestmark = pytest.mark.django_db


def _opened(quangtri: User, conference: Conference) -> Poll:
    poll = services.create_election_poll(actor=quangtri, conference=conference, role="head")
    return services.open_poll(actor=quangtri, poll=poll)


def _url(conference: Conference, poll: Poll, action: str = "") -> str:
    base = f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference.pk}/bo-phieu/{poll.pk}/"
    return f"{base}{action}/" if action else base


def _count(quangtri: User, poll: Poll, shares: list[services.BoardShare]) -> Poll:
    return services.count_poll(actor=quangtri, poll=poll, typed={s.index: s.code for s in shares[:2]})


def test_a_new_key_before_any_vote_loses_nothing_and_its_cards_count_the_poll(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _opened(quangtri, conference_2026)
    lost = poll.board_shares
    rekeyed = services.rekey_poll(actor=quangtri, poll=poll, key=poll.public_key)
    assert rekeyed.public_key != poll.public_key and len(rekeyed.board_shares) == len(lost)
    assert AuditEvent.objects.filter(verb="poll.rekey").get().data == {"discarded": 0, "reopened": False}
    delegates = list(conference_2026.delegates.order_by("pk"))
    for delegate in delegates[:3]:
        services.cast_vote(poll=rekeyed, delegate=delegate, selections=["lhh-hue"])
    closed = services.close_poll(actor=quangtri, poll=rekeyed)
    with pytest.raises(ValidationError, match="không đúng"):
        _count(quangtri, closed, lost)  # the lost cards no longer open anything
    counted = _count(quangtri, Poll.objects.get(pk=poll.pk), rekeyed.board_shares)
    assert {r["key"]: r["votes"] for r in counted.result["choices"]}["lhh-hue"] == 3


def test_a_new_key_after_votes_discards_them_and_those_delegates_vote_again(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _opened(quangtri, conference_2026)
    delegates = list(conference_2026.delegates.order_by("pk"))
    for delegate in delegates[:4]:
        services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-ha-tinh"])
    closed = services.close_poll(actor=quangtri, poll=poll)  # the count finds the cards missing
    rekeyed = services.rekey_poll(actor=quangtri, poll=closed, key=closed.public_key)
    assert rekeyed.status == PollStatus.OPEN and rekeyed.closed_at is None
    assert (
        not Ballot.objects.filter(poll=poll).exists() and not Participation.objects.filter(poll=poll).exists()
    )
    assert AuditEvent.objects.filter(verb="poll.rekey").get().data == {"discarded": 4, "reopened": True}
    for delegate in delegates[:2]:
        services.cast_vote(poll=rekeyed, delegate=delegate, selections=["lhh-hue"])
    counted = _count(quangtri, services.close_poll(actor=quangtri, poll=rekeyed), rekeyed.board_shares)
    votes = {r["key"]: r["votes"] for r in counted.result["choices"]}
    assert (votes["lhh-hue"], votes["lhh-ha-tinh"], counted.result["participants"]) == (2, 0, 2)


def test_a_second_click_after_a_new_key_is_refused_and_keeps_the_cards_just_printed(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _opened(quangtri, conference_2026)
    first = services.rekey_poll(actor=quangtri, poll=poll, key=poll.public_key)
    with pytest.raises(ValidationError, match="vừa được tạo mới"):
        services.rekey_poll(actor=quangtri, poll=poll, key=poll.public_key)  # the page's key, now old
    assert Poll.objects.get(pk=poll.pk).public_key == first.public_key


def test_a_ballot_encrypted_under_the_old_key_is_not_written_once_the_key_is_new(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _opened(quangtri, conference_2026)
    services.rekey_poll(actor=quangtri, poll=poll, key=poll.public_key)
    delegate = conference_2026.delegates.order_by("pk").first()
    assert delegate is not None
    # `poll` still holds the old key, as a web process that read it before the new key would.
    with pytest.raises(ValidationError, match="vừa tạo khóa mới"):
        services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    assert (
        not Ballot.objects.filter(poll=poll).exists() and not Participation.objects.filter(poll=poll).exists()
    )


def test_no_new_key_once_counted_or_for_a_paper_poll_or_by_anyone_but_the_runner(
    quangtri: User, conference_2026: Conference, officer_ninh_binh: User
) -> None:
    poll = _opened(quangtri, conference_2026)
    with pytest.raises(PermissionDenied):
        services.rekey_poll(actor=officer_ninh_binh, poll=poll, key=poll.public_key)
    Poll.objects.filter(pk=poll.pk).update(mode="paper")
    assert not services.can_rekey(Poll.objects.get(pk=poll.pk))
    Poll.objects.filter(pk=poll.pk).update(mode="electronic")
    shares = poll.board_shares
    counted = _count(quangtri, services.close_poll(actor=quangtri, poll=poll), shares)
    assert not services.can_rekey(counted)
    with pytest.raises(ValidationError, match="chưa kiểm phiếu"):
        services.rekey_poll(actor=quangtri, poll=counted, key=counted.public_key)


def test_a_double_click_on_open_points_to_the_new_key_and_the_page_prints_new_cards(
    quangtri: User, conference_2026: Conference, client_for: Any
) -> None:
    client: Client = client_for(quangtri)
    poll = services.create_election_poll(actor=quangtri, conference=conference_2026, role="head")
    page = client.get(_url(conference_2026, poll)).content.decode()
    assert "submit-once.js" in page and re.search(r'<form [^>]*/mo/"[^>]*data-once', page)
    first = client.post(_url(conference_2026, poll, "mo"))
    assert "Thẻ giữ khóa" in first.content.decode()  # the answer the browser dropped
    second = client.post(_url(conference_2026, poll, "mo"), follow=True)
    page = second.content.decode()
    assert "đã được mở" in page and "Tạo khóa mới và in lại thẻ" in page and 'id="lost-cards"' in page
    assert "Chưa ai bỏ phiếu nên không mất phiếu nào" in page
    key = Poll.objects.get(pk=poll.pk).public_key
    cards = client.post(_url(conference_2026, poll, "khoa-moi"), {"key": key})
    assert cards.status_code == 200 and "Thẻ giữ khóa" in cards.content.decode()
    assert Poll.objects.get(pk=poll.pk).public_key != key


def test_discarding_cast_ballots_asks_for_the_box_to_be_ticked_first(
    quangtri: User, conference_2026: Conference, client_for: Any
) -> None:
    client: Client = client_for(quangtri)
    poll = _opened(quangtri, conference_2026)
    delegate = conference_2026.delegates.order_by("pk").first()
    assert delegate is not None
    services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    page = client.get(_url(conference_2026, poll)).content.decode()
    assert "1 phiếu đã bỏ theo khóa cũ sẽ bị hủy" in page and 'name="xac_nhan"' in page
    refused = client.post(_url(conference_2026, poll, "khoa-moi"), {"key": poll.public_key}, follow=True)
    assert "Hãy đánh dấu ô xác nhận" in refused.content.decode()
    assert Ballot.objects.filter(poll=poll).count() == 1
    done = client.post(_url(conference_2026, poll, "khoa-moi"), {"key": poll.public_key, "xac_nhan": "on"})
    assert "Thẻ giữ khóa" in done.content.decode() and not Ballot.objects.filter(poll=poll).exists()
