"""One current document of each kind per conference (one vote count per poll): a second click, or a
second officer, gets the first, never 01/BB and 02/BB for one meeting."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.conferences.models import Conference
from thidua.documents import issuing, services
from thidua.documents.models import Document, DocumentStatus

pytestmark = pytest.mark.django_db
Y = "/nam-thi-dua/vusta-cum-4/2023/van-ban"


@pytest.fixture
def media(settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from thidua.documents import converter

    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(converter, "convert_to_pdf", lambda data, **kwargs: b"%PDF-1.7")


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.mark.usefixtures("media")
def test_the_minutes_issued_twice_are_one_document_and_the_second_click_is_told_which(
    client_for: Any, officer_ninh_binh: User
) -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    client = client_for(officer_ninh_binh)
    client.post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"})
    second = client.post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"}, follow=True)
    words = _messages(second)
    assert "Văn bản số 01/BB-CTĐ4 đã được lập lúc" in words and officer_ninh_binh.display_name in words
    assert "đây là văn bản đó" in words
    document = Document.objects.get()
    assert document.number_text == "01/BB-CTĐ4"
    assert AuditEvent.objects.filter(verb="document.register", target_id=str(document.pk)).count() == 1


@pytest.mark.usefixtures("media")
def test_a_discarded_minutes_makes_way_for_a_new_one_and_discarding_twice_says_when(
    officer_ninh_binh: User,
) -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    first = issuing.issue(actor=officer_ninh_binh, kind="minutes", conference=conference, with_pdf=False)
    services.discard(actor=officer_ninh_binh, document=first, reason="Sai tên chủ trì")
    with pytest.raises(ValidationError, match="Văn bản số 01/BB-CTĐ4 đã được hủy lúc"):
        services.discard(actor=officer_ninh_binh, document=first, reason="Lần nữa")
    second = issuing.issue(actor=officer_ninh_binh, kind="minutes", conference=conference, with_pdf=False)
    assert second.number_text == "02/BB-CTĐ4" and second.conference == conference


@pytest.mark.usefixtures("media")
def test_each_poll_has_its_own_vote_count_and_the_database_refuses_a_second(
    officer_ninh_binh: User,
) -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    first_poll, second_poll = list(conference.polls.order_by("position"))[:2]
    count = issuing.issue(
        actor=officer_ninh_binh, kind="count", conference=conference, poll=first_poll, with_pdf=False
    )
    issuing.issue(
        actor=officer_ninh_binh, kind="count", conference=conference, poll=second_poll, with_pdf=False
    )
    with pytest.raises(issuing.AlreadyIssued) as again:
        issuing.issue(actor=officer_ninh_binh, kind="count", conference=conference, poll=first_poll)
    assert again.value.document == count
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            issuer_group=count.issuer_group,
            doc_type=count.doc_type,
            year=count.year,
            number=99,
            number_text="99/BB-CTĐ4",
            date=count.date,
            place="Huế",
            summary="Trùng",
            created_by=officer_ninh_binh,
            kind="count",
            conference=conference,
            poll=first_poll,
            status=DocumentStatus.DRAFT,
        )
