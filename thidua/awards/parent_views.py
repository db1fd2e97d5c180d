"""The parent body's overview for its staff (issue 16): every group of a year with its stage, deadlines
and what is late; the dossiers received, the council's sittings and the award decisions; the statistics
of a year with its .xlsx; and the award history, public for issued decisions. Thin: the reads are in
`selectors`, the shaping in `rules`; every list is a page of 50 read in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from thidua.accounts import permissions
from thidua.audit.version import data_version
from thidua.awards import excel, rules, selectors, snapshots
from thidua.awards.forms import (
    KIND_WORDS,
    DecisionFilterForm,
    DossierFilterForm,
    HistoryFilterForm,
    OverviewFilterForm,
)
from thidua.awards.models import ScoreSnapshot
from thidua.awards.rules import DOSSIER_STATE_LABELS, DossierState
from thidua.lib.text import fold
from thidua.organizations.models import EmulationGroup, Organization, OrganizationKind
from thidua.web.pagecache import cached_for_session_with
from thidua.years.models import YearStage
from thidua.years.selectors import NOT_OPENED, GroupFilters, group_year_row, year_counts

PER_PAGE = 50
# {parent}: the page's parent body, named so that a unit's officer knows whose page it is.
STAFF_ONLY = (
    "Chỉ cán bộ của {parent} được xem trang này. Việc của đơn vị bạn có ở Trang chủ và trang cụm, khối "
    "của đơn vị."
)
EARLIEST_YEAR = 1990


def parent_body(code: str) -> Organization:
    return get_object_or_404(
        Organization.objects.prefetch_related("names"), code=code, kind=OrganizationKind.PARENT_BODY
    )


def staff_parent(request: HttpRequest, code: str, message: str = STAFF_ONLY) -> Organization:
    """The parent body, for its own staff only: an officer or an editor is refused (403) with `message`;
    another parent body's staff are refused too, told whose page this is and whose staff they are (they
    are staff, only not of this body)."""
    parent = parent_body(code)
    if not permissions.is_parent_staff(request.user, parent):
        if theirs := permissions.staff_parent_ids(request.user):
            message = _other_parents_message(parent, theirs)
        permissions.require(False, message.replace("{parent}", parent.current_name))
    return parent


def _other_parents_message(parent: Organization, theirs: Iterable[int]) -> str:
    bodies = Organization.objects.filter(pk__in=list(theirs)).prefetch_related("names").order_by("sort_key")
    names = ", ".join(body.current_name for body in bodies)
    return f"Trang này chỉ dành cho cán bộ của {parent.current_name}. Tài khoản của bạn thuộc {names}."


def _checked_year(year: int) -> int:
    if not EARLIEST_YEAR <= year <= timezone.localdate().year + 1:
        raise Http404(f"Không có năm thi đua {year}.")
    return year


def page_of(request: HttpRequest, items: QuerySet[Any]) -> Page[Any]:
    """The page of `items` the request's `trang` asks for, 50 rows each: the parent body's lists grow with
    its groups and its years (issue 16)."""
    return Paginator(items, PER_PAGE).get_page(request.GET.get("trang"))


def _page_query(request: HttpRequest) -> str:
    """The address's filters without the page number: the pagination links keep them."""
    query = request.GET.copy()
    query.pop("trang", None)
    return query.urlencode()


def _words(text: str) -> tuple[str, ...]:
    return tuple(fold(text).split())


# Each tab of the overview and the name of its page, for the links to the same tab of another year.
TABS = {
    "groups": "overview",
    "dossiers": "overview_dossiers",
    "council": "overview_council",
    "decisions": "overview_decisions",
    "statistics": "statistics",
}


def _context(request: HttpRequest, parent: Organization, year: int, tab: str) -> dict[str, Any]:
    return {
        "parent": parent,
        "year": year,
        "tab": tab,
        "url_name": TABS[tab],
        "years": selectors.years_with_data(parent_id=parent.pk, around=(year, timezone.localdate().year)),
        "page_query": _page_query(request),
    }


@login_required
# What is late changes with the day, not only with the data: the day is part of the key.
@cached_for_session_with(lambda: timezone.localdate().isoformat())
def overview(request: HttpRequest, parent_code: str, year: int) -> HttpResponse:
    parent = staff_parent(request, parent_code)
    year = _checked_year(year)
    today = timezone.localdate()
    stages = [*YearStage.choices, (NOT_OPENED, "Chưa mở năm thi đua")]
    form = OverviewFilterForm(request.GET, stages=stages)
    data = form.cleaned_data if form.is_valid() else {}
    filters = GroupFilters(
        kind=KIND_WORDS.get(data.get("loai", ""), ""),
        stage=data.get("giai_doan", ""),
        late_only=bool(data.get("tre_han")),
        words=_words(data.get("q", "")),
    )
    page = page_of(
        request, selectors.overview_groups(parent_id=parent.pk, year=year, today=today, filters=filters)
    )
    rows = [
        (group_year_row(group, year=year, today=today), selectors.group_dossier_state(group))
        for group in page
    ]
    return render(
        request,
        "awards/overview.html",
        {
            **_context(request, parent, year, "groups"),
            "form": form,
            "items": page,
            "rows": [
                {"row": row, "dossier": DOSSIER_STATE_LABELS[state] if state else ""} for row, state in rows
            ],
            "counts": year_counts(parent_id=parent.pk, year=year, today=today),
            "today": today,
        },
    )


@login_required
def overview_dossiers(request: HttpRequest, parent_code: str, year: int) -> HttpResponse:
    parent = staff_parent(request, parent_code)
    year = _checked_year(year)
    states = [(state.value, DOSSIER_STATE_LABELS[state]) for state in DossierState]
    form = DossierFilterForm(request.GET, states=states)
    data = form.cleaned_data if form.is_valid() else {}
    chosen = data.get("trang_thai")
    state = DossierState(chosen) if chosen else None
    page = page_of(
        request,
        selectors.received_dossiers(
            parent_id=parent.pk, year=year, state=state, words=_words(data.get("q", ""))
        ),
    )
    rows = [
        {
            "dossier": d,
            # `heads` is selectors.received_dossiers' prefetch of the year's head, who sends the dossier.
            "sender": heads[0].organization.short_name_in_year(year)
            if (heads := getattr(d.emulation_year.group, "heads", []))
            else "",
            "state": DOSSIER_STATE_LABELS[s]
            if (
                s := rules.dossier_state(
                    d.status, submitted=d.submitted_at is not None, voted=d.council_voted_at is not None
                )
            )
            else "",
        }
        for d in page
    ]
    counts = selectors.dossier_state_counts(parent_id=parent.pk, year=year)
    return render(
        request,
        "awards/overview_dossiers.html",
        {
            **_context(request, parent, year, "dossiers"),
            "form": form,
            "items": page,
            "rows": rows,
            "counts": [(s.value, DOSSIER_STATE_LABELS[s], counts[s]) for s in DossierState],
        },
    )


def _council(request: HttpRequest, parent_id: int, year: int) -> dict[str, Any]:
    return {
        "sessions": list(selectors.council_sessions(parent_id=parent_id, year=year)[:PER_PAGE]),
        "items": page_of(request, selectors.council_votes(parent_id=parent_id, year=year)),
    }


def _decisions(request: HttpRequest, parent_id: int, year: int) -> dict[str, Any]:
    form = DecisionFilterForm(request.GET)
    words = _words(form.cleaned_data.get("q", "")) if form.is_valid() else ()
    return {
        "form": form,
        "items": page_of(request, selectors.award_decisions(parent_id=parent_id, year=year, words=words)),
    }


# The tabs that only list what their read gives them (parent_urls.py names the tab).
LIST_TABS: dict[str, Callable[[HttpRequest, int, int], dict[str, Any]]] = {
    "council": _council,
    "decisions": _decisions,
}


@login_required
def overview_tab(request: HttpRequest, parent_code: str, year: int, tab: str) -> HttpResponse:
    parent = staff_parent(request, parent_code)
    year = _checked_year(year)
    return render(
        request,
        f"awards/overview_{tab}.html",
        {**_context(request, parent, year, tab), **LIST_TABS[tab](request, parent.pk, year)},
    )


def award_history(request: HttpRequest, parent_code: str) -> HttpResponse:
    """Public: anyone reads the awards of issued decisions (a decision is published anyway,
    docs/decisions.md); the parent body's staff also see those recorded ahead of their date."""
    parent = parent_body(parent_code)
    is_staff = permissions.is_parent_staff(request.user, parent)
    forms_named = selectors.form_labels(parent)
    form = HistoryFilterForm(request.GET, forms_named=forms_named)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.HistoryFilters(
        words=_words(data.get("q", "")), form=data.get("hinh_thuc", ""), year=data.get("nam")
    )
    today = timezone.localdate()
    page = page_of(
        request,
        selectors.award_history(
            parent_id=parent.pk, filters=filters, published_on=None if is_staff else today
        ),
    )
    labels = dict(forms_named)
    return render(
        request,
        "awards/award_history.html",
        {
            "parent": parent,
            "is_staff": is_staff,
            "form": form,
            "items": page,
            "page_query": _page_query(request),
            "rows": [
                {
                    "award": a,
                    "form": labels.get(a.award_form, a.award_form),
                    "organization": a.organization.name_in_year(a.year),
                    "issued": a.decision_date <= today,
                }
                for a in page
            ],
        },
    )


def _statistics(
    parent: Organization, year: int, groups: Iterable[EmulationGroup], snapshot: ScoreSnapshot
) -> excel.Statistics:
    """The year's figures; `groups` are those of `selectors.awards_by_group` to show (a page, or all of
    them for the workbook). The scores by criterion group are the worker's kept sums (`snapshot`), as a
    request may not add up a national parent body's 1.5 million settled scores (awards/snapshots.py)."""
    forms = tuple(selectors.form_labels(parent))
    values = [value for value, _ in forms]
    return excel.Statistics(
        parent_name=parent.current_name,
        year=year,
        forms=forms,
        by_form=selectors.awards_by_form(parent_id=parent.pk, year=year),
        # `total` and `form_<value>` are the annotations of selectors.awards_by_group.
        by_group=[
            (g.title, [getattr(g, f"form_{v}") for v in values], g.total)  # type: ignore[attr-defined]
            for g in groups
        ],
        by_year=selectors.awards_by_year(parent_id=parent.pk, up_to=year),
        scores=rules.score_table(rules.snapshot_scores(snapshot.rows, up_to=year)),
        scores_as_of=snapshot.computed_at,
    )


def _score_snapshot(request: HttpRequest, parent: Organization) -> ScoreSnapshot:
    return snapshots.ask_for_scores(parent_id=parent.pk, version=data_version(request))


def _render_statistics(
    request: HttpRequest, parent: Organization, year: int, *, export_error: str = "", status: int = 200
) -> HttpResponse:
    groups = page_of(request, selectors.awards_by_group(parent_id=parent.pk, year=year))
    snapshot = _score_snapshot(request, parent)
    stats = _statistics(parent, year, groups, snapshot)
    values = [value for value, _ in stats.forms]
    form_rows = [(label, stats.by_form.get(value, 0)) for value, label in stats.forms]
    year_rows = [
        (y, [counts.get(v, 0) for v in values], sum(counts.values()))
        for y, counts in sorted(stats.by_year.items())
    ]
    scores = stats.scores
    column = scores.years.index(year) if year in scores.years else None
    latest_scores: list[tuple[str, Decimal | int]] = []
    maxima: list[Decimal] = []
    for title, averages, maximum in scores.rows:
        average = averages[column] if column is not None else None
        if average is not None:
            latest_scores.append((title, average))
            maxima.append(maximum)
    return render(
        request,
        "awards/statistics.html",
        {
            **_context(request, parent, year, "statistics"),
            "export_error": export_error,
            # No button for a file with nothing in it (the export would say so instead).
            "can_export": not export_error and selectors.year_has_statistics(parent_id=parent.pk, year=year),
            "forms": stats.forms,
            "form_rows": form_rows,
            "form_chart": rules.bar_chart(form_rows, unit="tập thể"),
            "items": groups,
            "group_rows": stats.by_group,
            "group_chart": rules.bar_chart(
                [(title, total) for title, _, total in stats.by_group], unit="tập thể"
            ),
            "year_rows": year_rows,
            "year_chart": rules.bar_chart([(f"Năm {y}", total) for y, _, total in year_rows], unit="tập thể"),
            "scores": scores,
            "scores_as_of": snapshot.computed_at,
            # A newer sum asked of the worker and not yet made.
            "scores_coming": snapshot.requested_at is not None
            and (snapshot.computed_at is None or snapshot.requested_at > snapshot.computed_at),
            # Each work area's bar out of its own maximum: work areas weigh differently (walk of the
            # national demo: 12,72 of 15 looked far weaker than 21,30 of 25, both about 85%).
            "score_chart": rules.bar_chart(latest_scores, unit="điểm bình quân", maxima=maxima),
        },
        status=status,
    )


@login_required
def statistics(request: HttpRequest, parent_code: str, year: int) -> HttpResponse:
    parent = staff_parent(request, parent_code)
    return _render_statistics(request, parent, _checked_year(year))


@login_required
def statistics_xlsx(request: HttpRequest, parent_code: str, year: int) -> HttpResponse:
    """The statistics as a workbook; a year with nothing to count is said on the page instead of an
    empty file (issue 16)."""
    parent = staff_parent(request, parent_code)
    year = _checked_year(year)
    if not selectors.year_has_statistics(parent_id=parent.pk, year=year):
        return _render_statistics(
            request,
            parent,
            year,
            export_error=(
                f"Năm {year} chưa có số liệu để xuất Excel: chưa có quyết định khen thưởng nào và chưa "
                "có điểm chốt của đơn vị nào. Hãy chọn năm khác."
            ),
            status=404,
        )
    snapshot = _score_snapshot(request, parent)
    if snapshot.computed_at is None:
        # Nothing slow in a request: the first sum is the worker's, and the page says when to come back.
        refused = _render_statistics(
            request,
            parent,
            year,
            export_error=(
                "Điểm chốt theo nhóm tiêu chí đang được tổng hợp lần đầu; hãy tải lại trang sau ít phút "
                "rồi xuất Excel."
            ),
            status=503,
        )
        refused["Retry-After"] = "60"
        return refused
    groups = selectors.awards_by_group(parent_id=parent.pk, year=year)
    data = excel.statistics_workbook(_statistics(parent, year, groups, snapshot))
    return HttpResponse(
        data,
        content_type=excel.XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="thong-ke-{parent.code}-{year}.xlsx"'},
    )
