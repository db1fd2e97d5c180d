"""The conference and its secret ballot, on the demo's replay of Cụm 4's 08/12/2023 conference and on a
fresh conference for 2026."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.conferences import codes, services
from thidua.conferences.models import Ballot, Conference, Delegate, Participation, Poll, PollStatus
from thidua.conferences.tests import helpers
from thidua.organizations.models import Leadership, Organization


def _codes(quangtri: User, conference: Conference) -> dict[str, str]:
    return {
        i.delegate.organization.code: i.code
        for i in services.issue_codes(actor=quangtri, conference=conference)
    }  # type: ignore[union-attr]


def _open_head_election(secretariat: User, conference: Conference) -> tuple[Poll, str]:
    """An open election of next year's head, and the phones' voting page."""
    poll = services.open_poll(
        actor=secretariat,
        poll=services.create_election_poll(actor=secretariat, conference=conference, role="head"),
    )
    return poll, f"/bo-phieu/{conference.pk}/"


@pytest.mark.django_db
def test_the_replayed_2023_conference_elected_the_2024_head_and_deputy_and_adopted_the_agreement() -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    assert [p.status for p in conference.polls.all()] == [PollStatus.PUBLISHED] * 4
    leaders = dict(
        Leadership.objects.filter(group__slug="vusta-cum-4", year=2024).values_list(
            "role", "organization__code"
        )
    )
    assert leaders == {"head": "lhh-nghe-an", "deputy": "lhh-ha-tinh"}
    flag = conference.polls.get(kind="nomination")
    assert flag.result["elected"] == ["lhh-ninh-binh"]
    assert flag.title == "Suy tôn đơn vị đề nghị tặng Cờ thi đua của Liên hiệp Hội Việt Nam năm 2023"
    assert flag.result["base"] == 7 and flag.result["votes_needed"] == 4


@pytest.mark.django_db
def test_a_card_code_carries_at_least_60_bits_in_groups_of_four_and_is_stored_only_as_a_hash(
    quangtri: User, conference_2026: Conference
) -> None:
    issued = services.issue_codes(actor=quangtri, conference=conference_2026)
    assert codes.entropy_bits() >= 60 and len(codes.ALPHABET) ** codes.CODE_LENGTH >= 2**60
    assert len({item.code for item in issued}) == len(issued) == 6
    for item in issued:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", item.code), item.code
        assert item.delegate.card not in item.code.split("-")  # the printed card number is no part of it
        stored = Delegate.objects.get(pk=item.delegate.pk)
        assert item.code.replace("-", "") not in stored.code_hash
        assert stored.code_hash == codes.code_hash(codes.normalize(item.code))  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_wrong_code_locks_no_card_and_the_delegate_still_gets_in_with_their_own(
    quangtri: User, conference_2026: Conference
) -> None:
    good = _codes(quangtri, conference_2026)["lhh-nghe-an"]
    for wrong in ("0000-0000-0000-0000", good[:-1] + ("0" if good[-1] != "0" else "1"), "07-ABCD"):
        for _ in range(10):
            with pytest.raises(services.CodeRejected):
                services.authenticate(conference_2026, wrong, client="203.0.113.9")
    # The same card from the same client, after thirty wrong codes: nothing was locked.
    delegate = services.authenticate(conference_2026, good, client="203.0.113.9")
    assert delegate.organization.code == "lhh-nghe-an"  # type: ignore[union-attr]
    assert not {"failed_attempts", "locked_until"} & {f.name for f in Delegate._meta.get_fields()}


@pytest.mark.django_db
def test_a_client_past_the_limit_of_wrong_codes_waits_is_logged_once_and_no_other_client_waits(
    quangtri: User, conference_2026: Conference, settings: Any, caplog: Any
) -> None:
    settings.VOTE_CODE_FAILURE_LIMIT = 3
    good = _codes(quangtri, conference_2026)
    for _ in range(3):
        with pytest.raises(services.CodeRejected):
            services.authenticate(conference_2026, "0000-0000-0000-0000", client="203.0.113.9")
    with pytest.raises(services.TooManyWrongCodes, match="chờ 10 phút"):
        services.authenticate(conference_2026, good["lhh-nghe-an"], client="203.0.113.9")
    throttled = [r.getMessage() for r in caplog.records if r.name == "thidua.security"]
    assert throttled == ["voting codes refused, client throttled from=203.0.113.9"]
    for organization, code in good.items():
        assert (
            services.authenticate(conference_2026, code, client="203.0.113.10").organization.code
            == organization
        )  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_typed_code_is_read_whatever_its_case_spaces_and_confusable_letters(
    quangtri: User, conference_2026: Conference
) -> None:
    code = _codes(quangtri, conference_2026)["lhh-hue"]
    sloppy = code.lower().replace("-", " - ").replace("0", "o").replace("1", "l")
    assert services.authenticate(conference_2026, sloppy, client="").organization.code == "lhh-hue"  # type: ignore[union-attr]
    scanned = f"http://192.168.1.20:8000/bo-phieu/{conference_2026.pk}/#{code}"  # the whole QR, pasted
    assert services.authenticate(conference_2026, scanned, client="").organization.code == "lhh-hue"  # type: ignore[union-attr]
    with pytest.raises(services.CodeRejected):  # the right code under another conference's address
        services.authenticate(
            conference_2026, f"http://h/bo-phieu/{conference_2026.pk + 1}/#{code}", client=""
        )


@pytest.mark.django_db
def test_one_vote_per_member_and_a_second_attempt_is_refused(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = services.create_election_poll(actor=quangtri, conference=conference_2026, role="head")
    poll = services.open_poll(actor=quangtri, poll=poll)
    delegate = conference_2026.delegates.get(organization__code="lhh-nghe-an")
    receipt = services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    assert len(receipt) == 64 and Ballot.objects.get(poll=poll).receipt == receipt  # the ballot's SHA-256
    with pytest.raises(services.VoteRefused, match="đã được ghi nhận"):
        services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-ha-tinh"])
    # A second delegate of the same member cannot add a second vote for it either.
    extra = services.add_delegate(
        actor=quangtri, conference=conference_2026, organization=delegate.organization, full_name="Phó đoàn"
    )
    extra.votes = True
    extra.save()
    with pytest.raises(services.VoteRefused):
        services.cast_vote(poll=poll, delegate=extra, selections=["lhh-ha-tinh"])
    assert Ballot.objects.filter(poll=poll).count() == 1


@pytest.mark.django_db
def test_results_exist_only_after_the_poll_closes(
    quangtri: User, conference_2026: Conference, client_for: Any
) -> None:
    poll, _ = _open_head_election(quangtri, conference_2026)
    services.cast_vote(poll=poll, delegate=conference_2026.delegates.first(), selections=["lhh-hue"])  # type: ignore[arg-type]
    poll.refresh_from_db()
    assert poll.result == {}
    staff = User.objects.get(username="vusta")
    page = (
        client_for(staff)
        .get(f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference_2026.pk}/bo-phieu/{poll.pk}/")
        .content.decode()
    )
    assert "1 / 6" in page and "Kết quả kiểm phiếu" not in page
    progress = (
        client_for(quangtri)
        .get(f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference_2026.pk}/tien-do.json")
        .json()
    )
    assert progress["polls"][0]["text"] == "1 / 6 đã bỏ phiếu"
    assert set(progress["polls"][0]) == {"title", "status", "voted", "eligible", "text"}
    assert progress["result"] is None  # nothing published yet


@pytest.mark.django_db
def test_nothing_in_the_schema_or_the_rows_links_a_ballot_to_a_voter(
    quangtri: User, conference_2026: Conference
) -> None:
    poll, _ = _open_head_election(quangtri, conference_2026)
    for delegate in conference_2026.delegates.order_by("pk"):
        services.cast_vote(
            poll=poll, delegate=delegate, selections=["lhh-hue"] if delegate.pk % 2 else ["lhh-ha-tinh"]
        )
    before_close = AuditEvent.objects.count()
    services.close_poll(actor=quangtri, poll=poll)
    # Schema: a ballot has its poll, its encrypted content and a receipt; no voter, time or serial.
    fields = {f.name for f in Ballot._meta.get_fields()}
    assert fields == {"id", "poll", "content", "receipt"}
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"  # type: ignore[union-attr]
    participation_fields = {f.name for f in Participation._meta.get_fields()}
    assert not participation_fields & {"ballot", "content", "receipt", "created_at"}
    with connection.cursor() as cursor:
        columns = [
            c.name for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)
        ]
    assert sorted(columns) == ["content", "id", "poll_id", "receipt"]
    # No audit event carries ballot contents or a receipt.
    for event in AuditEvent.objects.filter(seq__gt=before_close - 50):
        text = str(event.data)
        assert "receipt" not in text and "content" not in text
        assert not any(b.receipt in text for b in Ballot.objects.filter(poll=poll))


@pytest.mark.django_db
def test_a_stored_ballot_holds_ciphertexts_only_and_two_equal_votes_look_unrelated(
    quangtri: User, conference_2026: Conference
) -> None:
    poll, _ = _open_head_election(quangtri, conference_2026)
    for delegate in conference_2026.delegates.order_by("pk")[:2]:
        services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    first, second = (b.content for b in Ballot.objects.filter(poll=poll))
    keys = set(poll.choices.values_list("key", flat=True)) | set(poll.choices.values_list("label", flat=True))
    for content in (first, second):
        text = json.dumps(content, ensure_ascii=False)
        assert not any(key in text for key in keys)
        assert len(content["ciphertexts"]) == poll.choices.count() + 1  # one per choice, one for blank
    # The same choice twice: fresh randomness each time, so no ciphertext repeats.
    assert not {json.dumps(c) for c in first["ciphertexts"]} & {json.dumps(c) for c in second["ciphertexts"]}


@pytest.mark.django_db
def test_a_tie_below_the_threshold_opens_no_runoff_but_a_second_round_between_the_two(
    quangtri: User, conference_2026: Conference
) -> None:
    poll, _ = _open_head_election(quangtri, conference_2026)
    for index, delegate in enumerate(conference_2026.delegates.order_by("pk")):
        services.cast_vote(
            poll=poll, delegate=delegate, selections=["lhh-hue"] if index < 3 else ["lhh-ha-tinh"]
        )
    poll = services.confirm_results(actor=quangtri, poll=helpers.close_and_count(quangtri, poll))
    services.publish(actor=quangtri, poll=poll)
    poll.refresh_from_db()
    # 3 of 6 is not "more than half": nobody passes, so there is no tie to break either; the demo's
    # regulation sends the two to a second round (DOMAIN.md, Voting [L]: the default).
    assert poll.result["elected"] == [] and poll.result["runoff"] == []
    assert sorted(poll.result["second_round"]) == ["lhh-ha-tinh", "lhh-hue"]


@pytest.mark.django_db
def test_only_the_secretariat_runs_polls(conference_2026: Conference, officer_nghe_an: User) -> None:
    with pytest.raises(PermissionDenied):
        services.create_election_poll(actor=officer_nghe_an, conference=conference_2026, role="head")


@pytest.mark.django_db
def test_paper_counts_that_do_not_add_up_are_refused_by_name(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = services.create_motion_poll(
        actor=quangtri, conference=conference_2026, title="Thông qua giao ước 2027"
    )
    poll.mode = "paper"
    poll.save()
    poll = services.close_poll(actor=quangtri, poll=services.open_poll(actor=quangtri, poll=poll))
    with pytest.raises(ValidationError) as error:
        services.enter_paper_count(
            actor=quangtri,
            poll=poll,
            issued=6,
            returned=7,
            valid=5,
            blank=0,
            invalid=1,
            counts={"yes": 5, "no": 1, "abstain": 0},
        )
    assert any("thu về" in m for m in error.value.messages)
    services.enter_paper_count(
        actor=quangtri,
        poll=poll,
        issued=6,
        returned=6,
        valid=6,
        blank=0,
        invalid=0,
        counts={"yes": 5, "no": 1, "abstain": 0},
    )
    poll.refresh_from_db()
    assert poll.result["elected"] == ["yes"] and poll.result["issued"] == 6


@pytest.mark.django_db
def test_a_delegate_votes_on_a_phone_in_two_requests_and_gets_a_receipt(
    quangtri: User, conference_2026: Conference, client: Any
) -> None:
    code = _codes(quangtri, conference_2026)["lhh-nghe-an"]
    poll, url = _open_head_election(quangtri, conference_2026)
    assert "Mã trên thẻ biểu quyết" in client.get(url).content.decode()
    # The card opens the ballot itself when one poll waits: the confirmation is on that page.
    page = client.post(url, {"code": code, "step": "list"}).content.decode()
    assert f"<h1>{poll}</h1>" in page and page.count('name="choice"') == 7  # six members and the blank
    assert 'id="confirm"' in page and 'value="cast"' in page
    response = client.post(url, {"code": code, "step": "cast", "poll": poll.pk, "choice": ["lhh-hue"]})
    receipt = Ballot.objects.get(poll=poll).receipt
    assert receipt in response.content.decode() and "Mã biên nhận" in response.content.decode()
    record = (
        f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference_2026.pk}/bo-phieu/{poll.pk}/danh-sach-phieu/"
    )
    assert f'href="{record}"' in response.content.decode()
    again = client.post(url, {"code": code, "step": "cast", "poll": poll.pk, "choice": ["lhh-ha-tinh"]})
    assert again.status_code == 200 and "đã được ghi nhận" in again.content.decode()
    wrong = code[:-1] + ("Z" if code[-1] != "Z" else "Y")
    assert client.post(url, {"code": wrong, "step": "list"}).status_code == 400
    # With "no-referrer" browsers post "Origin: null", which Django's CSRF check refuses (found in Chromium).
    assert client.get(url)["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["nghean", "hatinh", "bientap"])
def test_no_one_but_the_secretariat_issues_cards_or_opens_polls_through_the_pages(
    username: str, quangtri: User, conference_2026: Conference, client_for: Any
) -> None:
    poll = services.create_election_poll(actor=quangtri, conference=conference_2026, role="head")
    client = client_for(User.objects.get(username=username))
    base = f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference_2026.pk}"
    assert client.post(f"{base}/the-bieu-quyet/").status_code == 403
    assert client.post(f"{base}/bo-phieu/{poll.pk}/mo/").status_code == 403
    assert client.post(f"{base}/bo-phieu/them/", {"kind": "head"}).status_code == 403
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.DRAFT
    assert not Delegate.objects.filter(conference=conference_2026).exclude(code_hash="").exists()


@pytest.mark.django_db
def test_the_secretariat_prints_cards_with_a_qr_code_carrying_the_code_in_the_fragment(
    quangtri: User, conference_2026: Conference, client_for: Any, settings: Any
) -> None:
    settings.PUBLIC_URL = "http://192.168.1.20:8000"
    page = client_for(quangtri).post(
        f"/nam-thi-dua/vusta-cum-4/2026/hoi-nghi/{conference_2026.pk}/the-bieu-quyet/"
    )
    text = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert text.count("<svg") == 6
    assert f"http://192.168.1.20:8000/bo-phieu/{conference_2026.pk}/" in text


@pytest.mark.django_db
def test_the_secretariat_publishes_an_election_and_next_years_members_and_head_follow(
    quangtri: User, conference_2026: Conference
) -> None:
    poll, _ = _open_head_election(quangtri, conference_2026)
    for delegate in conference_2026.delegates.all():
        services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    poll = services.confirm_results(actor=quangtri, poll=helpers.close_and_count(quangtri, poll))
    services.publish(actor=quangtri, poll=poll)
    assert (
        Leadership.objects.get(group__slug="vusta-cum-4", year=2027, role="head").organization.code
        == "lhh-hue"
    )
    from thidua.organizations.models import Membership

    assert Membership.objects.filter(group__slug="vusta-cum-4", year=2027).count() == 6


@pytest.mark.django_db
def test_a_vote_arriving_after_the_poll_closed_is_refused_and_leaves_nothing(
    quangtri: User, conference_2026: Conference
) -> None:
    poll, _ = _open_head_election(quangtri, conference_2026)
    stale = Poll.objects.get(pk=poll.pk)  # a request that read the poll while it was still open
    services.close_poll(actor=quangtri, poll=poll)
    with pytest.raises(services.VoteRefused, match="đã đóng"):
        services.cast_vote(poll=stale, delegate=conference_2026.delegates.first(), selections=["lhh-hue"])  # type: ignore[arg-type]
    assert (
        not Participation.objects.filter(poll=poll).exists() and not Ballot.objects.filter(poll=poll).exists()
    )


@pytest.mark.django_db
def test_a_vote_from_a_delegate_not_yet_checked_in_counts_them_present(
    quangtri: User, conference_2026: Conference
) -> None:
    _codes(quangtri, conference_2026)
    poll, _ = _open_head_election(quangtri, conference_2026)
    delegate = conference_2026.delegates.filter(votes=True).first()
    assert delegate is not None and delegate.checked_in_at is None
    receipt = services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    delegate.refresh_from_db()
    assert delegate.checked_in_at is not None
    assert Ballot.objects.get(poll=poll).receipt == receipt
    assert Participation.objects.get(poll=poll).delegate_id == delegate.pk


@pytest.mark.django_db
def test_the_delegate_found_by_code_is_the_one_the_orm_finds_with_its_organization(
    quangtri: User, conference_2026: Conference
) -> None:
    services.issue_codes(actor=quangtri, conference=conference_2026)
    for expected in conference_2026.delegates.exclude(code_hash="").select_related("organization"):
        found = services._delegate_by_code(conference_2026, expected.code_hash)
        assert found is not None
        for field in Delegate._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
        assert found.organization == expected.organization
        if expected.organization is not None:
            for field in Organization._meta.concrete_fields:
                assert getattr(found.organization, field.attname) == getattr(
                    expected.organization, field.attname
                )
    assert services._delegate_by_code(conference_2026, codes.code_hash("0000000000000000")) is None


@pytest.mark.django_db
def test_the_phone_needs_no_csrf_token_but_a_post_from_another_site_is_refused(
    quangtri: User, conference_2026: Conference
) -> None:
    code = _codes(quangtri, conference_2026)["lhh-nghe-an"]
    poll, url = _open_head_election(quangtri, conference_2026)
    browser = Client(enforce_csrf_checks=True)
    forged = browser.post(url, {"code": code, "step": "list"}, HTTP_ORIGIN="https://tin-gia.example")
    assert forged.status_code == 403 and "chính trang bỏ phiếu" in forged.content.decode()
    delegate = conference_2026.delegates.get(organization__code="lhh-nghe-an")
    assert delegate.checked_in_at is None
    # A phone that keeps no cookie: its own page's post, with no token, is taken.
    page = browser.post(url, {"code": code, "step": "list"}, HTTP_ORIGIN="http://testserver")
    assert page.status_code == 200 and f"<h1>{poll}</h1>" in page.content.decode()
    assert "csrfmiddlewaretoken" not in page.content.decode() and not browser.cookies


@pytest.mark.django_db
def test_a_cast_in_a_burst_reads_neither_the_conference_nor_the_poll_nor_its_choices_again(
    quangtri: User, conference_2026: Conference, client: Any
) -> None:
    codes_by_org = _codes(quangtri, conference_2026)
    poll, url = _open_head_election(quangtri, conference_2026)
    first, second = codes_by_org["lhh-nghe-an"], codes_by_org["lhh-ha-tinh"]
    for code in (first, second):
        client.post(url, {"code": code, "step": "list"})  # checked in, as before a real vote
    client.post(url, {"code": first, "step": "cast", "poll": poll.pk, "choice": ["lhh-hue"]})
    with CaptureQueriesContext(connection) as cast:
        response = client.post(url, {"code": second, "step": "cast", "poll": poll.pk, "choice": ["lhh-hue"]})
    assert "Đã ghi nhận phiếu của bạn" in response.content.decode()
    statements = [
        q["sql"] for q in cast.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert not [s for s in statements if "conferences_conference" in s or "conferences_choice" in s]
    if connection.vendor == "postgresql":
        # The data version, the delegate by card, then the vote as one statement prepared by the first
        # vote of this database session: the poll's status, locked, the participation and the ballot.
        assert [s.split()[0] for s in statements] == ["SELECT", "SELECT", "EXECUTE"], "\n".join(statements)
    else:
        # The poll is read once more only inside the vote's transaction, for its status.
        assert len([s for s in statements if "conferences_poll" in s]) == 1
        # The data version, the delegate by card, the poll's status, the participation, the ballot.
        assert len(statements) <= 5, "\n".join(statements)


@pytest.mark.django_db
def test_a_phone_sees_a_poll_closed_the_moment_it_closes(
    quangtri: User, conference_2026: Conference, client: Any
) -> None:
    code = _codes(quangtri, conference_2026)["lhh-nghe-an"]
    poll, url = _open_head_election(quangtri, conference_2026)
    assert client.post(url, {"code": code, "step": "ballot", "poll": poll.pk}).status_code == 200
    services.close_poll(actor=quangtri, poll=poll)
    response = client.post(url, {"code": code, "step": "ballot", "poll": poll.pk})
    assert response.status_code == 400 and "không còn mở" in response.content.decode()
    cast = client.post(url, {"code": code, "step": "cast", "poll": poll.pk, "choice": ["lhh-hue"]})
    assert cast.status_code == 400 and not Ballot.objects.filter(poll=poll).exists()
