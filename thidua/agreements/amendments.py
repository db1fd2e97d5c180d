"""What an amendment changes, and carrying the year's work over to it when it takes effect.

The agreements app sits below assessments (and the apps after it) in the app order, so it cannot move
their rows itself. Each app whose rows hang on one version's criteria registers a carrier in its
`AppConfig.ready()`; when an amended version takes effect, `carry` hands every carrier the version it
replaces, the new one and the difference, inside the signing's transaction, so the year is never seen
half on one version and half on the other (issue 13).
"""

from __future__ import annotations

from collections.abc import Callable

from thidua.accounts.models import User
from thidua.agreements.models import Agreement, AgreementStatus
from thidua.agreements.rules import AmendmentDiff, CriterionFacts, amendment_diff

Carrier = Callable[[User, Agreement, Agreement, AmendmentDiff], None]

_carriers: list[Carrier] = []


def register_carrier(carrier: Carrier) -> Carrier:
    """Add what moves a year's rows to an amended version; registering twice is harmless."""
    if carrier not in _carriers:
        _carriers.append(carrier)
    return carrier


def facts_of(agreement: Agreement) -> list[CriterionFacts]:
    """The agreement's criteria as the diff reads them: one query."""
    return [
        CriterionFacts(
            key=str(c.key),
            code=c.code,
            group_code=c.group.code,
            position=c.position,
            text=c.text,
            kind=c.kind,
            max_points=c.max_points,
            target=c.target,
            points_per_unit=c.points_per_unit,
            evidence_required=c.evidence_required,
        )
        for c in agreement.criteria.select_related("group").order_by("group__position", "position")
    ]


def replaced_by(amendment: Agreement) -> Agreement | None:
    """The version an amendment replaces (or replaced): the latest earlier version that was in force."""
    return (
        Agreement.objects.filter(
            emulation_year_id=amendment.emulation_year_id,
            version__lt=amendment.version,
            status__in=[AgreementStatus.IN_FORCE, AgreementStatus.SUPERSEDED],
        )
        .order_by("-version")
        .first()
    )


def diff_of(amendment: Agreement) -> AmendmentDiff | None:
    """What the amendment changes against the version it replaces; None for a first version."""
    if amendment.version <= 1:
        return None
    earlier = replaced_by(amendment)
    if earlier is None:
        return None
    return amendment_diff(facts_of(earlier), facts_of(amendment))


def carry(actor: User, replaced: Agreement, amendment: Agreement, diff: AmendmentDiff) -> None:
    for carrier in _carriers:
        carrier(actor, replaced, amendment, diff)
