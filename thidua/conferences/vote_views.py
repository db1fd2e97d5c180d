"""The delegate's phone: open the ballot with the card, pick, confirm on the same page, cast, get a receipt.

Two requests for a delegate holding the card (issue 14, part 6): the QR code opens this page with the code
in the URL's fragment, which browsers never send. The page carries the ballot of every open poll, the same
for every delegate, and `static/thidua/vote.js` shows it at once, the choices sorted for this card
(`ballot_page.rank`), with no request of its own; the confirmation is drawn on the page by the script,
and the second request casts (`step=cast`), which reads the card, checks the ballot and marks the
delegate present. A code typed into the field is posted first (`step=list`), so a typing mistake is named
before anything is chosen; a phone without scripts gets the confirmation drawn by the server
(`step=review`), still one request to cast.

No account and no session: the code travels in each form post and nowhere else — not in a URL, not in a
cookie, not in a log line. No choice is in a URL either, every answer is padded to a length that does
not depend on the choice (`thidua.web.padding`), and a ballot refused for what it picks is answered with
the status of a cast: an access log holds nothing about a ballot.

With no cookie to ride on there is nothing for a CSRF token to protect: these forms carry none, and a post
is checked by its Origin header instead (thidua/web/origin.py). A phone that refuses cookies votes too.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from thidua.audit.version import versioned
from thidua.conferences import codes, kits, services
from thidua.conferences.ballot_page import BallotPage, ballot_page, nothing_chosen_words
from thidua.conferences.models import ELECTRONIC_MODES, Conference, Delegate, Participation, Poll, PollStatus
from thidua.organizations.models import Organization
from thidua.web import rows
from thidua.web.client import client_address
from thidua.web.origin import posted_from_here
from thidua.web.padding import pad


def _polls_open_now(request: HttpRequest, conference: Conference) -> list[Poll]:
    # Which polls are open changes only through `open_poll` and `close_poll`, which write the audit
    # trail: read once per process and data version, as the conference is.
    polls: list[Poll] = versioned(
        request,
        f"vote:open_polls:{conference.pk}",
        lambda: list(
            conference.polls.filter(status=PollStatus.OPEN, mode__in=ELECTRONIC_MODES).order_by("position")
        ),
        shared=True,
    )
    return polls


def _open_polls(request: HttpRequest, conference: Conference, delegate: Delegate) -> list[Poll]:
    # Whether this delegate has voted in the open polls is read each time, by SQL written out: every code
    # entry asks it, and Django building the query cost more than PostgreSQL answering it
    # (docs/benchmarks.md).
    polls = _polls_open_now(request, conference)
    if not polls:
        return []
    keys = sorted({services.voter_key(p, delegate) for p in polls})
    poll_column, key_column = rows.column(Participation, "poll"), rows.column(Participation, "voter_key")
    sql = (
        f"SELECT {poll_column} FROM {rows.table(Participation)} "  # noqa: S608 — names from the model  # nosec B608
        f"WHERE {poll_column} IN ({', '.join(['%s'] * len(polls))}) "
        f"AND {key_column} IN ({', '.join(['%s'] * len(keys))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(p.pk for p in polls), *keys])
        done = {pk for (pk,) in cursor.fetchall()}
    return [p for p in polls if p.pk not in done]


def _with_names(request: HttpRequest, delegate: Delegate) -> None:
    """Give the delegate its organization with the names prefetched, from this process's memory: the
    ballot and the list of polls print the organization's name, which is otherwise one more query on
    every code entry. Names change only through services that write the audit trail."""
    organization = delegate.organization
    if organization is None:
        return

    def load() -> Organization:
        # The organization the delegate's row came with, its names added: one query, as printing the
        # name would have cost anyway.
        prefetch_related_objects([organization], "names")
        return organization

    named = versioned(request, f"vote:organization:{organization.pk}", load, shared=True)
    rows.attach(delegate, "organization", named)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: with no-referrer browsers post "Origin: null", which is refused.
    response["Referrer-Policy"] = "same-origin"
    return response


def _page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    as_long_as: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page, padded; with `as_long_as`, at least as long as the same page drawn with those values."""
    response = _private(render(request, f"conferences/vote/{template}", context, status=status))
    at_least = 0
    if as_long_as is not None:
        longest = render_to_string(f"conferences/vote/{template}", {**context, **as_long_as}, request)
        at_least = len(longest.encode())
    return pad(response, at_least=at_least)


# A refusal's words vary with what was picked (one's own organization, too many): the padding allows this
# much on top of the longest drawing of the page.
_WORDS_ALLOWANCE = 2048


def _ballot(
    request: HttpRequest, context: dict[str, Any], page: BallotPage, status: int = 200
) -> HttpResponse:
    context = {**context, "poll": page.poll, "ballot": page}
    if not page.chosen and "error" not in context:
        return _page(request, "ballot.html", context, status)
    # The page names or ticks what was picked: drawn as long as the page that ticks and names every
    # choice, so its length is the same whatever the pick.
    everything = ballot_page(
        page.poll,
        code=context["card"],
        chosen=[c.key for c in page.choices],
        confirming=True,
    )
    longest = {"ballot": everything, "error": "x" * _WORDS_ALLOWANCE}
    return _page(request, "ballot.html", context, status, as_long_as=longest)


def _first_page(request: HttpRequest, conference: Conference) -> HttpResponse:
    """The page the card's QR code opens: every open poll's ballot, in the poll's own order, for the script
    to show once it has read the card from the URL's fragment. One page for every delegate, so it says
    nothing about anyone; what it shows changes only through audited services (opening and closing a
    poll, its choices, the conference), so each process draws it once per data version."""

    polls = [_poll(request, conference, p.pk) for p in _polls_open_now(request, conference)]
    # While phones open this page and delegates read, this process makes the open polls' kits.
    kits.keep_ready({p.pk: services.ballot_shape(p) for p in polls if p.public_key})

    def draw() -> bytes:
        ballots = [ballot_page(p, code=None) for p in polls]
        return _page(request, "start.html", {"conference": conference, "ballots": ballots}).content

    return _private(HttpResponse(versioned(request, f"vote:first_page:{conference.pk}", draw, shared=True)))


def _record_url(conference: Conference, poll: Poll) -> str:
    """Where a voter checks their receipt once the result is out: the poll's public record."""
    group = conference.emulation_year.group
    args = [group.slug, conference.emulation_year.year, conference.pk, poll.pk]
    for name in ("conferences:poll_record", "conferences:ballots"):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return ""


@csrf_exempt  # no cookie to protect: the Origin is checked below (module docstring)
@never_cache
def start(request: HttpRequest, pk: int) -> HttpResponse:
    # The conference and the poll with its choices change only through services that write the audit
    # trail, and a vote writes none: during a burst of votes they are read once per process. Nothing
    # here changes them, so every request of the process shares them.
    conference = versioned(
        request,
        f"vote:conference:{pk}",
        lambda: get_object_or_404(Conference.objects.select_related("emulation_year__group"), pk=pk),
        shared=True,
    )
    context: dict[str, Any] = {"conference": conference}
    if request.method != "POST":
        return _first_page(request, conference)
    code = request.POST.get("code", "")
    if not posted_from_here(request):
        error = "Phiếu phải được gửi từ chính trang bỏ phiếu này. Mở lại trang và nhập mã."
        return _page(request, "start.html", {**context, "error": error, "code": code}, status=403)
    try:
        delegate = services.authenticate(conference, code, client=client_address(request))
    except services.CodeRejected as refused:
        # What was typed stays in the field, marked, with the reason next to it (issue 14, part 7).
        status = 429 if isinstance(refused, services.TooManyWrongCodes) else 400
        error = " ".join(refused.messages)
        return _page(
            request, "start.html", {**context, "error": error, "code": code, "code_invalid": True}, status
        )
    step = request.POST.get("step", "list")
    # The card as `authenticate` read it: its normalized code sorts the choices (`ballot_page.rank`).
    card = codes.read_scanned_card(code)
    context.update({"delegate": delegate, "code": code, "card": card.code if card else ""})
    if step != "cast":
        # Present from the moment the card opens a page. Not in the cast: a vote writes no audit event,
        # and the cast marks the voter present itself.
        services.check_in(actor=None, delegate=delegate)
        _with_names(request, delegate)
    poll_pk = request.POST.get("poll", "")
    if step == "list" or not poll_pk.isdigit():
        polls = _open_polls(request, conference, delegate)
        if len(polls) == 1:  # what a conference mostly has: the card opens the ballot itself
            poll = _poll(request, conference, polls[0].pk)
            return _ballot(request, context, ballot_page(poll, code=context["card"]))
        return _page(
            request, "polls.html", {**context, "polls": polls, "records": _records(conference, polls)}
        )
    poll = _poll(request, conference, int(poll_pk))
    selections = request.POST.getlist("choice")
    try:
        if poll.status != PollStatus.OPEN:
            raise services.VoteRefused("Cuộc bỏ phiếu này không còn mở.")
        if step in ("ballot", "again"):  # "again": choosing again keeps the choice and the order
            chosen = selections if step == "again" else ()
            return _ballot(request, context, ballot_page(poll, code=context["card"], chosen=chosen))
        if not selections:
            raise services.VoteRefused(nothing_chosen_words(poll))
        if step == "review":
            services.ballot_problems(poll, delegate, selections)
            page = ballot_page(poll, code=context["card"], chosen=selections, confirming=True)
            return _ballot(request, context, page)
        # `cast_vote` checks the ballot against the poll's rules itself, refusing with the same words.
        receipt = services.cast_vote(poll=poll, delegate=delegate, selections=selections)
        # No query for what is left to vote on: the next page lists it, the cast stays cheap.
        record = _record_url(conference, poll)
        return _page(request, "receipt.html", {**context, "poll": poll, "receipt": receipt, "record": record})
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        if poll.status == PollStatus.OPEN:
            # A refused ballot is answered 200, as a cast: the status is in every access log, and what
            # is refused here may name a choice (one's own organization, blank with a candidate, too
            # many), so a 400 there would tell whoever reads the log what the voter first picked.
            page = ballot_page(poll, code=context["card"], chosen=selections)
            return _ballot(request, context, page)
        return _page(
            request, "polls.html", {**context, "polls": _open_polls(request, conference, delegate)}, 400
        )


def _records(conference: Conference, open_polls: list[Poll]) -> list[tuple[Poll, str]]:
    """With nothing left to vote on: each published electronic poll and where its ballots are listed,
    for the voter to find their receipt (the receipt page said to look there once the result is out)."""
    if open_polls:
        return []
    published = conference.polls.filter(status=PollStatus.PUBLISHED, mode__in=ELECTRONIC_MODES)
    return [(poll, _record_url(conference, poll)) for poll in published.order_by("position")]


def _poll(request: HttpRequest, conference: Conference, poll_pk: int) -> Poll:
    # The status read here may be a moment old: the cast checks it again, locked, in its transaction.
    poll: Poll = versioned(
        request,
        f"vote:poll:{conference.pk}:{poll_pk}",
        lambda: get_object_or_404(conference.polls.prefetch_related("choices"), pk=poll_pk),
        shared=True,
    )
    return poll
