"""The to-dos of the dossier: members upload their achievement reports, the secretariat sends a returned
dossier again, the parent body's staff take in what the groups sent, put it to the council and record the
decision (DOMAIN.md, the year step 6)."""

from __future__ import annotations

from datetime import UTC, date

from django.db.models import Count, Exists, F, OuterRef
from django.urls import reverse

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.awards.models import Dossier, DossierStatus, Proposal
from thidua.organizations.models import Leadership, LeadershipRole, Organization
from thidua.years.models import EmulationYear
from thidua.years.selectors import late_condition
from thidua.years.todos import Todo, todo


def _since_return(dossier: Dossier) -> str:
    """What keys a to-do about a returned dossier: each return is new work, so its to-dos get new keys and
    their e-mails go again, even to those who were told of the same work before the dossier was sent."""
    if dossier.returned_at is None:
        return ""
    # To the microsecond: a return follows a send, both stamped by the clock; none can share one.
    return f":tra-lai:{dossier.returned_at.astimezone(UTC):%Y%m%d%H%M%S%f}"


def member_todos(user: User, today: date) -> list[Todo]:
    """A member proposed for an award uploads its achievement report while the dossier is a draft: being
    made, or returned by the parent body."""
    officer_of = permissions.officer_org_ids(user)
    if not officer_of:
        return []
    proposals = (
        Proposal.objects.filter(organization_id__in=officer_of, dossier__status=DossierStatus.DRAFT)
        .exclude(dossier__reports__organization_id=F("organization_id"))
        .select_related("dossier__emulation_year__group", "organization")
    )
    items = {}
    for proposal in proposals:
        emulation_year = proposal.dossier.emulation_year
        key = f"report:{proposal.dossier_id}:{proposal.organization_id}{_since_return(proposal.dossier)}"
        items[key] = todo(
            key=key,
            text=f"Nộp báo cáo thành tích của {proposal.organization} — {emulation_year.group} năm {emulation_year.year}",
            url=reverse("awards:dossier", args=[emulation_year.group.slug, emulation_year.year])
            + "#bao-cao-thanh-tich",
            due=emulation_year.dossier_due,
            today=today,
            emulation_year_id=emulation_year.pk,
        )
    return list(items.values())


# As much of the parent body's reason as a to-do's line (and an e-mail's subject) holds; the dossier's
# page shows it whole.
REASON_IN_TODO = 120


def returned_todos(user: User, today: date) -> list[Todo]:
    """The secretariat of a year whose dossier the parent body returned corrects it and sends it again.

    The year's own stage to-do cannot say so: sending the dossier moved the year past its dossier stage
    (usually to closed), and a return does not move it back."""
    officer_of = permissions.officer_org_ids(user)
    if not officer_of:
        return []
    heads = Leadership.objects.filter(
        group_id=OuterRef("emulation_year__group_id"),
        year=OuterRef("emulation_year__year"),
        role=LeadershipRole.HEAD,
        organization_id__in=officer_of,
    )
    dossiers = (
        Dossier.objects.filter(Exists(heads), status=DossierStatus.DRAFT, returned_at__isnull=False)
        .select_related("emulation_year__group")
        .order_by("pk")
    )
    items = []
    for dossier in dossiers:
        emulation_year = dossier.emulation_year
        reason = dossier.returned_reason
        if len(reason) > REASON_IN_TODO:
            reason = reason[: REASON_IN_TODO - 1].rstrip() + "…"
        items.append(
            todo(
                key=f"returned:{dossier.pk}{_since_return(dossier)}",
                text=f"Hồ sơ bị trả lại: {reason} — sửa và gửi lại ({emulation_year.group} năm "
                f"{emulation_year.year}, thường trực cụm)",
                url=reverse("awards:dossier", args=[emulation_year.group.slug, emulation_year.year]),
                due=emulation_year.dossier_due,
                today=today,
                emulation_year_id=emulation_year.pk,
            )
        )
    return items


def late_todos(user: User, today: date) -> list[Todo]:
    """For the parent body's staff, the groups whose year is late (a deadline passed at a stage it binds),
    counted, with the overview's list of them: one to-do per parent body and year, which stays while any
    group is late. Each group's own officers are told of their own work; the staff follow up the lot."""
    staff_of = permissions.staff_parent_ids(user)
    if not staff_of:
        return []
    late = (
        EmulationYear.objects.filter(late_condition(today), group__parent_id__in=staff_of)
        .values_list("group__parent_id", "year")
        .annotate(groups=Count("pk"))
        .order_by("group__parent_id", "year")
    )
    counts = list(late)
    codes = dict(Organization.objects.filter(pk__in={p for p, _, _ in counts}).values_list("pk", "code"))
    return [
        todo(
            key=f"late:{parent_id}:{year}",
            text=f"{groups} cụm, khối trễ hạn năm {year}: xem danh sách và nhắc các cụm trưởng, khối trưởng",
            url=reverse("parent_awards:overview", args=[codes[parent_id], year]) + "?tre_han=1",
            due=None,
            today=today,
        )
        for parent_id, year, groups in counts
    ]


def parent_todos(user: User, today: date) -> list[Todo]:
    """Dossiers sent to the parent body and not decided: the council votes, then the decision."""
    staff_of = permissions.staff_parent_ids(user)
    if not staff_of:
        return []
    dossiers = Dossier.objects.filter(
        emulation_year__group__parent_id__in=staff_of, status=DossierStatus.SUBMITTED
    ).select_related("emulation_year__group")
    items = []
    for dossier in dossiers:
        emulation_year = dossier.emulation_year
        where = f"{emulation_year.group} năm {emulation_year.year}"
        if dossier.council_voted_at is None:
            key, text, page = (
                f"council:{dossier.pk}",
                f"Hồ sơ đến: Hội đồng bỏ phiếu — {where}",
                "awards:council_vote",
            )
        else:
            key, text, page = (
                f"decision:{dossier.pk}",
                f"Ghi quyết định khen thưởng — {where}",
                "awards:decision",
            )
        items.append(
            todo(
                key=key,
                text=text,
                url=reverse(page, args=[emulation_year.group.slug, emulation_year.year]),
                due=None,
                today=today,
                emulation_year_id=emulation_year.pk,
            )
        )
    return items
