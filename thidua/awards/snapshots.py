"""The settled points by criterion group, added up by the worker and kept (issue 16).

Adding up a national parent body's settled scores reads about 1.5 million rows, some 2 seconds of
PostgreSQL; nothing that slow may run inside a request. The statistics page and its workbook read the
parent body's `ScoreSnapshot` instead and say when it was added up. A view that finds it older than the
data asks the worker for a new sum, at most once a minute (SCORE_SNAPSHOT_SECONDS) and with at most one sum
under way per parent body, so a December of constant changes costs one sum a minute while someone
looks, and nothing while nobody does.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from thidua.audit.version import data_version
from thidua.awards import rules, selectors
from thidua.awards.models import ScoreSnapshot


def ask_for_scores(*, parent_id: int, version: int) -> ScoreSnapshot:
    """The parent body's kept sums, after asking the worker for a new one when they are older than the
    data `version` and old enough (SCORE_SNAPSHOT_SECONDS), unless a sum is under way already.

    The ask is claimed by one conditional UPDATE, so two pages opened at once queue one sum: the second
    UPDATE waits for the first to commit and then finds the ask taken. An ask left unanswered for
    SCORE_SNAPSHOT_RETRY_SECONDS (a task lost with its queue) may be made again."""
    snapshot, _ = ScoreSnapshot.objects.get_or_create(parent_id=parent_id)
    if snapshot.data_version >= version:
        return snapshot
    now = timezone.now()
    if snapshot.computed_at and now - snapshot.computed_at < _seconds(settings.SCORE_SNAPSHOT_SECONDS):
        return snapshot
    answered = Q(computed_at__isnull=False, requested_at__lte=F("computed_at"))
    lost = Q(requested_at__lt=now - _seconds(settings.SCORE_SNAPSHOT_RETRY_SECONDS))
    claimed = (
        ScoreSnapshot.objects.filter(pk=snapshot.pk)
        .filter(Q(requested_at__isnull=True) | answered | lost)
        .update(requested_at=now)
    )
    if claimed:
        from thidua.awards import tasks  # tasks run this module's sum_scores

        tasks.sum_scores.enqueue(parent_id)
    snapshot.refresh_from_db()
    return snapshot


def sum_scores(*, parent_id: int) -> ScoreSnapshot:
    """Add up the parent body's settled points by criterion group and year, and keep them with the data
    version read before the sum (the figures hold at least every change up to it) and the time it began.
    A sum that finishes after a newer one leaves the newer in place."""
    version = data_version()
    began = timezone.now()
    rows = rules.snapshot_rows(selectors.criterion_group_scores(parent_id=parent_id))
    kept = {"rows": rows, "data_version": version, "computed_at": began}
    snapshot, created = ScoreSnapshot.objects.get_or_create(parent_id=parent_id, defaults=kept)
    if not created:
        ScoreSnapshot.objects.filter(pk=snapshot.pk, data_version__lte=version).update(**kept)
        snapshot.refresh_from_db()
    return snapshot


def _seconds(value: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=value)
