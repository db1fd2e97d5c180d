"""Ending a conference, checking delegates in at the door (many at once, or by scanning their card), the
flag nomination's eligible members, the confirmation before publishing, and the projector's results."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from docx import Document as Docx

from thidua.accounts.models import User
from thidua.assessments.ranking import year_results
from thidua.audit.models import AuditEvent
from thidua.conferences import attendance, codes, services
from thidua.conferences.models import Conference, Poll, PollStatus
from thidua.conferences.tests import helpers
from thidua.documents import issuing
from thidua.documents.tests.test_layout import blocks
from thidua.organizations.models import Regulation

pytestmark = pytest.mark.django_db
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def conference(conference_2026: Conference) -> Conference:
    return conference_2026


def _url(conference: Conference, suffix: str = "") -> str:
    return f"/nam-thi-dua/vusta-cum-4/{conference.emulation_year.year}/hoi-nghi/{conference.pk}/{suffix}"


def _published_election(secretariat: User, conference: Conference) -> Poll:
    poll = services.open_poll(
        actor=secretariat,
        poll=services.create_election_poll(actor=secretariat, conference=conference, role="head"),
    )
    for delegate in conference.delegates.all():
        services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    poll = helpers.close_and_count(secretariat, poll)
    services.confirm_results(actor=secretariat, poll=poll)
    return services.publish(actor=secretariat, poll=poll)


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- Closing the conference ------------------------------------------------------------------------


def test_closing_is_refused_while_a_poll_is_unpublished_and_the_refusal_names_it(
    quangtri: User, conference: Conference
) -> None:
    poll = services.create_election_poll(actor=quangtri, conference=conference, role="head")
    with pytest.raises(ValidationError, match=re.escape(f"«{poll}» (chuẩn bị)")):
        services.close_conference(actor=quangtri, conference=conference)
    conference.refresh_from_db()
    assert conference.closed_at is None
    assert not AuditEvent.objects.filter(verb="conference.close").exists()


def test_the_secretariat_closes_the_conference_once_every_poll_is_published(
    quangtri: User, conference: Conference
) -> None:
    _published_election(quangtri, conference)
    services.close_conference(actor=quangtri, conference=conference)
    conference.refresh_from_db()
    assert conference.closed_at is not None
    event = AuditEvent.objects.get(verb="conference.close")
    assert event.actor == quangtri and event.target_id == str(conference.pk)


def test_closing_twice_says_when_it_ended_and_writes_nothing_more(
    quangtri: User, conference: Conference
) -> None:
    services.close_conference(actor=quangtri, conference=conference)
    conference.refresh_from_db()
    ended = conference.closed_at
    assert ended is not None
    words = f"Hội nghị đã kết thúc lúc {ended.astimezone(VIETNAM):%H:%M ngày %d/%m/%Y} bởi {quangtri.display_name}."
    with pytest.raises(ValidationError, match=re.escape(words)):
        services.close_conference(actor=quangtri, conference=conference)
    conference.refresh_from_db()
    assert conference.closed_at == ended
    assert AuditEvent.objects.filter(verb="conference.close").count() == 1


def test_an_ended_conference_takes_no_new_poll(quangtri: User, conference: Conference) -> None:
    services.close_conference(actor=quangtri, conference=conference)
    with pytest.raises(ValidationError, match="Hội nghị đã kết thúc lúc"):
        services.create_motion_poll(actor=quangtri, conference=conference, title="Biểu quyết thêm")
    assert not conference.polls.exists()


@pytest.mark.parametrize(
    ("username", "allowed"), [("quangtri", True), ("vusta", True), ("nghean", False), ("bientap", False)]
)
def test_only_the_secretariat_and_the_parent_body_close_a_conference(
    conference: Conference, username: str, allowed: bool
) -> None:
    actor = _user(username)
    if allowed:
        services.close_conference(actor=actor, conference=conference)
        conference.refresh_from_db()
        assert conference.closed_at is not None
    else:
        with pytest.raises(PermissionDenied):
            services.close_conference(actor=actor, conference=conference)
        conference.refresh_from_db()
        assert conference.closed_at is None


def test_the_close_button_asks_for_confirmation_before_it_ends_the_conference(
    quangtri: User, conference: Conference, client_for: Any
) -> None:
    client: Client = client_for(quangtri)
    page = client.get(_url(conference)).content.decode()
    assert "Kết thúc hội nghị" in page and 'name="xac_nhan"' in page
    refused = client.post(_url(conference, "ket-thuc/"), follow=True)
    assert "Hãy đánh dấu ô xác nhận để kết thúc hội nghị." in _messages(refused)
    conference.refresh_from_db()
    assert conference.closed_at is None
    done = client.post(_url(conference, "ket-thuc/"), {"xac_nhan": "on"}, follow=True)
    assert "Đã kết thúc hội nghị lúc" in _messages(done)
    conference.refresh_from_db()
    assert conference.closed_at is not None
    page = client.get(_url(conference)).content.decode()
    assert 'action="' + _url(conference, "ket-thuc/") not in page
    assert "Hội nghị đã kết thúc lúc" in page
    # What an ended conference refuses is no longer offered: new polls, delegates, cards.
    assert "Tạo cuộc bỏ phiếu" not in page and "Thêm đại biểu" not in page
    assert "In thẻ biểu quyết (cấp mã mới)" not in page


def test_the_close_page_refuses_other_members_and_sends_anonymous_to_log_in(
    conference: Conference, client_for: Any
) -> None:
    assert (
        client_for(_user("nghean")).post(_url(conference, "ket-thuc/"), {"xac_nhan": "on"}).status_code == 403
    )
    anonymous = client_for(None).post(_url(conference, "ket-thuc/"), {"xac_nhan": "on"})
    assert anonymous.status_code == 302 and "/tai-khoan/dang-nhap/" in anonymous["Location"]
    conference.refresh_from_db()
    assert conference.closed_at is None


def test_minutes_issued_after_closing_give_the_closing_time(quangtri: User, conference: Conference) -> None:
    services.close_conference(actor=quangtri, conference=conference)
    conference.refresh_from_db()
    document = issuing.issue(actor=quangtri, kind="minutes", conference=conference, with_pdf=False)
    text = "\n".join(p.text for p in blocks(Docx(io.BytesIO(document.docx.read()))))
    ended = conference.closed_at.astimezone(VIETNAM)  # type: ignore[union-attr]
    # Ended on another day than the conference's 22/12/2026 (the test runs today): the date is given.
    month = f"{ended.month:02d}" if ended.month < 3 else str(ended.month)
    day = f"ngày {ended.day:02d} tháng {month} năm {ended.year}"
    assert f"Hội nghị kết thúc vào hồi {ended:%H} giờ {ended:%M} phút, {day}." in text


# --- Check-in -----------------------------------------------------------------------------------------


def test_many_delegates_are_checked_in_at_once_and_asking_again_does_nothing(
    quangtri: User, conference: Conference
) -> None:
    ids = list(conference.delegates.values_list("pk", flat=True))
    arrived = attendance.check_in_many(actor=quangtri, conference=conference, delegate_ids=ids[:4])
    assert len(arrived) == 4
    assert conference.delegates.filter(checked_in_at__isnull=False).count() == 4
    again = attendance.check_in_many(actor=quangtri, conference=conference, delegate_ids=ids)
    assert len(again) == len(ids) - 4
    assert attendance.check_in_many(actor=quangtri, conference=conference, delegate_ids=ids) == []
    assert AuditEvent.objects.filter(verb="delegate.check_in", target_label=conference.title).count() == 2
    assert services.quorum(conference).present == len(ids)


def test_a_delegate_of_another_conference_is_refused_and_nobody_is_checked_in(
    quangtri: User, conference: Conference
) -> None:
    other = Conference.objects.get(emulation_year__year=2023).delegates.first()
    assert other is not None
    mine = conference.delegates.first()
    assert mine is not None
    with pytest.raises(ValidationError, match="không thuộc hội nghị này"):
        attendance.check_in_many(actor=quangtri, conference=conference, delegate_ids=[mine.pk, other.pk])
    assert not conference.delegates.filter(checked_in_at__isnull=False).exists()


@pytest.mark.parametrize("username", ["nghean", "bientap"])
def test_only_those_who_run_the_year_check_delegates_in(conference: Conference, username: str) -> None:
    with pytest.raises(PermissionDenied):
        attendance.check_in_many(
            actor=_user(username),
            conference=conference,
            delegate_ids=[conference.delegates.first().pk],  # type: ignore[union-attr]
        )
    with pytest.raises(PermissionDenied):
        attendance.check_in_by_card(
            actor=_user(username), conference=conference, scanned="0000-0000-0000-0000"
        )


def test_scanning_a_cards_qr_code_checks_its_delegate_in_and_a_second_scan_says_when(
    quangtri: User, conference: Conference
) -> None:
    issued = services.issue_codes(actor=quangtri, conference=conference)[0]
    scanned = f"http://192.168.1.5:8000/bo-phieu/{conference.pk}/#{issued.code}"
    first = attendance.check_in_by_card(actor=quangtri, conference=conference, scanned=scanned)
    card = issued.delegate.card
    assert not first.already
    assert (
        first.message
        == f"Đã điểm danh Thẻ số {card} — {issued.delegate.full_name} ({issued.delegate.organization.current_short_name})."
    )  # type: ignore[union-attr]
    second = attendance.check_in_by_card(actor=quangtri, conference=conference, scanned=issued.code.lower())
    assert second.already and "đã điểm danh trước đó, lúc" in second.message
    assert AuditEvent.objects.filter(verb="delegate.check_in", target_label=conference.title).count() == 1


def test_a_card_issued_anew_another_conferences_card_and_noise_are_refused_without_repeating_the_code(
    quangtri: User, conference: Conference
) -> None:
    old = services.issue_codes(actor=quangtri, conference=conference)[0]
    services.issue_codes(actor=quangtri, conference=conference)  # new codes: the printed card is void
    cases = [
        (old.code, "Mã trên thẻ không đúng với hội nghị này"),
        ("ABCD-EFGH-JKMN-PQRS", "Mã trên thẻ không đúng với hội nghị này"),
        (f"http://x/bo-phieu/{conference.pk + 1}/#{old.code}", "Thẻ này là thẻ của một hội nghị khác."),
        ("xin chào", "Không đọc được thẻ"),
    ]
    for scanned, words in cases:
        with pytest.raises(ValidationError, match=re.escape(words)) as refused:
            attendance.check_in_by_card(actor=quangtri, conference=conference, scanned=scanned)
        assert old.code not in str(refused.value)  # the code is never repeated back
    assert not conference.delegates.filter(checked_in_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://10.0.0.2:8000/bo-phieu/12/#ABCD-EFGH-JKMN-PQRS", codes.ScannedCard(12, "ABCDEFGHJKMNPQRS")),
        ("https://thidua.vn/bo-phieu/3#abcd-efgh-jkmn-pqrs", codes.ScannedCard(3, "ABCDEFGHJKMNPQRS")),
        ("  ABCD EFGH JKMN PQRS\n", codes.ScannedCard(None, "ABCDEFGHJKMNPQRS")),
        ("abcdefghjkmnpqrs", codes.ScannedCard(None, "ABCDEFGHJKMNPQRS")),
        ("oIlA-EFGH-JKMN-PQRS", codes.ScannedCard(None, "011AEFGHJKMNPQRS")),
        ("http://x/khac/12/#ABCD-EFGH-JKMN-PQRS", None),
        ("http://x/bo-phieu/12/#", None),
        ("ABCD-EFGH", None),
        ("ABCD-EFGH-JKMN-PQRSU", None),
        ("", None),
    ],
)
def test_a_scanned_card_is_read_from_its_url_or_its_printed_code(
    text: str, expected: codes.ScannedCard | None
) -> None:
    assert codes.read_scanned_card(text) == expected


def test_the_check_in_page_scans_ticks_and_checks_in_everyone_with_one_button(
    quangtri: User, conference: Conference, client_for: Any
) -> None:
    client: Client = client_for(quangtri)
    page = client.get(_url(conference, "diem-danh/")).content.decode()
    assert 'name="the"' in page and "autofocus" in page and "checkin.js" in page
    assert "Điểm danh tất cả đại biểu có tên (6)" in page
    issued = services.issue_codes(actor=quangtri, conference=conference)[0]
    scanned = client.post(
        _url(conference, "diem-danh/quet-the/"),
        {"the": f"http://h/bo-phieu/{conference.pk}/#{issued.code}"},
        follow=True,
    )
    assert f"Đã điểm danh Thẻ số {issued.delegate.card}" in _messages(scanned)
    ids = list(conference.delegates.filter(checked_in_at__isnull=True).values_list("pk", flat=True))
    ticked = client.post(
        _url(conference, "diem-danh/danh-sach/"), {"action": "chon", "dai_bieu": ids[:2]}, follow=True
    )
    assert "Đã điểm danh 2 đại biểu" in _messages(ticked)
    everyone = client.post(_url(conference, "diem-danh/danh-sach/"), {"action": "tat-ca"}, follow=True)
    assert "Đã điểm danh 3 đại biểu" in _messages(everyone)
    assert not conference.delegates.filter(checked_in_at__isnull=True).exists()
    nonsense = client.post(
        _url(conference, "diem-danh/danh-sach/"), {"action": "chon", "dai_bieu": ["1; DROP"]}, follow=True
    )
    assert "không đọc được" in _messages(nonsense)


def test_the_check_in_pages_are_closed_to_other_members_editors_and_anonymous(
    conference: Conference, client_for: Any
) -> None:
    for username in ("nghean", "bientap"):
        client = client_for(_user(username))
        assert client.get(_url(conference, "diem-danh/")).status_code == 403
        assert client.post(_url(conference, "diem-danh/danh-sach/"), {"action": "tat-ca"}).status_code == 403
    assert client_for(None).get(_url(conference, "diem-danh/")).status_code == 302
    assert not conference.delegates.filter(checked_in_at__isnull=False).exists()


# --- The flag nomination -------------------------------------------------------------------------------


@pytest.fixture
def conference_2023() -> Conference:
    """The demo's 2023 conference (settled scores), not yet ended, so that a nomination can be made."""
    conference = Conference.objects.get(emulation_year__group__slug="vusta-cum-4", emulation_year__year=2023)
    Conference.objects.filter(pk=conference.pk).update(closed_at=None)
    conference.refresh_from_db()
    return conference


def _bands_leaving_out_the_last(conference: Conference) -> None:
    """The regulation's bands set so that the last of the 2023 ranking is rated "Không hoàn thành nhiệm vụ"."""
    results = year_results(conference.emulation_year)
    percents = [m.final_total.total * 100 / results.maximum for m in results.members]  # type: ignore[union-attr]
    cut = (percents[-1] + percents[-2]) / 2
    regulation = Regulation.objects.in_force(conference.emulation_year.group.parent, 2023)
    assert regulation is not None
    regulation.scoring_bands = [
        {"min": str(cut.quantize(Decimal("0.01"))), "label": "Hoàn thành nhiệm vụ"},
        {"min": "0", "label": "Không hoàn thành nhiệm vụ"},
    ]
    regulation.save(update_fields=["scoring_bands"])


def test_the_flag_nomination_leaves_out_a_member_that_did_not_complete_its_tasks_and_says_why(
    conference_2023: Conference, client_for: Any
) -> None:
    _bands_leaving_out_the_last(conference_2023)
    ninhbinh = _user("ninhbinh")
    response = client_for(ninhbinh).post(
        _url(conference_2023, "bo-phieu/them/"), {"kind": "nomination"}, follow=True
    )
    poll = conference_2023.polls.order_by("-pk").first()
    assert poll is not None and poll.kind == "nomination"
    assert "lhh-quang-binh" not in set(poll.choices.values_list("key", flat=True))
    assert poll.choices.count() == 6
    assert poll.left_out == [
        {
            "key": "lhh-quang-binh",
            "name": "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Quảng Bình",
            "reason": "xếp loại «Không hoàn thành nhiệm vụ», mức thấp nhất của quy chế",
        }
    ]
    said = "Không đưa vào danh sách suy tôn: Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Quảng Bình (xếp loại «Không hoàn thành nhiệm vụ»"
    assert said in _messages(response)
    page = response.content.decode()
    assert "Không đưa vào danh sách suy tôn" in page and "mức thấp nhất của quy chế" in page


def test_a_nomination_with_no_member_eligible_is_refused_and_no_poll_is_made(
    quangtri: User, conference: Conference
) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(
        ValidationError,
        match=r"Chưa có đơn vị nào đủ điều kiện đưa vào danh sách suy tôn: .*chưa chốt điểm cuối cùng",
    ):
        services.create_nomination_poll(actor=quangtri, conference=conference)
    assert not conference.polls.exists()
    assert AuditEvent.objects.count() == events


# --- Publishing asks for confirmation -----------------------------------------------------------------------


def test_publishing_needs_the_confirmation_box_ticked(
    quangtri: User, conference: Conference, client_for: Any
) -> None:
    poll = services.open_poll(
        actor=quangtri, poll=services.create_election_poll(actor=quangtri, conference=conference, role="head")
    )
    poll = helpers.close_and_count(quangtri, poll)
    services.confirm_results(actor=quangtri, poll=poll)
    client: Client = client_for(quangtri)
    page = client.get(_url(conference, f"bo-phieu/{poll.pk}/")).content.decode()
    assert "Tôi xác nhận công bố kết quả" in page and 'name="xac_nhan"' in page and "required" in page
    refused = client.post(_url(conference, f"bo-phieu/{poll.pk}/cong-bo/"), follow=True)
    assert "Hãy đánh dấu ô xác nhận trước khi công bố kết quả; chưa công bố." in _messages(refused)
    poll.refresh_from_db()
    assert poll.status == PollStatus.CLOSED
    client.post(_url(conference, f"bo-phieu/{poll.pk}/cong-bo/"), {"xac_nhan": "on"})
    poll.refresh_from_db()
    assert poll.status == PollStatus.PUBLISHED and poll.published_at is not None


# --- The projector -------------------------------------------------------------------------------------------


def test_the_projector_gets_the_result_of_the_poll_published_last_and_nothing_of_an_open_poll(
    quangtri: User, conference: Conference, client_for: Any
) -> None:
    client: Client = client_for(quangtri)
    published = _published_election(quangtri, conference)
    open_poll = services.open_poll(
        actor=quangtri,
        poll=services.create_election_poll(actor=quangtri, conference=conference, role="deputy"),
    )
    services.cast_vote(poll=open_poll, delegate=conference.delegates.first(), selections=["lhh-ha-tinh"])  # type: ignore[arg-type]
    data = client.get(_url(conference, "tien-do.json")).json()
    assert data["polls"] == [
        {"title": str(open_poll), "status": "open", "voted": 1, "eligible": 6, "text": "1 / 6 đã bỏ phiếu"}
    ]
    result = data["result"]
    assert result["title"] == str(published)
    assert (result["base"], result["votes_needed"], result["threshold"]) == (6, 4, "quá 1/2 (50%)")
    assert result["base_words"] == "số người bỏ phiếu có mặt"
    hue = next(c for c in result["choices"] if c["elected"])
    assert hue == {
        "label": "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Huế",
        "votes": 6,
        "share": "1/1",
        "percent": "100%",
        "elected": True,
        "verdict": "Trúng",
    }
    assert "lhh-ha-tinh" not in str(data) and "Hà Tĩnh" not in str(data["polls"])
    assert client_for(_user("nghean")).get(_url(conference, "tien-do.json")).status_code == 403


def test_a_second_year_end_conference_for_the_same_year_is_refused_and_nothing_is_written(
    quangtri: User, conference: Conference
) -> None:
    before = AuditEvent.objects.count()
    values = {"title": conference.title, "starts_at": conference.starts_at, "place": conference.place}
    with pytest.raises(ValidationError, match="đã có hội nghị tổng kết"):
        services.create_conference(actor=quangtri, emulation_year=conference.emulation_year, values=values)
    assert Conference.objects.filter(emulation_year=conference.emulation_year).count() == 1
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_conference_without_voting_delegates_says_so_instead_of_needing_at_least_0_of_0(
    quangtri: User,
) -> None:
    from thidua.conferences.tests import helpers

    conference = helpers.conference_2026(quangtri, title="Hội nghị chưa có đại biểu")
    client = Client()
    client.force_login(quangtri)
    base = f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference.pk}/"
    page = client.get(base).content.decode()
    assert "Chưa có đại biểu biểu quyết" in page and "cần ít nhất 0" not in page


@pytest.mark.django_db
def test_the_closing_todo_does_not_repeat_a_group_and_year_the_title_already_names(
    quangtri: User, conference_2026: Conference
) -> None:
    from thidua.conferences.todo import closing_todos
    from thidua.years.models import YearStage

    year = conference_2026.emulation_year
    type(year).objects.filter(pk=year.pk).update(stage=YearStage.CONFERENCE)
    today = datetime.date(2026, 12, 1)
    Conference.objects.filter(pk=conference_2026.pk).update(title="Hội nghị tổng kết năm 2026")
    (plain,) = closing_todos(quangtri, today)
    assert plain.text == "Công bố kết quả và kết thúc Hội nghị tổng kết năm 2026 — Cụm thi đua số 4 năm 2026"
    named = "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2026 — Cụm thi đua số 4"
    Conference.objects.filter(pk=conference_2026.pk).update(title=named)
    (item,) = closing_todos(quangtri, today)
    assert item.text == f"Công bố kết quả và kết thúc {named}"
