"""The replay of Cụm 4's year-end conference of 08/12/2023 (the seed article): delegates, quorum, the
flag nomination from the ranking, the election of 2024's head and deputy, the adoption of the 2024
agreement, results published. Who voted for what is not public: the votes are demo figures."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from thidua.accounts.models import User
from thidua.agreements import services as agreements
from thidua.agreements.models import AgreementStatus
from thidua.conferences import services
from thidua.conferences.models import Conference, ConferenceRole, Delegate, PollKind, PollStatus
from thidua.organizations.models import EmulationGroup, LeadershipRole, Organization
from thidua.years import services as year_services
from thidua.years.models import EmulationYear

DEMO = "(minh họa)"
TITLE = "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2023 — Cụm thi đua số 4"


def _delegates(staff: User, conference: Conference, members: list[Organization]) -> list[Delegate]:
    voters = []
    for index, member in enumerate(members):
        short = member.short_name_in_year(2023)
        # The names are the unions' officeholders' (organizations.demo); the host's chairman chairs the
        # conference and its chief of office keeps the minutes.
        host = member.pk == conference.host_id
        voter = services.add_delegate(
            actor=staff,
            conference=conference,
            organization=member,
            full_name=f"Lãnh đạo {short} {DEMO}",
            job_title="Chủ tịch",
            votes=True,
            counting_board=index < 3,
            role=ConferenceRole.CHAIR if host else "",
        )
        services.add_delegate(
            actor=staff,
            conference=conference,
            organization=member,
            full_name=f"Cán bộ thi đua {short} {DEMO}",
            job_title="Chánh Văn phòng",
            role=ConferenceRole.SECRETARY if host else "",
        )
        voters.append(voter)
    services.add_delegate(
        actor=staff,
        conference=conference,
        organization=None,
        full_name=f"Đại diện Ban Thi đua — Khen thưởng, Liên hiệp Hội Việt Nam {DEMO}",
        job_title="Chuyên viên",
        role=ConferenceRole.SUPERVISOR,
    )
    services.issue_codes(actor=staff, conference=conference)  # printed on cards; not kept
    for delegate in conference.delegates.all():
        services.check_in(actor=staff, delegate=delegate)
    return voters


def _run(staff: User, poll_id: int, ballots: list[tuple[Delegate, list[str]]]) -> None:
    from thidua.conferences.models import Poll

    poll = services.open_poll(actor=staff, poll=Poll.objects.get(pk=poll_id))
    shares = poll.board_shares  # the board's printed cards, in a real hall; here the count types them
    for delegate, picks in ballots:
        services.cast_vote(poll=poll, delegate=delegate, selections=picks or [services.BLANK])
    poll = services.close_poll(actor=staff, poll=poll)
    typed = {share.index: share.code for share in shares[: poll.board_key_threshold]}
    poll = services.count_poll(actor=staff, poll=poll, typed=typed)
    poll = services.confirm_results(actor=staff, poll=poll)
    services.publish(actor=staff, poll=poll)


@transaction.atomic
def load_conference_demo(staff: User, group: EmulationGroup) -> None:
    year_2023 = EmulationYear.objects.get(group=group, year=2023)
    if Conference.objects.filter(emulation_year=year_2023).exists():
        return
    members = sorted(agreements.members_of(year_2023), key=lambda m: m.code)
    by_code = {m.code: m for m in members}
    conference = services.create_conference(
        actor=staff,
        emulation_year=year_2023,
        values={
            "title": TITLE,
            "starts_at": datetime.datetime(2023, 12, 8, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
            "place": f"Hội trường Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình {DEMO}",
            "host": by_code["lhh-ninh-binh"],
            "agenda": (
                "1. Báo cáo tổng kết công tác thi đua, khen thưởng năm 2023 của Cụm.\n"
                "2. Thảo luận, đề xuất nhiệm vụ năm 2024.\n"
                "3. Bình xét, suy tôn các danh hiệu thi đua, khen thưởng.\n"
                "4. Bầu Cụm trưởng, Cụm phó năm 2024.\n"
                "5. Thông qua và ký kết giao ước thi đua năm 2024."
            ),
        },
    )
    conference.opinions = (
        "Các đại biểu thảo luận các vấn đề về hoạt động của Liên hiệp Hội và đề xuất nhiệm vụ năm 2024: "
        "hưởng ứng các phong trào thi đua do Liên hiệp Hội Việt Nam và cấp ủy, chính quyền, MTTQ phát động; "
        "thực hiện Nghị quyết Đại hội VIII của Liên hiệp Hội Việt Nam; đẩy mạnh tư vấn, phản biện và giám định "
        "xã hội, hội thi, giải thưởng, hoạt động khoa học - công nghệ và hợp tác quốc tế."
    )
    conference.save(update_fields=["opinions"])
    voters = _delegates(staff, conference, members)

    # The flag: the members approve the ranking's first (Ninh Bình in the demo), six of seven votes.
    flag = services.create_nomination_poll(actor=staff, conference=conference)
    leader = flag.choices.order_by("position").first()
    assert leader is not None
    _run(staff, flag.pk, [(v, [leader.key] if i != 6 else []) for i, v in enumerate(voters)])

    # 2024's head and deputy, by rotation: Nghệ An (deputy in 2023) moves up, Hà Tĩnh becomes deputy.
    head = services.create_election_poll(actor=staff, conference=conference, role=LeadershipRole.HEAD)
    _run(staff, head.pk, [(v, ["lhh-nghe-an"]) for v in voters])
    deputy = services.create_election_poll(actor=staff, conference=conference, role=LeadershipRole.DEPUTY)
    _run(
        staff,
        deputy.pk,
        [(v, ["lhh-ha-tinh"] if i != 3 else ["lhh-quang-tri"]) for i, v in enumerate(voters)],
    )

    # The 2024 agreement: drafted from 2023's, adopted, then signed by all seven at the conference.
    year_2024 = EmulationYear.objects.filter(group=group, year=2024).first() or year_services.open_year(
        actor=staff, group=group, year=2024
    )
    agreement_2024 = year_2024.agreements.order_by("-version").first() or agreements.copy_previous_agreement(
        actor=staff, emulation_year=year_2024
    )
    motion = services.create_motion_poll(
        actor=staff,
        conference=conference,
        title="Thông qua giao ước thi đua năm 2024",
        agreement=agreement_2024,
    )
    _run(staff, motion.pk, [(v, ["yes"]) for v in voters])
    agreement_2024.refresh_from_db()
    if agreement_2024.status == AgreementStatus.SIGNING:
        from thidua.accounts.models import Role, RoleKind

        for member in agreements.members_of(year_2024):
            officer = (
                Role.objects.filter(organization=member, kind=RoleKind.OFFICER).select_related("user").first()
            )
            if officer is not None and not agreement_2024.signatures.filter(organization=member).exists():
                agreements.sign(
                    actor=officer.user,
                    agreement=agreement_2024,
                    organization=member,
                    signer_name=f"Chủ tịch {member.short_name_in_year(2024)} {DEMO}",
                    signer_title="Chủ tịch",
                )
    conference.closed_at = conference.starts_at + datetime.timedelta(hours=4)
    conference.save(update_fields=["closed_at"])
    # The replay runs today; its documents should read as of that morning. Demo timestamps only: polls
    # opened from 10:00 a quarter of an hour apart, each counted ten minutes after opening and published
    # a minute later, and the 2024 agreement in force when the last member signed at the conference.
    from thidua.conferences.models import Poll

    for index, poll in enumerate(conference.polls.order_by("position")):
        opened = conference.starts_at + datetime.timedelta(hours=2, minutes=15 * index)
        Poll.objects.filter(pk=poll.pk).update(
            opened_at=opened,
            closed_at=opened + datetime.timedelta(minutes=10),
            published_at=opened + datetime.timedelta(minutes=11),
        )
    agreement_2024.refresh_from_db()
    if agreement_2024.in_force_at is not None:
        type(agreement_2024).objects.filter(pk=agreement_2024.pk).update(in_force_at=conference.closed_at)
    assert all(p.status == PollStatus.PUBLISHED for p in conference.polls.all())
    assert conference.polls.filter(kind=PollKind.ELECTION).count() == 2
