"""Background tasks of the documents app: the PDF of a document, made by the worker (documents/pdfs.py)."""

from __future__ import annotations

from django_tasks import task

from thidua.documents import pdfs


@task()
def make_pdf(document_id: int, docx_sha256: str) -> str:
    return pdfs.make(document_id=document_id, docx_sha256=docx_sha256)
