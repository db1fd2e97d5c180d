"""The secretariat's to-do after the conference: issue its minutes, vote-count minutes and proposal letter
(tờ trình), which the dossier to the parent body carries (DOMAIN.md, "Documents the cluster issues")."""

from __future__ import annotations

from datetime import date

from django.db.models import F
from django.urls import reverse

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.documents.models import Document, DocumentStatus, DocumentType
from thidua.years.models import EmulationYear, YearStage
from thidua.years.todos import Todo, todo


def issuing_todos(user: User, today: date) -> list[Todo]:
    officer_of = permissions.officer_org_ids(user)
    if not officer_of:
        return []
    years = EmulationYear.objects.filter(
        stage=YearStage.DOSSIER,
        group__leaderships__role=permissions.HEAD,
        group__leaderships__year=F("year"),
        group__leaderships__organization_id__in=officer_of,
    ).select_related("group")
    items = []
    for emulation_year in years:
        proposals = Document.objects.filter(
            issuer_group_id=emulation_year.group_id,
            year__gte=emulation_year.year,
            doc_type=DocumentType.PROPOSAL,
            status=DocumentStatus.ISSUED,
        )
        if proposals.exists():
            continue
        group = emulation_year.group
        items.append(
            todo(
                key=f"issue-documents:{emulation_year.pk}",
                text=f"Ban hành biên bản hội nghị, biên bản kiểm phiếu và tờ trình — {group} năm {emulation_year.year}",
                url=reverse("documents:list", args=[group.slug, emulation_year.year]),
                due=emulation_year.dossier_due,
                today=today,
                emulation_year_id=emulation_year.pk,
            )
        )
    return items
