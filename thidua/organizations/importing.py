"""Applying an Excel import of organizations and memberships: all rows or none.

Each row goes through the same service a click on the registry pages would call, so every change
writes its own audit event; one more event records the import itself (counts and the file's SHA-256).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone

from thidua.accounts.models import User
from thidua.accounts.permissions import can_manage_registry, require
from thidua.audit.services import record
from thidua.organizations import services
from thidua.organizations.excel import Action, Problem, parse_registry_workbook
from thidua.organizations.models import EmulationGroup, ImportJob, ImportStatus, Membership, Organization

__all__ = [
    "ImportRejected",
    "ImportResult",
    "apply_registry_import",
    "job_problems",
    "run_import",
    "start_registry_import",
]


class ImportRejected(ValidationError):
    """The file has problems: nothing was written. `problems` keeps sheet, row and column for a table."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__([str(p) for p in problems])
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    sha256: str
    counts: dict[str, int]
    created: list[Organization] = field(default_factory=list)
    renamed: list[Organization] = field(default_factory=list)
    added: list[Membership] = field(default_factory=list)


@transaction.atomic
def apply_registry_import(*, actor: User, parent: Organization, data: bytes) -> ImportResult:
    """Parse `data` again (the registry may have changed since the preview) and apply it, or raise
    `ImportRejected` (a ValidationError) listing every problem and write nothing."""
    require(can_manage_registry(actor, parent))
    services.ensure_parent_kind(parent)
    parsed = parse_registry_workbook(data, parent=parent, today=timezone.localdate())
    if parsed.problems:
        raise ImportRejected(parsed.problems)

    organizations: dict[str, Organization] = {}
    created: list[Organization] = []
    renamed: list[Organization] = []
    for row in parsed.organizations:
        if row.action is Action.CREATE:
            organization = services.create_organization(
                actor=actor,
                code=row.code,
                kind=row.kind,
                parent=parent,
                name=row.name,
                short_name=row.short_name,
                valid_from=row.valid_from,
            )
            created.append(organization)
            organizations[row.code] = organization
        elif row.action is Action.RENAME:
            organization = Organization.objects.select_related("parent").get(code=row.code, parent=parent)
            services.rename_organization(
                actor=actor,
                organization=organization,
                name=row.name,
                short_name=row.short_name,
                valid_from=row.valid_from,
            )
            renamed.append(organization)

    groups = {(g.kind, g.number): g for g in EmulationGroup.objects.filter(parent=parent)}
    added: list[Membership] = []
    for member in parsed.memberships:
        if member.action is not Action.ADD:
            continue
        organization = organizations.get(member.code) or Organization.objects.get(
            code=member.code, parent=parent
        )
        organizations[member.code] = organization
        added.append(
            services.add_membership(
                actor=actor,
                group=groups[(member.group_kind, member.group_number)],
                organization=organization,
                year=member.year,
            )
        )

    digest = hashlib.sha256(data).hexdigest()
    counts = parsed.counts()
    record(actor=actor, verb="registry.import", target=parent, data={"counts": counts, "sha256": digest})
    return ImportResult(sha256=digest, counts=counts, created=created, renamed=renamed, added=added)


# --- The confirmed import, run by the worker (issue 16)

GONE = "Không tìm thấy lượt nhập này."
ALREADY = "Lượt nhập này đã chạy xong; không nhập lại."
TAKEN = "Lượt nhập này đang do một tiến trình khác thực hiện; tiến trình này không ghi gì."
MISSING_FILE = (
    "Không tìm thấy tệp đã tải lên (tệp đã bị xóa khỏi kho lưu trữ trước khi nhập). "
    "Chưa ghi gì vào phần mềm; hãy tải tệp lên lại."
)


def start_registry_import(
    *, actor: User, parent: Organization, stored_path: str, filename: str, planned: dict[str, int]
) -> ImportJob:
    """Queue the checked upload at `stored_path` for the worker; the job the page follows."""
    require(can_manage_registry(actor, parent))
    job = ImportJob.objects.create(
        uuid=uuid.uuid4(),
        parent=parent,
        actor=actor,
        stored_path=stored_path,
        filename=filename[:255],
        planned=planned,
    )
    # Enqueued in the caller's transaction where there is one: a database queue commits the task with the
    # job, or neither.
    from thidua.organizations import tasks

    tasks.run_import.enqueue(str(job.uuid))
    return job


def run_import(*, job_uuid: str) -> str:
    """Apply the job's file, all rows or none, and record the outcome on the job; a Vietnamese line of
    what happened. Safe to run again: the job's row is locked for the whole import and the outcome is
    written in the import's own transaction, so a second worker holding the same task, or the task run
    again after a killed worker, finds the job taken or finished and writes nothing."""
    job = ImportJob.objects.filter(uuid=job_uuid).select_related("parent", "actor").first()
    if job is None:
        return GONE
    if job.finished:
        return ALREADY
    if not default_storage.exists(job.stored_path):
        ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).update(
            status=ImportStatus.FAILED, message=MISSING_FILE, finished_at=timezone.now()
        )
        return MISSING_FILE
    with default_storage.open(job.stored_path, "rb") as stored:
        data = stored.read()
    with transaction.atomic():
        # Shown on the job's page at once, in a transaction of its own: the import's is seen only whole.
        started = _lock(job.pk)
        if started is None:
            return TAKEN
        if started.status == ImportStatus.QUEUED:
            started.status, started.started_at = ImportStatus.RUNNING, timezone.now()
            started.save(update_fields=["status", "started_at"])
    with transaction.atomic():
        # Held until the outcome is written with the import: a second worker is refused at once.
        locked = _lock(job.pk)
        if locked is None:
            return TAKEN
        if locked.finished:
            return ALREADY
        try:
            result = apply_registry_import(actor=job.actor, parent=job.parent, data=data)
        except ImportRejected as rejected:
            locked.status = ImportStatus.REJECTED
            locked.problems = [
                {"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.message}
                for p in rejected.problems
            ]
            locked.message = f"Tệp có {len(rejected.problems)} lỗi; chưa ghi gì vào phần mềm."
        else:
            locked.status = ImportStatus.DONE
            locked.counts = result.counts
            locked.message = (
                f"Đã nhập: {result.counts['created']} đơn vị mới, {result.counts['renamed']} đơn vị đổi tên, "
                f"{result.counts['added']} thành viên mới."
            )
            path = job.stored_path
            transaction.on_commit(lambda: default_storage.delete(path))
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "problems", "counts", "message", "finished_at"])
        return locked.message


def _lock(pk: int) -> ImportJob | None:
    """The job's row, locked for the caller's transaction; None when another worker holds it (PostgreSQL;
    SQLite has one writer at a time anyway). In a savepoint, so a refused lock leaves the caller's
    transaction usable."""
    try:
        with transaction.atomic():
            return ImportJob.objects.select_for_update(nowait=True).get(pk=pk)
    except DatabaseError:
        return None


def job_problems(job: ImportJob) -> list[Problem]:
    """The job's problems as the preview's table shows them."""
    return [Problem(p["sheet"], p["row"], p["column"], p["message"]) for p in job.problems]
