"""The to-dos of scoring: a member self-scores and answers reviews, a reviewer cross-checks, the secretariat
settles. Self-scoring is the year's own work, open from the stage of that name (DOMAIN.md, the year
step 4), never for a year whose agreement waits for 1 January."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.assessments.models import (
    AmendmentEffect,
    Assessment,
    AssessmentStatus,
    ReviewAssignment,
    Score,
)
from thidua.years.models import YearStage
from thidua.years.selectors import open_years_of_members
from thidua.years.todos import Todo, todo

SCORING_STAGES = (YearStage.SELF_SCORING, YearStage.CROSS_CHECKING)


def scoring_todos(user: User, today: date) -> list[Todo]:
    """An officer's scoring work in the open years of its groups, and the secretariat's settling."""
    officer_of = permissions.officer_org_ids(user)
    if not officer_of:
        return []
    years = open_years_of_members(organization_ids=officer_of)
    items: list[Todo] = []
    for emulation_year in years:
        group, year = emulation_year.group, emulation_year.year
        mine = permissions.member_org_ids(user, group, year)
        where = f"{group} năm {year}"
        if emulation_year.stage in SCORING_STAGES:
            assessments = {
                a.organization_id: a
                for a in Assessment.objects.filter(emulation_year=emulation_year, organization_id__in=mine)
            }
            for org_id in mine:
                assessment = assessments.get(org_id)
                if assessment is None or assessment.status == AssessmentStatus.DRAFT:
                    code = assessment.organization.code if assessment else _code(org_id)
                    url = reverse("scoring:sheet", args=[group.slug, year, code])
                    items.append(
                        todo(
                            key=f"self-score:{emulation_year.pk}:{org_id}",
                            text=f"Tự chấm điểm — {where}",
                            url=url,
                            due=emulation_year.self_scoring_due,
                            today=today,
                            emulation_year_id=emulation_year.pk,
                        )
                    )
            unanswered = Score.objects.filter(
                assessment__emulation_year=emulation_year,
                assessment__organization_id__in=mine,
                reviewed_points__isnull=False,
                final_points__isnull=True,
                answer="",
            ).exclude(reviewed_points=F("self_points"))
            for org_code, count in _count_by_org(unanswered):
                url = reverse("scoring:sheet", args=[group.slug, year, org_code])
                items.append(
                    todo(
                        key=f"answer:{emulation_year.pk}:{org_code}",
                        text=f"Giải trình {count} tiêu chí — {where}",
                        url=url,
                        due=emulation_year.answer_due,
                        today=today,
                        emulation_year_id=emulation_year.pk,
                    )
                )
        for assignment in ReviewAssignment.objects.filter(
            emulation_year=emulation_year, reviewer_id__in=officer_of, completed_at__isnull=True
        ).select_related("reviewed"):
            submitted = Assessment.objects.filter(
                emulation_year=emulation_year,
                organization=assignment.reviewed,
                status=AssessmentStatus.SUBMITTED,
            ).exists()
            if submitted:
                url = reverse("scoring:review", args=[group.slug, year, assignment.reviewed.code])
                items.append(
                    todo(
                        key=f"review:{assignment.pk}",
                        text=f"Chấm chéo {assignment.reviewed} — {where}",
                        url=url,
                        due=emulation_year.review_due,
                        today=today,
                        emulation_year_id=emulation_year.pk,
                    )
                )
        if permissions.can_run_year(user, group, year):
            pending = Score.objects.filter(
                Q(assessment__emulation_year=emulation_year, assessment__status=AssessmentStatus.SUBMITTED),
                final_points__isnull=True,
                reviewed_points__isnull=False,
            ).count()
            if pending:
                url = reverse("scoring:settle_all", args=[group.slug, year])
                items.append(
                    todo(
                        key=f"settle:{emulation_year.pk}",
                        text=f"Chốt điểm {pending} tiêu chí — {where} (thường trực cụm)",
                        url=url,
                        due=emulation_year.conference_date,
                        today=today,
                        emulation_year_id=emulation_year.pk,
                    )
                )
    return sorted(items, key=lambda t: (t.due or date.max, t.text))


def amendment_todos(user: User, today: date) -> list[Todo]:
    """An amendment took effect and changed the member's sheet: read what changed (issue 13)."""
    officer_of = permissions.officer_org_ids(user)
    if not officer_of:
        return []
    effects = AmendmentEffect.objects.filter(
        read_at__isnull=True, assessment__organization_id__in=officer_of
    ).select_related("assessment__organization", "assessment__emulation_year__group", "agreement")
    items = []
    for effect in effects:
        assessment = effect.assessment
        emulation_year = assessment.emulation_year
        group, year = emulation_year.group, emulation_year.year
        shown = "; ".join(effect.lines[:3]) + ("; …" if len(effect.lines) > 3 else "")
        items.append(
            todo(
                key=f"amendment:{effect.pk}",
                text=(
                    f"Giao ước sửa đổi lần {effect.agreement.version - 1} đã thay đổi bản tự chấm của "
                    f"{assessment.organization} — {group} năm {year}: {shown}"
                ),
                url=reverse("scoring:sheet", args=[group.slug, year, assessment.organization.code]),
                due=None,
                today=today,
                emulation_year_id=emulation_year.pk,
            )
        )
    return items


def _code(org_id: int) -> str:
    from thidua.organizations.models import Organization

    return Organization.objects.values_list("code", flat=True).get(pk=org_id)


def _count_by_org(scores: QuerySet[Score]) -> list[tuple[str, int]]:
    rows = scores.values("assessment__organization__code").annotate(n=Count("pk"))
    return [(r["assessment__organization__code"], r["n"]) for r in rows]
