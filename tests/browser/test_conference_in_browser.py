"""The conference's secret ballot in Chromium: seven delegates vote on phone-sized pages while the projector
counts up; the published result matches the ballots cast; a second attempt with a used code is refused.

Cụm 4's 2026 conference is set up through the services (its set-up pages are not what this walk is about):
the regulation's 2026 version is switched to one vote per delegate, so that seven delegates (two of them
from Quảng Trị, the host) make seven votes among the year's six members; the election of 2027's head is
open. Quảng Trị, head of 2026, is the secretariat: it watches the projector, then closes, confirms and
publishes. The phones are fresh browser contexts with no account: each opens the URL its card's QR code
holds, /bo-phieu/<conference>/#<code>.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.walk import log_in, messages

pytestmark = pytest.mark.browser

GROUP = "vusta-cum-4"
YEAR = 2026
PHONE_WIDTH = 360
HUE = "lhh-hue"
HA_TINH = "lhh-ha-tinh"
QUANG_TRI = "lhh-quang-tri"
BLANK = ""  # the voter picks «Phiếu trắng»
TITLE = "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2026 — Cụm thi đua số 4"
POLL_TITLE = "Bầu cụm trưởng năm 2027"
# The seven voting delegates, in the order they vote, and what each picks: Huế 4, Hà Tĩnh 2, one blank.
VOTERS = [
    ("lhh-ninh-binh", "Trưởng đoàn Ninh Bình", HUE),
    ("lhh-thanh-hoa", "Trưởng đoàn Thanh Hóa", HA_TINH),
    ("lhh-nghe-an", "Trưởng đoàn Nghệ An", HUE),
    ("lhh-ha-tinh", "Trưởng đoàn Hà Tĩnh", HA_TINH),
    (QUANG_TRI, "Trưởng đoàn Quảng Trị", HUE),
    (QUANG_TRI, "Thành viên đoàn Quảng Trị", BLANK),
    (HUE, "Trưởng đoàn Huế", HUE),
]
# Words the projector must not show while the poll is open: the candidates' places, shares, a verdict.
NOT_ON_THE_PROJECTOR = (
    "Ninh Bình",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Quảng Trị",
    "Huế",
    "%",
    "trắng",
    "trúng",
)
PROJECTOR_TIMEOUT = 8_000  # the projector asks every 2 s


@dataclass(frozen=True)
class Voter:
    full_name: str
    code: str  # the plaintext code printed on the card (only its hash is stored)
    pick: str  # a choice key, or BLANK


@dataclass(frozen=True)
class Conference2026:
    base_url: str
    conference_pk: int
    poll_pk: int
    voters: list[Voter]
    labels: dict[str, str]  # choice key → label, as the ballot shows it
    board: list[tuple[str, str]]  # the counting board's (name, key share) from their printed cards

    @property
    def conference_url(self) -> str:
        return f"{self.base_url}/nam-thi-dua/{GROUP}/{YEAR}/hoi-nghi/{self.conference_pk}/"

    @property
    def projector_url(self) -> str:
        return f"{self.conference_url}trinh-chieu/"

    @property
    def poll_url(self) -> str:
        return f"{self.conference_url}bo-phieu/{self.poll_pk}/"

    def card_url(self, voter: Voter) -> str:
        """What the card's QR code holds: the code rides in the fragment, never sent to the server."""
        return f"{self.base_url}/bo-phieu/{self.conference_pk}/#{voter.code}"


def _close_db_connections() -> None:
    # As in conftest: a connection left open in Playwright's context keeps PostgreSQL's test database
    # from being dropped at the end of the session.
    from django.db import connections

    connections.close_all()


@pytest.fixture
def conference_2026(demo_site: str) -> Iterator[Conference2026]:
    """Cụm 4's 2026 conference: seven voting delegates with their codes, the election of 2027's head open."""
    from thidua.accounts.models import User
    from thidua.conferences import services
    from thidua.organizations import services as registry
    from thidua.organizations.models import LeadershipRole, Organization, Regulation, VotingUnit
    from thidua.years.models import EmulationYear

    vusta = User.objects.get(username="vusta")
    quangtri = User.objects.get(username="quangtri")
    parent = Organization.objects.get(code="vusta")
    current = Regulation.objects.in_force(parent, YEAR)
    assert current is not None and current.voting_unit == VotingUnit.ORGANIZATION
    registry.save_regulation(
        actor=vusta,
        parent=parent,
        valid_from_year=YEAR,
        values={
            **{field: getattr(current, field) for field in registry.REGULATION_FIELDS},
            "voting_unit": VotingUnit.DELEGATE,
            "voting_unit_source": "Mỗi đại biểu chính thức một phiếu (minh họa cho kiểm thử)",
        },
    )
    emulation_year = EmulationYear.objects.get(group__slug=GROUP, year=YEAR)
    conference = services.create_conference(
        actor=quangtri,
        emulation_year=emulation_year,
        values={
            "title": TITLE,
            "starts_at": datetime.datetime(YEAR, 12, 22, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
            "place": "Hội trường tầng 3, số 1 đường Trần Hưng Đạo, Đông Hà",
            "host": Organization.objects.get(code=QUANG_TRI),
        },
    )
    delegates = [
        services.add_delegate(
            actor=quangtri,
            conference=conference,
            organization=Organization.objects.get(code=code),
            full_name=name,
            job_title="Đại biểu chính thức",
            votes=True,
            counting_board=index < 3,
        )
        for index, (code, name, _) in enumerate(VOTERS)
    ]
    issued = {
        item.delegate.pk: item.code for item in services.issue_codes(actor=quangtri, conference=conference)
    }
    assert len(issued) == len(VOTERS) == 7
    poll = services.create_election_poll(actor=quangtri, conference=conference, role=LeadershipRole.HEAD)
    poll = services.open_poll(actor=quangtri, poll=poll)
    assert (poll.title, poll.voting_unit, poll.eligible) == (POLL_TITLE, VotingUnit.DELEGATE, 7)
    labels = dict(poll.choices.values_list("key", "label"))
    assert len(labels) == 6 and {HUE, HA_TINH} <= set(labels)
    voters = [
        Voter(d.full_name, issued[d.pk], pick) for d, (_, _, pick) in zip(delegates, VOTERS, strict=True)
    ]
    _close_db_connections()
    board = [(share.name, share.code) for share in poll.board_shares]
    yield Conference2026(demo_site, conference.pk, poll.pk, voters, labels, board)
    _close_db_connections()


def new_phone(browser: Any) -> Any:
    """A fresh phone-sized context (as conftest's `phone_page`): no cookies, no account."""
    context = browser.new_context(
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": PHONE_WIDTH, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    return context


def assert_fits_phone(page: Any, what: str) -> None:
    """No sideways page scroll on a 360 px phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_WIDTH + 2:
        culprits = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > limit)
                .slice(0, 8)
                .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`)""",
            PHONE_WIDTH + 2,
        )
        pytest.fail(f"{what}: page is {width}px wide on a {PHONE_WIDTH}px phone; overflowing: {culprits}")


def open_card(phone: Any, conference: Conference2026, voter: Voter, *, check_fit: bool = False) -> None:
    """Open the card's QR URL: the page carries the open poll's ballot, and the script shows it for the
    card in the fragment, with no request of its own."""
    if check_fit:  # the page for typing the code, which a scanned card only passes through
        phone.goto(f"{conference.base_url}/bo-phieu/{conference.conference_pk}/")
        expect(phone.get_by_label("Mã trên thẻ biểu quyết")).to_be_empty()
        assert_fits_phone(phone, "code page")
    phone.goto(conference.card_url(voter))
    # vote.js moved the code from the fragment into the ballot and out of the address bar.
    expect(phone.get_by_role("heading", level=1)).not_to_have_text("Bỏ phiếu kín")
    expect(phone).to_have_url(f"{conference.base_url}/bo-phieu/{conference.conference_pk}/")


def fill_ballot(phone: Any, conference: Conference2026, voter: Voter, *, check_fit: bool = False) -> None:
    """On the ballot the card opened: the voter's pick (or the blank ballot), then the confirmation, on the
    same page."""
    expect(phone.get_by_role("heading", level=1)).to_have_text(POLL_TITLE)
    expect(phone.locator("label.choice")).to_have_count(len(conference.labels) + 1)  # and the blank ballot
    # The stylesheet is what makes the page fit; without it the check would prove nothing.
    expect(phone.locator("label.choice").first).to_have_css("display", "flex")
    if check_fit:
        assert_fits_phone(phone, "ballot")
    label = conference.labels[voter.pick] if voter.pick else "Phiếu trắng"
    phone.locator("label.choice").filter(has_text=label).get_by_role("radio").check()
    phone.get_by_role("button", name="Tiếp tục").click()
    expect(phone.get_by_role("heading", name="Xác nhận phiếu")).to_be_visible()
    expect(phone.locator("#picked")).to_have_text(label)
    expect(cast_button(phone)).to_have_text(f"Bỏ phiếu «{POLL_TITLE}»: chọn {label}")
    if check_fit:
        assert_fits_phone(phone, "confirmation")


def cast_button(phone: Any) -> Any:
    return phone.get_by_role("button", name=re.compile(f"^Bỏ phiếu «{re.escape(POLL_TITLE)}»"))


def cast(phone: Any) -> str:
    """Press the confirmation's button; the receipt shown."""
    cast_button(phone).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Đã ghi nhận phiếu của bạn")
    receipt = phone.locator("code.receipt")
    expect(receipt).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    return str(receipt.text_content())


def assert_projector_shows_no_choice(projector: Any, conference: Conference2026) -> None:
    """While the poll is open the projector shows how many voted, never for whom."""
    text = projector.locator("body").inner_text()
    for label in conference.labels.values():
        assert label not in text
    for place in NOT_ON_THE_PROJECTOR:
        assert place not in text, f"the projector shows «{place}» while the poll is open: {text!r}"
    # Nor does what it polls: the progress JSON carries no choice key or label.
    data = projector.request.get(f"{conference.conference_url}tien-do.json").json()
    progress = json.dumps(data, ensure_ascii=False)
    for key, label in conference.labels.items():
        assert key not in progress and label not in progress


def test_seven_delegates_vote_on_phones_while_the_projector_counts_and_the_published_result_matches(
    page: Any, browser: Any, conference_2026: Conference2026
) -> None:
    try:
        _walk_the_vote(page, browser, conference_2026)
    finally:
        _close_db_connections()


def _walk_the_vote(projector: Any, browser: Any, conference: Conference2026) -> None:
    from thidua.conferences.models import Ballot, Participation
    from thidua.organizations.models import Leadership, LeadershipRole

    # 1. The secretariat puts the projector on the screen: nobody has voted yet.
    log_in(projector, conference.base_url, "quangtri")
    projector.goto(conference.projector_url)
    expect(projector.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(projector.locator(".projector-poll h2")).to_have_text(POLL_TITLE)
    count = projector.locator(".projector-count")
    expect(count).to_have_text("0 / 7 đã bỏ phiếu")
    expect(projector.locator("#present")).to_have_text(
        "Đại biểu biểu quyết có mặt: 0 / 7 — chưa đủ số lượng tối thiểu"
    )
    assert_projector_shows_no_choice(projector, conference)

    # 2. Seven phones, one after the other; the projector counts up after each vote.
    receipts: dict[str, str] = {}  # receipt → choice key (or BLANK)
    first = conference.voters[0]
    for number, voter in enumerate(conference.voters, start=1):
        context = new_phone(browser)
        copy = None
        try:
            phone = context.new_page()
            open_card(phone, conference, voter, check_fit=number == 1)
            fill_ballot(phone, conference, voter, check_fit=number == 1)
            if number == 1:
                # A second phone with the same card gets as far as the confirmation, with another pick...
                copy = new_phone(browser)
                other = copy.new_page()
                open_card(other, conference, first)
                fill_ballot(other, conference, Voter(first.full_name, first.code, HA_TINH))
            receipt = cast(phone)
            if number == 1:
                assert_fits_phone(phone, "receipt")
            assert receipt not in receipts
            receipts[receipt] = voter.pick
            expect(count).to_have_text(f"{number} / 7 đã bỏ phiếu", timeout=PROJECTOR_TIMEOUT)
            assert_projector_shows_no_choice(projector, conference)
            if copy is not None:
                # ...and once the card has voted, the second attempt with the used code is refused.
                cast_button(other).click()
                expect(other.get_by_role("alert")).to_contain_text("đã được ghi nhận")
                expect(other.get_by_role("heading", level=1)).not_to_have_text("Đã ghi nhận phiếu của bạn")
                # Scanning the used card again on the phone that voted (a new tab): the page opens with
                # no request of its own, and the phone remembers that nothing is left for this card.
                again = context.new_page()
                open_card(again, conference, first)
                expect(again.get_by_text("Hiện không có nội dung nào chờ bạn bỏ phiếu.")).to_be_visible()
                expect(again.locator("#ballot")).to_have_count(0)
                assert Participation.objects.filter(poll_id=conference.poll_pk).count() == 1
                assert Ballot.objects.filter(poll_id=conference.poll_pk).count() == 1
                _close_db_connections()
        finally:
            if copy is not None:
                copy.close()
            context.close()
    expect(count).to_have_text("7 / 7 đã bỏ phiếu")
    expect(projector.locator("#present")).to_have_text(
        "Đại biểu biểu quyết có mặt: 7 / 7 — đủ số lượng tối thiểu", timeout=PROJECTOR_TIMEOUT
    )
    assert_projector_shows_no_choice(projector, conference)

    # 3. The secretariat closes the poll, the counting board confirms, the result is published.
    secretariat = projector.context.new_page()
    secretariat.goto(conference.poll_url)
    expect(secretariat.get_by_role("heading", level=1)).to_have_text(POLL_TITLE)
    expect(secretariat.locator("p.lead")).to_contain_text("7 / 7 đã bỏ phiếu")
    expect(secretariat.get_by_role("heading", name="Kết quả kiểm phiếu")).to_have_count(0)
    secretariat.get_by_role("button", name="Đóng bỏ phiếu").click()
    expect(messages(secretariat)).to_contain_text("Đã đóng bỏ phiếu.")
    # Two of the three board members type the key shares printed on their cards when the poll opened.
    for holder, code in conference.board[1:]:
        secretariat.get_by_label(f"Mã khóa của {holder}").fill(code)
    secretariat.get_by_role("button", name="Kiểm phiếu", exact=True).click()
    expect(messages(secretariat)).to_contain_text("Đã kiểm phiếu")
    secretariat.get_by_role("button", name="Ban kiểm phiếu xác nhận").click()
    expect(messages(secretariat)).to_contain_text("Ban kiểm phiếu đã xác nhận kết quả.")
    # Publishing cannot be undone: the box must be ticked first.
    secretariat.get_by_label(re.compile("Tôi xác nhận công bố kết quả")).check()
    with secretariat.expect_response(re.compile(r"/cong-bo/$")) as publishing:
        secretariat.get_by_role("button", name="Công bố kết quả").click()
    # Publishing an election makes next year's head: the vote decides, the secretariat needs no registry rights.
    assert publishing.value.status == 302, f"publishing answered {publishing.value.status}, not a redirect"
    expect(messages(secretariat)).to_contain_text("Đã công bố kết quả.")
    expect(secretariat.get_by_text("Trạng thái: Đã công bố kết quả")).to_be_visible()

    # The published result: what the ballots say. 7 present, more than half needed: 4 votes.
    result = secretariat.locator("section").filter(
        has=secretariat.get_by_role("heading", name="Kết quả kiểm phiếu")
    )
    expect(result).to_contain_text("Tham gia: 7 · Hợp lệ: 6 · Phiếu trắng: 1 · Không hợp lệ: 0")
    expect(result).to_contain_text("cần 4 phiếu")
    hue, ha_tinh = conference.labels[HUE], conference.labels[HA_TINH]
    rows = result.locator("tbody tr")
    expect(rows).to_have_count(len(conference.labels))
    expect(rows.nth(0).get_by_role("cell")).to_have_text([hue, "4", "57,14%", "Trúng"])
    expect(rows.nth(1).get_by_role("cell")).to_have_text([ha_tinh, "2", "28,57%", "Không đạt"])
    for index in range(2, len(conference.labels)):
        expect(rows.nth(index).get_by_role("cell").nth(1)).to_have_text("0")
    expect(result.locator("p.lead")).to_contain_text(f"{hue} đạt 4/7 phiếu (57,14%), trúng")
    expect(result.locator("p.lead")).to_contain_text(f"{ha_tinh} đạt 2/7 phiếu (28,57%), không trúng")
    head_2027 = Leadership.objects.get(group__slug=GROUP, year=YEAR + 1, role=LeadershipRole.HEAD)
    assert head_2027.organization.code == HUE
    _close_db_connections()

    # Once published, the projector shows the result: Huế elected, highlighted.
    elected = projector.locator(".projector-table tr.elected")
    expect(elected).to_have_count(1, timeout=PROJECTOR_TIMEOUT)
    expect(elected.locator("td")).to_have_text([hue, "4", "57,14%", "", "✔ Trúng"])

    # 4. The poll's published record: every phone's receipt among the encrypted ballots, and the
    # decrypted totals; what a phone chose is in no ballot anyone can read (issue 14).
    secretariat.get_by_role("link", name=re.compile("^Hồ sơ phiếu: mã biên nhận")).click()
    expect(secretariat.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ phiếu: {POLL_TITLE}")
    listed = secretariat.locator("ol.receipts li")
    expect(listed).to_have_count(7)
    for receipt in receipts:
        expect(
            listed.filter(has=secretariat.locator("code", has_text=re.compile(f"^{receipt}$")))
        ).to_have_count(1)
    totals = secretariat.locator("tbody tr")
    expect(totals.filter(has_text=hue).get_by_role("cell").nth(1)).to_have_text("4")
    expect(totals.filter(has_text=ha_tinh).get_by_role("cell").nth(1)).to_have_text("2")
    expect(totals.filter(has_text="Phiếu trắng").get_by_role("cell").nth(1)).to_have_text("1")
