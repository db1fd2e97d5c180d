"""The conference and its secret ballot, on the demo's replay of Cụm 4's 08/12/2023 conference and on a
fresh conference for 2026."""

from __future__ import annotations

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
def test_a_code_has_at_least_64_bits_and_is_stored_only_as_a_hash(
    quangtri: User, conference_2026: Conference
) -> None:
    issued = services.issue_codes(actor=quangtri, conference=conference_2026)
    assert len(codes.ALPHABET) ** codes.SECRET_LENGTH >= 2**64
    for item in issued:
        stored = Delegate.objects.get(pk=item.delegate.pk)
        assert item.code.split("-", 1)[1].replace("-", "") not in stored.code_hash
        assert stored.code_hash == codes.code_hash(*codes.normalize(item.code))  # type: ignore[misc]


@pytest.mark.django_db
def test_wrong_codes_lock_the_card_they_name_not_the_address(
    quangtri: User, conference_2026: Conference
) -> None:
    good = _codes(quangtri, conference_2026)["lhh-nghe-an"]
    card = good.split("-")[0]
    wrong = f"{card}-0000-0000-0000-0000"
    for _ in range(services.MAX_FAILED_ATTEMPTS):
        with pytest.raises(services.CodeRejected):
            services.authenticate(conference_2026, wrong)
    with pytest.raises(services.CodeRejected, match="tạm khóa"):
        services.authenticate(conference_2026, good)
    other = _codes(quangtri, conference_2026)  # fresh codes unlock every card
    assert services.authenticate(conference_2026, other["lhh-ha-tinh"]).organization.code == "lhh-ha-tinh"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_typed_code_is_read_whatever_its_case_spaces_and_confusable_letters(
    quangtri: User, conference_2026: Conference
) -> None:
    code = _codes(quangtri, conference_2026)["lhh-hue"]
    sloppy = code.lower().replace("-", " - ").replace("0", "o").replace("1", "l")
    assert services.authenticate(conference_2026, sloppy).organization.code == "lhh-hue"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_one_vote_per_member_and_a_second_attempt_is_refused(
    quangtri: User, conference_2026: Conference
) -> None:
    poll = services.create_election_poll(actor=quangtri, conference=conference_2026, role="head")
    poll = services.open_poll(actor=quangtri, poll=poll)
    delegate = conference_2026.delegates.get(organization__code="lhh-nghe-an")
    receipt = services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    assert len(receipt) == 10
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
    # Schema: a ballot has its poll, its selections and a receipt; no voter, delegate, time or serial.
    fields = {f.name for f in Ballot._meta.get_fields()}
    assert fields == {"id", "poll", "selections", "receipt"}
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"  # type: ignore[union-attr]
    participation_fields = {f.name for f in Participation._meta.get_fields()}
    assert not participation_fields & {"ballot", "selections", "receipt", "created_at"}
    with connection.cursor() as cursor:
        columns = [
            c.name for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)
        ]
    assert sorted(columns) == ["id", "poll_id", "receipt", "selections"]
    # No audit event carries ballot contents or a receipt.
    for event in AuditEvent.objects.filter(seq__gt=before_close - 50):
        text = str(event.data)
        assert "receipt" not in text and "selections" not in text
        assert not any(b.receipt in text for b in Ballot.objects.filter(poll=poll))


@pytest.mark.django_db
def test_closing_rewrites_ballots_under_new_keys_so_storage_order_says_nothing(
    quangtri: User, conference_2026: Conference
) -> None:
    poll, _ = _open_head_election(quangtri, conference_2026)
    for delegate in conference_2026.delegates.order_by("pk"):
        services.cast_vote(poll=poll, delegate=delegate, selections=["lhh-hue"])
    keys_before = set(Ballot.objects.filter(poll=poll).values_list("id", flat=True))
    receipts = set(Ballot.objects.filter(poll=poll).values_list("receipt", flat=True))
    services.close_poll(actor=quangtri, poll=poll)
    assert not keys_before & set(Ballot.objects.filter(poll=poll).values_list("id", flat=True))
    assert set(Ballot.objects.filter(poll=poll).values_list("receipt", flat=True)) == receipts


@pytest.mark.django_db
def test_a_tie_for_the_seat_opens_a_runoff_among_the_tied(
    quangtri: User, conference_2026: Conference
) -> None:
    poll, _ = _open_head_election(quangtri, conference_2026)
    for index, delegate in enumerate(conference_2026.delegates.order_by("pk")):
        services.cast_vote(
            poll=poll, delegate=delegate, selections=["lhh-hue"] if index < 3 else ["lhh-ha-tinh"]
        )
    poll = services.confirm_results(actor=quangtri, poll=services.close_poll(actor=quangtri, poll=poll))
    services.publish(actor=quangtri, poll=poll)
    poll.refresh_from_db()
    # 3 of 6 is not "more than half": nobody passes, so there is no tie to break either.
    assert poll.result["elected"] == [] and poll.result["runoff"] == []


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
def test_a_delegate_votes_on_a_phone_with_the_code_and_gets_a_receipt(
    quangtri: User, conference_2026: Conference, client: Any
) -> None:
    code = _codes(quangtri, conference_2026)["lhh-nghe-an"]
    poll, url = _open_head_election(quangtri, conference_2026)
    assert "Mã trên thẻ biểu quyết" in client.get(url).content.decode()
    page = client.post(url, {"code": code, "step": "list"}).content.decode()
    assert str(poll) in page
    page = client.post(url, {"code": code, "step": "ballot", "poll": poll.pk}).content.decode()
    assert page.count('name="choice"') == 6
    page = client.post(
        url, {"code": code, "step": "review", "poll": poll.pk, "choice": ["lhh-hue"]}
    ).content.decode()
    assert "Xác nhận phiếu" in page
    response = client.post(url, {"code": code, "step": "cast", "poll": poll.pk, "choice": ["lhh-hue"]})
    receipt = Ballot.objects.get(poll=poll).receipt
    assert receipt in response.content.decode()
    again = client.post(url, {"code": code, "step": "cast", "poll": poll.pk, "choice": ["lhh-ha-tinh"]})
    assert again.status_code == 400 and "đã được ghi nhận" in again.content.decode()
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
    poll = services.confirm_results(actor=quangtri, poll=services.close_poll(actor=quangtri, poll=poll))
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
def test_the_delegate_found_by_card_is_the_one_the_orm_finds_with_its_organization(
    quangtri: User, conference_2026: Conference
) -> None:
    services.issue_codes(actor=quangtri, conference=conference_2026)
    for expected in conference_2026.delegates.exclude(card="").select_related("organization"):
        found = services._delegate_by_card(conference_2026, expected.card)
        assert found is not None
        for field in Delegate._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
        assert found.organization == expected.organization
        if expected.organization is not None:
            for field in Organization._meta.concrete_fields:
                assert getattr(found.organization, field.attname) == getattr(
                    expected.organization, field.attname
                )
    assert services._delegate_by_card(conference_2026, "99") is None


@pytest.mark.django_db
def test_the_phone_needs_no_csrf_token_but_a_post_from_another_site_is_refused(
    quangtri: User, conference_2026: Conference
) -> None:
    code = _codes(quangtri, conference_2026)["lhh-nghe-an"]
    _, url = _open_head_election(quangtri, conference_2026)
    browser = Client(enforce_csrf_checks=True)
    forged = browser.post(url, {"code": code, "step": "list"}, HTTP_ORIGIN="https://tin-gia.example")
    assert forged.status_code == 403 and "chính trang bỏ phiếu" in forged.content.decode()
    delegate = conference_2026.delegates.get(organization__code="lhh-nghe-an")
    assert delegate.checked_in_at is None and delegate.failed_attempts == 0
    # A phone that keeps no cookie: its own page's post, with no token, is taken.
    page = browser.post(url, {"code": code, "step": "list"}, HTTP_ORIGIN="http://testserver")
    assert page.status_code == 200 and "Xin chào" in page.content.decode()
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
