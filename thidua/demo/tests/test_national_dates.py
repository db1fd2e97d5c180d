"""The national demo's current year as it stands on the day it is loaded: what a group has done is dated
on or before that day, in the order the year's work goes, and nothing a group has not reached is there.
Loaded on two days of December, early and late, at nine groups: one at each stage."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thidua.agreements.models import Agreement, Signature
from thidua.assessments.models import Assessment, ReviewAssignment
from thidua.awards.models import Award, Dossier, DossierStatus
from thidua.conferences.models import Conference, Delegate, Poll
from thidua.demo import national
from thidua.demo.national import CURRENT, PARENT_CODE, STAGES, load_national_demo
from thidua.documents.models import Document
from thidua.years.models import EmulationYear, YearStage

pytestmark = pytest.mark.django_db

EARLY = datetime.date(CURRENT, 12, 1)
LATE = datetime.date(CURRENT, 12, 31)


@pytest.fixture(scope="module", params=[EARLY, LATE], ids=["early-december", "late-december"])
def loaded_once(request: Any, django_db_setup: None, django_db_blocker: Any) -> Iterator[datetime.date]:
    """Loaded once a day for the module, in a transaction rolled back after the day's last test (as the
    national module does)."""
    # One group at each stage, and four more closed ones, so that the closed year's dossiers are found
    # at each of their steps with the parent body (national.CLOSED_PHASES).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(national, "STAGE_WEIGHTS", {stage: int(stage == YearStage.CLOSED) for stage in STAGES})
        with django_db_blocker.unblock(), transaction.atomic():
            load_national_demo(len(STAGES) + 4, today=request.param)
            yield request.param
            transaction.set_rollback(True)


@pytest.fixture
def loaded_on(loaded_once: datetime.date, db: Any) -> datetime.date:
    return loaded_once


def day(moment: datetime.datetime | datetime.date | None) -> datetime.date | None:
    if isinstance(moment, datetime.datetime):
        return timezone.localdate(moment)
    return moment


def done_events() -> Iterator[tuple[str, datetime.datetime | datetime.date | None]]:
    """Every date of something done in the current year, by what it is."""
    of_year = {"emulation_year__group__parent__code": PARENT_CODE, "emulation_year__year": CURRENT}
    for signature in Signature.objects.filter(**{f"agreement__{k}": v for k, v in of_year.items()}):
        yield "signed", signature.signed_at
    for agreement in Agreement.objects.filter(**of_year, in_force_at__isnull=False):
        yield "in force", agreement.in_force_at
    for assessment in Assessment.objects.filter(**of_year, submitted_at__isnull=False):
        yield "self-score submitted", assessment.submitted_at
    for review in ReviewAssignment.objects.filter(**of_year, completed_at__isnull=False):
        yield "cross-check done", review.completed_at
    for delegate in Delegate.objects.filter(
        **{f"conference__{k}": v for k, v in of_year.items()}, checked_in_at__isnull=False
    ):
        yield "delegate checked in", delegate.checked_in_at
    for conference in Conference.objects.filter(**of_year, closed_at__isnull=False):
        yield "conference held", conference.starts_at
        yield "conference closed", conference.closed_at
    for poll in Poll.objects.filter(**{f"conference__{k}": v for k, v in of_year.items()}):
        for name in ("opened_at", "closed_at", "published_at", "confirmed_at"):
            yield f"poll {name}", getattr(poll, name)
    for document in Document.objects.filter(issuer_group__parent__code=PARENT_CODE, year=CURRENT):
        yield "document issued", document.date
    for dossier in Dossier.objects.filter(**of_year):
        yield "dossier submitted", dossier.submitted_at
        yield "council voted", dossier.council_voted_at
        yield "award decided", dossier.decision_date
    for award in Award.objects.filter(dossier__emulation_year__group__parent__code=PARENT_CODE, year=CURRENT):
        yield "award", award.decision_date


def test_nothing_done_in_the_current_year_is_dated_after_the_day_the_demo_is_loaded(
    loaded_on: datetime.date,
) -> None:
    late = [(what, day(when)) for what, when in done_events() if when is not None and day(when) > loaded_on]  # type: ignore[operator]
    assert late == []


def test_a_decided_dossier_follows_its_conference_within_the_year_in_order(loaded_on: datetime.date) -> None:
    decided = Dossier.objects.filter(
        emulation_year__group__parent__code=PARENT_CODE,
        emulation_year__year=CURRENT,
        status=DossierStatus.DECIDED,
    )
    assert decided.exists()
    for dossier in decided:
        conference = Conference.objects.get(emulation_year=dossier.emulation_year)
        held = day(conference.starts_at)
        assert held is not None and held.year == CURRENT
        assert held == dossier.emulation_year.conference_date
        assert held < day(dossier.submitted_at) < day(dossier.council_voted_at) < dossier.decision_date  # type: ignore[operator]
        assert dossier.decision_date <= loaded_on  # type: ignore[operator]


def test_a_closed_years_dossier_is_sent_voted_on_or_decided_each_step_dated_before_the_load(
    loaded_on: datetime.date,
) -> None:
    states = {
        (status, voted is None)
        for status, voted in Dossier.objects.filter(
            emulation_year__group__parent__code=PARENT_CODE,
            emulation_year__year=CURRENT,
            emulation_year__stage=YearStage.CLOSED,
        ).values_list("status", "council_voted_at")
    }
    # Sent and waiting for the council; voted on and waiting for the decision; decided.
    assert states == {
        (DossierStatus.SUBMITTED, True),
        (DossierStatus.SUBMITTED, False),
        (DossierStatus.DECIDED, False),
    }
    sent = Dossier.objects.filter(
        emulation_year__group__parent__code=PARENT_CODE,
        emulation_year__year=CURRENT,
        submitted_at__isnull=False,
    ).select_related("emulation_year")
    assert sent.exists()
    for dossier in sent:
        assert dossier.emulation_year.stage == YearStage.CLOSED
        held = dossier.emulation_year.conference_date
        assert held is not None and held < day(dossier.submitted_at) <= loaded_on  # type: ignore[operator]
        if dossier.council_voted_at is not None:
            assert day(dossier.submitted_at) < day(dossier.council_voted_at) <= loaded_on  # type: ignore[operator]
        decided = dossier.status == DossierStatus.DECIDED
        assert decided == bool(dossier.decision_number)
        assert decided or dossier.status == DossierStatus.SUBMITTED
        assert not decided or dossier.council_voted_at is not None


def test_decisions_are_numbered_from_one_each_calendar_year_in_the_order_of_their_dates(
    loaded_on: datetime.date,
) -> None:
    decided = Dossier.objects.filter(
        emulation_year__group__parent__code=PARENT_CODE, decision_date__isnull=False
    ).order_by("decision_date", "emulation_year__group_id")
    by_year: dict[int, list[int]] = {}
    for number, date in decided.values_list("decision_number", "decision_date"):
        by_year.setdefault(date.year, []).append(int(number.split("/")[0]))
    assert len(by_year) > 1
    for numbers in by_year.values():
        assert numbers == list(range(1, len(numbers) + 1))


def test_a_group_has_none_of_the_work_of_a_stage_it_has_not_reached(loaded_on: datetime.date) -> None:
    years = EmulationYear.objects.filter(group__parent__code=PARENT_CODE, year=CURRENT)
    assert set(years.values_list("stage", flat=True)) == set(YearStage.values)

    def before(stage: str) -> Q:
        return Q(stage__in=STAGES[: STAGES.index(YearStage(stage))])

    not_scoring = years.filter(before(YearStage.SELF_SCORING))
    assert not Assessment.objects.filter(emulation_year__in=not_scoring).exists()
    not_checking = years.filter(before(YearStage.CROSS_CHECKING))
    assert not ReviewAssignment.objects.filter(emulation_year__in=not_checking).exists()
    no_conference = years.filter(before(YearStage.CONFERENCE))
    assert not Conference.objects.filter(emulation_year__in=no_conference).exists()
    not_closed = years.filter(before(YearStage.DOSSIER))
    assert not Conference.objects.filter(emulation_year__in=not_closed, closed_at__isnull=False).exists()
    assert not Dossier.objects.filter(emulation_year__in=not_closed).exists()
    not_sent = years.filter(before(YearStage.CLOSED))
    assert not Dossier.objects.filter(emulation_year__in=not_sent, submitted_at__isnull=False).exists()
    # A conference still ahead has nobody checked in yet.
    ahead = Conference.objects.filter(emulation_year__in=years, starts_at__date__gt=loaded_on)
    assert not Delegate.objects.filter(conference__in=ahead, checked_in_at__isnull=False).exists()
