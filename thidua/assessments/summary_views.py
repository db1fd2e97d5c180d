"""The ranking summary of a group's year: members × criterion groups, self-scored beside final values.

Thin: permission (`year_for_viewer`) → `year_results` → rows for display → template. The page runs a
fixed number of queries whatever the number of members and criteria (asserted in tests at two sizes).

Draft secrecy lives here, in one place: every row is rebuilt from `MemberResult` with only what a viewer
may read. A member's figures exist for this page once its assessment is submitted; before that the row
carries no number at all, so neither the template, the sort order nor the chart can reveal one — to
anybody, the member itself included (its own sheet is elsewhere).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

from thidua.agreements.lookups import year_for_viewer
from thidua.agreements.models import CriterionGroup
from thidua.assessments import rules
from thidua.assessments.models import AssessmentStatus
from thidua.assessments.ranking import MemberResult, YearResults, year_results
from thidua.audit.version import versioned
from thidua.lib import tiebreak
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.lib.text import vietnamese_sort_key
from thidua.organizations.models import Regulation, TieBreak
from thidua.web.pagecache import cached_for_session
from thidua.years.models import EmulationYear

SORT_PARAM = "sap-xep"
PRINT_PARAM = "in"
DEFAULT_SORT = "hang"
GROUP_SORT_PREFIX = "nhom-"
TIE_LABEL = "Bằng điểm — hội nghị bỏ phiếu"
REFERRED_LABEL = "Bằng điểm — đề nghị cấp trên xem xét"
NOT_STARTED_LABEL = "Chưa chấm"
ZERO = Decimal(0)

# The chart's geometry, in SVG user units (the SVG scales to the page width).
CHART_WIDTH = 760
CHART_LABEL_WIDTH = 250
CHART_BAR_AREA = 410
CHART_TOP = 26  # room for the axis labels
CHART_ROW = 26
CHART_BAR_HEIGHT = 16
CHART_TICKS = 5  # about as many gridlines, at round values


@dataclass(frozen=True)
class Pair:
    """One figure self-scored and settled; None where the page has no figure to show."""

    self_value: Decimal | None
    final_value: Decimal | None


@dataclass(frozen=True)
class Row:
    position: int  # in year_results' order: rank, then unranked members by name
    rank: int | None
    tie_label: str  # what the tie-break left it: TIE_LABEL, REFERRED_LABEL, or "" when it has a rank alone
    name: str  # the name valid that year
    short_name: str
    state: str  # "settled", "submitted", "draft", "not_started"
    state_label: str
    groups: list[Pair]  # one per ordinary criterion group, in the agreement's order
    bonus: Pair
    penalty: Pair
    total: Pair
    band: str | None

    @property
    def shows_figures(self) -> bool:
        return self.state in ("settled", "submitted")

    @property
    def tied(self) -> bool:
        return bool(self.tie_label)


@dataclass(frozen=True)
class Bar:
    label: str
    description: str  # "Liên hiệp hội tỉnh Ninh Bình: 94,00 điểm", for <title> and aria-label
    value_text: str  # "94,00", or the state where there is no figure ("Đang chấm")
    value: Decimal | None
    y: int
    width: str  # SVG coordinates are written as strings here: templates would localize "12.5" to "12,5"


@dataclass(frozen=True)
class Tick:
    x: str
    label: str


@dataclass(frozen=True)
class Chart:
    final: bool  # final totals (every member settled) or self totals of submitted assessments
    bars: list[Bar]
    ticks: list[Tick]
    scale: Decimal
    width: int
    height: int
    label_width: int
    bar_height: int
    end: str  # x of the scale's end: the maximum plus the bonus cap


NO_FIGURES = Pair(None, None)


def _row(result: MemberResult, groups: list[CriterionGroup], year: int, position: int) -> Row:
    own = result.self_total
    if result.status != AssessmentStatus.SUBMITTED or own is None:
        # A draft (or a submission reopened) is still the member's own business: no figure leaves here.
        state = "draft" if result.status is not None else "not_started"
        state_label = AssessmentStatus.DRAFT.label if result.status is not None else NOT_STARTED_LABEL
        cells = [NO_FIGURES for _ in groups]
        bonus = penalty = total = NO_FIGURES
        band = None
    else:
        final = result.final_total if result.settled else None
        state = "settled" if final is not None else "submitted"
        state_label = "Đã chốt điểm" if final is not None else AssessmentStatus.SUBMITTED.label
        # Before settling, final scores exist for some criteria only: a partial sum would mislead.
        cells = [
            Pair(result.self_by_group.get(g.pk), result.final_by_group.get(g.pk) if final else None)
            for g in groups
        ]
        bonus = Pair(own.bonus, final.bonus if final else None)
        penalty = Pair(own.penalty, final.penalty if final else None)
        total = Pair(own.total, final.total if final else None)
        band = result.band if final else None
    return Row(
        position=position,
        rank=result.rank,
        tie_label=TIE_LABEL if result.tied_for_conference else REFERRED_LABEL if result.referred else "",
        name=result.name,
        short_name=result.organization.short_name_in_year(year),
        state=state,
        state_label=state_label,
        groups=cells,
        bonus=bonus,
        penalty=penalty,
        total=total,
        band=band,
    )


def _sort_keys(groups: list[CriterionGroup]) -> dict[str, Callable[[Row], Any]]:
    """The whitelist of `?sap-xep=` values. Figures sort highest first, rows without one last, each
    block keeping the rank order. Only the figures shown are sorted on, so a draft never moves a row."""

    def highest_first(figure: Callable[[Row], Decimal | None]) -> Callable[[Row], Any]:
        def key(row: Row) -> tuple[bool, Decimal, int]:
            value = figure(row)
            return (value is None, -(value if value is not None else ZERO), row.position)

        return key

    def group_final(index: int) -> Callable[[Row], Decimal | None]:
        return lambda row: row.groups[index].final_value

    keys: dict[str, Callable[[Row], Any]] = {
        DEFAULT_SORT: lambda row: row.position,
        "ten": lambda row: (vietnamese_sort_key(row.name), row.position),
        "tong-tu-cham": highest_first(lambda row: row.total.self_value),
        "tong-chot": highest_first(lambda row: row.total.final_value),
    }
    for index, group in enumerate(groups):
        keys[f"{GROUP_SORT_PREFIX}{group.code}"] = highest_first(group_final(index))
    return keys


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _tick_step(scale: Decimal) -> Decimal:
    """A round step (1, 2, 2,5 or 5 times a power of ten) giving the axis about five gridlines."""
    raw = scale / CHART_TICKS
    magnitude = Decimal(1).scaleb(raw.adjusted())
    return next(
        m * magnitude
        for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
        if m * magnitude >= raw
    )


def _chart(rows: list[Row], results: YearResults) -> Chart:
    """A horizontal bar per member, drawn server-side: final totals once every member is settled,
    else the self totals of submitted assessments (a draft gets an empty bar and its state)."""
    final = results.all_settled

    def figure(row: Row) -> Decimal | None:
        return row.total.final_value if final else row.total.self_value

    ordered = sorted(rows, key=lambda r: (figure(r) is None, -(figure(r) or ZERO), r.position))
    bonus_cap = results.agreement.bonus_cap if results.agreement else None
    scale = results.maximum + (bonus_cap or ZERO)
    # Without a bonus cap the bonus is capped by its criteria, which this page does not read: let the
    # largest figure widen the scale rather than draw a bar past the axis.
    scale = max([scale, *(v for r in ordered if (v := figure(r)) is not None)])
    if scale <= 0:
        scale = Decimal(1)
    bars = []
    for index, row in enumerate(ordered):
        value = figure(row)
        value_text = format_vietnamese_decimal(value, 2) if value is not None else row.state_label
        width = _quantize(max(value, ZERO) * CHART_BAR_AREA / scale) if value is not None else ZERO
        bars.append(
            Bar(
                label=row.short_name,
                description=f"{row.short_name}: {value_text}{' điểm' if value is not None else ''}",
                value_text=value_text,
                value=value,
                y=CHART_TOP + index * CHART_ROW,
                width=format(width, "f"),
            )
        )
    step = _tick_step(scale)
    ticks = [
        Tick(
            x=format(_quantize(CHART_LABEL_WIDTH + CHART_BAR_AREA * step * i / scale), "f"),
            label=format_vietnamese_decimal(step * i),
        )
        for i in range(int(scale / step) + 1)
    ]
    return Chart(
        final=final,
        bars=bars,
        ticks=ticks,
        scale=scale,
        width=CHART_WIDTH,
        height=CHART_TOP + len(bars) * CHART_ROW + 6,
        label_width=CHART_LABEL_WIDTH,
        bar_height=CHART_BAR_HEIGHT,
        end=format(Decimal(CHART_LABEL_WIDTH + CHART_BAR_AREA), "f"),
    )


def _tie_break(results: YearResults) -> dict[str, Any]:
    """The ranking's order as it is applied, with where each step comes from: the final total first, then,
    among equal totals, the regulation's tie-break steps (thidua/lib/tiebreak.py); and what each tie came to."""
    tie_group = results.tie_group
    steps: list[dict[str, Any]] = []
    for step in results.tie_order:
        if step is tiebreak.Step.FINAL_SCORE:
            # As the agreement compares the final score (docs/decisions.md, issue 15).
            parts = (
                [f"Điểm chốt nhóm tiêu chí {tie_group.code}. {tie_group.title} cao hơn"] if tie_group else []
            )
            steps.append({"label": TieBreak.FINAL_SCORE.label, "parts": [*parts, "Ít điểm trừ hơn"]})
        elif step is tiebreak.Step.RUNOFF:
            steps.append(
                {"label": "Hội nghị tổng kết bỏ phiếu giữa các đơn vị còn bằng nhau", "flag": TIE_LABEL}
            )
        elif step is tiebreak.Step.WOMEN_SHARE:
            steps.append({"label": tiebreak.STEP_WORDS[step], "women_share": True})
        else:
            steps.append({"label": TieBreak.REFER_PARENT.label, "flag": REFERRED_LABEL})
    if tiebreak.Step.REFER_PARENT not in results.tie_order:
        steps.append({"label": "Vẫn bằng nhau: đề nghị cấp trên xem xét", "flag": REFERRED_LABEL})
    regulation: Regulation | None = results.regulation
    order = [
        TieBreak(t).label if t in TieBreak.values else str(t)
        for t in (regulation.tie_break_order if regulation else [])
    ]
    return {"steps": steps, "group": tie_group, "regulation_order": order, "ties": results.ties}


def _bands(results: YearResults) -> list[dict[str, Any]]:
    regulation = results.regulation
    if regulation is None:
        return []
    bands = sorted(
        (rules.Band(Decimal(b["min"]), b["label"]) for b in regulation.scoring_bands),
        key=lambda b: b.minimum_percent,
        reverse=True,
    )
    return [
        {
            "label": b.label,
            "percent": b.minimum_percent,
            "points": b.minimum_percent * results.maximum / 100,
        }
        for b in bands
    ]


def _excel_url(slug: str, year: int) -> str | None:
    # The XLSX export is another page; link to it only where this deployment has it.
    try:
        return reverse("score_excel:summary", args=[slug, year])
    except NoReverseMatch:
        return None


def _query(sort: str, printing: bool) -> str:
    params = {SORT_PARAM: sort}
    if printing:
        params[PRINT_PARAM] = "1"
    return "?" + urlencode(params)


@cached_for_session
@login_required
def summary(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The table and chart are the same for every viewer allowed to see the year (drafts are hidden from
    all alike), so the drawn body is cached per data version and only the frame around it is per user."""
    emulation_year = year_for_viewer(request, slug, year)
    sort = request.GET.get(SORT_PARAM, DEFAULT_SORT)
    printing = request.GET.get(PRINT_PARAM) == "1"
    # A drawn page is only served while nothing at all has changed since it was drawn.
    body = versioned(
        request,
        f"summary:{emulation_year.pk}:{sort}:{int(printing)}",
        lambda: render_to_string("assessments/summary_body.html", _context(emulation_year, sort, printing)),
    )
    return render(
        request,
        "assessments/summary.html",
        {"group": emulation_year.group, "year": emulation_year.year, "body": mark_safe(body)},  # noqa: S308 — our own template's output  # nosec B308 B703
    )


def _context(emulation_year: EmulationYear, sort: str, printing: bool) -> dict[str, Any]:
    results = year_results(emulation_year)
    groups = results.work_areas
    rows = [_row(m, groups, emulation_year.year, i) for i, m in enumerate(results.members)]
    sort_keys = _sort_keys(groups)
    if sort not in sort_keys:
        sort = DEFAULT_SORT
    rows.sort(key=sort_keys[sort])

    group = emulation_year.group
    context: dict[str, Any] = {
        "emulation_year": emulation_year,
        "group": group,
        "year": emulation_year.year,
        # Not `results` itself: it holds drafts' figures, and the template must have no way to print them.
        "maximum": results.maximum,
        "agreement": results.agreement,
        "regulation": results.regulation,
        "rows": rows,
        "group_columns": [
            {
                "group": g,
                "sort": f"{GROUP_SORT_PREFIX}{g.code}",
                "url": _query(f"{GROUP_SORT_PREFIX}{g.code}", printing),
            }
            for g in groups
        ],
        "figure_columns": 2 * len(groups) + 6,
        "sort": sort,
        "sort_links": {
            "rank": _query(DEFAULT_SORT, printing),
            "name": _query("ten", printing),
            "self_total": _query("tong-tu-cham", printing),
            "final_total": _query("tong-chot", printing),
        },
        "printing": printing,
        "print_url": _query(sort, True),
        "screen_url": _query(sort, False),
        "has_ties": any(r.tied for r in rows),
        "has_runoff_ties": any(r.tie_label == TIE_LABEL for r in rows),
        "has_referred_ties": any(r.tie_label == REFERRED_LABEL for r in rows),
        "tie_label": TIE_LABEL,
        "referred_label": REFERRED_LABEL,
        "tie_break": _tie_break(results),
        "bands": _bands(results),
        "chart": _chart(rows, results),
        "excel_url": _excel_url(group.slug, emulation_year.year),
    }
    return context
