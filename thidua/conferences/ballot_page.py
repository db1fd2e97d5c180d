"""What the delegate's phone shows of one poll: the choices in this voter's order, the blank ballot as a
choice of its own, and the confirmation naming what was picked.

The order is random but fixed for one voter: a keyed hash of the poll, the delegate and the choice sorts
the choices, so position favours no candidate across voters, while reloading the page, coming back to
choose again or a refused ballot never reshuffles what the voter was reading (issue 14, part 7). The key
is the server's secret: nobody can work out a voter's order, and so which tap was which, from public data.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.utils.crypto import salted_hmac

from thidua.conferences import rules
from thidua.conferences.models import Choice, Poll
from thidua.conferences.services import BLANK

BLANK_LABEL = "Phiếu trắng"


def voter_order(choices: Sequence[Choice], *, poll: Poll, delegate_pk: int) -> list[Choice]:
    def rank(choice: Choice) -> bytes:
        value = f"{poll.pk}:{delegate_pk}:{choice.key}"
        return salted_hmac("thidua.conferences.ballot_page.voter_order", value, algorithm="sha256").digest()

    return sorted(choices, key=rank)


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
    delegate_pk: int,
    chosen: Collection[str] = (),
    confirming: bool = False,
) -> BallotPage:
    choices = voter_order(list(poll.choices.all()), poll=poll, delegate_pk=delegate_pk)
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
