"""The delegate's phone pages (issue 14, parts 4 to 7): cards nobody else can lock, two requests to vote,
a ballot that keeps its order and never turns an empty form or a stray Enter into a vote, and answers
whose length and address say nothing about the choice."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import combinations
from typing import Any

import pytest
from django.test import Client

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.conferences import services
from thidua.conferences.models import Ballot, Conference, Delegate, Participation, Poll
from thidua.web.padding import BUCKET


def _cards(quangtri: User, conference: Conference) -> dict[str, str]:
    """Each member's code, by the member's code."""
    return {
        i.delegate.organization.code: i.code  # type: ignore[union-attr]
        for i in services.issue_codes(actor=quangtri, conference=conference)
    }


def _election(quangtri: User, conference: Conference) -> Poll:
    poll = services.create_election_poll(actor=quangtri, conference=conference, role="head")
    return services.open_poll(actor=quangtri, poll=poll)


def _url(conference: Conference) -> str:
    return f"/bo-phieu/{conference.pk}/"


class _Ballot(HTMLParser):
    """The ballot form as a browser reads it: its choices in order, which are ticked, which are
    disabled, and its submit buttons in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.choices: list[str] = []
        self.ticked: list[str] = []
        self.buttons: list[dict[str, str | None]] = []
        self.disabled_fieldset = False
        self._in_form = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and found.get("id") == "ballot":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "fieldset" and "disabled" in found:
            self.disabled_fieldset = True
        if tag == "input" and found.get("name") == "choice" and found.get("type") != "hidden":
            self.choices.append(str(found["value"]))
            if "checked" in found:
                self.ticked.append(str(found["value"]))
        if tag == "button" and found.get("type") == "submit":
            self.buttons.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


# --- Cards nobody else can lock


@pytest.mark.django_db
def test_a_thousand_wrong_codes_from_one_client_do_not_stop_another_delegate_from_voting(
    quangtri: User, conference_2026: Conference
) -> None:
    cards = _cards(quangtri, conference_2026)
    poll = _election(quangtri, conference_2026)
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    answers = {
        attacker.post(_url(conference_2026), {"code": f"{n:016d}", "step": "list"}).status_code
        for n in range(1000)
    }
    assert answers == {400, 429}  # wrong, then throttled: never a way in
    # The attacker's client is held up, even with a right code; every delegate on another client votes.
    assert attacker.post(_url(conference_2026), {"code": cards["lhh-hue"], "step": "list"}).status_code == 429
    for number, (organization, code) in enumerate(cards.items(), start=1):
        phone = Client(REMOTE_ADDR=f"198.51.100.{number}")
        cast = phone.post(
            _url(conference_2026), {"code": code, "step": "cast", "poll": poll.pk, "choice": ["lhh-hue"]}
        )
        assert cast.status_code == 200 and "Mã biên nhận" in cast.content.decode(), organization
    assert Participation.objects.filter(poll=poll).count() == 6


@pytest.mark.django_db
def test_behind_the_proxy_the_client_is_the_address_the_proxy_saw_not_one_the_client_wrote(
    quangtri: User, conference_2026: Conference, settings: Any
) -> None:
    settings.CLIENT_FROM_FORWARDED_FOR = True
    settings.VOTE_CODE_FAILURE_LIMIT = 5
    code = _cards(quangtri, conference_2026)["lhh-hue"]
    _election(quangtri, conference_2026)
    nginx = "127.0.0.1"
    for n in range(5):
        # Whatever the attacker writes first, nginx appends the address it saw last.
        forged = f"10.9.9.{n}, 203.0.113.66"
        Client(REMOTE_ADDR=nginx, HTTP_X_FORWARDED_FOR=forged).post(_url(conference_2026), {"code": "x" * 16})
    held = Client(REMOTE_ADDR=nginx, HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.66")
    assert held.post(_url(conference_2026), {"code": code}).status_code == 429
    other = Client(REMOTE_ADDR=nginx, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.post(_url(conference_2026), {"code": code}).status_code == 200


# --- Two requests to vote, and a ballot that keeps its order and its choice


@pytest.mark.django_db
def test_the_choices_keep_one_random_order_for_a_voter_and_another_for_another_voter(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    cards = _cards(quangtri, conference_2026)
    poll = _election(quangtri, conference_2026)
    orders = {}
    for organization, code in cards.items():
        seen = [
            _Ballot(client.post(_url(conference_2026), form).content.decode()).choices
            for form in (
                {"code": code, "step": "list"},
                {"code": code, "step": "ballot", "poll": poll.pk},
                {"code": code, "step": "again", "poll": poll.pk, "choice": "lhh-hue"},
                {"code": code, "step": "cast", "poll": poll.pk},  # refused: nothing chosen
            )
        ]
        assert all(order == seen[0] for order in seen), organization
        assert seen[0][-1] == services.BLANK  # the blank ballot comes after the candidates, always
        orders[organization] = tuple(seen[0])
    assert len(set(orders.values())) > 1, "every voter got the same order"


@pytest.mark.django_db
def test_an_empty_ballot_is_refused_with_a_message_and_a_blank_ballot_is_chosen(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    code = _cards(quangtri, conference_2026)["lhh-nghe-an"]
    poll = _election(quangtri, conference_2026)
    empty = client.post(_url(conference_2026), {"code": code, "step": "cast", "poll": poll.pk})
    assert empty.status_code == 200 and "chọn «Phiếu trắng»" in empty.content.decode()
    mixed = client.post(
        _url(conference_2026),
        {"code": code, "step": "cast", "poll": poll.pk, "choice": [services.BLANK, "lhh-hue"]},
    )
    assert mixed.status_code == 200 and "Phiếu trắng không kèm" in mixed.content.decode()
    assert not Participation.objects.filter(poll=poll).exists()
    blank = client.post(
        _url(conference_2026), {"code": code, "step": "cast", "poll": poll.pk, "choice": services.BLANK}
    )
    assert blank.status_code == 200 and "Mã biên nhận" in blank.content.decode()
    assert Participation.objects.filter(poll=poll).count() == Ballot.objects.filter(poll=poll).count() == 1


@pytest.mark.django_db
def test_the_confirmation_names_the_poll_and_the_choice_and_choosing_again_keeps_both_order_and_choice(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    code = _cards(quangtri, conference_2026)["lhh-nghe-an"]
    poll = _election(quangtri, conference_2026)
    hue = poll.choices.get(key="lhh-hue").label
    form = {"code": code, "poll": poll.pk, "choice": "lhh-hue"}
    review = client.post(_url(conference_2026), {**form, "step": "review"}).content.decode()
    ballot = _Ballot(review)
    assert ballot.disabled_fieldset and ballot.ticked == ["lhh-hue"]  # nothing changes under the button
    assert f"Bỏ phiếu «{poll}»: chọn {hue}</button>" in review
    assert not Participation.objects.filter(poll=poll).exists()  # reviewing casts nothing
    again = _Ballot(client.post(_url(conference_2026), {**form, "step": "again"}).content.decode())
    assert again.choices == ballot.choices and again.ticked == ["lhh-hue"] and not again.disabled_fieldset
    blank = client.post(
        _url(conference_2026), {**form, "choice": services.BLANK, "step": "review"}
    ).content.decode()
    assert f"Bỏ phiếu «{poll}»: chọn Phiếu trắng</button>" in blank


@pytest.mark.django_db
def test_enter_on_a_choice_finds_a_disabled_first_button_and_so_submits_nothing(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    # A browser's implicit submission (Enter in a field) clicks the form's first submit button, and does
    # nothing when that button is disabled (HTML, "Implicit submission").
    code = _cards(quangtri, conference_2026)["lhh-nghe-an"]
    _election(quangtri, conference_2026)
    ballot = _Ballot(client.post(_url(conference_2026), {"code": code}).content.decode())
    assert "disabled" in ballot.buttons[0] and "name" not in ballot.buttons[0]
    assert [b.get("value") for b in ballot.buttons[1:]] == ["review", "cast", "again"]


@pytest.mark.django_db
def test_a_wrong_code_keeps_what_was_typed_marks_the_field_and_puts_the_message_first(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    _cards(quangtri, conference_2026)
    typed = "ABCD-EFGH-JKMN-PQRZ"
    page = client.post(_url(conference_2026), {"code": typed, "step": "list"}).content.decode()
    field = re.search(r'<input id="code"[^>]*>', page)
    assert field is not None
    assert f'value="{typed}"' in field.group(0) and 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="problem code-help"' in field.group(0)
    message = re.search(r'<p class="errors" id="problem"[^>]*>([^<]*)</p>', page)
    assert message is not None and "autofocus" in message.group(0) and 'tabindex="-1"' in message.group(0)
    assert "Mã không đúng" in message.group(1)
    first = client.get(_url(conference_2026)).content.decode()
    assert "aria-invalid" not in first and 'aria-describedby="code-help"' in first


# --- Nothing in the logs


@pytest.mark.django_db
def test_every_answer_of_a_poll_is_as_long_whatever_the_choice(
    quangtri: User, conference_2026: Conference
) -> None:
    cards = _cards(quangtri, conference_2026)
    poll = _election(quangtri, conference_2026)
    Poll.objects.filter(pk=poll.pk).update(self_vote_allowed=False)  # so that one refusal names a choice
    keys = [*poll.choices.values_list("key", flat=True), services.BLANK]
    lengths: dict[str, set[int]] = {"review": set(), "again": set(), "refused": set(), "receipt": set()}
    phone = Client()
    code = cards["lhh-nghe-an"]
    for key in keys:
        form = {"code": code, "poll": poll.pk, "choice": key}
        lengths["review"].add(len(phone.post(_url(conference_2026), {**form, "step": "review"}).content))
        lengths["again"].add(len(phone.post(_url(conference_2026), {**form, "step": "again"}).content))
    refusals = [
        {"code": code, "poll": poll.pk, "choice": "lhh-nghe-an"},  # one's own organization
        {"code": code, "poll": poll.pk},  # nothing chosen
        {"code": code, "poll": poll.pk, "choice": [services.BLANK, "lhh-hue"]},
        {"code": code, "poll": poll.pk, "choice": ["lhh-hue", "lhh-ha-tinh"]},  # more than one
    ]
    for form in refusals:
        refused = phone.post(_url(conference_2026), {**form, "step": "cast"})
        assert not Participation.objects.filter(poll=poll).exists()
        # The status is in every access log: a refusal that names a choice answers as a cast does.
        assert refused.status_code == 200 and 'role="alert"' in refused.content.decode()
        lengths["refused"].add(len(refused.content))
    voters = [(o, c) for o, c in cards.items() if o != "lhh-nghe-an"]
    for (organization, card), key in zip(voters, keys, strict=False):
        cast = phone.post(
            _url(conference_2026), {"code": card, "poll": poll.pk, "choice": key, "step": "cast"}
        )
        assert cast.status_code == 200, organization
        lengths["receipt"].add(len(cast.content))
    assert {kind: len(found) for kind, found in lengths.items()} == dict.fromkeys(lengths, 1), lengths
    assert lengths["refused"] == lengths["receipt"], "a refused cast is as long as a counted one"
    assert all(length % BUCKET == 0 for found in lengths.values() for length in found)


@pytest.mark.django_db
def test_every_subset_of_a_nominations_choices_gives_one_length(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    code = _cards(quangtri, conference_2026)["lhh-nghe-an"]
    poll = _election(quangtri, conference_2026)
    Poll.objects.filter(pk=poll.pk).update(method="approve_each")
    keys = list(poll.choices.values_list("key", flat=True))
    lengths = set()
    for size in (1, 2, len(keys)):
        for chosen in list(combinations(keys, size))[:4]:
            form = {"code": code, "poll": poll.pk, "choice": list(chosen), "step": "review"}
            lengths.add(len(client.post(_url(conference_2026), form).content))
    assert len(lengths) == 1, lengths


@pytest.mark.django_db
def test_a_vote_writes_no_audit_event_and_its_forms_put_nothing_in_a_url(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    cards = _cards(quangtri, conference_2026)
    poll = _election(quangtri, conference_2026)
    opened = client.post(_url(conference_2026), {"code": cards["lhh-hue"]}).content.decode()
    forms = re.findall(r"<form[^>]*>", opened)
    assert forms and all('method="post"' in f and "action=" not in f for f in forms)
    for organization in ("lhh-hue", "lhh-ha-tinh"):  # checked in by opening the ballot, and not
        before = AuditEvent.objects.count()
        client.post(
            _url(conference_2026),
            {"code": cards[organization], "step": "cast", "poll": poll.pk, "choice": "lhh-nghe-an"},
        )
        assert AuditEvent.objects.count() == before, organization
    assert Delegate.objects.get(organization__code="lhh-ha-tinh", conference=conference_2026).checked_in_at
    # A code in the query string opens nothing: the page only reads what a form posts.
    assert (
        "Mã trên thẻ" in client.get(f"{_url(conference_2026)}?code={cards['lhh-thanh-hoa']}").content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_a_second_vote_is_refused_without_a_database_error_for_the_server_log_to_print(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    # PostgreSQL logs the statement of every error (log_min_error_statement is ERROR by default), and
    # the vote's statement holds the delegate beside the encrypted ballot: a refusal must raise none.
    from django.db import connection

    code = _cards(quangtri, conference_2026)["lhh-nghe-an"]
    poll = _election(quangtri, conference_2026)
    form = {"code": code, "step": "cast", "poll": poll.pk}
    assert client.post(_url(conference_2026), {**form, "choice": "lhh-hue"}).status_code == 200
    errors: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        try:
            return execute(sql, params, many, context)
        except Exception as error:
            errors.append(type(error).__name__)
            raise

    with connection.execute_wrapper(watch):
        again = client.post(_url(conference_2026), {**form, "choice": "lhh-ha-tinh"})
    assert again.status_code == 200 and "đã được ghi nhận" in again.content.decode()
    assert Participation.objects.filter(poll=poll).count() == Ballot.objects.filter(poll=poll).count() == 1
    if connection.vendor == "postgresql":
        assert errors == []


@pytest.mark.django_db
def test_a_motions_answers_keep_their_usual_order_on_every_card(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    # Shuffled, "Không đồng ý" came first on some phones: a delegate tapping the first box out of
    # habit would vote against. Only candidates are shuffled.
    cards = _cards(quangtri, conference_2026)
    poll = services.create_motion_poll(actor=quangtri, conference=conference_2026, title="Thông qua giao ước")
    services.open_poll(actor=quangtri, poll=poll)
    usual = [key for key, _ in services.MOTION_CHOICES]
    for code in cards.values():
        ballot = _Ballot(client.post(_url(conference_2026), {"code": code}).content.decode())
        assert ballot.choices == usual
    first = client.get(_url(conference_2026)).content.decode()
    assert "data-fixed-order" in first


@pytest.mark.django_db
def test_a_voter_notes_eight_characters_and_finds_their_receipt_from_the_phone_once_published(
    quangtri: User, conference_2026: Conference, client: Client
) -> None:
    from django.utils import timezone

    cards = _cards(quangtri, conference_2026)
    poll = _election(quangtri, conference_2026)
    shares = poll.board_shares
    code = cards["lhh-nghe-an"]
    cast = client.post(
        _url(conference_2026), {"code": code, "step": "cast", "poll": poll.pk, "choice": "lhh-hue"}
    )
    receipt = Ballot.objects.get(poll=poll).receipt
    start = re.search(r'<code class="receipt-start">([^<]*)</code>', cast.content.decode())
    assert start is not None and start.group(1) == f"{receipt[:4]} {receipt[4:8]}"
    closed = services.close_poll(actor=quangtri, poll=poll)
    services.count_poll(actor=quangtri, poll=closed, typed={s.index: s.code for s in shares[:2]})
    services.confirm_results(actor=quangtri, poll=Poll.objects.get(pk=poll.pk))
    services.publish(actor=quangtri, poll=Poll.objects.get(pk=poll.pk))
    Conference.objects.filter(pk=conference_2026.pk).update(closed_at=timezone.now())
    page = client.post(_url(conference_2026), {"code": code, "step": "list"}).content.decode()
    assert "Hội nghị đã kết thúc" in page and "Kiểm tra lại" not in page
    record = re.search(r'<a href="([^"]*danh-sach-phieu/)">', page)
    assert record is not None
    typed = f"{receipt[:4]} {receipt[4:8]}".upper()  # as noted, spaced, in capitals
    found = client.get(record.group(1), {"ma": typed}).content.decode()
    assert f"Có 1 phiếu có mã bắt đầu bằng «{receipt[:8]}»" in found
    missing = client.get(record.group(1), {"ma": "zz"}).content.decode()
    assert "Không có phiếu nào" not in missing  # nothing hex typed: no search at all
