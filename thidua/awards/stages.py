"""The gate of the dossier stage: the tờ trình and its documents sent to the parent body (DOMAIN.md, the
year step 6)."""

from __future__ import annotations

from thidua.awards.models import Dossier, DossierStatus
from thidua.years.models import EmulationYear
from thidua.years.rules import Gate, Stage
from thidua.years.stages import register_gate


def dossier_gate(emulation_year: EmulationYear) -> Gate:
    dossier = Dossier.objects.filter(emulation_year=emulation_year).first()
    if dossier is not None and dossier.status in (DossierStatus.SUBMITTED, DossierStatus.DECIDED):
        return Gate(done=True)
    missing = "Hồ sơ khen thưởng chưa gửi cơ quan cấp trên." if dossier else "Chưa lập hồ sơ khen thưởng."
    return Gate(done=False, missing=(missing,), who="Thường trực cụm")


def register() -> None:
    register_gate(Stage.DOSSIER, dossier_gate)
