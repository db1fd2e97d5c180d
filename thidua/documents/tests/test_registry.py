"""Document numbers: from 01 each calendar year per issuer, never reused, never given twice."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from thidua.accounts.models import User
from thidua.documents import rules, services
from thidua.documents.models import Document, DocumentStatus
from thidua.documents.tests import signing
from thidua.organizations.models import EmulationGroup, Organization

D = datetime.date


@pytest.mark.parametrize(
    ("pattern", "number", "expected"),
    [
        ("{so}/{loai}-{ma}", 5, "05/BB-CTĐ4"),
        ("{so}/{loai}-{ma}", 12, "12/BB-CTĐ4"),
        ("{so}/{nam}/{loai}", 1, "01/2023/BB"),
    ],
)
def test_numbers_take_two_digits_and_the_issuers_pattern(pattern: str, number: int, expected: str) -> None:
    assert (
        rules.format_number(pattern, number=number, type_code="BB", issuer_code="CTĐ4", year=2023) == expected
    )


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [("{loai}-{ma}", "{so}"), ("{so}/{x}", "không biết: x"), ("{so", "ngoặc nhọn")],
)
def test_a_pattern_without_the_number_or_with_unknown_fields_is_refused(pattern: str, problem: str) -> None:
    assert any(problem in p for p in rules.pattern_problems(pattern))


def test_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        rules.format_number("{so}", number=0, type_code="BB", issuer_code="X", year=2023)


@pytest.fixture
def ninhbinh(db: Any) -> User:
    return User.objects.get(username="ninhbinh")  # head of Cụm 4 in 2023 (demo): issues for the cluster


def _register(actor: User, day: D, doc_type: str = "BB") -> Document:
    return services.register(
        actor=actor,
        doc_type=doc_type,
        date=day,
        place="Ninh Bình",
        summary="Hội nghị tổng kết công tác thi đua, khen thưởng năm 2023",
        group=EmulationGroup.objects.get(slug="vusta-cum-4"),
        issuer_code="CTĐ4",
    )


@pytest.mark.django_db
def test_numbers_run_on_across_types_and_start_again_at_01_each_year(ninhbinh: User, staff: User) -> None:
    first = _register(ninhbinh, D(2023, 12, 8))
    second = _register(ninhbinh, D(2023, 12, 8), "TTr")
    next_year = _register(staff, D(2024, 1, 5))
    assert (first.number_text, second.number_text, next_year.number_text) == (
        "01/BB-CTĐ4",
        "02/TTr-CTĐ4",
        "01/BB-CTĐ4",
    )


@pytest.mark.django_db
def test_a_document_registered_by_hand_is_issued_and_cannot_be_discarded(ninhbinh: User) -> None:
    document = _register(ninhbinh, D(2023, 12, 8))
    assert document.status == DocumentStatus.ISSUED and document.number == 1
    with pytest.raises(ValidationError, match="Chỉ hủy được dự thảo"):
        services.discard(actor=ninhbinh, document=document, reason="Soạn lại")


def test_a_member_officer_cannot_issue_for_the_cluster(officer_nghe_an: User) -> None:
    with pytest.raises(PermissionDenied):
        _register(officer_nghe_an, D(2023, 12, 8))


@pytest.mark.django_db
def test_an_organization_numbers_its_own_documents(officer_nghe_an: User) -> None:
    document = services.register(
        actor=officer_nghe_an,
        doc_type="BC",
        date=D(2023, 11, 20),
        place="Nghệ An",
        summary="Báo cáo thành tích",
        organization=Organization.objects.get(code="lhh-nghe-an"),
        issuer_code="LHH",
    )
    assert document.number_text == "01/BC-LHH"


@pytest.mark.django_db
def test_a_signed_original_is_kept_with_its_hash_and_a_new_upload_is_a_new_version(
    ninhbinh: User, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    document = _register(ninhbinh, D(2023, 12, 8))
    with pytest.raises(ValidationError, match="PDF"):
        services.upload_signed_original(
            actor=ninhbinh, document=document, upload=SimpleUploadedFile("ky.pdf", b"<html>")
        )
    one, two = signing.pdf(1, title="Bản một"), signing.pdf(1, title="Bản hai")
    first = services.upload_signed_original(
        actor=ninhbinh, document=document, upload=SimpleUploadedFile("ky.pdf", one)
    )
    second = services.upload_signed_original(
        actor=ninhbinh, document=document, upload=SimpleUploadedFile("ky.pdf", two)
    )
    assert (first.version, second.version) == (1, 2)
    assert first.sha256 != second.sha256
    assert first.file.read() == one  # the first version is still there, unchanged
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.ISSUED


@pytest.mark.usefixtures("committed_demo")
def test_two_people_issuing_at_the_same_moment_never_get_the_same_number() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are the point; SQLite serializes writers with its own lock")
    staff = User.objects.get(username="vusta")
    start = threading.Barrier(6)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def issue() -> None:
        try:
            start.wait()
            for _ in range(5):
                numbers.append(_register(staff, D(2023, 12, 8)).number_text)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert sorted(numbers) == [f"{n:02d}/BB-CTĐ4" for n in range(1, 31)]
