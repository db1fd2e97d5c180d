"""Background tasks of the organizations app: a confirmed Excel import of the registry (importing.py)."""

from __future__ import annotations

from django_tasks import task

from thidua.organizations import importing


@task()
def run_import(job_uuid: str) -> str:
    return importing.run_import(job_uuid=job_uuid)
