"""What a signed-in officer has to do next, across the years still open: the to-do list on login."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.agreements.models import AgreementStatus, EmulationYear, YearStatus
from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment, Score


@dataclass(frozen=True)
class Todo:
    text: str
    url: str
    due: date | None
    overdue: bool


def _item(text: str, url: str, due: date | None, today: date) -> Todo:
    return Todo(text, url, due, bool(due and due < today))


def todos(user: User) -> list[Todo]:
    today = timezone.localdate()
    officer_of = permissions.officer_org_ids(user)
    if not officer_of:
        return []
    years = (
        EmulationYear.objects.filter(
            group__memberships__organization_id__in=officer_of,
            group__memberships__year=F("year"),
        )
        .exclude(status=YearStatus.CLOSED)
        .select_related("group", "group__parent")
        .distinct()
    )
    items: list[Todo] = []
    for emulation_year in years:
        group, year = emulation_year.group, emulation_year.year
        mine = permissions.member_org_ids(user, group, year)
        where = f"{group} năm {year}"
        agreement = (
            emulation_year.agreements.exclude(status=AgreementStatus.SUPERSEDED).order_by("-version").first()
        )
        agreement_url = reverse("years:agreement", args=[group.slug, year])
        if agreement and agreement.status == AgreementStatus.SIGNING:
            signed = set(agreement.signatures.values_list("organization_id", flat=True))
            if mine - signed:
                items.append(
                    _item(f"Ký giao ước — {where}", agreement_url, emulation_year.signing_due, today)
                )
        if agreement and agreement.status == AgreementStatus.IN_FORCE:
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
                        _item(f"Tự chấm điểm — {where}", url, emulation_year.self_scoring_due, today)
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
                    _item(f"Giải trình {count} tiêu chí — {where}", url, emulation_year.answer_due, today)
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
                    _item(f"Chấm chéo {assignment.reviewed} — {where}", url, emulation_year.review_due, today)
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
                    _item(
                        f"Chốt điểm {pending} tiêu chí — {where} (thường trực cụm)",
                        url,
                        emulation_year.conference_date,
                        today,
                    )
                )
    return sorted(items, key=lambda t: (t.due or date.max, t.text))


def _code(org_id: int) -> str:
    from thidua.organizations.models import Organization

    return Organization.objects.values_list("code", flat=True).get(pk=org_id)


def _count_by_org(scores: QuerySet[Score]) -> list[tuple[str, int]]:
    rows = scores.values("assessment__organization__code").annotate(n=Count("pk"))
    return [(r["assessment__organization__code"], r["n"]) for r in rows]
