"""A 2023 dossier to work on: the demo's decided one is removed inside the test's transaction (it rolls
back afterwards); the demo's four issued 2023 documents stay in the registry to be chosen."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from thidua.assessments.demo import minimal_pdf
from thidua.awards.models import AchievementReport, Award, Dossier
from thidua.documents.models import Document
from thidua.years.models import EmulationYear


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def year_2023(db: Any, media: None) -> EmulationYear:
    Award.objects.all().delete()
    AchievementReport.objects.all().delete()
    Dossier.objects.all().delete()
    return EmulationYear.objects.get(group__slug="vusta-cum-4", year=2023)


@pytest.fixture
def draft(year_2023: EmulationYear, officer_ninh_binh: Any) -> Dossier:
    from thidua.awards import services

    return services.create_dossier(actor=officer_ninh_binh, emulation_year=year_2023)


@pytest.fixture
def issued_2023(db: Any) -> list[Document]:
    return list(Document.objects.filter(issuer_group__slug="vusta-cum-4", year=2023).order_by("number"))


@pytest.fixture
def submitted(draft: Dossier, officer_ninh_binh: Any, issued_2023: list[Document]) -> Dossier:
    from thidua.awards import services

    services.set_documents(actor=officer_ninh_binh, dossier=draft, documents=issued_2023)
    # The leader nominated in 2023 is Ninh Bình, whose officer uploads its achievement report.
    for proposal in draft.proposals.select_related("organization"):
        services.add_achievement_report(
            actor=officer_ninh_binh, dossier=draft, organization=proposal.organization, upload=pdf_upload()
        )
    return services.submit(actor=officer_ninh_binh, dossier=draft)


def pdf_upload(name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf("Bao cao thanh tich"))
