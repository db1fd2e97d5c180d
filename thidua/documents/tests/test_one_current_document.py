"""One current document of each kind per conference (one vote count per poll), and numbers as NĐ 30/2020
means them (issue 15): «Lập» makes a draft without a number as often as asked, «Ban hành» gives the
number and the date once, and an issued document is only replaced by a newly issued one that names it."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.conferences.models import Conference
from thidua.documents import issuing, services
from thidua.documents.models import Document, DocumentStatus, NumberSequence

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
def test_the_minutes_made_twice_are_one_draft_without_a_number_and_issuing_numbers_them_once(
    client_for: Any, officer_ninh_binh: User
) -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    client = client_for(officer_ninh_binh)
    for _ in range(2):
        made = client.post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"}, follow=True)
        assert "chưa có số" in _messages(made)
    document = Document.objects.get(kind="minutes", conference=conference)
    assert (document.status, document.number, document.number_text) == (
        DocumentStatus.DRAFT,
        None,
        "    /BB-CTĐ4",
    )
    assert "Chưa cấp số" in made.content.decode()
    issued = client.post(f"{Y}/{document.pk}/ban-hanh/", follow=True)
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.number_text.endswith("/BB-CTĐ4")
    assert f"Đã ban hành văn bản số {document.number_text}" in _messages(issued)
    again = client.post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"}, follow=True)
    words = _messages(again)
    assert f"Văn bản số {document.number_text} đã được ban hành lúc" in words and "«Thay thế»" in words
    twice = client.post(f"{Y}/{document.pk}/ban-hanh/", follow=True)
    assert "đã được ban hành" in _messages(twice)
    assert AuditEvent.objects.filter(verb="document.issue", target_id=str(document.pk)).count() == 1
    assert Document.objects.filter(kind="minutes", conference=conference).count() == 1


@pytest.mark.usefixtures("media")
def test_twenty_regenerations_of_a_draft_take_no_number(officer_ninh_binh: User) -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    before = list(NumberSequence.objects.values_list("issuer_key", "year", "last_number"))
    for _ in range(20):
        draft = issuing.issue(actor=officer_ninh_binh, kind="summary", conference=conference, with_pdf=False)
    assert list(NumberSequence.objects.values_list("issuer_key", "year", "last_number")) == before
    assert (
        draft.number is None and Document.objects.filter(kind="summary", conference=conference).count() == 1
    )


@pytest.mark.usefixtures("media")
def test_a_discarded_draft_makes_way_for_a_new_one_and_discarding_twice_says_when(
    officer_ninh_binh: User,
) -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    first = issuing.issue(actor=officer_ninh_binh, kind="minutes", conference=conference, with_pdf=False)
    services.discard(actor=officer_ninh_binh, document=first, reason="Sai tên chủ trì")
    with pytest.raises(ValidationError, match="đã được hủy lúc"):
        services.discard(actor=officer_ninh_binh, document=first, reason="Lần nữa")
    second = issuing.issue(actor=officer_ninh_binh, kind="minutes", conference=conference, with_pdf=False)
    assert second.pk != first.pk and second.number is None and second.conference == conference


@pytest.mark.usefixtures("media")
def test_an_issued_document_is_replaced_only_by_a_newly_issued_one_that_names_it(
    officer_ninh_binh: User,
) -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    draft = issuing.issue(actor=officer_ninh_binh, kind="minutes", conference=conference, with_pdf=False)
    day = datetime.date(2023, 12, 8)
    first = issuing.issue_draft(actor=officer_ninh_binh, document=draft, date=day, with_pdf=False)
    with pytest.raises(ValidationError, match="Chỉ hủy được dự thảo"):
        services.discard(actor=officer_ninh_binh, document=first, reason="Sai")
    replacement = issuing.replace(actor=officer_ninh_binh, document=first)
    assert issuing.replace(actor=officer_ninh_binh, document=first) == replacement  # once
    assert replacement.number is None and Document.objects.get(pk=first.pk).status == DocumentStatus.ISSUED
    second = issuing.issue_draft(actor=officer_ninh_binh, document=replacement, date=day, with_pdf=False)
    assert second.number == first.number + 1
    assert Document.objects.get(pk=first.pk).status == DocumentStatus.REPLACED
    with second.docx.open("rb") as stored:
        xml = zipfile.ZipFile(io.BytesIO(stored.read())).read("word/document.xml").decode()
    assert f"thay thế văn bản số {first.number_text} ngày 08/12/2023" in xml


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
    count = issuing.issue_draft(actor=officer_ninh_binh, document=count, with_pdf=False)
    with pytest.raises(issuing.AlreadyIssued) as again:
        issuing.issue(actor=officer_ninh_binh, kind="count", conference=conference, poll=first_poll)
    assert again.value.document == count
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            issuer_group=count.issuer_group,
            doc_type=count.doc_type,
            year=count.year,
            number_text="    /BB-CTĐ4",
            date=count.date,
            place="Huế",
            summary="Trùng",
            created_by=officer_ninh_binh,
            kind="count",
            conference=conference,
            poll=first_poll,
            status=DocumentStatus.DRAFT,
        )


def test_a_draft_cannot_hold_a_number_nor_an_issued_document_lack_one(officer_ninh_binh: User) -> None:
    conference = Conference.objects.get(emulation_year__year=2023)
    fields = {
        "issuer_group": conference.emulation_year.group,
        "doc_type": "BB",
        "year": 2023,
        "number_text": "x",
        "date": datetime.date(2023, 12, 8),
        "place": "Ninh Bình",
        "summary": "Thử",
        "created_by": officer_ninh_binh,
    }
    for status, number in ((DocumentStatus.DRAFT, 7), (DocumentStatus.ISSUED, None)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Document.objects.create(**fields, status=status, number=number)
