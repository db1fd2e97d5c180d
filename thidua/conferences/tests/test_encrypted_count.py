"""The counting board's key and the count of encrypted ballots (issue 14): the key is split when a poll
opens, printed once on the board's cards, rebuilt from k shares at the count and written nowhere; only
the totals are decrypted, and the published record checks out without any key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from thidua.accounts.models import User
from thidua.conferences import services
from thidua.conferences.models import Ballot, Conference, Poll, PollStatus
from thidua.lib import elgamal
from thidua.organizations.models import Regulation

pytestmark = pytest.mark.django_db

VOTES = {"lhh-hue": 3, "lhh-ha-tinh": 2}  # and one blank ballot


def _url(conference: Conference, suffix: str = "") -> str:
    return f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference.pk}/{suffix}"


def _voted(quangtri: User, conference: Conference) -> Poll:
    """An election of next year's head, opened, voted by the six delegates (3 Huế, 2 Hà Tĩnh, 1 blank)."""
    poll = services.open_poll(
        actor=quangtri, poll=services.create_election_poll(actor=quangtri, conference=conference, role="head")
    )
    picks = [["lhh-hue"]] * 3 + [["lhh-ha-tinh"]] * 2 + [[services.BLANK]]
    for delegate, selections in zip(conference.delegates.order_by("pk"), picks, strict=True):
        services.cast_vote(poll=poll, delegate=delegate, selections=selections)
    return poll


def _count(quangtri: User, poll: Poll, shares: list[services.BoardShare]) -> Poll:
    return services.count_poll(actor=quangtri, poll=poll, typed={s.index: s.code for s in shares})


def _votes(poll: Poll) -> dict[str, int]:
    return {row["key"]: row["votes"] for row in poll.result["choices"] if row["votes"]}


def test_opening_a_poll_splits_its_key_among_three_board_members_two_of_whom_count(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _voted(quangtri, conference_2026)
    shares = poll.board_shares
    board = list(conference_2026.delegates.filter(counting_board=True).order_by("pk"))
    assert [s.name for s in shares] == [d.full_name for d in board]
    assert (poll.board_key_threshold, len(poll.key_holders)) == (2, 3)
    stored = Poll.objects.get(pk=poll.pk)
    assert len(stored.public_key) == 64 and all(len(h["commitment"]) == 64 for h in stored.key_holders)
    closed = services.close_poll(actor=quangtri, poll=poll)
    assert closed.result == {}  # nothing is counted before the board brings its shares
    counted = _count(quangtri, closed, [shares[0], shares[2]])
    assert _votes(counted) == VOTES
    assert (counted.result["blank"], counted.result["valid"], counted.result["participants"]) == (1, 5, 6)
    assert counted.decryption["totals"][-1] == 1 and counted.counted_at is not None


def test_one_share_of_three_does_not_count_and_says_how_many_are_needed(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _voted(quangtri, conference_2026)
    closed = services.close_poll(actor=quangtri, poll=poll)
    with pytest.raises(ValidationError, match="Cần mảnh khóa của 2 người giữ khóa để kiểm phiếu; mới nhập 1"):
        _count(quangtri, closed, poll.board_shares[:1])
    assert Poll.objects.get(pk=poll.pk).result == {}


def test_a_wrong_share_is_named_by_its_holder(quangtri: User, conference_2026: Conference) -> None:
    poll = _voted(quangtri, conference_2026)
    closed = services.close_poll(actor=quangtri, poll=poll)
    first, second, third = poll.board_shares
    # The second holder types the first's card: a well-formed share, but not theirs to give.
    forged = elgamal.share_code(elgamal.Share(second.index, elgamal.read_share_code(third.code).value))
    with pytest.raises(ValidationError) as refused:
        services.count_poll(
            actor=quangtri, poll=closed, typed={first.index: first.code, second.index: forged}
        )
    assert f"Mảnh khóa của {second.name} không đúng" in " ".join(refused.value.messages)


def test_a_share_entered_twice_is_refused(quangtri: User, conference_2026: Conference) -> None:
    poll = _voted(quangtri, conference_2026)
    closed = services.close_poll(actor=quangtri, poll=poll)
    first, second, _ = poll.board_shares
    with pytest.raises(ValidationError, match="đã được nhập một lần"):
        services.count_poll(
            actor=quangtri, poll=closed, typed={first.index: first.code, second.index: first.code}
        )


def test_a_poll_is_counted_once(quangtri: User, conference_2026: Conference) -> None:
    poll = _voted(quangtri, conference_2026)
    closed = services.close_poll(actor=quangtri, poll=poll)
    counted = _count(quangtri, closed, poll.board_shares[:2])
    with pytest.raises(ValidationError):
        _count(quangtri, counted, poll.board_shares[1:])


def test_a_conference_without_a_counting_board_cannot_open_an_electronic_poll(
    quangtri: User, conference_2026: Conference
) -> None:
    conference_2026.delegates.update(counting_board=False)
    poll = services.create_election_poll(actor=quangtri, conference=conference_2026, role="head")
    with pytest.raises(ValidationError, match="Khóa kiểm phiếu được chia cho 3 thành viên ban kiểm phiếu"):
        services.open_poll(actor=quangtri, poll=poll)
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.DRAFT


def test_an_empty_ballot_is_refused_and_a_blank_one_is_chosen(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = services.open_poll(
        actor=quangtri,
        poll=services.create_election_poll(actor=quangtri, conference=conference_2026, role="head"),
    )
    delegate = conference_2026.delegates.order_by("pk").first()
    assert delegate is not None
    with pytest.raises(services.VoteRefused, match="Chưa chọn phương án nào"):
        services.cast_vote(poll=poll, delegate=delegate, selections=[])
    with pytest.raises(services.VoteRefused, match="Phiếu trắng không kèm phương án nào khác"):
        services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue", services.BLANK])
    assert not Ballot.objects.filter(poll=poll).exists()


def test_the_board_cards_are_shown_once_in_the_response_that_opened_the_poll(
    quangtri: User, conference_2026: Conference, client_for: Any
) -> None:
    client: Client = client_for(quangtri)
    poll = services.create_election_poll(actor=quangtri, conference=conference_2026, role="head")
    response = client.post(_url(conference_2026, f"bo-phieu/{poll.pk}/mo/"))
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "Thẻ giữ khóa kiểm phiếu" in page and page.count("<svg") >= 3
    codes = [line.split("</code>")[0] for line in page.split('<code class="code">')[1:]]
    assert len(codes) == 3 and all(elgamal.read_share_code(code) for code in codes)
    again = client.get(_url(conference_2026, f"bo-phieu/{poll.pk}/")).content.decode()
    assert not any(code in again for code in codes)


def test_the_count_form_keeps_what_was_typed_and_names_the_wrong_share(
    quangtri: User, conference_2026: Conference, client_for: Any
) -> None:
    poll = _voted(quangtri, conference_2026)
    services.close_poll(actor=quangtri, poll=poll)
    first, second, _ = poll.board_shares
    client: Client = client_for(quangtri)
    url = _url(conference_2026, f"bo-phieu/{poll.pk}/kiem-phieu/")
    typo = second.code[:-2] + ("A" if second.code[-1] != "A" else "B") + second.code[-1]
    refused = client.post(url, {f"share_{first.index}": first.code, f"share_{second.index}": typo})
    page = refused.content.decode()
    assert refused.status_code == 400 and f"Mảnh khóa của {second.name}" in page
    assert first.code in page and typo in page and 'aria-invalid="true"' in page
    counted = client.post(url, {f"share_{first.index}": first.code, f"share_{second.index}": second.code})
    assert counted.status_code == 302
    assert _votes(Poll.objects.get(pk=poll.pk)) == VOTES


def test_the_published_record_checks_out_and_a_changed_one_does_not(
    quangtri: User, conference_2026: Conference, client: Client, tmp_path: Path
) -> None:
    poll = _voted(quangtri, conference_2026)
    counted = _count(quangtri, services.close_poll(actor=quangtri, poll=poll), poll.board_shares[1:])
    services.publish(actor=quangtri, poll=services.confirm_results(actor=quangtri, poll=counted))
    page = client.get(_url(conference_2026, f"bo-phieu/{poll.pk}/danh-sach-phieu/")).content.decode()
    receipts = list(Ballot.objects.filter(poll=poll).values_list("receipt", flat=True))
    assert all(receipt in page for receipt in receipts) and "verify_poll" in page
    record = client.get(_url(conference_2026, f"bo-phieu/{poll.pk}/ho-so-phieu.json")).json()
    assert elgamal.check_record(record) == []
    path = tmp_path / "ho-so.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    call_command("verify_poll", str(path))
    record["totals"][0]["value"] += 1
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(CommandError, match="KHÔNG hợp lệ"):
        call_command("verify_poll", str(path))


def test_the_record_of_a_poll_not_yet_published_is_not_public(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    poll = _voted(quangtri, conference_2026)
    _count(quangtri, services.close_poll(actor=quangtri, poll=poll), poll.board_shares[:2])
    assert client.get(_url(conference_2026, f"bo-phieu/{poll.pk}/ho-so-phieu.json")).status_code == 404
    assert client.get(_url(conference_2026, f"bo-phieu/{poll.pk}/danh-sach-phieu/")).status_code == 404


def _every_stored_text() -> str:
    """Every row of every table, as text: what whoever holds the database reads."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 — introspected names  # nosec B608
            texts.append(repr(cursor.fetchall()))
    return "\n".join(texts)


def test_the_key_and_the_shares_are_found_in_no_table_cache_or_log_at_any_moment(
    quangtri: User, conference_2026: Conference, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    poll = _voted(quangtri, conference_2026)
    shares = poll.board_shares
    secret = elgamal.combine(
        services.poll_context(poll),
        [elgamal.read_share_code(s.code) for s in shares[:2]],
        [h["commitment"] for h in sorted(poll.key_holders, key=lambda h: h["index"])],
        bytes.fromhex(poll.public_key),
        k=2,
    )
    secrets = [secret.hex(), secret.hex().upper()] + [s.code for s in shares]
    secrets += [str(elgamal.read_share_code(s.code).value) for s in shares]
    moments = [_every_stored_text()]
    closed = services.close_poll(actor=quangtri, poll=poll)
    moments.append(_every_stored_text())
    services.publish(
        actor=quangtri,
        poll=services.confirm_results(actor=quangtri, poll=_count(quangtri, closed, shares[:2])),
    )
    moments.append(_every_stored_text())
    cached = getattr(cache, "_cache", {})
    moments.append(repr(dict(cached)) if isinstance(cached, dict) else "")
    moments.append(caplog.text)
    for moment in moments:
        assert not any(secret in moment for secret in secrets)


def test_where_the_regulation_says_so_the_parent_bodys_representative_holds_one_more_share(
    quangtri: User, conference_2026: Conference
) -> None:
    regulation = Regulation.objects.get(valid_from_year=2026)
    Regulation.objects.filter(pk=regulation.pk).update(supervisor_holds_share=True)
    poll = services.create_election_poll(actor=quangtri, conference=conference_2026, role="head")
    with pytest.raises(ValidationError, match="hãy chọn «Đại diện cơ quan cấp trên dự, chỉ đạo»"):
        services.open_poll(actor=quangtri, poll=poll)
    services.add_delegate(
        actor=quangtri,
        conference=conference_2026,
        organization=None,
        full_name="Nguyễn Văn An, Ban Thi đua — Khen thưởng",
        role="supervisor",
    )
    poll = services.open_poll(actor=quangtri, poll=Poll.objects.get(pk=poll.pk))
    holders = [(s.name, s.role) for s in poll.board_shares]
    assert len(holders) == 4 and holders[-1] == (
        "Nguyễn Văn An, Ban Thi đua — Khen thưởng",
        "Đại diện cơ quan cấp trên",
    )
    # The representative and one board member are enough to count.
    closed = services.close_poll(actor=quangtri, poll=poll)
    counted = _count(quangtri, closed, [poll.board_shares[0], poll.board_shares[-1]])
    assert counted.counted_at is not None and counted.result["participants"] == 0


def test_a_ballot_added_behind_the_applications_back_stops_the_count(
    quangtri: User, conference_2026: Conference
) -> None:
    # Whoever can write the database could add ballots of their own making (the public key is all it
    # takes) and subtract them from the totals to leave one voter's choice: the count refuses.
    poll = _voted(quangtri, conference_2026)
    closed = services.close_poll(actor=quangtri, poll=poll)
    slots = len(services.ballot_slots(closed)) + 1
    made = elgamal.encrypt_ballot(
        bytes.fromhex(closed.public_key), services.poll_context(closed), [1] + [0] * (slots - 1), 1
    )
    Ballot.objects.create(poll=closed, content=made.to_dict(), receipt=made.receipt())
    with pytest.raises(ValidationError, match=r"Số phiếu điện tử \(7\) khác số đại biểu đã bỏ phiếu \(6\)"):
        _count(quangtri, closed, poll.board_shares[:2])
    assert Poll.objects.get(pk=poll.pk).counted_at is None
