"""Documents built from the data: conference minutes, proposal letter, agreement, score summary.

Each function returns a `layout.OfficialDocument` for `layout.render_docx`. None registers a number:
the caller registers first (`services.register`, which gives "05/BB-CTĐ4") and passes ``number_text``;
``date`` defaults to the day the document is about (the conference's day, the agreement's entry into
force). Contents follow DOMAIN.md, "Documents the cluster issues" [H]; the layout is NĐ 30/2020/NĐ-CP,
Phụ lục I (in layout.py). The counting board's minutes are in generators_votes.py.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from thidua.agreements.models import Agreement
from thidua.assessments.ranking import year_results
from thidua.conferences.models import Conference, ConferenceRole, Delegate, Poll, PollKind, PollStatus
from thidua.documents import rules as number_rules
from thidua.documents.generators_votes import (
    choice_labels,
    conference_day,
    group_issuer,
    group_name,
    place_name,
    poll_sentence,
    vote_count_minutes,
)
from thidua.documents.layout import Block, Heading, Issuer, OfficialDocument, Paragraph, Signer, Table
from thidua.lib.dates import VIETNAM_TZ, document_date, vietnam_today
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.organizations.models import (
    AwardForm,
    EmulationGroup,
    Leadership,
    LeadershipRole,
    Membership,
    Organization,
    Regulation,
)
from thidua.organizations.selectors import heads_on
from thidua.years.models import EmulationYear

__all__ = [
    "LegalFrame",
    "agreement_document",
    "conference_minutes",
    "leader_signer",
    "legal_frame",
    "missing_head",
    "proposal_letter",
    "score_summary_document",
    "vote_count_minutes",
]


class LegalFrame(NamedTuple):
    law: str
    decree: str


# The law and decree on emulation and commendation in force on a day, newest last: (from, law, decree).
_LEGAL_FRAMES: tuple[tuple[datetime.date, LegalFrame], ...] = (
    # Before the 2022 Law: the 2003 Law as amended in 2005 and 2013, detailed by NĐ 91/2017/NĐ-CP.
    # Not in DOMAIN.md (which starts at 2024) — from the brief of this module [M]; DOMAIN.md only says the
    # 2022 Law is in force from 01/01/2024, so earlier days are under the previous law.
    (
        datetime.date.min,
        LegalFrame(
            "Luật Thi đua, khen thưởng năm 2003 (sửa đổi, bổ sung 2013)",
            "Nghị định 91/2017/NĐ-CP quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
        ),
    ),
    # DOMAIN.md, "Legal frame, by year" [H]: Luật 06/2022/QH15 in force 01/01/2024; NĐ 98/2023/NĐ-CP
    # governed 01/01/2024–30/06/2025.
    (
        datetime.date(2024, 1, 1),
        LegalFrame(
            "Luật Thi đua, khen thưởng số 06/2022/QH15",
            "Nghị định 98/2023/NĐ-CP quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
        ),
    ),
    # DOMAIN.md, "Legal frame, by year" [H]: NĐ 152/2025/NĐ-CP replaced NĐ 98/2023 from 01/07/2025.
    (
        datetime.date(2025, 7, 1),
        LegalFrame(
            "Luật Thi đua, khen thưởng số 06/2022/QH15",
            "Nghị định 152/2025/NĐ-CP quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng",
        ),
    ),
)


def legal_frame(day: datetime.date) -> LegalFrame:
    """The law and decree in force on ``day`` (the table above)."""
    return [frame for start, frame in _LEGAL_FRAMES if start <= day][-1]


# --- shared pieces ------------------------------------------------------------------------------------


def _members(group: EmulationGroup, year: int) -> list[Organization]:
    """The group's members of ``year`` in the order they were added (the order of the demo's DOMAIN.md list)."""
    memberships = (
        Membership.objects.filter(group=group, year=year)
        .select_related("organization")
        .prefetch_related("organization__names")
        .order_by("pk")
    )
    return [m.organization for m in memberships]


def _leader(group: EmulationGroup, year: int, role: str) -> Organization | None:
    lead = Leadership.objects.filter(group=group, year=year, role=role).select_related("organization").first()
    return lead.organization if lead else None


def missing_head(organization: Organization, day: datetime.date) -> str:
    """Who to record so that `organization`'s head can sign on `day`, as the refusal to issue says it."""
    return (
        f"Chủ tịch (hoặc Quyền Chủ tịch) của {organization.name_on(day)} tại ngày {day:%d/%m/%Y}, "
        f"ở trang «Lãnh đạo đơn vị» (/don-vi/{organization.code}/lanh-dao/)"
    )


def leader_signer(group: EmulationGroup, year: int, role: str, day: datetime.date) -> Signer:
    """The signature of a document the group's leadership signs alone (tờ trình, báo cáo, bảng tổng hợp).

    NĐ 30/2020/NĐ-CP, Điều 13 and Phụ lục I, Mục II.8.b: the head signs for the group, "TM. CỤM THI ĐUA
    SỐ 4" / "CỤM TRƯỞNG"; the deputy signs in the head's stead, still for the group, which issues the
    document: "TM. CỤM THI ĐUA SỐ 4" / "KT. CỤM TRƯỞNG" / "CỤM PHÓ" (the form Mục II.8.b gives for a body
    that decides collectively, "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH"). The person is
    the head of the organization holding the role that year (Leadership) in office on `day`, the
    document's date: its chairman, or its acting chairman, who signs "Q. CỤM TRƯỞNG" (Mục II.8.b,
    "Q." before an acting head's title). Nobody recorded for that day leaves the name empty and says who
    is missing: a draft can be made, «Ban hành» refuses (issuing.issue_draft).
    """
    word = group_name(group).split()[0]  # "Cụm" or "Khối"
    head_title = f"{word} trưởng"
    leader = _leader(group, year, role)
    found = heads_on(organization_ids=[leader.pk], day=day).get(leader.pk) if leader else None
    name = found[0].full_name if found else ""
    if leader is None:
        missing = f"{LeadershipRole(role).label} năm {year}, ở trang năm của cụm/khối"
    else:
        missing = "" if found else missing_head(leader, day)
    collective = group_name(group)
    if role == LeadershipRole.DEPUTY:
        return Signer.for_head(
            head_title=head_title, title=f"{word} phó", name=name, collective=collective, missing=missing
        )
    if found and found[1]:
        return Signer(f"TM. {collective}", f"Q. {head_title}", name)
    return Signer.for_collective(collective=collective, title=head_title, name=name, missing=missing)


def _award_label(award_form: str, group: EmulationGroup) -> str:
    """ "Cờ thi đua của Liên hiệp Hội Việt Nam": the parent body names its own awards (as the nomination
    poll's title does, conferences.services.create_nomination_poll)."""
    label = AwardForm(award_form).label if award_form in AwardForm.values else award_form
    return label.replace("cơ quan cấp trên", group.parent.current_short_name)


def _points(value: Decimal) -> str:
    return format_vietnamese_decimal(value, 2)


def _lines(text: str) -> list[Paragraph]:
    return [Paragraph(line.strip()) for line in text.splitlines() if line.strip()]


def _published_polls(conference: Conference) -> list[Poll]:
    return list(conference.polls.filter(status=PollStatus.PUBLISHED).order_by("position", "pk"))


def _time(moment: datetime.datetime) -> str:
    """ "08 giờ 00 phút", in Vietnam time whatever the server's zone."""
    local = moment.astimezone(VIETNAM_TZ)
    return f"{local.hour:02d} giờ {local.minute:02d} phút"


# --- Biên bản hội nghị --------------------------------------------------------------------------------


def conference_minutes(
    conference: Conference, *, number_text: str, date: datetime.date | None = None
) -> OfficialDocument:
    """Biên bản hội nghị tổng kết (DOMAIN.md: time, place, attendees by unit, supervisor, agenda,
    opinions, vote results, election, signing; signed by the chair and the secretary)."""
    emulation_year = conference.emulation_year
    group = emulation_year.group
    day = conference_day(conference)
    year, next_year = emulation_year.year, emulation_year.year + 1
    delegates = list(conference.delegates.order_by("pk"))
    body: list[Block] = [
        Paragraph(
            f"Vào hồi {_time(conference.starts_at)}, {document_date(day)}, tại {conference.place}, "
            f"{group_name(group)} tổ chức {conference.title}."
        ),
        Heading("I. THÀNH PHẦN THAM DỰ"),
    ]
    # The chair, the secretary and the parent body's representative are delegates holding a role (issue
    # 15, part 2): each person is named once, the representative not again among the guests.
    people = {d.role: d for d in delegates if d.role}  # the delegates just read, no query more
    chair, secretary = people.get(ConferenceRole.CHAIR), people.get(ConferenceRole.SECRETARY)
    supervisor = people.get(ConferenceRole.SUPERVISOR)
    if supervisor is not None:
        body.append(Paragraph(f"Đại diện cơ quan cấp trên dự, chỉ đạo: {supervisor.words()}."))
    members = _members(group, year)
    body.append(Paragraph(f"Đại diện {len(members):02d} đơn vị thành viên của {group_name(group)}:"))
    for index, member in enumerate(members, start=1):
        # Names valid on the conference's day: Thừa Thiên Huế is still a province in 2023.
        present = [d for d in delegates if d.organization_id == member.pk]
        attending = "; ".join(d.words() for d in present)
        body.append(Paragraph(f"{index}. {member.name_on(day)}: {attending or 'vắng mặt'}.", indent=False))
    guests = [d for d in delegates if d.organization_id is None and d.role != ConferenceRole.SUPERVISOR]
    if guests:
        names = "; ".join(d.words() for d in guests)
        body.append(Paragraph(f"Khách mời: {names}."))
    if chair is not None:
        body.append(Paragraph(f"Chủ trì hội nghị: {chair.words()}."))
    if secretary is not None:
        body.append(Paragraph(f"Thư ký hội nghị: {secretary.words()}."))
    body.append(Heading("II. NỘI DUNG HỘI NGHỊ"))
    if conference.agenda:
        body.append(Paragraph("Chương trình hội nghị:"))
        body += [
            Paragraph(line.strip(), indent=True) for line in conference.agenda.splitlines() if line.strip()
        ]
    if conference.opinions:
        body.append(Paragraph("Ý kiến thảo luận:", bold=True))
        body += _lines(conference.opinions)
    polls = _published_polls(conference)
    body.append(Heading("III. KẾT QUẢ BIỂU QUYẾT"))
    if polls:
        body.append(Paragraph("Hội nghị bỏ phiếu kín các nội dung sau; kết quả theo biên bản kiểm phiếu:"))
        body += [Paragraph(poll_sentence(p)) for p in polls]
        body.append(
            Table(
                header=["TT", "Nội dung", "Tham gia", "Hợp lệ", "Trắng", "Không hợp lệ"],
                rows=[
                    [
                        str(i),
                        p.title,
                        str(p.result["participants"]),
                        str(p.result["valid"]),
                        str(p.result["blank"]),
                        str(p.result["invalid"]),
                    ]
                    for i, p in enumerate(polls, start=1)
                ],
                widths_cm=[1.0, 7.5, 2.0, 2.0, 2.0, 2.0],
            )
        )
    else:
        body.append(Paragraph("Chưa có kết quả biểu quyết được công bố."))
    body.append(Heading(f"IV. BẦU CỤM TRƯỞNG, CỤM PHÓ VÀ GIAO ƯỚC THI ĐUA NĂM {next_year}"))
    for role in (LeadershipRole.HEAD, LeadershipRole.DEPUTY):
        elected = next((p for p in polls if p.kind == PollKind.ELECTION and p.leadership_role == role), None)
        keys = elected.result.get("elected", []) if elected else []
        word = LeadershipRole(role).label
        if keys:
            body.append(
                Paragraph(f"Hội nghị bầu {choice_labels(elected)[keys[0]]} làm {word} năm {next_year}.")  # type: ignore[arg-type]
            )
        else:
            body.append(Paragraph(f"Hội nghị chưa bầu được {word.lower()} năm {next_year}."))
    for motion in (p for p in polls if p.kind == PollKind.MOTION and p.agreement_id):
        agreement = motion.agreement
        adopted = "yes" in motion.result.get("elected", [])
        verb = "thông qua" if adopted else "không thông qua"
        signed = agreement.signatures.count() if agreement else 0
        body.append(
            Paragraph(
                f"Hội nghị {verb} {agreement}"
                + (f"; {signed:02d} đơn vị thành viên đã ký kết giao ước." if adopted and signed else ".")
            )
        )
    body.append(
        Paragraph(
            _closing_words(conference)
            + "Biên bản đã được đọc lại và các đại biểu tham dự nhất trí thông qua./.",
            italic=True,
        )
    )
    return OfficialDocument(
        issuer=group_issuer(conference),
        number_line=number_rules.number_line(number_text),
        date=date or day,
        type_name="BIÊN BẢN",
        summary=f"{conference.get_kind_display()} công tác thi đua, khen thưởng năm {year}",
        body=body,
        # By custom the secretary signs on the left, the chair on the right (layout.OfficialDocument).
        signers=[
            _role_signer(secretary, "Thư ký", ConferenceRole.SECRETARY),
            _role_signer(chair, "Chủ trì", ConferenceRole.CHAIR),
        ],
        recipients=[
            f"Ban Thi đua – Khen thưởng, {group.parent.current_short_name}",
            f"Các đơn vị thành viên {group_name(group)}",
            f"Lưu: VT, {group_name(group).replace(' thi đua số', '')}",
        ],
    )


def _role_signer(delegate: Delegate | None, title: str, role: str) -> Signer:
    """The chair or the secretary signs the minutes in their own name; nobody chosen yet leaves the name
    empty and says where to choose them."""
    if delegate is not None:
        return Signer(authority="", title=title, name=delegate.full_name)
    missing = f"{ConferenceRole(role).label} (chọn trong mục «Chủ trì, thư ký, đại diện cấp trên» của trang hội nghị)"
    return Signer(authority="", title=title, name="", missing=missing)


def _closing_words(conference: Conference) -> str:
    """ "Hội nghị kết thúc vào hồi 11 giờ 30 phút cùng ngày. ", with the date when it ended on another day;
    nothing before the secretariat ends it ("Kết thúc hội nghị")."""
    closing = conference.closed_at
    if closing is None:
        return ""
    closing_day = vietnam_today(closing)
    when = " cùng ngày" if closing_day == conference_day(conference) else f", {document_date(closing_day)}"
    return f"Hội nghị kết thúc vào hồi {_time(closing)}{when}. "


# --- Tờ trình đề nghị khen thưởng --------------------------------------------------------------------


def proposal_letter(
    conference: Conference,
    *,
    number_text: str,
    date: datetime.date | None = None,
    signed_by: str = LeadershipRole.HEAD,
    signed_on: datetime.date | None = None,
) -> OfficialDocument:
    """Tờ trình to the parent body (DOMAIN.md: grounds, proposed organizations and award forms, summary of
    achievements, vote result; signed by the cụm trưởng). The proposals are the elected choices of the
    published nomination polls; the grounds are the laws in force on the conference's day."""
    emulation_year = conference.emulation_year
    group = emulation_year.group
    year = emulation_year.year
    day = conference_day(conference)
    frame = legal_frame(day)
    regulation = Regulation.objects.in_force(group.parent, year)
    results = year_results(emulation_year)
    by_code = {m.organization.code: m for m in results.members}
    ranked = sum(1 for m in results.members if m.rank is not None)
    nominations = [p for p in _published_polls(conference) if p.kind == PollKind.NOMINATION]
    proposals = [(p, key) for p in nominations for key in p.result.get("elected", [])]
    awards = sorted({_award_label(p.award_form, group) for p, _ in proposals})
    parent = group.parent.current_name
    body: list[Block] = [
        Paragraph(
            f"Kính gửi: Hội đồng Thi đua – Khen thưởng {parent}.", bold=True, indent=False, align="center"
        ),
        Paragraph(f"Căn cứ {frame.law};", italic=True),
        Paragraph(f"Căn cứ {frame.decree};", italic=True),
    ]
    if regulation is not None:
        body.append(Paragraph(f"Căn cứ {regulation.title} ({regulation.citation});", italic=True))
    body.append(
        Paragraph(
            f"Căn cứ kết quả chấm điểm, xếp hạng năm {year} và kết quả bình xét, suy tôn tại {conference.title} "
            f"{document_date(day)},",
            italic=True,
        )
    )
    body.append(
        Paragraph(
            f"{group_name(group)} kính trình {parent} xem xét, khen thưởng các tập thể có thành tích "
            f"xuất sắc trong phong trào thi đua năm {year} như sau:"
        )
    )
    body.append(Heading("I. ĐỀ NGHỊ KHEN THƯỞNG"))
    if not proposals:
        body.append(Paragraph("Hội nghị chưa suy tôn được đơn vị nào."))
    for index, (poll, key) in enumerate(proposals, start=1):
        organization = by_code[key].organization if key in by_code else Organization.objects.get(code=key)
        body.append(
            Paragraph(
                f"{index}. {_award_label(poll.award_form, group)}: {organization.name_on(day)}.", indent=False
            )
        )
    body.append(Heading("II. TÓM TẮT THÀNH TÍCH"))
    rows = []
    for index, (_, key) in enumerate(proposals, start=1):
        member = by_code.get(key)
        if member is None or member.final_total is None:
            continue
        total = member.final_total
        body.append(
            Paragraph(
                f"{member.organization.name_on(day)} — kết quả thực hiện giao ước thi đua năm {year}: "
                f"tổng điểm chốt {_points(total.total)}/{_points(results.maximum)} điểm (điểm thưởng "
                f"{_points(total.bonus)}, điểm trừ {_points(total.penalty)}), xếp hạng {member.rank}/{ranked}, "
                f"xếp loại {member.band or 'chưa xếp loại'}."
            )
        )
        rows.append(
            [
                str(index),
                member.organization.name_on(day),
                _points(total.total),
                str(member.rank),
                member.band or "",
            ]
        )
    if rows:
        body.append(
            Table(
                header=["TT", "Đơn vị", "Tổng điểm", "Xếp hạng", "Xếp loại"],
                rows=rows,
                widths_cm=[1.0, 6.5, 2.5, 2.0, 4.5],
            )
        )
    body.append(Heading("III. KẾT QUẢ BỎ PHIẾU"))
    body += [Paragraph(poll_sentence(p)) for p in nominations]
    body.append(
        Paragraph(
            f"Hồ sơ kèm theo: biên bản hội nghị, biên bản kiểm phiếu, bảng tổng hợp kết quả chấm điểm và báo cáo "
            f"thành tích của đơn vị được đề nghị. {group_name(group)} kính trình {parent} xem xét, quyết định./."
        )
    )
    short = group_name(group).replace(" thi đua số", "")
    return OfficialDocument(
        issuer=group_issuer(conference),
        number_line=number_rules.number_line(number_text),
        date=date or day,
        type_name="TỜ TRÌNH",
        summary=f"Về việc đề nghị tặng {', '.join(awards) or 'khen thưởng'} năm {year}",
        body=body,
        signers=[leader_signer(group, year, signed_by, signed_on or date or day)],
        recipients=[
            "Như trên",
            f"Ban Thi đua – Khen thưởng, {group.parent.current_short_name}",
            f"Lưu: VT, {short}",
        ],
    )


# --- Giao ước thi đua ---------------------------------------------------------------------------------


def _year_issuer(emulation_year: EmulationYear, day: datetime.date) -> Issuer:
    """The group as issuer outside a conference: the place is the head's province that year."""
    group = emulation_year.group
    head = _leader(group, emulation_year.year, LeadershipRole.HEAD)
    return Issuer(
        parent_name=group.parent.current_name.upper(),
        name=group_name(group).upper(),
        place=place_name(head, day, "Hà Nội") if head else "Hà Nội",
    )


def agreement_document(
    agreement: Agreement,
    *,
    number_text: str,
    date: datetime.date | None = None,
    signed_on: datetime.date | None = None,
) -> OfficialDocument:
    """Giao ước thi đua (DOMAIN.md: goals, work areas and criteria with points, commitments, the signature
    grid of all members). Names are those valid on the signing day: the agreement's entry into force
    (or today while it is being signed)."""
    emulation_year = agreement.emulation_year
    group = emulation_year.group
    year = emulation_year.year
    day = date or (
        vietnam_today(agreement.in_force_at) if agreement.in_force_at else vietnam_today(timezone.now())
    )
    frame = legal_frame(day)
    body: list[Block] = [
        Paragraph(f"Căn cứ {frame.law};", italic=True),
        Paragraph(f"Căn cứ {frame.decree};", italic=True),
        Paragraph(
            f"Các đơn vị thành viên {group_name(group)} thống nhất ký kết giao ước thi đua năm {year} "
            "với các nội dung sau:"
        ),
        Heading("I. MỤC TIÊU"),
        *(_lines(agreement.goals) or [Paragraph("(Chưa ghi mục tiêu.)")]),
        Heading("II. NỘI DUNG VÀ THANG ĐIỂM"),
    ]
    criteria = list(agreement.criteria.order_by("group__position", "position"))
    rows: list[list[str]] = []
    total = Decimal(0)
    for criterion_group in agreement.criterion_groups.order_by("position"):
        rows.append(
            [criterion_group.code, criterion_group.title.upper(), _points(criterion_group.max_points)]
        )
        own = [c for c in criteria if c.group_id == criterion_group.pk]
        if not any(c.kind in ("bonus", "penalty") for c in own):
            total += criterion_group.max_points
        rows += [[c.code, c.text, _points(c.max_points)] for c in own]
    rows.append(["", "Tổng điểm tối đa (không kể điểm thưởng, điểm trừ)", _points(total)])
    body.append(
        Table(
            header=["Mã", "Nội dung tiêu chí", "Điểm tối đa"],
            rows=rows,
            widths_cm=[1.5, 12.0, 3.0],
            bold_last_row=True,
        )
    )
    body.append(Heading("III. CAM KẾT"))
    body += _lines(agreement.commitments) or [
        Paragraph("Các đơn vị thành viên cam kết thực hiện đầy đủ giao ước.")
    ]
    # Each member's block carries who signed it in thidua (Signature), else its head in office on the
    # document's date (the chairman, or "Q. CHỦ TỊCH" for an acting one).
    signatures = {s.organization_id: s for s in agreement.signatures.all()}
    members = _members(group, year)
    heads = heads_on(organization_ids=[m.pk for m in members], day=signed_on or day)
    signers = []
    for member in members:
        signature = signatures.get(member.pk)
        head = heads.get(member.pk)
        if signature is not None:
            signers.append(Signer(authority="", title=member.name_on(day), name=signature.signer_name))
        elif head is not None:
            title = f"{member.name_on(day)}\nQ. Chủ tịch" if head[1] else member.name_on(day)
            signers.append(Signer(authority="", title=title, name=head[0].full_name))
        else:
            missing = missing_head(member, signed_on or day)
            signers.append(Signer(authority="", title=member.name_on(day), name="", missing=missing))
    # Signed where it was adopted (the conference's host) when a conference adopted it; else at the head's.
    adoption = Poll.objects.filter(agreement=agreement).select_related("conference__host").first()
    issuer = group_issuer(adoption.conference) if adoption else _year_issuer(emulation_year, day)
    return OfficialDocument(
        issuer=issuer,
        number_line=number_rules.number_line(number_text),
        date=day,
        type_name="GIAO ƯỚC THI ĐUA",
        summary=f"Năm {year}" + (f" (sửa đổi lần {agreement.version - 1})" if agreement.version > 1 else ""),
        body=body,
        signers=signers,
    )


# --- Bảng tổng hợp kết quả chấm điểm ------------------------------------------------------------------


def score_summary_document(
    emulation_year: EmulationYear,
    *,
    number_text: str,
    date: datetime.date | None = None,
    signed_by: str = LeadershipRole.HEAD,
    signed_on: datetime.date | None = None,
) -> OfficialDocument:
    """Bảng tổng hợp: the final points of each member per work area, total, rank and band (year_results).

    The table has the work areas as rows and the members as columns, ranked left to right: thirteen
    columns (members × eight areas, total, rank, band) do not fit A4 portrait at the 13 pt NĐ 30 asks for,
    seven member columns do."""
    group = emulation_year.group
    results = year_results(emulation_year)
    conference = Conference.objects.filter(emulation_year=emulation_year).order_by("starts_at").first()
    day = date or (
        conference_day(conference)
        if conference
        else emulation_year.conference_date or vietnam_today(timezone.now())
    )
    members = results.members
    names = [place_name(m.organization, day, m.name) for m in members]
    rows: list[list[str]] = []
    for area in results.work_areas:
        rows.append(
            [f"{area.code}. {area.title} ({_points(area.max_points)})"]
            + [_points(m.final_by_group.get(area.pk, Decimal(0))) if m.settled else "-" for m in members]
        )
    for label, attribute in (("Điểm thưởng", "bonus"), ("Điểm trừ", "penalty")):
        rows.append(
            [label] + [_points(getattr(m.final_total, attribute)) if m.final_total else "-" for m in members]
        )
    rows.append(["Tổng điểm"] + [_points(m.final_total.total) if m.final_total else "-" for m in members])
    rows.append(["Xếp hạng"] + [str(m.rank) if m.rank is not None else "-" for m in members])
    bands = [m.band or "" for m in members]
    abbreviations = {band: "".join(word[0].upper() for word in band.split()) for band in bands if band}
    rows.append(["Xếp loại"] + [abbreviations.get(b, "-") for b in bands])
    column = round(12.5 / max(len(members), 1), 2)
    body: list[Block] = [
        Paragraph(
            f"Kết quả chấm điểm thi đua năm {emulation_year.year} của các đơn vị thành viên "
            f"{group_name(group)} theo giao ước thi đua, sau chấm chéo và thẩm định (điểm chốt; "
            f"tối đa {_points(results.maximum)} điểm, chưa kể điểm thưởng):"
        ),
        Table(
            header=["Nội dung (điểm tối đa)", *names], rows=rows, widths_cm=[4.0] + [column] * len(members)
        ),
        Paragraph(
            "Xếp loại: " + "; ".join(f"{short} – {band}" for band, short in abbreviations.items()) + "."
            if abbreviations
            else "Chưa xếp loại.",
            italic=True,
        ),
    ]
    for member, name in zip(members, names, strict=True):
        body.append(Paragraph(f"{name}: {member.name}.", indent=False))
    short = group_name(group).replace(" thi đua số", "")
    return OfficialDocument(
        issuer=_year_issuer(emulation_year, day),
        number_line=number_rules.number_line(number_text),
        date=day,
        type_name="BẢNG TỔNG HỢP",
        summary=f"Kết quả chấm điểm thi đua năm {emulation_year.year}",
        body=body,
        signers=[leader_signer(group, emulation_year.year, signed_by, signed_on or day)],
        recipients=[
            f"Ban Thi đua – Khen thưởng, {group.parent.current_short_name}",
            f"Các đơn vị thành viên {group_name(group)}",
            f"Lưu: VT, {short}",
        ],
    )
