"""The delegate's phone in Chromium (issue 14, parts 6 and 7): a vote with the keyboard alone, where Enter
on a choice never sends the form; the card's code never reaching the server in a URL; and axe-core
finding no WCAG 2.1 AA violation on any voting page.

Cụm 4's 2026 conference with one voting delegate per member, their cards issued and the election of
2027's head open, made through the services (the set-up pages are not what these tests are about).
"""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.signals import request_started
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass(frozen=True)
class Voting:
    base_url: str
    conference_pk: int
    poll_pk: int
    poll_title: str
    cards: dict[str, str]  # member's code → the code on its delegate's card
    labels: dict[str, str]  # choice key → label

    @property
    def url(self) -> str:
        return f"{self.base_url}/bo-phieu/{self.conference_pk}/"


def _close_db_connections() -> None:
    # As in conftest: a connection left open in Playwright's context keeps PostgreSQL's test database
    # from being dropped at the end of the session.
    from django.db import connections

    connections.close_all()


@pytest.fixture
def voting(demo_site: str) -> Iterator[Voting]:
    from thidua.accounts.models import User
    from thidua.conferences import services
    from thidua.conferences.tests import helpers

    quangtri = User.objects.get(username="quangtri")
    conference = helpers.conference_2026_with_voters(
        quangtri, title="Hội nghị tổng kết năm 2026 — Cụm thi đua số 4", name="Trưởng đoàn {short}"
    )
    cards = {
        i.delegate.organization.code: i.code  # type: ignore[union-attr]
        for i in services.issue_codes(actor=quangtri, conference=conference)
    }
    poll = services.create_election_poll(actor=quangtri, conference=conference, role="head")
    poll = services.open_poll(actor=quangtri, poll=poll)
    labels = dict(poll.choices.values_list("key", "label"))
    _close_db_connections()
    yield Voting(demo_site, conference.pk, poll.pk, str(poll), cards, labels)
    _close_db_connections()


def _participations(voting: Voting) -> int:
    from thidua.conferences.models import Participation

    count = Participation.objects.filter(poll_id=voting.poll_pk).count()
    _close_db_connections()
    return count


def _focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            """() => { const e = document.activeElement;
                return {tag: e.tagName.toLowerCase(), id: e.id, value: e.value || '', type: e.type || '',
                        text: (e.textContent || '').trim()}; }"""
        )
    )


def test_a_delegate_votes_with_the_keyboard_alone_and_enter_on_a_choice_sends_nothing(
    page: Any, voting: Voting
) -> None:
    page.goto(voting.url)
    # The code, typed wrong: the field keeps it, says it is wrong, and the message has the focus.
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "code"
    wrong = "ABCD-EFGH-JKMN-PQR0"
    page.keyboard.type(wrong)
    page.keyboard.press("Enter")
    expect(page.locator("#problem")).to_contain_text("Mã không đúng")
    expect(page.locator("#problem")).to_be_focused()
    field = page.get_by_label("Mã trên thẻ biểu quyết")
    expect(field).to_have_value(wrong)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "problem code-help")
    # Back to the field, the right code over the wrong one: the ballot opens.
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "code"
    page.keyboard.press("Control+A")
    page.keyboard.type(voting.cards["lhh-nghe-an"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(voting.poll_title)
    order = page.locator('#ballot input[name="choice"]').evaluate_all("inputs => inputs.map(i => i.value)")

    # Into the choices: Enter ticks the one with the focus and sends nothing.
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["type"] == "radio" and first["value"] == order[0]
    page.keyboard.press("Enter")
    expect(page.locator(f'input[value="{order[0]}"]')).to_be_checked()
    expect(page.locator("#confirm")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text(voting.poll_title)
    assert _participations(voting) == 0
    # The arrows move the pick; Tab leaves the group for «Tiếp tục».
    page.keyboard.press("ArrowDown")
    pick = _focused(page)["value"]
    assert pick == order[1]
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Tiếp tục"
    page.keyboard.press("Enter")
    expect(page.locator("#confirm")).to_be_focused()
    page.keyboard.press("Tab")
    expected = f"Bỏ phiếu «{voting.poll_title}»: chọn {voting.labels[pick]}"
    assert _focused(page)["text"] == expected
    # «Chọn lại»: back to the pick, the order and the choice as they were.
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Chọn lại"
    page.keyboard.press("Enter")
    expect(page.locator("#confirm")).to_be_hidden()
    assert _focused(page)["value"] == pick
    assert (
        page.locator('#ballot input[name="choice"]').evaluate_all("inputs => inputs.map(i => i.value)")
        == order
    )
    expect(page.locator(f'input[value="{pick}"]')).to_be_checked()
    assert _participations(voting) == 0
    # Then on: «Tiếp tục», the confirm button, cast.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == expected
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã ghi nhận phiếu của bạn")
    expect(page.locator("code.receipt")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    assert _participations(voting) == 1


def test_an_empty_ballot_gets_a_message_with_the_focus_and_the_blank_ballot_excludes_the_others(
    page: Any, voting: Voting
) -> None:
    page.goto(f"{voting.url}#{voting.cards['lhh-hue']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(voting.poll_title)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#ballot-problem")).to_be_focused()
    expect(page.locator("#ballot-problem")).to_contain_text("chọn «Phiếu trắng»")
    expect(page.locator("#confirm")).to_be_hidden()
    page.get_by_role("radio", name=re.compile("^Phiếu trắng")).check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(
        page.get_by_role("button", name=f"Bỏ phiếu «{voting.poll_title}»: chọn Phiếu trắng")
    ).to_be_visible()
    assert _participations(voting) == 0


def test_the_card_opens_the_ballot_with_no_request_and_the_cast_is_the_second_one(
    phone_page: Any, voting: Voting
) -> None:
    seen: list[dict[str, str]] = []  # what the server saw of each request's address, page and referrer

    def note(sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        seen.append({k: str(environ.get(k, "")) for k in ("PATH_INFO", "QUERY_STRING", "HTTP_REFERER")})

    code = voting.cards["lhh-ha-tinh"]
    request_started.connect(note)
    try:
        phone_page.goto(f"{voting.url}#{code}")
        expect(phone_page.get_by_role("heading", level=1)).to_have_text(voting.poll_title)
        phone_page.locator("label.choice").filter(has_text=voting.labels["lhh-hue"]).get_by_role(
            "radio"
        ).check()
        phone_page.get_by_role("button", name="Tiếp tục").click()
        phone_page.get_by_role("button", name=re.compile("^Bỏ phiếu «")).click()
        expect(phone_page.get_by_role("heading", level=1)).to_have_text("Đã ghi nhận phiếu của bạn")
        assert "#" not in phone_page.url  # nor left in the address bar, for the next person to see
    finally:
        request_started.disconnect(note)
    voting_requests = [r for r in seen if r["PATH_INFO"].startswith("/bo-phieu/")]
    # Two requests (issue 14, part 6): the page the QR code opens, with the ballot in it, and the cast.
    assert [r["PATH_INFO"] for r in voting_requests] == [f"/bo-phieu/{voting.conference_pk}/"] * 2, seen
    secrets = [code, code.replace("-", ""), "lhh-hue", voting.labels["lhh-hue"]]
    for request in seen:
        for secret in secrets:
            assert all(secret not in value for value in request.values()), (
                f"«{secret}» reached the server: {request}"
            )
    assert _participations(voting) == 1


def test_the_phone_sorts_the_choices_for_its_card_as_the_server_does(phone_page: Any, voting: Voting) -> None:
    from thidua.conferences import codes
    from thidua.conferences.ballot_page import ballot_page
    from thidua.conferences.models import Poll

    poll = Poll.objects.prefetch_related("choices").get(pk=voting.poll_pk)
    orders = set()
    for card in list(voting.cards.values())[:3]:
        # Each card scanned into the same tab: only the fragment changes, and the script opens its ballot.
        phone_page.goto(f"{voting.url}#{card}")
        expect(phone_page).to_have_url(voting.url)
        expect(phone_page.locator('#ballot input[name="code"]')).to_have_value(codes.normalize(card) or "")
        expect(phone_page.get_by_role("heading", level=1)).to_have_text(voting.poll_title)
        drawn = phone_page.locator('#ballot input[name="choice"]').evaluate_all(
            "inputs => inputs.map(i => i.value)"
        )
        expected = [c.key for c in ballot_page(poll, code=codes.normalize(card)).choices]
        assert drawn == [*expected, "blank"], card
        orders.add(tuple(drawn))
    _close_db_connections()
    assert len(orders) > 1  # the order is the card's, not one for everybody


# --- axe-core on every voting page


def _violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A and AA rules on the page as it stands: the rules broken, with where."""
    script = (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    page.evaluate(script)
    results = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["html"][:200] for n in v["nodes"]]}
        for v in results["violations"]
    ]


def _axe(page: Any, what: str) -> None:
    violations = _violations(page)
    assert not violations, f"{what}: {json.dumps(violations, ensure_ascii=False, indent=1)}"


def test_axe_finds_no_wcag_21_aa_violation_on_any_voting_page(phone_page: Any, voting: Voting) -> None:
    page = phone_page
    page.goto(voting.url)
    # axe is really looking: a field without a label, added here, is a violation it names.
    page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    assert "label" in [v["rule"] for v in _violations(page)]
    page.goto(voting.url)
    _axe(page, "the code page")
    page.get_by_label("Mã trên thẻ biểu quyết").fill("ABCD-EFGH-JKMN-PQR0")
    page.get_by_role("button", name="Mở phiếu").click()
    expect(page.locator("#problem")).to_be_visible()
    _axe(page, "a wrong code")

    page.goto(f"{voting.url}#{voting.cards['lhh-thanh-hoa']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(voting.poll_title)
    _axe(page, "the ballot")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#ballot-problem")).to_be_visible()
    _axe(page, "an empty ballot's message")
    page.locator("label.choice").filter(has_text=voting.labels["lhh-hue"]).get_by_role("radio").check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#confirm")).to_be_visible()
    _axe(page, "the confirmation on the page")
    # The confirmation the server draws for a phone without scripts: the form sent by its «Tiếp tục».
    page.evaluate("document.getElementById('ballot').requestSubmit(document.getElementById('next'))")
    expect(page.locator("fieldset[disabled]")).to_have_count(1)
    _axe(page, "the confirmation from the server")
    page.get_by_role("button", name=re.compile("^Bỏ phiếu «")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã ghi nhận phiếu của bạn")
    _axe(page, "the receipt")
    page.get_by_role("button", name="Nội dung tiếp theo").click()
    expect(page.get_by_text("Hiện không có nội dung nào chờ bạn bỏ phiếu.")).to_be_visible()
    _axe(page, "the list with nothing left to vote on")
    # A refusal drawn by the server, its message first: the poll closed under the delegate.
    page.goto(f"{voting.url}#{voting.cards['lhh-ninh-binh']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(voting.poll_title)
    page.locator("label.choice").filter(has_text=voting.labels["lhh-hue"]).get_by_role("radio").check()
    page.get_by_role("button", name="Tiếp tục").click()
    _close_poll(voting)
    page.get_by_role("button", name=re.compile("^Bỏ phiếu «")).click()
    expect(page.locator("#problem")).to_be_focused()
    _axe(page, "a refused cast")


def _close_poll(voting: Voting) -> None:
    from thidua.accounts.models import User
    from thidua.conferences import services
    from thidua.conferences.models import Poll

    services.close_poll(actor=User.objects.get(username="quangtri"), poll=Poll.objects.get(pk=voting.poll_pk))
    _close_db_connections()
