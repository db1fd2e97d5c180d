"""Reads of an agreement shared by its pages: where a draft came from, and which work areas can earn
more than their maximum."""

from __future__ import annotations

from thidua.agreements.models import Agreement
from thidua.agreements.rules import GroupExcess, groups_over_their_maximum
from thidua.audit.models import AuditEvent


def made_from_template(agreement: Agreement) -> bool:
    """Whether the agreement's points were drafted from the built-in template (its creating event says so),
    rather than copied from last year's agreement or from the version an amendment replaces: only such a
    draft needs the reminder that its points are the template's, not the cluster's."""
    if agreement.version != 1:
        return False
    created = (
        AuditEvent.objects.filter(
            verb="agreement.create", target_type=Agreement._meta.label, target_id=str(agreement.pk)
        )
        .values_list("data", flat=True)
        .first()
    )
    return str((created or {}).get("source", "")).startswith("template:")


def groups_over(agreement: Agreement) -> list[GroupExcess]:
    """The work areas whose scored criteria add up to more than the area: reads the prefetched groups."""
    return groups_over_their_maximum(
        [
            (g.code, g.title, g.max_points, [(c.kind, c.max_points) for c in g.criteria.all()])
            for g in agreement.criterion_groups.all()
        ]
    )
