"""Vote documents: the counting board's minutes (biên bản kiểm phiếu), and the pieces the conference
minutes share with it (the group as issuer, a poll's choices, counts and result sentence).

Content of a biên bản kiểm phiếu (DOMAIN.md, "Documents the cluster issues" [H]): the counting board;
the ballot type; ballots issued, returned, valid, invalid; votes and percentage per choice **with the
base stated**; the result; the time; signed by all board members. Figures come from the poll's stored
tally (`Poll.result`, written by `conferences.services._result_json`), never recomputed here, so the
document says exactly what the result page said.
"""

from __future__ import annotations

import datetime
from typing import Any

from thidua.conferences.models import BallotMode, Conference, Delegate, Poll, PollKind
from thidua.documents import rules as number_rules
from thidua.documents.layout import Heading, Issuer, OfficialDocument, Paragraph, Signer, Table
from thidua.lib.citations import official_source
from thidua.lib.dates import VIETNAM_TZ, document_date, vietnam_today
from thidua.organizations.models import EmulationGroup, GroupKind, Organization

__all__ = [
    "choice_labels",
    "conference_day",
    "group_issuer",
    "group_name",
    "place_name",
    "poll_sentence",
    "vote_count_minutes",
]

# What a percentage is a percentage of (Poll.vote_base, copied from the Regulation when the poll opened;
# DOMAIN.md, Voting [L]: voters present by default). Said in every table, as DOMAIN.md requires.
BASE_WORDS = {
    "present": "đại biểu có mặt tham gia bỏ phiếu",
    "eligible": "đại biểu có quyền biểu quyết",
    "members": "đơn vị thành viên của Cụm",
}
PLACE_PREFIXES = ("tỉnh ", "thành phố ")


def group_name(group: EmulationGroup) -> str:
    """ "Cụm thi đua số 4" (a block: "Khối thi đua số 2"); the nickname is not part of the issuer's name."""
    word = "Cụm" if group.kind == GroupKind.CLUSTER else "Khối"
    return f"{word} thi đua số {group.number}"


def conference_day(conference: Conference) -> datetime.date:
    """The conference's calendar day in Vietnam (starts_at is stored in UTC)."""
    return vietnam_today(conference.starts_at)


def place_name(host: Organization, day: datetime.date, fallback: str) -> str:
    """The place of the date line (NĐ 30/2020, Phụ lục I, Mục II.4: the province where the issuer sits):
    "Ninh Bình" from "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình", the host's name on that
    day; the conference's place when the name holds no province."""
    name = host.name_on(day)
    for prefix in PLACE_PREFIXES:
        position = name.rfind(prefix)
        if position >= 0:
            return name[position + len(prefix) :].strip()
    return fallback


def group_issuer(conference: Conference) -> Issuer:
    """The group issues its documents under its parent body (cơ quan chủ quản, NĐ 30/2020 Phụ lục I,
    Mục II.2): the parent's current name in caps, "CỤM THI ĐUA SỐ 4", the host's province as place."""
    group = conference.emulation_year.group
    return Issuer(
        parent_name=group.parent.current_name.upper(),
        name=group_name(group).upper(),
        place=place_name(conference.host, conference_day(conference), conference.place),
    )


def choice_labels(poll: Poll) -> dict[str, str]:
    return dict(poll.choices.values_list("key", "label"))


def _result(poll: Poll) -> dict[str, Any]:
    if not poll.result or "choices" not in poll.result:
        raise ValueError(f"Cuộc bỏ phiếu «{poll}» chưa có kết quả kiểm phiếu")
    return poll.result


def _base_sentence(result: dict[str, Any]) -> str:
    words = BASE_WORDS.get(result.get("base_kind") or "present", BASE_WORDS["present"])
    return f"Tỷ lệ tính trên {result['base']} {words}."


def votes_text(choice: dict[str, Any], base: int) -> str:
    """ "6/7 (85,71%)": the votes over the base, and the percentage the tally computed exactly."""
    return f"{choice['votes']}/{base} ({choice['percent']})"


def poll_sentence(poll: Poll, labels: dict[str, str] | None = None) -> str:
    """One sentence for the conference minutes: what was voted, who or what passed, with the figures."""
    result = _result(poll)
    labels = labels if labels is not None else choice_labels(poll)
    base = result["base"]
    head = (
        f"{poll.title}: {result['participants']} đại biểu tham gia bỏ phiếu, "
        f"{result['valid']} phiếu hợp lệ, ngưỡng {result['threshold']}"
    )
    if not result.get("quorum_met", True):
        return f"{head}. {result['outcome']}"
    elected = [c for c in result["choices"] if c["elected"]]
    if poll.kind == PollKind.MOTION:
        yes = next((c for c in result["choices"] if c["key"] == "yes"), None)
        verdict = "thông qua" if elected else "không thông qua"
        votes = f" với {votes_text(yes, base)} phiếu đồng ý" if yes else ""
        return f"{head}. Hội nghị {verdict}{votes}."
    if not elected:
        return f"{head}. Không có phương án nào trúng. {result['outcome']}"
    names = "; ".join(f"{labels.get(c['key'], c['key'])} đạt {votes_text(c, base)} phiếu" for c in elected)
    return f"{head}. Trúng: {names}."


def _read_out(poll: Poll, day: datetime.date) -> str:
    """The time the result was read out: the poll's closing, in Vietnam time ("09 giờ 30 phút")."""
    if poll.closed_at is None:
        return "Kết quả kiểm phiếu được công bố tại hội nghị."
    local = poll.closed_at.astimezone(VIETNAM_TZ)
    when = f"{local.hour:02d} giờ {local.minute:02d} phút"
    on = "cùng ngày" if local.date() == day else document_date(local.date())
    return f"Kết quả kiểm phiếu được công bố tại hội nghị vào hồi {when} {on}."


def _board(conference: Conference) -> list[Delegate]:
    return list(
        conference.delegates.filter(counting_board=True)
        .select_related("organization")
        .prefetch_related("organization__names")
        .order_by("pk")
    )


def _counts(poll: Poll, result: dict[str, Any]) -> list[Paragraph]:
    totals = Paragraph(
        f"Số phiếu hợp lệ: {result['valid']}; số phiếu trắng: {result['blank']}; "
        f"số phiếu không hợp lệ: {result['invalid']}."
    )
    if poll.mode == BallotMode.PAPER:
        return [
            Paragraph("Hình thức bỏ phiếu: bỏ phiếu kín bằng phiếu giấy."),
            Paragraph(
                f"Số phiếu phát ra: {result.get('issued', result['participants'])}; "
                f"số phiếu thu về: {result.get('returned', result['participants'])}."
            ),
            totals,
        ]
    if poll.mode == BallotMode.MIXED and "electronic" in result and "paper" in result:
        # Both ways of voting, each with its own figures, then their sum (issue 14, part 9).
        electronic, paper = result["electronic"], result["paper"]
        return [
            Paragraph("Hình thức bỏ phiếu: bỏ phiếu kín bằng hình thức điện tử và bằng phiếu giấy."),
            Paragraph(
                f"Số người có quyền biểu quyết: {poll.eligible}; số phiếu điện tử: {electronic['ballots']} "
                f"(phiếu trắng: {electronic['blank']}); số phiếu giấy phát ra: {result['issued']}, "
                f"thu về: {result['returned']} (hợp lệ: {paper['valid']}; phiếu trắng: {paper['blank']}; "
                f"không hợp lệ: {paper['invalid']})."
            ),
            Paragraph(f"Tổng số phiếu thu về: {result['participants']}. {totals.text}"),
        ]
    return [
        Paragraph(
            "Hình thức bỏ phiếu: bỏ phiếu kín bằng hình thức điện tử (mỗi đại biểu một mã truy cập dùng một lần)."
        ),
        Paragraph(
            f"Số người có quyền biểu quyết: {poll.eligible}; số người tham gia bỏ phiếu (số phiếu thu về): "
            f"{result['participants']}."
        ),
        totals,
    ]


def _verdict(choice: dict[str, Any], verdicts: dict[bool, str]) -> str:
    """The minutes' word for one choice: a tie on the last seat goes to a runoff, and a choice the
    regulation sends to a second round (when too few passed) is named as such; the sentence naming the
    round is the result's own."""
    if choice["tied"]:
        return "Bằng phiếu"
    if choice.get("second_round"):  # results counted before second rounds existed have no such key
        return "Vào vòng 2"
    return verdicts[bool(choice["elected"])]


def choice_verdict(choice: dict[str, Any], *, motion: bool) -> str:
    """A few words on one choice for the vote-count minutes, the threshold being stated once above."""
    if motion:
        return "thông qua" if choice["elected"] else ""
    if choice["elected"]:
        return "bằng phiếu, trúng theo thứ tự xử lý khi bằng nhau" if choice.get("in_tie") else "trúng"
    if choice.get("referred"):
        return "bằng phiếu, đề nghị cấp trên xem xét"
    if choice["tied"]:
        return "bằng phiếu"
    if choice.get("in_tie"):
        return "bằng phiếu, không trúng theo thứ tự xử lý khi bằng nhau"
    if choice.get("second_round"):
        return "vào vòng 2"
    if choice.get("passes"):
        return "không trúng, hết suất"
    return "không trúng"


def result_summary(poll: Poll, result: dict[str, Any], labels: dict[str, str]) -> str:
    """ "Trúng: A." or "Không có phương án nào trúng.", then the ties, the runoff or the second round.
    A result counted before `notes` existed gives its whole outcome instead."""
    if "notes" not in result:
        return str(result["outcome"])
    elected = [labels.get(key, key) for key in result["elected"]]
    if poll.kind == PollKind.MOTION:
        head = "Hội nghị thông qua." if elected else "Hội nghị không thông qua."
    else:
        head = f"Trúng: {'; '.join(elected)}." if elected else "Không có phương án nào trúng."
    return f"{head} {result['notes']}".strip()


def vote_count_minutes(
    poll: Poll, *, number_text: str, date: datetime.date | None = None
) -> OfficialDocument:
    """Biên bản kiểm phiếu of one poll. ``date`` defaults to the conference's day."""
    result = _result(poll)
    conference = poll.conference
    day = date or conference_day(conference)
    labels = choice_labels(poll)
    base = result["base"]
    board = _board(conference)
    if not board:
        raise ValueError("Hội nghị chưa có ban kiểm phiếu")
    body: list[Paragraph | Heading | Table] = [
        Paragraph(
            f"Tại {conference.title}, tổ chức ngày {document_date(day).removeprefix('ngày ')} "
            f"tại {conference.place}, Ban kiểm phiếu đã kiểm phiếu nội dung: {poll.title}."
        ),
        Heading("I. BAN KIỂM PHIẾU"),
    ]
    for index, member in enumerate(board, start=1):
        where = f", {member.organization.name_on(day)}" if member.organization else ""
        role = "Trưởng ban" if index == 1 else "Thành viên"
        title = f", {member.job_title}" if member.job_title else ""
        body.append(Paragraph(f"{index}. {member.full_name}{title}{where} — {role}.", indent=False))
    body += [Heading("II. SỐ PHIẾU"), *_counts(poll, result), Heading("III. KẾT QUẢ KIỂM PHIẾU")]
    verdicts = {True: "Trúng", False: "Không trúng"}
    if poll.kind == PollKind.MOTION:
        verdicts = {True: "Thông qua", False: ""}
    body.append(
        Table(
            header=["TT", "Phương án", "Số phiếu", f"Tỷ lệ (trên {base})", "Kết quả"],
            rows=[
                [
                    str(index),
                    labels.get(choice["key"], choice["key"]),
                    f"{choice['votes']}/{base}",
                    choice["percent"],
                    _verdict(choice, verdicts),
                ]
                for index, choice in enumerate(result["choices"], start=1)
            ],
            widths_cm=[1.0, 7.5, 2.5, 2.5, 3.0],
        )
    )
    # The base and the threshold once, then one short sentence per choice, then what follows from them
    # (issue 15, part 4: the result was one bold paragraph repeating the threshold for every choice).
    sources = poll.rule_sources or {}
    regulation = " ".join(
        filter(
            None, [sources.get("regulation"), f"({sources['citation']})" if sources.get("citation") else ""]
        )
    )
    threshold_source = official_source(sources.get("threshold", ""), regulation)
    body.append(
        Paragraph(
            f"{_base_sentence(result).removesuffix('.')}; ngưỡng trúng: {result['threshold']}, tức ít nhất "
            f"{result['votes_needed']} phiếu"
            + (f" (căn cứ: {threshold_source})." if threshold_source else ".")
        )
    )
    if not result.get("quorum_met", True):
        body.append(Paragraph(f"Kết quả: {result['outcome']}", bold=True))
    else:
        both = "electronic" in result and "paper" in result
        # A choice nobody voted for gets no sentence of its own: the table lists it, one line names them.
        silent = [c for c in result["choices"] if not c["votes"] and not c["elected"] and not c["tied"]]
        for choice in result["choices"]:
            if choice in silent:
                continue
            label = labels.get(choice["key"], choice["key"])
            parts = (
                f" (điện tử: {result['electronic']['counts'].get(choice['key'], 0)}; "
                f"phiếu giấy: {result['paper']['counts'].get(choice['key'], 0)})"
                if both
                else ""
            )
            verdict = choice_verdict(choice, motion=poll.kind == PollKind.MOTION)
            body.append(
                Paragraph(
                    f"{label}: {votes_text(choice, base)} phiếu{parts}"
                    + (f" — {verdict}." if verdict else ".")
                )
            )
        if silent:
            names = "; ".join(labels.get(c["key"], c["key"]) for c in silent)
            body.append(Paragraph(f"Không có phiếu nào: {names}."))
        body.append(Paragraph(f"Kết quả: {result_summary(poll, result, labels)}", bold=True))
    body.append(Paragraph(_read_out(poll, day)))
    body.append(
        Paragraph(
            "Biên bản được lập thành 02 bản, các thành viên Ban kiểm phiếu đã thống nhất ký tên./.",
            italic=True,
        )
    )
    signers = [
        Signer(
            authority="",
            title="Trưởng ban kiểm phiếu" if i == 0 else "Thành viên Ban kiểm phiếu",
            name=m.full_name,
        )
        for i, m in enumerate(board)
    ]
    return OfficialDocument(
        issuer=group_issuer(conference),
        number_line=number_rules.number_line(number_text),
        date=day,
        type_name="BIÊN BẢN",
        summary=f"Kiểm phiếu: {poll.title}",
        body=body,
        signers=signers,
    )
