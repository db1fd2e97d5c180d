"""The secretariat's conference pages: set-up, delegates and cards, polls, projector, results.

Nothing here shows a count of votes before a poll closes: the progress figure (x / y đã bỏ phiếu) is
the only number, and results exist only once `close_poll` has counted them.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.agreements.lookups import year_for_runner, year_for_viewer
from thidua.agreements.models import Agreement, AgreementStatus
from thidua.audit.version import versioned
from thidua.conferences import pdf, services, ties
from thidua.conferences.forms import (
    ConferenceForm,
    ConferenceRolesForm,
    ConfirmForm,
    DelegateForm,
    PaperCountForm,
)
from thidua.conferences.models import (
    PAPER_MODES,
    BallotMode,
    Conference,
    ConferenceKind,
    Delegate,
    Poll,
    PollKind,
    PollStatus,
)
from thidua.conferences.selectors import conference_in_year, leaders_on_the_day, present_count, voting_open
from thidua.lib.dates import moment
from thidua.lib.text import vietnamese_sort_key
from thidua.organizations.models import LeadershipRole, Organization, SecondRound, TieBreak
from thidua.web.forms import apply_service_errors
from thidua.web.pagecache import cached_for_session_by
from thidua.web.qr import qr_svg
from thidua.web.submits import once
from thidua.web.versioning import OVERWRITE_WORDS, StaleEdit, redrawn_data, who_and_when
from thidua.years.models import EmulationYear


def acting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _members(emulation_year: EmulationYear) -> Any:
    return Organization.objects.filter(
        memberships__group=emulation_year.group, memberships__year=emulation_year.year
    ).prefetch_related("names")


def conference_from_url(request: HttpRequest, slug: str, year: int, pk: int, *, run: bool) -> Conference:
    emulation_year = (year_for_runner if run else year_for_viewer)(request, slug, year)
    return get_object_or_404(
        Conference.objects.select_related("emulation_year__group__parent", "host"),
        pk=pk,
        emulation_year=emulation_year,
    )


def _can_run(request: HttpRequest, conference: Conference) -> bool:
    emulation_year = conference.emulation_year
    return permissions.can_run_year(request.user, emulation_year.group, emulation_year.year)


@login_required
def conference_list(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_viewer(request, slug, year)
    can_run = permissions.can_run_year(request.user, emulation_year.group, year)
    form = ConferenceForm(
        request.POST or None,
        members=_members(emulation_year),
        initial={
            "title": f"Hội nghị tổng kết công tác thi đua, khen thưởng năm {year} — {emulation_year.group}"
        },
    )
    if request.method == "POST":
        permissions.require(can_run, "Chỉ thường trực cụm được tạo hội nghị.")
        if form.is_valid():

            def create() -> str:
                conference = services.create_conference(
                    actor=acting_user(request), emulation_year=emulation_year, values=form.cleaned_data
                )
                return reverse("conferences:detail", args=[slug, year, conference.pk])

            try:
                return redirect(once(request, verb="conference.create", work=create))
            except ValidationError as error:
                apply_service_errors(form, error)
    return render(
        request,
        "conferences/list.html",
        {
            "emulation_year": emulation_year,
            "group": emulation_year.group,
            "conferences": Conference.objects.filter(emulation_year=emulation_year).order_by("starts_at"),
            "form": form if can_run else None,
        },
    )


def sorted_delegates(conference: Conference) -> list[Delegate]:
    """Members' delegates by their organization's name, guests last."""
    return sorted(
        conference.delegates.select_related("organization").prefetch_related("organization__names"),
        key=lambda d: (
            d.organization is None,
            vietnamese_sort_key(d.organization.current_name if d.organization else ""),
            d.full_name,
        ),
    )


def _drafts_news_only(request: HttpRequest, conference: Conference) -> bool:
    """The host's news editors see an ended year-end conference's page, for its "Soạn tin" alone: they
    are no officers of the group and see nothing else of its year."""
    return (
        conference.closed_at is not None
        and conference.kind == ConferenceKind.YEAR_END
        and conference.host_id in permissions.editor_org_ids(request.user)
    )


def _presence(request: HttpRequest) -> str | None:
    """What the conference page shows that changes without an audit event: who is present, while a poll
    is open (a vote checks its delegate in and writes no event, services.cast_vote). Polls open and close
    through audited services, so whether one is open holds for a whole data version and is read once per
    version; checking in only ever adds someone, so the count changes whenever presence does. None, and
    nothing kept, where the URL names no conference."""
    match = request.resolver_match
    if match is None:
        return None
    conference_id = int(match.kwargs["pk"])
    voting = versioned(
        request,
        f"conference-voting:{conference_id}",
        lambda: voting_open(conference_id=conference_id),
        shared=True,
    )
    return str(present_count(conference_id=conference_id)) if voting else ""


@login_required
@cached_for_session_by(_presence)
def conference_detail(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    conference = conference_in_year(slug=slug, year=year, pk=pk)
    emulation_year = conference.emulation_year
    if not permissions.can_view_year(request.user, emulation_year.group, year):
        permissions.require(
            _drafts_news_only(request, conference),
            "Chỉ các đơn vị trong cụm, thường trực cụm và cơ quan cấp trên được xem hội nghị này.",
        )
        return render(
            request,
            "conferences/detail.html",
            {"conference": conference, "emulation_year": emulation_year, "group": emulation_year.group},
        )
    can_run = _can_run(request, conference)
    delegates = sorted_delegates(conference)
    next_agreement = (
        Agreement.objects.filter(emulation_year__group=emulation_year.group, emulation_year__year=year + 1)
        .exclude(status=AgreementStatus.SUPERSEDED)
        .order_by("-version")
        .first()
    )
    try:
        quorum = services.quorum(conference)
    except ValidationError:
        quorum = None
    polls = list(conference.polls.all())
    people = conference.people()
    return render(
        request,
        "conferences/detail.html",
        {
            "conference": conference,
            "emulation_year": emulation_year,
            "group": emulation_year.group,
            "delegates": delegates,
            "polls": polls,
            "quorum": quorum,
            "can_run": can_run,
            "delegate_form": DelegateForm(
                members=_members(emulation_year), leaders=leaders_on_the_day(conference)
            )
            if can_run
            else None,
            "people": people,
            "roles_form": ConferenceRolesForm(
                delegates=conference.delegates.order_by("full_name"),
                initial={role: d.pk for role, d in people.items()},
            )
            if can_run
            else None,
            "next_agreement": next_agreement,
            "vote_url": _vote_url(request, conference),
            "can_view": True,
            "close_form": ConfirmForm(label=CLOSE_CONFIRMATION)
            if can_run and not conference.closed_at
            else None,
            "unpublished": [p for p in polls if p.status != PollStatus.PUBLISHED],
        },
    )


CLOSE_CONFIRMATION = "Tôi xác nhận kết thúc hội nghị; sau khi kết thúc không mở thêm cuộc bỏ phiếu nào."
PUBLISH_CONFIRMATION = (
    "Tôi xác nhận công bố kết quả đã được ban kiểm phiếu xác nhận; kết quả công bố không sửa được."
)


def rekey_confirmation(voted: int) -> str:
    return (
        f"Tôi xác nhận hủy {voted} phiếu đã bỏ (không giải mã được khi thiếu thẻ giữ khóa); "
        "các đại biểu đó phải bỏ phiếu lại."
    )


@login_required
@require_POST
def conference_close(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    conference = conference_from_url(request, slug, year, pk, run=True)
    form = ConfirmForm(request.POST, label=CLOSE_CONFIRMATION)
    if not form.is_valid():
        messages.error(request, "Hãy đánh dấu ô xác nhận để kết thúc hội nghị.")
    else:
        try:
            closed = services.close_conference(actor=acting_user(request), conference=conference)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            assert closed.closed_at is not None
            messages.success(request, f"Đã kết thúc hội nghị lúc {moment(closed.closed_at)}.")
    return redirect("conferences:detail", slug=slug, year=year, pk=pk)


def _vote_url(request: HttpRequest, conference: Conference) -> str:
    """Where delegates' phones go: THIDUA_PUBLIC_URL when the laptop serves the venue's Wi-Fi, else
    the address this page was asked for."""
    path = reverse("vote:start", args=[conference.pk])
    base = settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
    return f"{base}{path}"


@login_required
def conference_edit(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    conference = conference_from_url(request, slug, year, pk, run=True)
    form = ConferenceForm(
        request.POST or None,
        members=_members(conference.emulation_year),
        initial={
            "version": conference.version,
            **{f: getattr(conference, f) for f in services.CONFERENCE_FIELDS},
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_conference(
                actor=acting_user(request),
                conference=conference,
                values=form.cleaned_data,
                version=form.cleaned_data.get("version"),
            )
        except StaleEdit as stale:
            form = ConferenceForm(
                redrawn_data(request.POST, stale), members=_members(conference.emulation_year)
            )
            form.is_valid()
            form.add_error(None, [*stale.messages, OVERWRITE_WORDS])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu.")
            return redirect("conferences:detail", slug=slug, year=year, pk=pk)
    return render(
        request,
        "organizations/form_page.html",
        {
            "form": form,
            "title": f"Sửa — {conference}",
            "saved_by": who_and_when(conference) if conference.changed_at else "",
        },
    )


@login_required
@require_POST
def conference_roles(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """Pick the chair, the secretary and the parent body's representative from the delegates."""
    conference = conference_from_url(request, slug, year, pk, run=True)
    form = ConferenceRolesForm(request.POST, delegates=conference.delegates.all())
    back = f"{reverse('conferences:detail', args=[slug, year, pk])}#vai-tro"
    if not form.is_valid():
        messages.error(request, "Người được chọn không có trong danh sách đại biểu.")
        return redirect(back)
    try:
        services.assign_roles(actor=acting_user(request), conference=conference, people=form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Đã lưu chủ trì, thư ký và đại diện cơ quan cấp trên.")
    return redirect(back)


@login_required
@require_POST
def delegate_add(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    conference = conference_from_url(request, slug, year, pk, run=True)
    form = DelegateForm(
        request.POST, members=_members(conference.emulation_year), leaders=leaders_on_the_day(conference)
    )
    back = f"{reverse('conferences:detail', args=[slug, year, pk])}#dai-bieu"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    values = {k: v for k, v in form.cleaned_data.items() if k != "submit_key"}

    def add() -> str:
        services.add_delegate(actor=acting_user(request), conference=conference, **values)
        messages.success(request, f"Đã thêm đại biểu {values['full_name']}.")
        return back

    try:
        return redirect(once(request, verb="delegate.add", work=add))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


@login_required
@require_POST
def delegate_check_in(request: HttpRequest, slug: str, year: int, pk: int, delegate_pk: int) -> HttpResponse:
    conference = conference_from_url(request, slug, year, pk, run=True)
    delegate = get_object_or_404(conference.delegates, pk=delegate_pk)
    services.check_in(actor=acting_user(request), delegate=delegate)
    return redirect(f"{reverse('conferences:detail', args=[slug, year, pk])}#dai-bieu")


@login_required
@require_POST
def cards(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    """Issue fresh codes and show the printable cards once: the codes are never stored in clear. With
    `format=pdf` the cards come as an A4 PDF (8 to a page) when the server has a Vietnamese font, else
    as the page to print from the browser, with a word why."""
    conference = conference_from_url(request, slug, year, pk, run=True)
    issued = services.issue_codes(actor=acting_user(request), conference=conference)
    base = _vote_url(request, conference)
    if request.POST.get("format") == "pdf":
        try:
            document = pdf.cards_pdf(conference, issued, base)
        except pdf.PdfUnavailable as error:
            messages.warning(request, str(error))
        else:
            response = HttpResponse(document, content_type="application/pdf")
            response["Content-Disposition"] = 'attachment; filename="the-bieu-quyet.pdf"'
            response["Cache-Control"] = "no-store"
            return response
    rows = [
        {
            "delegate": item.delegate,
            "code": item.code,
            # The code rides in the URL's fragment, which browsers never send to the server: it stays out
            # of every access log.
            "qr": qr_svg(f"{base}#{item.code}"),
        }
        for item in issued
    ]
    response = render(
        request, "conferences/cards.html", {"conference": conference, "rows": rows, "vote_url": base}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def poll_create(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    conference = conference_from_url(request, slug, year, pk, run=True)

    def create() -> str:
        poll = _create_poll(request, conference, year)
        return reverse("conferences:poll", args=[slug, year, pk, poll.pk])

    try:
        return redirect(once(request, verb="poll.create", work=create))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("conferences:detail", slug=slug, year=year, pk=pk)


def _create_poll(request: HttpRequest, conference: Conference, year: int) -> Poll:
    kind = request.POST.get("kind", "")
    actor = acting_user(request)
    if kind == "nomination":
        poll = services.create_nomination_poll(actor=actor, conference=conference)
    elif kind in ("head", "deputy"):
        poll = services.create_election_poll(
            actor=actor,
            conference=conference,
            role=LeadershipRole.HEAD if kind == "head" else LeadershipRole.DEPUTY,
        )
    elif kind == "agreement":
        agreement = (
            Agreement.objects.filter(
                emulation_year__group=conference.emulation_year.group, emulation_year__year=year + 1
            )
            .exclude(status=AgreementStatus.SUPERSEDED)
            .order_by("-version")
            .first()
        )
        poll = services.create_motion_poll(
            actor=actor,
            conference=conference,
            title=f"Thông qua giao ước thi đua năm {year + 1}",
            agreement=agreement,
        )
    else:
        poll = services.create_motion_poll(
            actor=actor, conference=conference, title=request.POST.get("title") or "Biểu quyết"
        )
    if request.POST.get("mode") in (BallotMode.PAPER, BallotMode.MIXED):
        poll.mode = BallotMode(request.POST["mode"])
        poll.save(update_fields=["mode"])
    if poll.left_out:
        messages.info(
            request,
            "Không đưa vào danh sách suy tôn: "
            + "; ".join(f"{item['name']} ({item['reason']})" for item in poll.left_out)
            + ".",
        )
    return poll


def _poll(conference: Conference, poll_pk: int) -> Poll:
    return get_object_or_404(conference.polls.prefetch_related("choices"), pk=poll_pk)


@login_required
def poll_detail(
    request: HttpRequest,
    slug: str,
    year: int,
    pk: int,
    poll_pk: int,
    count_error: str = "",
    typed: dict[int, str] | None = None,
) -> HttpResponse:
    conference = conference_from_url(request, slug, year, pk, run=False)
    poll = _poll(conference, poll_pk)
    can_run = _can_run(request, conference)
    # Results: the secretariat sees the count once the poll is closed (to confirm it); everyone who
    # may see the year sees it once published. Before closing there is no count anywhere.
    show_result = bool(poll.result) and (
        poll.status == PollStatus.PUBLISHED or (can_run and poll.status == PollStatus.CLOSED)
    )
    labels = {c.key: c.label for c in poll.choices.all()}
    # A mixed poll's rows also give each choice's electronic and paper votes (issue 14, part 9).
    parts = {name: poll.result[name]["counts"] for name in ("electronic", "paper") if name in poll.result}
    result_rows = (
        [
            {
                **row,
                "label": labels.get(row["key"], row["key"]),
                "parts": {name: counts.get(row["key"], 0) for name, counts in parts.items()}
                if len(parts) == 2
                else {},
            }
            for row in poll.result.get("choices", [])
        ]
        if show_result
        else []
    )
    voted, eligible = services.progress(poll)
    paper_form = None
    if can_run and poll.paper and poll.status == PollStatus.CLOSED:
        paper_form = PaperCountForm(choices=list(poll.choices.all()))
    return render(
        request,
        "conferences/poll.html",
        {
            "conference": conference,
            "group": conference.emulation_year.group,
            "emulation_year": conference.emulation_year,
            "poll": poll,
            "can_run": can_run,
            "show_result": show_result,
            "result_rows": result_rows,
            "voted": voted,
            "eligible": eligible,
            "paper_form": paper_form,
            "publish_form": ConfirmForm(label=PUBLISH_CONFIRMATION) if can_run else None,
            "can_rekey": can_run and services.can_rekey(poll),
            "rekey_form": ConfirmForm(label=rekey_confirmation(voted)) if can_run and voted else None,
            "runoff_labels": [labels.get(k, k) for k in poll.result.get("runoff", [])] if show_result else [],
            "referred_labels": (
                [labels.get(k, k) for k in poll.result.get("referred", [])] if show_result else []
            ),
            # The tie-break the poll opened with, and each choice's facts it would read (issue 15).
            "tie_steps": [
                TieBreak(step).label
                for step in ((poll.rule_sources or {}).get(ties.TIE_BREAK_RULE) or {}).get("steps", [])
            ],
            "tie_facts": ties.fact_rows(poll) if (poll.rule_sources or {}).get(ties.TIE_BREAK_RULE) else [],
            "count_holders": _count_holders(poll, typed or {}) if can_run else [],
            "count_error": count_error,
            "second_round_labels": (
                [labels.get(k, k) for k in poll.result.get("second_round", [])] if show_result else []
            ),
            "second_round_rule": SecondRound(services.second_round_rule(poll)).label,
            "next_round": poll.runoffs.first() if poll.status == PollStatus.PUBLISHED else None,
        },
    )


def _count_holders(poll: Poll, typed: dict[int, str]) -> list[dict[str, Any]]:
    """The count form's rows, one per share holder, with what was typed kept after a refusal."""
    if not poll.electronic or poll.status != PollStatus.CLOSED or poll.counted_at:
        return []
    return [
        {**holder, "field": f"share_{holder['index']}", "value": typed.get(holder["index"], "")}
        for holder in poll.key_holders
    ]


@login_required
@require_POST
def poll_action(
    request: HttpRequest, slug: str, year: int, pk: int, poll_pk: int, action: str
) -> HttpResponse:
    conference = conference_from_url(request, slug, year, pk, run=True)
    poll = _poll(conference, poll_pk)
    actor = acting_user(request)
    steps = {
        "mo": (services.open_poll, "Đã mở bỏ phiếu."),
        "dong": (services.close_poll, "Đã đóng bỏ phiếu."),
        "xac-nhan": (services.confirm_results, "Ban kiểm phiếu đã xác nhận kết quả."),
        "cong-bo": (services.publish, "Đã công bố kết quả."),
        "bo-phieu-lai": (services.create_runoff, "Đã tạo cuộc bỏ phiếu lại (vòng 2)."),
        "vong-2": (services.create_second_round, "Đã tạo cuộc bỏ phiếu vòng 2."),
    }
    if action == "khoa-moi":
        return _rekey(request, conference, poll)
    if action not in steps:
        return redirect("conferences:poll", slug=slug, year=year, pk=pk, poll_pk=poll_pk)
    step, message = steps[action]
    if action == "cong-bo" and not ConfirmForm(request.POST, label=PUBLISH_CONFIRMATION).is_valid():
        messages.error(request, "Hãy đánh dấu ô xác nhận trước khi công bố kết quả; chưa công bố.")
        return redirect("conferences:poll", slug=slug, year=year, pk=pk, poll_pk=poll_pk)
    try:
        result = step(actor=actor, poll=poll)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        if action == "mo" and services.can_rekey(_poll(conference, poll_pk)):
            # A double click: the first click's answer held the key cards, and the browser showed the
            # second's instead. The way out is on the poll's page.
            messages.info(request, LOST_CARDS)
    else:
        messages.success(request, message)
        if action in ("bo-phieu-lai", "vong-2"):
            return redirect("conferences:poll", slug=slug, year=year, pk=pk, poll_pk=result.pk)
        if action == "mo" and getattr(result, "board_shares", None):
            return _board_cards(request, conference, result)
    return redirect("conferences:poll", slug=slug, year=year, pk=pk, poll_pk=poll_pk)


LOST_CARDS = (
    "Nếu chưa nhận được thẻ giữ khóa kiểm phiếu, hãy bấm «Tạo khóa mới và in lại thẻ» trên trang này."
)


def _rekey(request: HttpRequest, conference: Conference, poll: Poll) -> HttpResponse:
    """New key cards for a poll whose cards were lost (`services.rekey_poll`): the ballots already cast
    are discarded, so the box must be ticked when there are any."""
    voted, _ = services.progress(poll)
    back = redirect(
        "conferences:poll",
        slug=conference.emulation_year.group.slug,
        year=conference.emulation_year.year,
        pk=conference.pk,
        poll_pk=poll.pk,
    )
    if voted and not ConfirmForm(request.POST, label=rekey_confirmation(voted)).is_valid():
        messages.error(request, "Hãy đánh dấu ô xác nhận hủy các phiếu đã bỏ; chưa tạo khóa mới.")
        return back
    try:
        poll = services.rekey_poll(actor=acting_user(request), poll=poll, key=request.POST.get("key", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    messages.success(request, "Đã tạo khóa mới; thẻ giữ khóa cũ không còn dùng được.")
    return _board_cards(request, conference, poll)


def _board_cards(request: HttpRequest, conference: Conference, poll: Poll) -> HttpResponse:
    """The counting board's key cards, in the response to the click that opened the poll and nowhere
    else: the shares are in this request's memory only, so this page is the one chance to print them
    (DESIGN.md, secret ballot). Each card carries its holder's share as a QR code and a typed code."""
    cards = [{"share": share, "qr": qr_svg(share.code)} for share in poll.board_shares]
    response = render(
        request,
        "conferences/board_cards.html",
        {
            "conference": conference,
            "group": conference.emulation_year.group,
            "emulation_year": conference.emulation_year,
            "poll": poll,
            "cards": cards,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def poll_count(request: HttpRequest, slug: str, year: int, pk: int, poll_pk: int) -> HttpResponse:
    """The counting board types (or scans) k of its shares; the totals are counted at once."""
    conference = conference_from_url(request, slug, year, pk, run=True)
    poll = _poll(conference, poll_pk)
    typed = {
        int(name.removeprefix("share_")): request.POST.get(name, "")
        for name in request.POST
        if name.startswith("share_") and name.removeprefix("share_").isdigit() and len(name) <= 9
    }
    try:
        services.count_poll(actor=acting_user(request), poll=poll, typed=typed)
    except ValidationError as error:
        # Back to the form with nothing typed lost, the problem named; the shares go nowhere else.
        response = poll_detail(
            request, slug, year, pk, poll_pk, count_error=" ".join(error.messages), typed=typed
        )
        response.status_code = 400
        return response
    messages.success(request, "Đã kiểm phiếu: kết quả chờ ban kiểm phiếu xác nhận.")
    return redirect("conferences:poll", slug=slug, year=year, pk=pk, poll_pk=poll_pk)


@login_required
@require_POST
def paper_count(request: HttpRequest, slug: str, year: int, pk: int, poll_pk: int) -> HttpResponse:
    conference = conference_from_url(request, slug, year, pk, run=True)
    poll = _poll(conference, poll_pk)
    form = PaperCountForm(request.POST, choices=list(poll.choices.all()))
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if not k.startswith("choice_")}
        try:
            services.enter_paper_count(actor=acting_user(request), poll=poll, counts=form.counts(), **values)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
        else:
            messages.success(request, "Đã ghi kết quả kiểm phiếu giấy.")
    else:
        messages.error(request, "Cần nhập đủ các số (số nguyên không âm).")
    return redirect("conferences:poll", slug=slug, year=year, pk=pk, poll_pk=poll_pk)


@login_required
def projector(request: HttpRequest, slug: str, year: int, pk: int) -> HttpResponse:
    conference = conference_from_url(request, slug, year, pk, run=True)
    return render(
        request,
        "conferences/projector.html",
        {"conference": conference, "progress_url": reverse("conferences:progress", args=[slug, year, pk])},
    )


BASE_WORDS = {
    "present": "số người bỏ phiếu có mặt",
    "eligible": "số người có quyền bỏ phiếu",
    "members": "số đơn vị thành viên",
}


def _projected_result(poll: Poll) -> dict[str, Any]:
    """A published poll's result as the projector shows it: each choice, its votes and share, the base
    and the threshold, and who was elected. Only ever called on a published poll."""
    assert poll.status == PollStatus.PUBLISHED
    result = poll.result
    labels = {c.key: c.label for c in poll.choices.all()}
    return {
        "title": str(poll),
        "base": result.get("base"),
        "base_words": BASE_WORDS.get(result.get("base_kind", ""), ""),
        "threshold": result.get("threshold", ""),
        "votes_needed": result.get("votes_needed"),
        "quorum_met": result.get("quorum_met", False),
        "outcome": result.get("outcome", ""),
        "choices": [
            {
                "label": labels.get(row["key"], row["key"]),
                "votes": row["votes"],
                "share": row["share"],
                "percent": row["percent"],
                "elected": row["elected"],
                "verdict": (
                    # A motion is adopted, a nominee or candidate elected (DOMAIN.md, Voting).
                    ("Thông qua" if poll.kind == PollKind.MOTION else "Trúng")
                    if row["elected"]
                    else "Đề nghị cấp trên xem xét"
                    if row.get("referred")
                    else "Bằng phiếu"
                    if row["tied"]
                    else "Vào vòng 2"
                    if row.get("second_round")
                    else "Đạt ngưỡng"
                    if row["passes"]
                    else "Không đạt"
                ),
            }
            for row in result.get("choices", [])
        ],
    }


@login_required
def progress(request: HttpRequest, slug: str, year: int, pk: int) -> JsonResponse:
    """The projector's live figures: how many have voted in each open poll, and nothing else of it; and
    the result of the poll published last, once it is published."""
    conference = conference_from_url(request, slug, year, pk, run=True)
    quorum = services.quorum(conference)
    polls = []
    for poll in conference.polls.filter(status=PollStatus.OPEN):
        voted, eligible = services.progress(poll)
        polls.append(
            {
                "title": str(poll),
                "status": poll.status,
                "voted": voted,
                "eligible": eligible,
                "text": f"{voted} / {eligible} đã bỏ phiếu",
            }
        )
    published = (
        conference.polls.filter(status=PollStatus.PUBLISHED)
        .prefetch_related("choices")
        .order_by(F("published_at").desc(nulls_last=True), "-position", "-pk")
        .first()
    )
    response = JsonResponse(
        {
            "present": quorum.present,
            "eligible": quorum.eligible,
            "quorum_met": quorum.met,
            "polls": polls,
            "result": _projected_result(published) if published is not None else None,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


def _published_poll(slug: str, year: int, pk: int, poll_pk: int) -> tuple[Conference, Poll]:
    conference = get_object_or_404(
        Conference, pk=pk, emulation_year__group__slug=slug, emulation_year__year=year
    )
    return conference, get_object_or_404(conference.polls, pk=poll_pk, status=PollStatus.PUBLISHED)


def published_ballots(request: HttpRequest, slug: str, year: int, pk: int, poll_pk: int) -> HttpResponse:
    """A published poll's record, for anyone: every encrypted ballot by receipt (a voter finds theirs),
    the totals with their proofs of decryption, and how to check it all without any key."""
    conference, poll = _published_poll(slug, year, pk, poll_pk)
    receipts = list(poll.ballots.order_by("receipt").values_list("receipt", flat=True))
    # The voter noted the receipt's first characters ("Tám ký tự đầu" on the phone): they type them here
    # rather than search a page of 64-character codes on a phone.
    typed = re.sub(r"[^0-9a-f]", "", request.GET.get("ma", "").lower())[:64]
    found = [r for r in receipts if r.startswith(typed)] if typed else []
    slots = services.ballot_slots(poll)
    totals = poll.decryption.get("totals", [])
    rows = [
        {"label": label, "total": totals[i] if i < len(totals) else None}
        for i, label in enumerate([c.label for c in slots] + ["Phiếu trắng"])
    ]
    return render(
        request,
        "conferences/ballots.html",
        {
            "conference": conference,
            "poll": poll,
            "receipts": receipts,
            "typed": typed,
            "found": found,
            "rows": rows,
            "encrypted": bool(poll.public_key),
            "record_url": reverse("conferences:ballots_json", args=[slug, year, pk, poll_pk]),
        },
    )


def published_record(request: HttpRequest, slug: str, year: int, pk: int, poll_pk: int) -> HttpResponse:
    """The record as a file, for `manage.py verify_poll` or any other checker."""
    _, poll = _published_poll(slug, year, pk, poll_pk)
    if not poll.public_key or poll.counted_at is None:
        raise Http404("Cuộc bỏ phiếu này không có hồ sơ phiếu mã hóa.")
    response = JsonResponse(
        services.poll_record(poll), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'attachment; filename="ho-so-bo-phieu-{poll.pk}.json"'
    return response


PAPER_BALLOTS_MAX = 500


@login_required
def paper_ballots(request: HttpRequest, slug: str, year: int, pk: int, poll_pk: int) -> HttpResponse:
    """Blank ballots of a paper poll to print, two to an A4 page: as many as there are voting delegates,
    or `?so-phieu=N` (1 to 500). Every copy is the same: nothing on a ballot tells whose it is."""
    conference = conference_from_url(request, slug, year, pk, run=True)
    poll = get_object_or_404(conference.polls.prefetch_related("choices"), pk=poll_pk, mode__in=PAPER_MODES)
    copies = conference.delegates.filter(votes=True).count()
    asked = request.GET.get("so-phieu", "").strip()
    if asked.isascii() and asked.isdigit():
        copies = int(asked) if len(asked) <= 6 else PAPER_BALLOTS_MAX  # int() refuses thousands of digits
    copies = min(max(copies, 1), PAPER_BALLOTS_MAX)
    try:
        document = pdf.paper_ballot_pdf(poll, copies)
    except pdf.PdfUnavailable as error:
        messages.warning(request, str(error))
        return redirect("conferences:poll", slug=slug, year=year, pk=pk, poll_pk=poll_pk)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-giay-{poll.pk}.pdf"'
    return response
