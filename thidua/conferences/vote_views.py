"""The delegate's phone: enter (or scan) the card's code, pick, confirm, get a receipt.

No account and no session: the code travels in each form post and nowhere else — not in a URL (the QR
puts it in the fragment, which browsers never send), not in a cookie, not in a log line. Choices are
shown in a fresh random order for each voter so that position favours no one.

With no cookie to ride on there is nothing for a CSRF token to protect: these forms carry none, and a post
is checked by its Origin header instead (thidua/web/origin.py). A phone that refuses cookies votes too.
"""

from __future__ import annotations

import random
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from thidua.audit.version import versioned
from thidua.conferences import services
from thidua.conferences.models import BallotMode, Conference, Delegate, Participation, Poll, PollStatus
from thidua.web.origin import posted_from_here


def _open_polls(conference: Conference, delegate: Delegate) -> list[Poll]:
    polls = list(
        conference.polls.filter(status=PollStatus.OPEN, mode=BallotMode.ELECTRONIC).order_by("position")
    )
    done = set(
        Participation.objects.filter(
            poll__in=polls, voter_key__in=[services.voter_key(p, delegate) for p in polls]
        ).values_list("poll_id", flat=True)
    )
    return [p for p in polls if p.pk not in done]


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, f"conferences/vote/{template}", context, status=status)
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: with no-referrer browsers post "Origin: null", which is refused.
    response["Referrer-Policy"] = "same-origin"
    return response


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
        return _page(request, "start.html", context)
    if not posted_from_here(request):
        return _page(
            request,
            "start.html",
            {**context, "error": "Phiếu phải được gửi từ chính trang bỏ phiếu này. Mở lại trang và nhập mã."},
            status=403,
        )
    code = request.POST.get("code", "")
    try:
        delegate = services.authenticate(conference, code)
    except ValidationError as error:
        return _page(
            request, "start.html", {**context, "error": " ".join(error.messages), "code": ""}, status=400
        )
    services.check_in(actor=None, delegate=delegate)
    step = request.POST.get("step", "list")
    context.update({"delegate": delegate, "code": code})
    if step == "list" or not request.POST.get("poll", "").isdigit():
        return _page(request, "polls.html", {**context, "polls": _open_polls(conference, delegate)})
    poll_pk = int(request.POST["poll"])
    # The status read here may be a moment old: the cast checks it again, locked, in its transaction.
    poll = versioned(
        request,
        f"vote:poll:{conference.pk}:{poll_pk}",
        lambda: get_object_or_404(conference.polls.prefetch_related("choices"), pk=poll_pk),
        shared=True,
    )
    choices = list(poll.choices.all())
    selections = request.POST.getlist("choice")
    try:
        if step == "ballot":
            if poll.status != PollStatus.OPEN:
                raise services.VoteRefused("Cuộc bỏ phiếu này không còn mở.")
            random.SystemRandom().shuffle(choices)
            return _page(request, "ballot.html", {**context, "poll": poll, "choices": choices})
        if step == "cast":
            # cast_vote checks the ballot itself: checking here too would do the work twice per vote.
            receipt = services.cast_vote(poll=poll, delegate=delegate, selections=selections)
            # No query for what is left to vote on: the next page lists it, the cast stays cheap.
            return _page(request, "receipt.html", {**context, "poll": poll, "receipt": receipt})
        chosen = services.ballot_problems(poll, delegate, selections)
        if step == "review":
            picked = [c for c in choices if c.key in chosen]
            return _page(
                request,
                "review.html",
                {**context, "poll": poll, "picked": picked, "selections": sorted(chosen)},
            )
    except ValidationError as error:
        random.SystemRandom().shuffle(choices)
        return _page(
            request,
            "ballot.html" if poll.status == PollStatus.OPEN else "polls.html",
            {
                **context,
                "poll": poll,
                "choices": choices,
                "error": " ".join(error.messages),
                "polls": _open_polls(conference, delegate),
            },
            status=400,
        )
    return _page(request, "polls.html", {**context, "polls": _open_polls(conference, delegate)})
