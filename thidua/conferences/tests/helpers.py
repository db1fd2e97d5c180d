"""Helpers shared by the conference tests."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from thidua.accounts.models import User
from thidua.conferences import services
from thidua.conferences.models import BallotMode, Conference, Poll
from thidua.organizations.models import Organization, Regulation, VotingUnit
from thidua.years.models import EmulationYear


def conference_2026(actor: User, *, title: str) -> Conference:
    """Cụm 4's 2026 year-end conference at Đông Hà, hosted by Quảng Trị, with no delegate yet."""
    return services.create_conference(
        actor=actor,
        emulation_year=EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026),
        values={
            "title": title,
            "starts_at": datetime.datetime(2026, 12, 22, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
            "place": "Đông Hà",
            "host": Organization.objects.get(code="lhh-quang-tri"),
        },
    )


def members_2026() -> list[Organization]:
    return list(
        Organization.objects.filter(memberships__group__slug="vusta-cum-4", memberships__year=2026).order_by(
            "code"
        )
    )


def close_and_count(actor: User, opened: Poll) -> Poll:
    """Close a poll and count it as the counting board would: the first k holders type the shares their
    cards printed when `opened` (what `open_poll` returned) was opened."""
    shares = opened.board_shares
    poll = services.close_poll(actor=actor, poll=opened)
    if poll.mode != BallotMode.ELECTRONIC:
        return poll
    typed = {share.index: share.code for share in shares[: poll.board_key_threshold]}
    return services.count_poll(actor=actor, poll=poll, typed=typed)


def conference_of_8_voters(actor: User) -> Conference:
    """Cụm 4's 2026 conference with 8 voting delegates. The regulation in force is switched to one vote
    per delegate (the alternative DOMAIN.md, Voting, names): 6 members alone could not cast A 4, B 4 of 8."""
    emulation_year = EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026)
    regulation = Regulation.objects.in_force(emulation_year.group.parent, emulation_year.year)
    assert regulation is not None
    Regulation.objects.filter(pk=regulation.pk).update(voting_unit=VotingUnit.DELEGATE)
    conference = conference_2026(actor, title="Hội nghị tổng kết năm 2026")
    members = members_2026()
    for number in range(8):
        services.add_delegate(
            actor=actor,
            conference=conference,
            organization=members[number % len(members)],
            full_name=f"Đại biểu {number + 1}",
            votes=True,
            counting_board=number < 3,
        )
    return conference


def published_head_election(actor: User, conference: Conference, votes: dict[str, int]) -> Poll:
    """An election of next year's head, opened, voted (`votes`: ballots per organization code, the
    delegates in order), closed, confirmed and published."""
    poll = services.open_poll(
        actor=actor, poll=services.create_election_poll(actor=actor, conference=conference, role="head")
    )
    delegates = iter(conference.delegates.filter(votes=True).order_by("pk"))
    for key, number in votes.items():
        for _ in range(number):
            services.cast_vote(poll=poll, delegate=next(delegates), selections=[key])
    poll = services.confirm_results(actor=actor, poll=close_and_count(actor, poll))
    return services.publish(actor=actor, poll=poll)


def conference_2026_with_voters(actor: User, *, title: str, name: str = "Đại biểu {code}") -> Conference:
    """`conference_2026` with one voting delegate per member, named by `name` ("{code}": the member's
    code, "{short}": its short name), the first three on the counting board (they hold the electronic
    polls' key, 2 of 3 by default)."""
    conference = conference_2026(actor, title=title)
    for index, member in enumerate(members_2026()):
        services.add_delegate(
            actor=actor,
            conference=conference,
            organization=member,
            full_name=name.format(code=member.code, short=member.current_short_name),
            votes=True,
            counting_board=index < 3,
        )
    return conference
