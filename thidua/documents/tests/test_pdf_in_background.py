"""A document's PDF is made by the worker, not by the request that issues it (issue 16): the register says
it is coming and shows it when ready; the task saves one PDF however often it runs, drops a conversion of a
DOCX made again since, and says in Vietnamese why it made none."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.conferences.models import Conference
from thidua.documents import converter, pdfs
from thidua.documents.models import Document

Y = "/nam-thi-dua/vusta-cum-4/2023/van-ban"
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def fake_pdf(monkeypatch: Any) -> list[bytes]:
    """The converter, counting its calls; a PDF made of the DOCX's first bytes."""
    calls: list[bytes] = []

    def convert(data: bytes, **kwargs: Any) -> bytes:
        calls.append(data)
        return b"%PDF-1.7 " + data[:8]

    monkeypatch.setattr(converter, "convert_to_pdf", convert)
    return calls


def _queued_draft(client: Any, settings: Any) -> Document:
    """The minutes' draft made through the page with the database queue and no worker: its PDF waits."""
    settings.TASKS = DB_QUEUE
    conference = Conference.objects.get(emulation_year__year=2023)
    page = client.post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"}, follow=True)
    assert "Bản PDF đang được tạo" in page.content.decode()
    return Document.objects.get(kind="minutes")


def _pdf_files(media: Path) -> list[Path]:
    return sorted(media.rglob("*.pdf"))


@pytest.mark.django_db
def test_the_register_says_the_pdf_is_coming_and_shows_its_link_once_the_worker_made_it(
    client_for: Any, officer_ninh_binh: User, settings: Any, media: Path, fake_pdf: list[bytes]
) -> None:
    from django_tasks_db.models import DBTaskResult

    client = client_for(officer_ninh_binh)
    draft = _queued_draft(client, settings)
    assert not draft.pdf and draft.pdf_state == "pending" and fake_pdf == []
    (queued,) = DBTaskResult.objects.filter(task_path="thidua.documents.tasks.make_pdf")
    assert queued.args_kwargs["args"] == [draft.pk, draft.docx_sha256]
    register = client.get(f"{Y}/").content.decode()
    assert f'data-pdf-pending="{draft.pk}"' in register and "pdf-status.js" in register
    status = client.get(f"{Y}/trang-thai-pdf/?ids={draft.pk}").json()
    assert status == {str(draft.pk): {"state": "pending", "error": "", "url": ""}}

    assert pdfs.make(document_id=draft.pk, docx_sha256=draft.docx_sha256) == pdfs.MADE

    status = client.get(f"{Y}/trang-thai-pdf/?ids={draft.pk}").json()[str(draft.pk)]
    assert status["state"] == "ready" and status["url"] == f"{Y}/{draft.pk}/pdf/"
    assert client.get(status["url"]).getvalue().startswith(b"%PDF-1.7 PK")
    assert "pdf-status.js" not in client.get(f"{Y}/").content.decode()


@pytest.mark.django_db
def test_a_task_run_again_saves_no_second_pdf_and_converts_nothing(
    client_for: Any, officer_ninh_binh: User, settings: Any, media: Path, fake_pdf: list[bytes]
) -> None:
    draft = _queued_draft(client_for(officer_ninh_binh), settings)
    assert pdfs.make(document_id=draft.pk, docx_sha256=draft.docx_sha256) == pdfs.MADE
    assert pdfs.make(document_id=draft.pk, docx_sha256=draft.docx_sha256) == pdfs.DONE_ALREADY
    assert len(fake_pdf) == 1 and len(_pdf_files(media)) == 1
    assert AuditEvent.objects.filter(verb="document.pdf", target_id=str(draft.pk)).count() == 1


@pytest.mark.django_db
def test_a_conversion_of_a_docx_made_again_since_is_dropped(
    client_for: Any, officer_ninh_binh: User, settings: Any, media: Path, fake_pdf: list[bytes]
) -> None:
    client = client_for(officer_ninh_binh)
    draft = _queued_draft(client, settings)
    first = draft.docx_sha256
    conference = Conference.objects.get(emulation_year__year=2023)
    # «Lập» again after a change of the data: a new DOCX, a new task; the old task finds nothing to do.
    conference.place = "Hoa Lư, Ninh Bình"
    conference.save()
    client.post(f"{Y}/lap/", {"conference": conference.pk, "kind": "minutes"})
    draft.refresh_from_db()
    assert draft.docx_sha256 != first
    assert pdfs.make(document_id=draft.pk, docx_sha256=first) == pdfs.STALE
    assert fake_pdf == [] and _pdf_files(media) == []


@pytest.mark.django_db
def test_a_task_whose_docx_was_removed_says_so_on_the_register_and_writes_nothing(
    client_for: Any, officer_ninh_binh: User, settings: Any, media: Path, fake_pdf: list[bytes]
) -> None:
    client = client_for(officer_ninh_binh)
    draft = _queued_draft(client, settings)
    Path(draft.docx.path).unlink()

    answer = pdfs.make(document_id=draft.pk, docx_sha256=draft.docx_sha256)

    assert answer.startswith("Không tìm thấy tệp DOCX của văn bản «Hội nghị tổng kết")
    assert answer.endswith("bấm «Lập» lại để tạo lại.")
    draft.refresh_from_db()
    assert draft.pdf_state == "failed" and not draft.pdf and draft.pdf_error == answer
    assert fake_pdf == [] and _pdf_files(media) == []
    assert answer in client.get(f"{Y}/").content.decode()


@pytest.mark.django_db
def test_without_libreoffice_the_worker_writes_why_and_the_register_shows_it(
    client_for: Any, officer_ninh_binh: User, settings: Any, media: Path, monkeypatch: Any
) -> None:
    def unavailable(data: bytes, **kwargs: Any) -> bytes:
        raise converter.PdfUnavailable("no soffice")

    monkeypatch.setattr(converter, "convert_to_pdf", unavailable)
    client = client_for(officer_ninh_binh)
    draft = _queued_draft(client, settings)
    assert pdfs.make(document_id=draft.pk, docx_sha256=draft.docx_sha256).startswith("PDF chưa tạo được")
    status = client.get(f"{Y}/trang-thai-pdf/?ids={draft.pk}").json()[str(draft.pk)]
    assert status["state"] == "failed" and status["error"].startswith("PDF chưa tạo được (máy chủ chưa có")


@pytest.mark.django_db
def test_the_pdf_status_runs_the_same_queries_however_many_documents_are_asked_about(
    client_for: Any, officer_ninh_binh: User, officer_nghe_an: User, settings: Any, media: Path
) -> None:
    client = client_for(officer_ninh_binh)
    draft = _queued_draft(client, settings)
    client.get(f"{Y}/trang-thai-pdf/?ids={draft.pk}")  # the session and the year warm
    with CaptureQueriesContext(connection) as few:
        client.get(f"{Y}/trang-thai-pdf/?ids={draft.pk}")
    ids = ",".join(str(n) for n in range(draft.pk, draft.pk + 150))
    with CaptureQueriesContext(connection) as many:
        client.get(f"{Y}/trang-thai-pdf/?ids={ids},x,-3")
    assert len(few) == len(many)
    assert client_for(None).get(f"{Y}/trang-thai-pdf/?ids={draft.pk}").status_code == 302
    # A member of the group reads the register, so it may read where its PDFs stand.
    assert client_for(officer_nghe_an).get(f"{Y}/trang-thai-pdf/?ids={draft.pk}").status_code == 200


def _document_with_docx(actor: User) -> Document:
    """A draft of Cụm 4 with a DOCX of its own, made without a conference (committed for the threads)."""
    import datetime
    import hashlib

    from django.core.files.base import ContentFile

    from thidua.organizations.models import EmulationGroup

    content = b"PK docx of the two workers"
    document = Document(
        issuer_group=EmulationGroup.objects.get(slug="vusta-cum-4"),
        doc_type="BB",
        year=2023,
        number_text="…/BB-CTĐ4",
        date=datetime.date(2023, 12, 8),
        place="Ninh Bình",
        summary="Hai tiến trình cùng một việc",
        created_by=actor,
        docx_sha256=hashlib.sha256(content).hexdigest(),
    )
    document.docx.save("hai-tien-trinh.docx", ContentFile(content), save=False)
    document.save()
    return document


@pytest.mark.usefixtures("committed_demo")
def test_two_workers_holding_the_same_task_save_one_pdf(media: Path, monkeypatch: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two workers at once need a server's row locks; SQLite serializes writers")
    document = _document_with_docx(User.objects.get(username="vusta"))
    both_converting = threading.Barrier(2, timeout=30)

    def convert(data: bytes, **kwargs: Any) -> bytes:
        both_converting.wait()  # neither has saved when the other converts
        return b"%PDF-1.7 x"

    monkeypatch.setattr(converter, "convert_to_pdf", convert)
    answers: list[str] = []

    def worker() -> None:
        try:
            answers.append(pdfs.make(document_id=document.pk, docx_sha256=document.docx_sha256))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(answers) == sorted([pdfs.MADE, pdfs.DONE_ALREADY])
    assert len(_pdf_files(media)) == 1
    assert Document.objects.get(pk=document.pk).pdf_state == "ready"


@pytest.mark.django_db
def test_documents_issued_without_their_pdf_are_queued_and_none_once_the_worker_made_them(
    officer_ninh_binh: User, settings: Any, media: Path, fake_pdf: list[bytes]
) -> None:
    # The demo issues its documents so (thidua/awards/demo.py); `load_demo` then queues their PDFs.
    from django_tasks_db.models import DBTaskResult

    from thidua.documents import issuing

    conference = Conference.objects.get(emulation_year__year=2023)
    draft = issuing.issue(actor=officer_ninh_binh, kind="minutes", conference=conference, with_pdf=False)
    assert draft.pdf_state == "pending"
    settings.TASKS = DB_QUEUE
    assert issuing.queue_missing_pdfs() == 1
    (queued,) = DBTaskResult.objects.filter(task_path="thidua.documents.tasks.make_pdf")
    assert queued.args_kwargs["args"] == [draft.pk, draft.docx_sha256]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert issuing.queue_missing_pdfs() == 1  # the worker had not run: queued again, made this time
    draft.refresh_from_db()
    assert draft.pdf_state == "ready" and len(fake_pdf) == 1
    assert issuing.queue_missing_pdfs() == 0
