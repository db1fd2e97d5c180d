"""Every submit happens once, saves that know what they changed, and refusals that tell the truth: a
form sent twice (double click, retry, second tab) is answered with the first's result, a stale edit of
the conference is refused with who saved and when, and a step someone already took says so."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent, SubmitKey
from thidua.conferences import services
from thidua.conferences.models import Conference, Delegate, Poll
from thidua.conferences.tests import helpers
from thidua.organizations.models import Organization
from thidua.web.versioning import StaleEdit

pytestmark = pytest.mark.django_db
Y = "/nam-thi-dua/vusta-cum-4/2026"


def _url(conference: Conference, suffix: str = "") -> str:
    return f"{Y}/hoi-nghi/{conference.pk}/{suffix}"


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _events(verb: str) -> int:
    return AuditEvent.objects.filter(verb=verb).count()


# --- One-time keys ------------------------------------------------------------------------------------


def test_the_conference_form_carries_a_fresh_key_each_time_it_is_drawn(
    client_for: Any, quangtri: User
) -> None:
    client = client_for(quangtri)
    first = client.get(f"{Y}/hoi-nghi/").context["form"]["submit_key"].value()
    second = client.get(f"{Y}/hoi-nghi/").context["form"]["submit_key"].value()
    assert first and second and first != second


def test_a_conference_form_sent_twice_makes_one_conference_and_answers_with_it(
    client_for: Any, quangtri: User
) -> None:
    client = client_for(quangtri)
    data = {
        "title": "Hội nghị tổng kết năm 2026",
        "starts_at": "2026-12-22T08:00",
        "place": "Đông Hà",
        "host": Organization.objects.get(code="lhh-quang-tri").pk,
        "submit_key": "khoa-mot-lan-1",
    }
    before = _events("conference.create")
    first = client.post(f"{Y}/hoi-nghi/", data)
    conference = Conference.objects.get(emulation_year__year=2026)
    assert first.status_code == 302 and first.url == _url(conference)
    second = client.post(f"{Y}/hoi-nghi/", data, follow=True)
    assert second.redirect_chain[-1][0] == _url(conference)
    assert "Yêu cầu này đã được thực hiện lúc" in _messages(second) and "đây là kết quả" in _messages(second)
    assert Conference.objects.filter(emulation_year__year=2026).count() == 1
    assert _events("conference.create") == before + 1
    assert SubmitKey.objects.get(key="khoa-mot-lan-1").result_url == _url(conference)


def test_a_delegate_form_sent_twice_adds_one_guest(
    client_for: Any, quangtri: User, conference_2026: Conference
) -> None:
    client = client_for(quangtri)
    data = {"full_name": "Khách mời Nguyễn Văn A", "submit_key": "khoa-dai-bieu"}
    before = _events("delegate.add")
    client.post(_url(conference_2026, "dai-bieu/them/"), data)
    second = client.post(_url(conference_2026, "dai-bieu/them/"), data, follow=True)
    assert "Yêu cầu này đã được thực hiện lúc" in _messages(second)
    assert conference_2026.delegates.filter(full_name="Khách mời Nguyễn Văn A").count() == 1
    assert _events("delegate.add") == before + 1


def test_a_poll_form_sent_twice_makes_one_poll_and_shows_it(
    client_for: Any, quangtri: User, conference_2026: Conference
) -> None:
    client = client_for(quangtri)
    data = {"kind": "head", "mode": "electronic", "submit_key": "khoa-bau"}
    before = _events("poll.create")
    first = client.post(_url(conference_2026, "bo-phieu/them/"), data)
    poll = Poll.objects.get(conference=conference_2026)
    second = client.post(_url(conference_2026, "bo-phieu/them/"), data)
    assert first.url == second.url == _url(conference_2026, f"bo-phieu/{poll.pk}/")
    assert Poll.objects.filter(conference=conference_2026).count() == 1
    assert _events("poll.create") == before + 1


def test_a_refused_submit_leaves_its_key_unspent_so_the_corrected_form_goes_through(
    client_for: Any, quangtri: User, conference_2026: Conference
) -> None:
    client = client_for(quangtri)
    services.close_conference(actor=quangtri, conference=conference_2026)
    data = {"kind": "head", "submit_key": "khoa-bi-tu-choi"}
    refused = client.post(_url(conference_2026, "bo-phieu/them/"), data, follow=True)
    assert "Hội nghị đã kết thúc lúc" in _messages(refused)
    assert not SubmitKey.objects.filter(key="khoa-bi-tu-choi").exists()


def test_the_database_holds_one_voting_delegate_per_member_whatever_skips_the_check(
    quangtri: User, conference_2026: Conference
) -> None:
    delegate = conference_2026.delegates.filter(votes=True).first()
    assert delegate is not None and delegate.voting_seat == f"org:{delegate.organization_id}"
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegate.objects.create(
            conference=conference_2026,
            organization=delegate.organization,
            full_name="Đại biểu thứ hai",
            votes=True,
            voting_seat=delegate.voting_seat,
        )


def test_a_second_voting_delegate_is_refused_naming_the_first_and_who_added_it(
    quangtri: User, conference_2026: Conference
) -> None:
    delegate = conference_2026.delegates.filter(votes=True).select_related("organization").first()
    assert delegate is not None
    with pytest.raises(ValidationError) as refused:
        services.add_delegate(
            actor=quangtri,
            conference=conference_2026,
            organization=delegate.organization,
            full_name="Đại biểu thứ hai",
            votes=True,
        )
    words = " ".join(refused.value.messages)
    assert delegate.full_name in words and f"bởi {quangtri.display_name}" in words


def test_two_polls_of_one_conference_never_share_a_position(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = services.create_election_poll(actor=quangtri, conference=conference_2026, role="head")
    assert poll.position == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Poll.objects.create(
            conference=conference_2026, kind="motion", title="Trùng", method="motion", position=1
        )


# --- Versioned edits of the conference -----------------------------------------------------------------


def test_a_stale_conference_edit_is_refused_with_who_saved_and_keeps_what_was_typed(
    client_for: Any, quangtri: User, conference_2026: Conference
) -> None:
    client = client_for(quangtri)
    form = client.get(_url(conference_2026, "sua/")).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "")}
    data["host"] = conference_2026.host_id
    data["starts_at"] = "2026-12-22T08:00"
    assert data["version"] == 1
    services.update_conference(
        actor=quangtri, conference=conference_2026, values={"place": "Hội trường A"}, version=1
    )
    response = client.post(_url(conference_2026, "sua/"), {**data, "place": "Hội trường B"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thông tin hội nghị đã được sửa bởi" in page and "Hội trường A" in page
    assert 'value="Hội trường B"' in page
    conference_2026.refresh_from_db()
    assert conference_2026.place == "Hội trường A" and conference_2026.version == 2
    # The second save knows what is stored: it overwrites.
    again = client.post(_url(conference_2026, "sua/"), {**data, "place": "Hội trường B", "version": 2})
    assert again.status_code == 302
    conference_2026.refresh_from_db()
    assert conference_2026.place == "Hội trường B" and conference_2026.version == 3
    assert conference_2026.changed_by == quangtri


def test_a_stale_conference_save_writes_nothing(quangtri: User, conference_2026: Conference) -> None:
    services.update_conference(
        actor=quangtri, conference=conference_2026, values={"place": "Phòng A"}, version=1
    )
    before = _events("conference.update")
    with pytest.raises(StaleEdit):
        services.update_conference(
            actor=quangtri, conference=conference_2026, values={"place": "Phòng B"}, version=1
        )
    conference_2026.refresh_from_db()
    assert conference_2026.place == "Phòng A" and _events("conference.update") == before


# --- Refusals that tell the truth --------------------------------------------------------------------


def _closed_election(quangtri: User, conference: Conference) -> Poll:
    poll = services.open_poll(
        actor=quangtri, poll=services.create_election_poll(actor=quangtri, conference=conference, role="head")
    )
    for delegate in conference.delegates.all():
        services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    return helpers.close_and_count(quangtri, poll)


def test_a_second_publish_says_when_and_by_whom_the_result_was_published(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _closed_election(quangtri, conference_2026)
    services.confirm_results(actor=quangtri, poll=poll)
    poll = services.publish(actor=quangtri, poll=poll)
    assert poll.published_at is not None
    when = f"lúc {timezone.localtime(poll.published_at):%H:%M ngày %d/%m/%Y}"
    with pytest.raises(ValidationError) as refused:
        services.publish(actor=quangtri, poll=poll)
    words = " ".join(refused.value.messages)
    assert words.startswith("Kết quả đã được công bố lúc") and f"bởi {quangtri.display_name}" in words
    assert when in words and "ban kiểm phiếu xác nhận trước" not in words
    assert AuditEvent.objects.filter(verb="poll.publish", target_id=str(poll.pk)).count() == 1


def test_confirming_twice_says_it_was_confirmed_and_writes_one_event(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = _closed_election(quangtri, conference_2026)
    services.confirm_results(actor=quangtri, poll=poll)
    with pytest.raises(ValidationError, match="Kết quả đã được ban kiểm phiếu xác nhận lúc"):
        services.confirm_results(actor=quangtri, poll=poll)
    assert AuditEvent.objects.filter(verb="poll.confirm", target_id=str(poll.pk)).count() == 1


def test_opening_or_closing_a_poll_again_says_who_did_it_and_when(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = services.open_poll(
        actor=quangtri,
        poll=services.create_election_poll(actor=quangtri, conference=conference_2026, role="head"),
    )
    with pytest.raises(
        ValidationError, match=f"Cuộc bỏ phiếu đã được mở lúc .* bởi {re.escape(quangtri.display_name)}"
    ):
        services.open_poll(actor=quangtri, poll=poll)
    services.close_poll(actor=quangtri, poll=poll)
    with pytest.raises(ValidationError, match="Cuộc bỏ phiếu đã được đóng lúc"):
        services.close_poll(actor=quangtri, poll=poll)
