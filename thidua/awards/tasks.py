"""Background tasks of the awards app: the sums the statistics read (snapshots.py)."""

from __future__ import annotations

from django_tasks import task

from thidua.awards import snapshots


@task()
def sum_scores(parent_id: int) -> str:
    snapshot = snapshots.sum_scores(parent_id=parent_id)
    return f"{len(snapshot.rows)} dòng, phiên bản dữ liệu {snapshot.data_version}"
