"""Applying an Excel import of organizations and memberships: all rows or none.

Each row goes through the same service a click on the registry pages would call, so every change
writes its own audit event; one more event records the import itself (counts and the file's SHA-256).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from thidua.accounts.models import User
from thidua.accounts.permissions import can_manage_registry, require
from thidua.audit.services import record
from thidua.organizations import services
from thidua.organizations.excel import Action, Problem, parse_registry_workbook
from thidua.organizations.models import EmulationGroup, Membership, Organization

__all__ = ["ImportRejected", "ImportResult", "apply_registry_import"]


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
