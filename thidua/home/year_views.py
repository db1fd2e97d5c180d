"""The page of a group's year: where every member stands, the year's stages with what holds them and who
must act, its deadlines. It reads agreements and assessments alike, so it stands above both (DESIGN.md,
Code layout)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.agreements.lookups import year_for_runner, year_for_viewer
from thidua.agreements.models import AgreementStatus
from thidua.assessments.models import AssessmentStatus, ReviewAssignment
from thidua.assessments.selectors import member_statuses
from thidua.web.pagecache import cached_for_session_with
from thidua.years import services as year_services
from thidua.years.forms import DeadlinesForm
from thidua.years.models import EmulationYear
from thidua.years.selectors import year_stages
from thidua.years.services import advance_year


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _deadline_rows(emulation_year: EmulationYear) -> list[dict[str, Any]]:
    today = timezone.localdate()
    labels = [
        ("signing_due", "Ký giao ước"),
        ("self_scoring_due", "Tự chấm điểm"),
        ("review_due", "Chấm chéo"),
        ("answer_due", "Giải trình"),
        ("conference_date", "Hội nghị tổng kết"),
        ("dossier_due", "Gửi hồ sơ khen thưởng"),
    ]
    return [
        {
            "label": label,
            "date": getattr(emulation_year, name),
            "past": getattr(emulation_year, name) and getattr(emulation_year, name) < today,
        }
        for name, label in labels
    ]


@login_required
@cached_for_session_with(lambda: timezone.localdate().isoformat())
def dashboard(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Where every member stands, what is overdue, and the next step for whoever is looking."""
    emulation_year = year_for_viewer(request, slug, year)
    group = emulation_year.group
    today = timezone.localdate()
    agreement = (
        emulation_year.agreements.exclude(status=AgreementStatus.SUPERSEDED).order_by("-version").first()
    )
    rows = member_statuses(emulation_year=emulation_year, agreement=agreement)
    # Only the viewer's own cross-checks: the member rows already carry every reviewer.
    reviewing_for = list(
        ReviewAssignment.objects.filter(
            emulation_year=emulation_year, reviewer_id__in=permissions.officer_org_ids(request.user)
        ).select_related("reviewed")
    )
    mine = permissions.member_org_ids(request.user, group, year)
    overdue = []
    if (
        emulation_year.signing_due
        and emulation_year.signing_due < today
        and agreement
        and agreement.status == AgreementStatus.SIGNING
    ):
        overdue += [f"{r.name}: chưa ký giao ước" for r in rows if not r.signed]
    if emulation_year.self_scoring_due and emulation_year.self_scoring_due < today:
        overdue += [
            f"{r.name}: chưa nộp bản tự chấm"
            for r in rows
            if r.assessment is None or r.assessment.status != AssessmentStatus.SUBMITTED
        ]
    if emulation_year.review_due and emulation_year.review_due < today:
        overdue += [
            f"{r.reviewer}: chưa chấm chéo xong {r.name}" for r in rows if r.reviewer and not r.reviewed
        ]
    return render(
        request,
        "agreements/dashboard.html",
        {
            "emulation_year": emulation_year,
            "group": group,
            "agreement": agreement,
            "rows": rows,
            "mine": mine,
            "deadlines": _deadline_rows(emulation_year),
            "stages": year_stages(emulation_year=emulation_year),
            # Without a head there is no secretariat: the parent body names one (DESIGN.md, Who uses it).
            "no_head": not group.leaderships.filter(year=year, role=permissions.HEAD).exists(),
            "can_manage": permissions.can_manage_registry(request.user, group.parent),
            "overdue": overdue,
            "can_run": permissions.can_run_year(request.user, group, year),
            "deadlines_form": DeadlinesForm(
                initial={f: getattr(emulation_year, f) for f in year_services.DEADLINE_FIELDS}
            ),
            "summary_url": _optional_url("score_summary:summary", group.slug, year),
            "reviewing_for": reviewing_for,
        },
    )


def _optional_url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
@require_POST
def advance(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The secretariat asks the year to move on; it moves as far as the work allows, or says what is
    missing and who must do it."""
    emulation_year = year_for_runner(request, slug, year)
    report = advance_year(actor=_user(request), emulation_year=emulation_year)
    if report.moved:
        messages.success(
            request, f"Năm thi đua đã chuyển sang giai đoạn: {emulation_year.get_stage_display()}."
        )
    if report.gate is not None and not report.gate.done:
        who = f" Người thực hiện: {report.gate.who}." if report.gate.who else ""
        messages.warning(
            request,
            f"Chưa chuyển được khỏi giai đoạn {emulation_year.get_stage_display()}: "
            + " ".join(report.gate.missing)
            + who,
        )
    return redirect("years:dashboard", slug=slug, year=year)


@login_required
@require_POST
def deadlines(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    emulation_year = year_for_runner(request, slug, year)
    form = DeadlinesForm(request.POST)
    if form.is_valid():
        year_services.set_deadlines(
            actor=_user(request), emulation_year=emulation_year, deadlines=form.cleaned_data
        )
        messages.success(request, "Đã lưu các mốc thời gian.")
    else:
        messages.error(request, "Ngày không hợp lệ.")
    return redirect("years:dashboard", slug=slug, year=year)
