"""The registry tests count numbers from 01 in Cụm 4's 2023. The demo's decided dossier for that year
issues four documents (01–04), so each database test here starts from the registry as it was before the
dossier: its rows are removed inside the test's own transaction, which rolls back afterwards (a
transactional test's tables are emptied after it anyway, and the demo put back after its module)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _registry_without_the_demo_dossier(request: Any) -> None:
    if "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    elif request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("db")
    else:
        return
    from thidua.awards.models import AchievementReport, Award, Dossier
    from thidua.documents.models import Document, NumberSequence, SignedOriginal

    Award.objects.all().delete()
    AchievementReport.objects.all().delete()
    Dossier.objects.all().delete()
    SignedOriginal.objects.all().delete()
    Document.objects.all().delete()
    NumberSequence.objects.all().delete()


@pytest.fixture
def no_pdf(monkeypatch: Any) -> None:
    """No LibreOffice: a document is kept with its DOCX only, as when the converter is missing."""
    from thidua.documents import converter

    def unavailable(data: bytes, **kwargs: Any) -> bytes:
        raise converter.PdfUnavailable("")

    monkeypatch.setattr(converter, "convert_to_pdf", unavailable)
