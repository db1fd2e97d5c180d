"""Paper and mixed polls keep working with encrypted ballots (issue 14, part 9): in a mixed poll the
delegates with phones vote electronically, the others on paper, and the counting board's paper count is
added to the decrypted electronic totals; the vote-count minutes give both."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from thidua.accounts.models import User
from thidua.conferences import rules, services
from thidua.conferences.models import BallotMode, Conference, PaperCount, Poll
from thidua.documents import generators_votes

pytestmark = pytest.mark.django_db

ELECTRONIC = [["lhh-hue"], ["lhh-hue"], ["lhh-ha-tinh"], [services.BLANK]]
PAPER = {"issued": 2, "returned": 2, "valid": 2, "blank": 0, "invalid": 0}
PAPER_COUNTS = {"lhh-hue": 2}


def _mixed_poll_voted(quangtri: User, conference: Conference) -> Poll:
    """An election of next year's head, mixed: four delegates vote on their phones (2 Huế, 1 Hà Tĩnh,
    1 blank), the other two get paper ballots; then it is closed."""
    poll = services.create_election_poll(actor=quangtri, conference=conference, role="head")
    Poll.objects.filter(pk=poll.pk).update(mode=BallotMode.MIXED)
    poll.refresh_from_db()
    poll = services.open_poll(actor=quangtri, poll=poll)
    delegates = conference.delegates.order_by("pk")
    for delegate, selections in zip(delegates, ELECTRONIC, strict=False):
        services.cast_vote(poll=poll, delegate=delegate, selections=selections)
    closed = services.close_poll(actor=quangtri, poll=poll)
    closed.board_shares = poll.board_shares
    return closed


def _count(quangtri: User, poll: Poll) -> Poll:
    typed = {share.index: share.code for share in poll.board_shares[:2]}
    return services.count_poll(actor=quangtri, poll=poll, typed=typed)


def _paper(quangtri: User, poll: Poll, **figures: int) -> None:
    services.enter_paper_count(actor=quangtri, poll=poll, **{**PAPER, **figures}, counts=PAPER_COUNTS)


def test_a_mixed_poll_adds_the_paper_count_to_the_decrypted_electronic_totals(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _mixed_poll_voted(quangtri, conference_2026)
    counted = _count(quangtri, poll)
    assert counted.result == {}  # the paper ballots are still to be counted: no result to confirm yet
    with pytest.raises(ValidationError, match="Chưa có kết quả kiểm phiếu"):
        services.confirm_results(actor=quangtri, poll=counted)
    _paper(quangtri, counted)
    poll = Poll.objects.get(pk=poll.pk)
    votes = {row["key"]: row["votes"] for row in poll.result["choices"] if row["votes"]}
    assert votes == {"lhh-hue": 4, "lhh-ha-tinh": 1}
    assert (poll.result["participants"], poll.result["valid"], poll.result["blank"]) == (6, 5, 1)
    electronic = poll.result["electronic"]
    assert {key: n for key, n in electronic["counts"].items() if n} == {"lhh-hue": 2, "lhh-ha-tinh": 1}
    assert (electronic["ballots"], electronic["valid"], electronic["blank"]) == (4, 3, 1)
    assert poll.result["paper"]["counts"] == PAPER_COUNTS
    assert poll.result["elected"] == ["lhh-hue"]  # 4 of 6 present: more than 1/2
    services.confirm_results(actor=quangtri, poll=poll)


def test_the_paper_count_may_come_first_and_the_electronic_count_completes_the_result(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _mixed_poll_voted(quangtri, conference_2026)
    _paper(quangtri, poll)
    assert Poll.objects.get(pk=poll.pk).result == {}
    counted = _count(quangtri, poll)
    assert counted.result["participants"] == 6 and counted.result["paper"]["valid"] == 2
    assert counted.result["elected"] == ["lhh-hue"]


def test_more_paper_ballots_than_the_voters_left_without_a_phone_vote_are_refused_and_nothing_is_written(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _mixed_poll_voted(quangtri, conference_2026)
    with pytest.raises(ValidationError) as error:
        _paper(quangtri, poll, issued=3, returned=2)
    assert error.value.messages == [
        "Số phiếu giấy phát ra (3) cộng số phiếu điện tử (4) = 7, nhiều hơn số người có quyền biểu quyết (6)."
    ]
    assert not PaperCount.objects.filter(poll=poll).exists()


def test_the_vote_count_minutes_of_a_mixed_poll_give_the_electronic_and_the_paper_figures(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _mixed_poll_voted(quangtri, conference_2026)
    _paper(quangtri, _count(quangtri, poll))
    poll = Poll.objects.get(pk=poll.pk)
    document = generators_votes.vote_count_minutes(poll, number_text="")
    text = "\n".join(getattr(part, "text", "") for part in document.body)
    assert "bỏ phiếu kín bằng hình thức điện tử và bằng phiếu giấy" in text
    assert "số phiếu điện tử: 4 (phiếu trắng: 1); số phiếu giấy phát ra: 2, thu về: 2" in text
    assert "Tổng số phiếu thu về: 6." in text
    assert "(điện tử: 2; phiếu giấy: 2)" in text  # Huế's votes, each way


def test_the_secretariat_makes_a_mixed_poll_and_its_page_shows_both_parts_of_each_choice(
    quangtri: User, conference_2026: Conference
) -> None:
    client = Client()
    client.force_login(quangtri)
    base = f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference_2026.pk}"
    assert '<option value="mixed">Điện tử và phiếu giấy</option>' in client.get(f"{base}/").content.decode()
    client.post(f"{base}/bo-phieu/them/", {"kind": "head", "mode": "mixed", "submit_key": "hon-hop"})
    poll = services.open_poll(actor=quangtri, poll=Poll.objects.get(conference=conference_2026))
    assert poll.mode == BallotMode.MIXED and len(poll.board_shares) == 3
    for delegate, selections in zip(conference_2026.delegates.order_by("pk"), ELECTRONIC, strict=False):
        services.cast_vote(poll=poll, delegate=delegate, selections=selections)
    shares = poll.board_shares
    poll = services.close_poll(actor=quangtri, poll=poll)
    poll.board_shares = shares
    url = f"{base}/bo-phieu/{poll.pk}/"
    page = client.get(url).content.decode()
    assert "Bỏ phiếu điện tử và phiếu giấy, bí mật" in page
    assert "cần kiểm phiếu điện tử và nhập kết quả kiểm phiếu giấy" in page
    assert "Nhập kết quả kiểm phiếu giấy" in page and "Kiểm phiếu điện tử" in page
    _paper(quangtri, _count(quangtri, poll))
    page = client.get(url).content.decode()
    assert "(điện tử 2, giấy 2)" in page
    assert "Gồm phiếu điện tử: 4 (trắng 1) · phiếu giấy thu về: 2" in page


@pytest.mark.parametrize(
    ("electronic", "paper", "total"),
    [
        (
            rules.Figures({"a": 2, "b": 1}, valid=3, blank=1),
            rules.Figures({"a": 2}, valid=2, blank=0, invalid=1),
            rules.Figures({"a": 4, "b": 1}, valid=5, blank=1, invalid=1),
        ),
        (rules.Figures({}, valid=0, blank=0), rules.Figures({"c": 1}, valid=1, blank=2), None),
    ],
)
def test_figures_add_choice_by_choice_and_keep_blank_and_invalid_apart(
    electronic: rules.Figures, paper: rules.Figures, total: rules.Figures | None
) -> None:
    summed = electronic + paper
    assert summed == (total or rules.Figures({"c": 1}, valid=1, blank=2))
    assert summed == paper + electronic


def test_paper_ballots_fit_the_voters_who_did_not_vote_on_their_phones() -> None:
    assert rules.mixed_paper_problems(issued=2, electronic=4, eligible=6) == []
    assert rules.mixed_paper_problems(issued=3, electronic=4, eligible=6) != []


@pytest.mark.django_db
def test_a_mixed_poll_warns_the_secretariat_while_fewer_than_three_have_voted_by_phone(
    quangtri: User, conference_2026: Conference
) -> None:
    # The minutes give the phones' part apart, so a lone phone voter's choice is known to all.
    client = Client()
    client.force_login(quangtri)
    poll = services.create_election_poll(actor=quangtri, conference=conference_2026, role="head")
    Poll.objects.filter(pk=poll.pk).update(mode=BallotMode.MIXED)
    poll = services.open_poll(actor=quangtri, poll=Poll.objects.get(pk=poll.pk))
    url = f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference_2026.pk}/bo-phieu/{poll.pk}/"
    assert 'id="few-phones"' in client.get(url).content.decode()
    delegates = list(conference_2026.delegates.order_by("pk"))
    services.cast_vote(poll=poll, delegate=delegates[0], selections=["lhh-hue"])
    assert "(mới có 1 người)" in client.get(url).content.decode()
    for delegate in delegates[1:3]:
        services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    assert 'id="few-phones"' not in client.get(url).content.decode()
