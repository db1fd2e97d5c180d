"""Second rounds by the regulation (issue 14, item 8): when too few choices reach the threshold, the
regulation's rule says who goes on (DOMAIN.md, Voting [L]: by default the top two and all tied with
them); a tie on the last seat still goes to a runoff."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.conferences import rules, services
from thidua.conferences.models import Conference, Poll, PollStatus
from thidua.conferences.tests import helpers
from thidua.lib.citations import official_source
from thidua.organizations.models import Regulation, SecondRound

pytestmark = pytest.mark.django_db
Y = "/nam-thi-dua/vusta-cum-4/2026"
A, B = "lhh-nghe-an", "lhh-ha-tinh"


@pytest.fixture
def eight_voters(quangtri: User) -> Conference:
    return helpers.conference_of_8_voters(quangtri)


def _set_rule(rule: SecondRound) -> None:
    Regulation.objects.filter(valid_from_year=2026).update(second_round=rule)


def _poll_url(poll: Poll, suffix: str = "") -> str:
    return f"{Y}/hoi-nghi/{poll.conference_id}/bo-phieu/{poll.pk}/{suffix}"


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_the_regulation_s_choices_are_the_rules_the_tally_applies() -> None:
    # The organizations app sits below conferences, so the rule is named twice: once for the form and
    # the database, once for the pure tally. They must never drift apart.
    assert [(r.name, r.value) for r in rules.SecondRound] == [(r.name, r.value) for r in SecondRound]
    assert Regulation._meta.get_field("second_round").default == rules.PollSpec.second_round


def test_a_4_to_4_tie_of_8_elects_nobody_and_sends_both_to_a_second_round(
    quangtri: User, eight_voters: Conference
) -> None:
    poll = helpers.published_head_election(quangtri, eight_voters, {A: 4, B: 4})
    assert (poll.result["base"], poll.result["votes_needed"]) == (8, 5)
    assert (poll.result["elected"], poll.result["runoff"]) == ([], [])
    assert sorted(poll.result["second_round"]) == sorted([A, B]) and poll.result["open_seats"] == 1
    assert "Bỏ phiếu vòng 2 giữa" in poll.result["outcome"]

    second = services.create_second_round(actor=quangtri, poll=poll)
    assert (second.round, second.runoff_of_id, second.status) == (2, poll.pk, PollStatus.DRAFT)
    assert (second.kind, second.title, second.seats, second.max_picks) == (poll.kind, poll.title, 1, 1)
    assert sorted(second.choices.values_list("key", flat=True)) == sorted([A, B])
    event = AuditEvent.objects.filter(verb="poll.second_round").get()
    assert event.target_id == str(second.pk) and event.data["of"] == poll.pk
    assert str(second) == f"{poll.title} (vòng 2)"


def test_the_poll_keeps_the_rule_it_opened_with_and_its_source(
    quangtri: User, eight_voters: Conference
) -> None:
    poll = services.open_poll(
        actor=quangtri,
        poll=services.create_election_poll(actor=quangtri, conference=eight_voters, role="head"),
    )
    regulation = Regulation.objects.get(valid_from_year=2026)
    assert poll.rule_sources["second_round"] == regulation.second_round_source
    assert "[L]" in poll.rule_sources["second_round"]
    assert (poll.board_key_threshold, poll.board_key_holders) == (2, 3)
    # A change of the regulation while the poll is open does not change the poll's rules.
    Regulation.objects.filter(pk=regulation.pk).update(
        second_round=SecondRound.NONE, board_key_threshold=3, board_key_holders=5
    )
    for delegate in eight_voters.delegates.order_by("pk")[:4]:
        services.cast_vote(poll=poll, delegate=delegate, selections=[A])
    for delegate in eight_voters.delegates.order_by("pk")[4:]:
        services.cast_vote(poll=poll, delegate=delegate, selections=[B])
    poll = helpers.close_and_count(quangtri, poll)
    poll.refresh_from_db()
    assert sorted(poll.result["second_round"]) == sorted([A, B])
    assert (poll.board_key_threshold, poll.board_key_holders) == (2, 3)


def test_a_regulation_without_second_rounds_gives_none(quangtri: User, eight_voters: Conference) -> None:
    _set_rule(SecondRound.NONE)
    poll = helpers.published_head_election(quangtri, eight_voters, {A: 4, B: 4})
    assert (poll.result["elected"], poll.result["runoff"], poll.result["second_round"]) == ([], [], [])
    assert "vòng 2" not in poll.result["outcome"]
    with pytest.raises(ValidationError, match="Không có phương án nào vào vòng 2"):
        services.create_second_round(actor=quangtri, poll=poll)
    assert not poll.runoffs.exists()


def test_a_tie_on_the_last_seat_still_goes_to_a_runoff_and_not_to_a_second_round(
    quangtri: User, eight_voters: Conference
) -> None:
    poll = services.create_election_poll(actor=quangtri, conference=eight_voters, role="head")
    Poll.objects.filter(pk=poll.pk).update(max_picks=2)  # each ballot may name two: both can pass
    poll = services.open_poll(actor=quangtri, poll=poll)
    for delegate in eight_voters.delegates.order_by("pk"):
        services.cast_vote(poll=poll, delegate=delegate, selections=[A, B])
    poll = services.confirm_results(actor=quangtri, poll=helpers.close_and_count(quangtri, poll))
    poll = services.publish(actor=quangtri, poll=poll)
    assert (poll.result["elected"], sorted(poll.result["runoff"]), poll.result["second_round"]) == (
        [],
        sorted([A, B]),
        [],
    )
    with pytest.raises(ValidationError, match="Không có phương án nào vào vòng 2"):
        services.create_second_round(actor=quangtri, poll=poll)
    runoff = services.create_runoff(actor=quangtri, poll=poll)
    assert (runoff.round, runoff.seats, runoff.runoff_of_id) == (2, 1, poll.pk)


def test_a_second_round_is_made_once_and_the_second_request_says_when_and_by_whom(
    quangtri: User, eight_voters: Conference
) -> None:
    poll = helpers.published_head_election(quangtri, eight_voters, {A: 4, B: 4})
    second = services.create_second_round(actor=quangtri, poll=poll)
    with pytest.raises(ValidationError) as refused:
        services.create_second_round(actor=quangtri, poll=poll)
    assert f"Cuộc bỏ phiếu vòng 2 «{second}» đã được tạo lúc" in refused.value.messages[0]
    assert "bởi" in refused.value.messages[0]
    assert poll.runoffs.count() == 1 and AuditEvent.objects.filter(verb="poll.second_round").count() == 1


def test_no_second_round_before_the_result_is_published(quangtri: User, eight_voters: Conference) -> None:
    poll = services.open_poll(
        actor=quangtri,
        poll=services.create_election_poll(actor=quangtri, conference=eight_voters, role="head"),
    )
    for delegate in eight_voters.delegates.order_by("pk"):
        services.cast_vote(poll=poll, delegate=delegate, selections=[A])
    with pytest.raises(ValidationError, match="vòng 2"):
        services.create_second_round(actor=quangtri, poll=poll)


def test_only_the_year_s_runners_make_a_second_round(
    quangtri: User, eight_voters: Conference, officer_nghe_an: User
) -> None:
    poll = helpers.published_head_election(quangtri, eight_voters, {A: 4, B: 4})
    with pytest.raises(PermissionDenied):
        services.create_second_round(actor=officer_nghe_an, poll=poll)
    assert not poll.runoffs.exists()


# --- the page -----------------------------------------------------------------------------------------


def test_the_poll_page_offers_the_second_round_with_its_rule_and_source_and_the_button_makes_it(
    client_for: Any, quangtri: User, eight_voters: Conference
) -> None:
    poll = helpers.published_head_election(quangtri, eight_voters, {A: 4, B: 4})
    client = client_for(quangtri)
    page = client.get(_poll_url(poll)).content.decode()
    # The rule's source as pages cite it: a note for staff gives way to the regulation (issue 15).
    cited = official_source(
        poll.rule_sources["second_round"],
        f"{poll.rule_sources['regulation']} ({poll.rule_sources['citation']})",
    )
    assert "Vào vòng 2" in page and "Tạo cuộc bỏ phiếu vòng 2" in page
    assert f"({cited})" in page
    assert "hai phương án nhiều phiếu nhất" in page

    response = client.post(_poll_url(poll, "vong-2/"), follow=True)
    second = poll.runoffs.get()
    assert response.redirect_chain[-1][0] == _poll_url(second)
    assert "Đã tạo cuộc bỏ phiếu vòng 2." in _messages(response)
    assert sorted(second.choices.values_list("key", flat=True)) == sorted([A, B])

    # The button is gone from the first round's page; a link leads to the round it made.
    page = client.get(_poll_url(poll)).content.decode()
    assert "Tạo cuộc bỏ phiếu vòng 2" not in page and _poll_url(second) in page
    again = client.post(_poll_url(poll, "vong-2/"), follow=True)
    assert "đã được tạo lúc" in _messages(again) and poll.runoffs.count() == 1


def test_without_a_second_round_the_page_offers_no_button(
    client_for: Any, quangtri: User, eight_voters: Conference
) -> None:
    _set_rule(SecondRound.NONE)
    poll = helpers.published_head_election(quangtri, eight_voters, {A: 4, B: 4})
    page = client_for(quangtri).get(_poll_url(poll)).content.decode()
    assert "Tạo cuộc bỏ phiếu vòng 2" not in page and "Vào vòng 2" not in page
    assert "không bỏ phiếu vòng 2" in page  # the rule it ran under, with its source


# Who may press the button: the 2026 conference is run by Quảng Trị (head of Cụm 4 in 2026, demo) and
# VUSTA's staff; members' officers and the editor are refused; the anonymous are sent to log in.
@pytest.mark.parametrize(
    ("username", "status", "made"),
    [
        (None, 302, False),
        ("nghean", 403, False),
        ("ninhbinh", 403, False),
        ("bientap", 403, False),
        ("vusta", 302, True),
        ("quangtri", 302, True),
    ],
)
def test_each_role_meets_the_second_round_button_as_the_permission_matrix_says(
    client_for: Any, quangtri: User, eight_voters: Conference, username: str | None, status: int, made: bool
) -> None:
    poll = helpers.published_head_election(quangtri, eight_voters, {A: 4, B: 4})
    user = User.objects.get(username=username) if username else None
    response = client_for(user).post(_poll_url(poll, "vong-2/"))
    assert response.status_code == status
    if username is None:
        assert response["Location"].startswith("/tai-khoan/dang-nhap/")
    assert poll.runoffs.exists() is made
    assert client_for(user).get(_poll_url(poll, "vong-2/")).status_code == (302 if username is None else 405)
