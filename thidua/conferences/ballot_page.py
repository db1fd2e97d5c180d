"""What the delegate's phone shows of one poll: the choices in this voter's order, the blank ballot as a
choice of its own, and the confirmation naming what was picked.

The order is random but fixed for one voter: a hash of the poll, the card's code and the choice sorts the
choices, so position favours no candidate across voters, while reloading the page, coming back to choose
again or a refused ballot never reshuffles what the voter was reading (issue 14, part 7). The code is the
card's 80-bit secret, so nobody without the card can work out a voter's order, and so which tap was which.

The phone draws the same order itself (`static/thidua/vote.js`, `rank`): the card's QR code opens the
ballot with no request of its own, and a page the server draws later (a refusal, the confirmation of a
phone without scripts) shows the choices where the voter saw them. The hash is FNV-1a over the UTF-8
bytes, then MurmurHash3's finalizer to spread the bits: no secret is needed, only the same number on both
sides, and a browser on plain HTTP has no SHA-256 to offer synchronously.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from thidua.conferences import rules
from thidua.conferences.models import Choice, Poll, PollKind
from thidua.conferences.services import BLANK

BLANK_LABEL = "Phiếu trắng"


def rank(poll_pk: int, code: str, key: str) -> int:
    """The choice's place for this card: 32 bits, as `rank` in static/thidua/vote.js computes them."""
    value = 0x811C9DC5
    for byte in f"{poll_pk}:{code}:{key}".encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    value ^= value >> 16
    value = (value * 0x85EBCA6B) & 0xFFFFFFFF
    value ^= value >> 13
    value = (value * 0xC2B2AE35) & 0xFFFFFFFF
    return value ^ (value >> 16)


def voter_order(choices: Sequence[Choice], *, poll: Poll, code: str | None) -> list[Choice]:
    """The choices as the card holding ``code`` (normalized) sees them; the poll's own order without one,
    as the page that opens before any card is read carries them for the phone to sort."""
    # A motion's answers keep their usual order (Đồng ý, Không đồng ý, Không có ý kiến): there is no
    # candidate for the first place to favour, and a delegate taps the first box out of habit.
    if code is None or poll.kind == PollKind.MOTION:
        return list(choices)
    return sorted(choices, key=lambda choice: (rank(poll.pk, code, choice.key), choice.key))


@dataclass(frozen=True)
class BallotPage:
    poll: Poll
    choices: list[Choice]  # in this voter's order
    blank_allowed: bool  # a motion has its own "Không có ý kiến" and takes exactly one answer
    many: bool  # checkboxes (several picks) rather than radio buttons
    chosen: frozenset[str]  # ticked when the page is drawn: a choice kept, or the one to confirm
    confirming: bool  # the confirmation drawn by the server (a phone without scripts)

    @property
    def legend(self) -> str:
        if self.poll.method == rules.Method.APPROVE_EACH:
            return f"Đánh dấu các đơn vị bạn đồng ý suy tôn (số suất: {self.poll.seats})"
        if self.poll.method == rules.Method.PICK_UP_TO:
            return "Chọn một" if self.poll.max_picks == 1 else f"Chọn tối đa {self.poll.max_picks}"
        return "Chọn một ý kiến"

    @property
    def picked_words(self) -> str:
        """What the confirmation says was picked, in the order the voter sees the choices."""
        if self.chosen == {BLANK}:
            return BLANK_LABEL
        return ", ".join(c.label for c in self.choices if c.key in self.chosen)

    @property
    def nothing_words(self) -> str:
        return nothing_chosen_words(self.poll)

    @property
    def cast_words(self) -> str:
        """The confirm button's words: the poll and the choice, so that nobody casts what they did not read."""
        return f"Bỏ phiếu «{self.poll}»: chọn {self.picked_words}"


def nothing_chosen_words(poll: Poll) -> str:
    """Why an empty ballot is refused: a blank ballot is chosen, never what an empty form becomes."""
    if poll.method == rules.Method.MOTION:
        return "Phiếu chưa có ý kiến nào: hãy chọn một ý kiến."
    return "Phiếu chưa có lựa chọn nào: hãy chọn phương án, hoặc chọn «Phiếu trắng» nếu không chọn ai."


def ballot_page(
    poll: Poll,
    *,
    code: str | None,
    chosen: Collection[str] = (),
    confirming: bool = False,
) -> BallotPage:
    choices = voter_order(list(poll.choices.all()), poll=poll, code=code)
    many = poll.method == rules.Method.APPROVE_EACH or (
        poll.method == rules.Method.PICK_UP_TO and poll.max_picks > 1
    )
    known = {c.key for c in choices} | {BLANK}
    return BallotPage(
        poll=poll,
        choices=choices,
        blank_allowed=poll.method != rules.Method.MOTION,
        many=many,
        chosen=frozenset(k for k in chosen if k in known),
        confirming=confirming,
    )
