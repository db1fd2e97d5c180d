"""The gates of the stages the year-end conference owns (DOMAIN.md, the year step 5)."""

from __future__ import annotations

from thidua.conferences.models import Conference, ConferenceKind, PollStatus
from thidua.years.models import EmulationYear
from thidua.years.rules import Gate, Stage
from thidua.years.stages import register_gate


def settled_gate(emulation_year: EmulationYear) -> Gate:
    if Conference.objects.filter(emulation_year=emulation_year, kind=ConferenceKind.YEAR_END).exists():
        return Gate(done=True)
    return Gate(done=False, missing=("Chưa chuẩn bị hội nghị tổng kết.",), who="Thường trực cụm")


def conference_gate(emulation_year: EmulationYear) -> Gate:
    conference = (
        Conference.objects.filter(emulation_year=emulation_year, kind=ConferenceKind.YEAR_END)
        .order_by("-starts_at")
        .first()
    )
    if conference is not None and conference.closed_at is not None:
        return Gate(done=True)
    missing = []
    if conference is not None:
        unpublished = conference.polls.exclude(status=PollStatus.PUBLISHED).order_by("position")
        missing = [f"Chưa công bố kết quả: {poll.title}." for poll in unpublished]
    missing.append("Hội nghị tổng kết chưa kết thúc.")
    return Gate(done=False, missing=tuple(missing), who="Thường trực cụm")


def register() -> None:
    register_gate(Stage.SETTLED, settled_gate)
    register_gate(Stage.CONFERENCE, conference_gate)
