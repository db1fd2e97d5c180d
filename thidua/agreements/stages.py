"""The gates of the stages the agreement owns: drafting it and signing it (DOMAIN.md, the year step 1)."""

from __future__ import annotations

from thidua.agreements.models import Agreement, AgreementStatus
from thidua.organizations.selectors import members_in_year
from thidua.years.models import EmulationYear
from thidua.years.rules import Gate, Stage
from thidua.years.stages import register_gate


def _current(emulation_year: EmulationYear) -> Agreement | None:
    return (
        Agreement.objects.filter(emulation_year=emulation_year)
        .exclude(status=AgreementStatus.SUPERSEDED)
        .order_by("-version")
        .first()
    )


def drafting_gate(emulation_year: EmulationYear) -> Gate:
    agreement = _current(emulation_year)
    if agreement is not None and agreement.status != AgreementStatus.DRAFT:
        return Gate(done=True)
    missing = "Dự thảo giao ước chưa được mở để ký." if agreement else "Chưa có dự thảo giao ước."
    return Gate(done=False, missing=(missing,), who="Thường trực cụm")


def signing_gate(emulation_year: EmulationYear) -> Gate:
    if Agreement.objects.filter(emulation_year=emulation_year, status=AgreementStatus.IN_FORCE).exists():
        return Gate(done=True)
    agreement = _current(emulation_year)
    signed = set(agreement.signatures.values_list("organization_id", flat=True)) if agreement else set()
    unsigned = members_in_year(group_id=emulation_year.group_id, year=emulation_year.year).exclude(
        pk__in=signed
    )
    names = tuple(sorted(o.name_in_year(emulation_year.year) for o in unsigned))
    return Gate(
        done=False,
        missing=tuple(f"{name} chưa ký giao ước." for name in names),
        who="Lãnh đạo (cán bộ thi đua) các đơn vị chưa ký",
    )


def register() -> None:
    register_gate(Stage.DRAFTING, drafting_gate)
    register_gate(Stage.SIGNING, signing_gate)
