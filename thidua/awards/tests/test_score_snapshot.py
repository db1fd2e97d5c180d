"""The statistics' scores by criterion group are added up by the worker, never by a request (issue 16): a
national parent body's 1.5 million settled scores take about 2 seconds to add up. The page and the
workbook read the kept sums and say when they were made; a page that finds them older than the data asks
for new ones once they are a minute old, and two pages opened at once queue one sum."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from thidua.accounts.models import User
from thidua.audit.models import AuditEvent
from thidua.audit.version import data_version
from thidua.awards import snapshots
from thidua.awards.models import ScoreSnapshot
from thidua.organizations.models import Organization, OrganizationKind

PAGE = "/cap-tren/vusta/tong-quan/2023/thong-ke/"
WORKBOOK = "/cap-tren/vusta/tong-quan/2023/thong-ke.xlsx"
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _vusta() -> Organization:
    return Organization.objects.get(code="vusta")


def _sums_added_up(client: Client, url: str) -> tuple[int, str]:
    """The status of `url` and how many of its queries added up settled scores."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    sums = sum("SUM(" in q["sql"] and "assessments_score" in q["sql"] for q in queries.captured_queries)
    return response.status_code, f"{sums}"


@pytest.fixture
def queue(settings: Any) -> None:
    """The database queue with no worker: a sum asked waits until the test makes it."""
    settings.TASKS = DB_QUEUE


def _queued_sums() -> int:
    return DBTaskResult.objects.filter(task_path="thidua.awards.tasks.sum_scores").count()


@pytest.mark.django_db
def test_the_page_asks_the_worker_for_the_sums_and_shows_them_once_made(
    client_for: Callable[[Any], Client], staff: User, queue: None
) -> None:
    client = client_for(staff)
    events = AuditEvent.objects.count()

    assert _sums_added_up(client, PAGE) == (200, "0")
    page = client.get(PAGE).content.decode()
    assert "Điểm chốt theo nhóm tiêu chí đang được tổng hợp lần đầu" in page
    assert '<tr class="score-row">' not in page
    # Two views, one sum asked.
    assert _queued_sums() == 1

    # The workbook waits for the first sum rather than adding up in the request.
    response = client.get(WORKBOOK)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "đang được tổng hợp lần đầu" in response.content.decode()

    snapshot = snapshots.sum_scores(parent_id=_vusta().pk)
    as_of = timezone.localtime(snapshot.computed_at)
    page = client.get(PAGE).content.decode()
    assert f"Điểm chốt tổng hợp lúc {as_of:%H:%M} ngày {as_of:%d/%m/%Y}." in page
    assert page.count('<tr class="score-row">') >= 2
    assert client.get(WORKBOOK).status_code == 200
    # Derived figures are no state change: the data version the sums are compared with stays put.
    assert AuditEvent.objects.count() == events
    assert _queued_sums() == 1


@pytest.mark.django_db
def test_sums_older_than_the_data_are_shown_while_new_ones_are_asked_once_they_are_a_minute_old(
    client_for: Callable[[Any], Client], staff: User, queue: None, settings: Any
) -> None:
    client = client_for(staff)
    snapshot = snapshots.sum_scores(parent_id=_vusta().pk)
    older = snapshot.data_version - 1
    ScoreSnapshot.objects.filter(pk=snapshot.pk).update(data_version=older)

    page = client.get(PAGE).content.decode()
    assert _queued_sums() == 0, "a sum younger than a minute is not asked again"
    assert "đang tổng hợp lại" not in page

    ScoreSnapshot.objects.filter(pk=snapshot.pk).update(
        computed_at=timezone.now() - datetime.timedelta(seconds=settings.SCORE_SNAPSHOT_SECONDS + 1)
    )
    assert _sums_added_up(client, PAGE) == (200, "0")
    page = client.get(PAGE).content.decode()
    assert _queued_sums() == 1
    assert "đang tổng hợp lại theo số liệu mới" in page and page.count('<tr class="score-row">') >= 2

    snapshots.sum_scores(parent_id=_vusta().pk)
    assert "đang tổng hợp lại" not in client.get(PAGE).content.decode()


@pytest.mark.django_db
def test_an_ask_left_unanswered_ten_minutes_is_made_again(queue: None, settings: Any) -> None:
    parent = _vusta()
    version = data_version()
    snapshots.ask_for_scores(parent_id=parent.pk, version=version)
    snapshots.ask_for_scores(parent_id=parent.pk, version=version)
    assert _queued_sums() == 1
    lost = timezone.now() - datetime.timedelta(seconds=settings.SCORE_SNAPSHOT_RETRY_SECONDS + 1)
    ScoreSnapshot.objects.filter(parent=parent).update(requested_at=lost)
    snapshots.ask_for_scores(parent_id=parent.pk, version=version)
    assert _queued_sums() == 2


@pytest.mark.django_db
def test_a_sum_that_finishes_after_a_newer_one_leaves_the_newer_in_place() -> None:
    parent = _vusta()
    newer = snapshots.sum_scores(parent_id=parent.pk)
    ScoreSnapshot.objects.filter(pk=newer.pk).update(data_version=newer.data_version + 5, rows=[])
    late = snapshots.sum_scores(parent_id=parent.pk)
    assert late.data_version == newer.data_version + 5 and late.rows == []


@pytest.mark.django_db(transaction=True)
def test_two_pages_opened_at_once_queue_one_sum(queue: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: no two asks can overlap")
    parent = Organization.objects.create(code="cap-tren-dua", kind=OrganizationKind.PARENT_BODY)
    version = data_version()
    ScoreSnapshot.objects.create(parent=parent)
    first_claimed, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                snapshots.ask_for_scores(parent_id=parent.pk, version=version)
                first_claimed.set()
                # Hold the claim uncommitted while the second page asks.
                second_done.wait(timeout=1.5)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_claimed.wait(timeout=10)
            with transaction.atomic():
                snapshots.ask_for_scores(parent_id=parent.pk, version=version)
            second_done.set()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert _queued_sums() == 1
