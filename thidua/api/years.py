"""Reading a year: its agreements with criteria, its final results once settled, its published polls.

Who reads: whoever may see the year on the web (`can_view_year`: its members' officers, its
secretariat, the parent body's staff). What is never returned: draft agreements (still being written),
figures of a year not yet settled (a member's draft must not leak through a total or a rank), and
polls not yet published (results stay hidden until the count is confirmed and announced).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router

from thidua.agreements.models import Agreement, AgreementStatus, Criterion, CriterionGroup
from thidua.api.common import Slug, Year, page_of, paged, points, year_or_404
from thidua.api.errors import ERROR_RESPONSES, ApiProblem
from thidua.api.schemas import AgreementPage, PageQuery, PollPage, ResultsPage
from thidua.assessments.ranking import year_results
from thidua.conferences.models import Choice, Poll, PollStatus

router = Router(tags=["Năm thi đua"])


@router.get(
    "/groups/{slug}/years/{year}/agreements",
    response={200: AgreementPage, **ERROR_RESPONSES},
    operation_id="list_agreements",
    summary="Giao ước thi đua của năm, kèm tiêu chí",
)
def list_agreements(request: HttpRequest, slug: Slug, year: Year, paging: Query[PageQuery]) -> dict[str, Any]:
    """Every version issued for signing, in force or amended since; drafts are the secretariat's work
    in progress and are left out."""
    emulation_year = year_or_404(request, slug, year)
    agreements = (
        Agreement.objects.filter(emulation_year=emulation_year)
        .exclude(status=AgreementStatus.DRAFT)
        .order_by("version")
        .prefetch_related(
            Prefetch(
                "criterion_groups",
                CriterionGroup.objects.order_by("position").prefetch_related(
                    Prefetch("criteria", Criterion.objects.order_by("position"))
                ),
            )
        )
    )
    count, rows = page_of(agreements, paging)
    items = [
        {
            "version": a.version,
            "status": a.status,
            "title": a.title,
            "goals": a.goals,
            "commitments": a.commitments,
            "bonus_cap": points(a.bonus_cap),
            "penalty_cap": points(a.penalty_cap),
            "criterion_groups": [
                {
                    "code": g.code,
                    "title": g.title,
                    "max_points": points(g.max_points),
                    "criteria": [
                        {
                            "code": c.code,
                            "text": c.text,
                            "guidance": c.guidance,
                            "kind": c.kind,
                            "max_points": points(c.max_points),
                            "target": points(c.target),
                            "points_per_unit": points(c.points_per_unit),
                            "evidence_required": c.evidence_required,
                        }
                        for c in g.criteria.all()
                    ],
                }
                for g in a.criterion_groups.all()
            ],
        }
        for a in rows
    ]
    return paged(count, paging, items)


@router.get(
    "/groups/{slug}/years/{year}/results",
    response={200: ResultsPage, **ERROR_RESPONSES},
    operation_id="year_results",
    summary="Điểm chốt và xếp hạng của năm đã chốt điểm",
)
def results(request: HttpRequest, slug: Slug, year: Year, paging: Query[PageQuery]) -> dict[str, Any]:
    """Final totals and ranks, best first. A year's results exist once it is settled: its status says so
    (settled, closed), or every member's sheet is submitted and every score settled. Before that the
    answer is 404, whoever asks — nothing of a draft is ever returned."""
    emulation_year = year_or_404(request, slug, year)
    outcome = year_results(emulation_year)
    if not emulation_year.settled and not outcome.all_settled:
        raise ApiProblem(
            404,
            "chua_chot_diem",
            f"Năm {year} chưa chốt điểm: kết quả chỉ có khi mọi đơn vị đã được chốt điểm.",
        )
    code_of = {g.pk: g.code for g in outcome.groups}
    settled = [m for m in outcome.members if m.final_total is not None and m.rank is not None]
    count, rows = page_of(settled, paging)
    items = []
    for m in rows:
        total = m.final_total
        assert total is not None and m.rank is not None
        items.append(
            {
                "organization": m.organization.code,
                "name": m.name,
                "rank": m.rank,
                "tied_for_conference": m.tied_for_conference,
                "referred": m.referred,
                "final_total": points(total.total),
                "base": points(total.base),
                "bonus": points(total.bonus),
                "penalty": points(total.penalty),
                "band": m.band,
                "by_group": [
                    {"code": code_of[g], "points": points(v)} for g, v in sorted(m.final_by_group.items())
                ],
            }
        )
    return paged(
        count,
        paging,
        items,
        group=emulation_year.group.slug,
        year=emulation_year.year,
        maximum=points(outcome.maximum),
    )


def _organization_code(choice: Choice | None) -> str | None:
    return choice.organization.code if choice is not None and choice.organization is not None else None


def _poll_row(poll: Poll) -> dict[str, Any]:
    result = poll.result
    choices = {c.key: c for c in poll.choices.all()}
    return {
        "id": poll.pk,
        "conference": poll.conference.title,
        "kind": poll.kind,
        "title": str(poll),
        "round": poll.round,
        "seats": poll.seats,
        "award_form": poll.award_form,
        "participants": result.get("participants", 0),
        "valid": result.get("valid", 0),
        "blank": result.get("blank", 0),
        "invalid": result.get("invalid", 0),
        "base": result.get("base", 0),
        "quorum_met": result.get("quorum_met", False),
        "quorum_needed": result.get("quorum_needed", 0),
        "votes_needed": result.get("votes_needed", 0),
        "threshold": result.get("threshold", ""),
        "elected": result.get("elected", []),
        "runoff": result.get("runoff", []),
        "second_round": result.get("second_round", []),
        "outcome": result.get("outcome", ""),
        "choices": [
            {
                "key": c["key"],
                "label": choices[c["key"]].label if c["key"] in choices else c["key"],
                "organization": _organization_code(choices.get(c["key"])),
                "votes": c["votes"],
                "share": c["share"],
                "percent": c["percent"],
                "passes": c["passes"],
                "elected": c["elected"],
                "tied": c["tied"],
            }
            for c in result.get("choices", [])
        ],
    }


@router.get(
    "/groups/{slug}/years/{year}/polls",
    response={200: PollPage, **ERROR_RESPONSES},
    operation_id="list_published_polls",
    summary="Kết quả các cuộc bỏ phiếu đã công bố",
)
def published_polls(request: HttpRequest, slug: Slug, year: Year, paging: Query[PageQuery]) -> dict[str, Any]:
    """Only published polls: a poll being voted on, being counted or awaiting the board's confirmation
    is not listed at all, so neither its result nor its existence leaks."""
    emulation_year = year_or_404(request, slug, year)
    polls = (
        Poll.objects.filter(conference__emulation_year=emulation_year, status=PollStatus.PUBLISHED)
        .select_related("conference")
        .prefetch_related(Prefetch("choices", Choice.objects.select_related("organization")))
        .order_by("conference__starts_at", "conference_id", "position", "pk")
    )
    count, rows = page_of(polls, paging)
    return paged(count, paging, [_poll_row(p) for p in rows])
