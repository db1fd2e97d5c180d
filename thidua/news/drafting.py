"""A news article written from a closed conference, in the manner of the seed article.

The seed (Cụm 4's year-end conference of 08/12/2023) tells, in this order: when and which cluster, of
which parent body, held the conference and who attended; what the members achieved in the year's work
areas; what the delegates discussed and proposed for next year; and that the conference reviewed the
awards, elected next year's head and deputy and adopted next year's agreement. The sentences below
follow that order as prose built from templates; the editor rewrites what they wish before publishing.

Everything is read from the stored results (published polls, the year's agreement, the names valid on
the conference's day), never recomputed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from thidua.agreements.models import Agreement, AgreementStatus, CriterionKind
from thidua.conferences.models import Conference, ConferenceRole, Poll, PollKind, PollStatus
from thidua.documents.generators_votes import choice_labels, conference_day, group_name
from thidua.lib.dates import VIETNAM_TZ
from thidua.organizations.models import AwardForm, LeadershipRole, Membership, Organization


@dataclass(frozen=True)
class DraftText:
    title: str
    lead: str
    paragraphs: list[str]


def join_vietnamese(items: list[str]) -> str:
    """ "A, B và C": a list in a sentence."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


def _sentence_case(text: str) -> str:
    """Continue a sentence with a text written as its own sentence ("Các đại biểu …" → "các đại biểu …")."""
    text = text.strip().rstrip(".")
    first_word = text.split(" ", 1)[0]
    # A word in capitals or with a capital after its first letter is a name or an acronym: keep it.
    if first_word[1:].islower() or len(first_word) == 1:
        return text[0].lower() + text[1:]
    return text


def _time_of_day(moment: datetime.datetime) -> str:
    hour = moment.astimezone(VIETNAM_TZ).hour
    return "Sáng" if hour < 12 else ("Chiều" if hour < 18 else "Tối")


def _members(conference: Conference) -> list[Organization]:
    emulation_year = conference.emulation_year
    memberships = (
        Membership.objects.filter(group=emulation_year.group, year=emulation_year.year)
        .select_related("organization")
        .prefetch_related("organization__names")
        .order_by("pk")
    )
    return [m.organization for m in memberships]


def _polls(conference: Conference) -> list[Poll]:
    return list(
        conference.polls.filter(status=PollStatus.PUBLISHED)
        .select_related("agreement")
        .prefetch_related("choices")
        .order_by("position", "pk")
    )


def _work_areas(conference: Conference) -> list[str]:
    """The work areas (criterion groups) of the year's agreement in force (else its latest version)."""
    agreements = Agreement.objects.filter(emulation_year=conference.emulation_year)
    agreement = (
        agreements.filter(status=AgreementStatus.IN_FORCE).first() or agreements.order_by("-version").first()
    )
    if agreement is None:
        return []
    # Bonus and penalty points are how the score is adjusted, not work the members did.
    groups = (
        agreement.criterion_groups.exclude(criteria__kind__in=[CriterionKind.BONUS, CriterionKind.PENALTY])
        .distinct()
        .order_by("position")
    )
    return [_sentence_case(g.title) for g in groups]


def _award_sentences(polls: list[Poll], *, cluster: str, parent_short: str, year: int) -> list[str]:
    sentences = []
    for poll in (p for p in polls if p.kind == PollKind.NOMINATION):
        result = poll.result or {}
        labels = choice_labels(poll)
        elected = [c for c in result.get("choices", []) if c.get("elected")]
        award = AwardForm(poll.award_form).label if poll.award_form in AwardForm.values else poll.award_form
        award = award.replace("cơ quan cấp trên", parent_short)
        if not elected:
            sentences.append(
                f"Qua bỏ phiếu kín, chưa có đơn vị nào đạt số phiếu cần thiết để đề nghị tặng {award}."
            )
            continue
        names = join_vietnamese(
            [
                f"{labels.get(c['key'], c['key'])} với {c['votes']}/{result['base']} phiếu tán thành ({c['percent']})"
                for c in elected
            ]
        )
        sentences.append(
            f"Qua bỏ phiếu kín, Hội nghị đã thống nhất suy tôn {names} là đơn vị dẫn đầu "
            f"phong trào thi đua của {cluster} năm {year}, "
            f"đề nghị {parent_short} tặng {award}."
        )
    return sentences


def _elected(polls: list[Poll], role: str) -> str | None:
    poll = next((p for p in polls if p.kind == PollKind.ELECTION and p.leadership_role == role), None)
    if poll is None:
        return None
    keys = (poll.result or {}).get("elected", [])
    return choice_labels(poll).get(keys[0]) if keys else None


def draft_text(conference: Conference) -> DraftText:
    emulation_year = conference.emulation_year
    group = emulation_year.group
    parent = group.parent
    day = conference_day(conference)
    year, next_year = emulation_year.year, emulation_year.year + 1
    cluster = group_name(group)  # "Cụm thi đua số 4"
    word = cluster.split()[0]  # "Cụm" / "Khối"
    parent_name, parent_short = parent.name_on(day), parent.short_name_on(day)
    kind = conference.get_kind_display()  # "Hội nghị tổng kết"

    title = f"{kind} công tác thi đua, khen thưởng năm {year} của {cluster} {parent_name}"
    lead = (
        f"{_time_of_day(conference.starts_at)} ngày {day:%d/%m/%Y}, tại {conference.place}, {cluster} của "
        f"{parent_name} (gọi tắt là {parent_short}) đã tổ chức {kind.lower()} công tác thi đua, "
        f"khen thưởng năm {year}."
    )
    paragraphs: list[str] = []

    # Who attended: the members by the names they bore that day (Thừa Thiên Huế is still a province in
    # 2023), those who sent nobody said apart.
    members = _members(conference)
    present_ids = set(
        conference.delegates.filter(organization__isnull=False).values_list("organization_id", flat=True)
    )
    present = [m.short_name_on(day) for m in members if m.pk in present_ids]
    absent = [m.short_name_on(day) for m in members if m.pk not in present_ids]
    attendance = []
    people = conference.people()
    supervisor, chair = people.get(ConferenceRole.SUPERVISOR), people.get(ConferenceRole.CHAIR)
    if supervisor is not None:
        attendance.append(f"Dự và chỉ đạo Hội nghị có {_sentence_case(supervisor.words())}.")
    if present:
        attendance.append(
            f"Tham dự Hội nghị có đại diện lãnh đạo và cán bộ phụ trách thi đua, khen thưởng của "
            f"{len(present)} đơn vị thành viên trong {word} gồm: {join_vietnamese(present)}."
        )
    if absent:
        attendance.append(f"Vắng mặt: {join_vietnamese(absent)}.")
    if chair is not None:
        # "Nguyễn Văn A, Chủ tịch Liên hiệp hội tỉnh Ninh Bình": the position with its organization.
        where = f" {chair.organization.short_name_on(day)}" if chair.organization and chair.job_title else ""
        attendance.append(f"Hội nghị do đồng chí {chair.words().rstrip('.')}{where} chủ trì.")
    if attendance:
        paragraphs.append(" ".join(attendance))

    areas = _work_areas(conference)
    if areas:
        paragraphs.append(
            f"Trong năm {year}, các đơn vị thành viên {cluster} đã triển khai thực hiện giao ước thi đua "
            f"với các mặt công tác chính như: {'; '.join(areas)}. Các thành viên trong {word} đã tạo được "
            f"mối liên hệ gắn kết, cùng nhau tổ chức phong trào thi đua và chia sẻ những cách làm hiệu quả."
        )

    if conference.opinions.strip():
        paragraphs.append(f"Tại Hội nghị, {_sentence_case(conference.opinions)}.")

    polls = _polls(conference)
    paragraphs += _award_sentences(polls, cluster=cluster, parent_short=parent_short, year=year)

    head, deputy = _elected(polls, LeadershipRole.HEAD), _elected(polls, LeadershipRole.DEPUTY)
    if head and deputy:
        paragraphs.append(
            f"Hội nghị đã bầu {head} làm {word} trưởng và {deputy} làm {word} phó {cluster} năm {next_year}."
        )
    elif head or deputy:
        role, name = (f"{word} trưởng", head) if head else (f"{word} phó", deputy)
        paragraphs.append(f"Hội nghị đã bầu {name} làm {role} {cluster} năm {next_year}.")

    for motion in (p for p in polls if p.kind == PollKind.MOTION and p.agreement_id):
        if "yes" not in (motion.result or {}).get("elected", []):
            continue
        agreement = motion.agreement
        assert agreement is not None
        signed = agreement.signatures.count()
        signing = f" và {signed} đơn vị thành viên đã ký kết giao ước" if signed else ""
        paragraphs.append(
            f"Hội nghị đã thống nhất thông qua giao ước thi đua năm {next_year}{signing}, "
            f"làm cơ sở để các đơn vị trong {word} tiếp tục thi đua hoàn thành tốt nhiệm vụ năm {next_year}."
        )

    return DraftText(title=title, lead=lead, paragraphs=paragraphs)
