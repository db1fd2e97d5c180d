"""`manage.py load_demo --national` at a small scale: a parent body the size of the country, shrunk to
twelve groups so that every database of the suite loads it in seconds (issue 16)."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from thidua.accounts.models import Role, RoleKind, User
from thidua.agreements.models import Criterion
from thidua.assessments.models import Score
from thidua.assessments.ranking import year_results
from thidua.awards.models import Award, Dossier
from thidua.awards.rules import council_outcome, council_vote_problems
from thidua.conferences.models import PollStatus
from thidua.demo.national import (
    CURRENT,
    FULL_GROUPS,
    PARENT_CODE,
    UNIT_ACCOUNTS,
    YEARS,
    Builder,
    load_national_demo,
)
from thidua.organizations.demo import MERGER_DAY
from thidua.organizations.models import EmulationGroup, Membership, Organization
from thidua.years.models import EmulationYear, YearStage

GROUPS = 12  # scale 0.01: enough for one group at each of 2026's nine stages

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def national_loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Loaded once for the module, in a transaction rolled back after its last test: each test runs in a
    savepoint of it, so what one test changes the next does not see, and no other module sees the rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_national_demo(GROUPS)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def national(national_loaded: None, db: Any) -> None:
    return None


def parent_staff() -> User:
    return Role.objects.get(
        kind=RoleKind.PARENT_STAFF, organization__code=PARENT_CODE, user__username="toanquoc"
    ).user


def test_the_national_demo_has_rows_in_proportion_to_its_scale(national: None) -> None:
    groups = EmulationGroup.objects.filter(parent__code=PARENT_CODE)
    units = Organization.objects.filter(parent__code=PARENT_CODE)
    years = EmulationYear.objects.filter(group__parent__code=PARENT_CODE)
    assert groups.count() == GROUPS
    assert 8 * GROUPS <= units.count() <= 12 * GROUPS
    assert years.count() == GROUPS * len(YEARS)
    agreements_criteria = Criterion.objects.filter(agreement__emulation_year__group__parent__code=PARENT_CODE)
    assert agreements_criteria.count() == 30 * years.count()
    # Every unit has its officer and three colleagues (about 50,000 users at full size), who sign in with
    # the demo password.
    assert (
        Role.objects.filter(organization__parent__code=PARENT_CODE, kind=RoleKind.OFFICER).count()
        == len(UNIT_ACCOUNTS) * units.count()
    )
    assert Client().login(username=f"cb-{units.order_by('code').first().code}", password="ThiDua@2026")  # type: ignore[union-attr]


def test_every_stage_of_a_year_appears_among_the_current_years_groups(national: None) -> None:
    stages = set(
        EmulationYear.objects.filter(group__parent__code=PARENT_CODE, year=CURRENT).values_list(
            "stage", flat=True
        )
    )
    assert stages == set(YearStage.values)
    earlier = EmulationYear.objects.filter(group__parent__code=PARENT_CODE, year__lt=CURRENT)
    assert set(earlier.values_list("stage", flat=True)) == {YearStage.CLOSED}


def test_the_2025_merger_ends_the_absorbed_units_and_renames_the_others(national: None) -> None:
    merged = Organization.objects.filter(parent__code=PARENT_CODE, successor__isnull=False)
    assert merged.exists()
    for unit in merged.prefetch_related("names"):
        assert unit.ended_on == MERGER_DAY
        assert unit.successor.parent.code == PARENT_CODE  # type: ignore[union-attr]
        years = set(Membership.objects.filter(organization=unit).values_list("year", flat=True))
        assert years == {2022, 2023, 2024, 2025}
        # Its accounts are kept for the record, closed: the successor's officers act now.
        accounts = Role.objects.filter(organization=unit, kind=RoleKind.OFFICER)
        assert accounts.count() == len(UNIT_ACCOUNTS)
        assert not accounts.filter(user__is_active=True).exists()
    renamed = Organization.objects.filter(parent__code=PARENT_CODE, names__valid_from=MERGER_DAY).distinct()
    assert renamed.exists()
    unit = renamed.prefetch_related("names").first()
    assert unit is not None
    assert unit.name_in_year(2024) != unit.name_in_year(2026)


def test_no_two_units_share_a_name_at_full_size_before_or_after_the_merger() -> None:
    # Planned only, without writing a row: the names of 12,000 units, as a province has one Sở Y tế and
    # the departments of the provinces it absorbed merged into it (or took its name where it had none).
    builder = Builder(FULL_GROUPS, lambda _: None, datetime.date(CURRENT, 12, 7))
    builder.parent = Organization(code=PARENT_CODE)
    builder.plan_groups()
    units = [u for p in builder.planned for u in p.units]
    before = Counter(u.name.casefold() for u in units)
    assert [name for name, count in before.items() if count > 1] == []
    after = Counter(u.current_name.casefold() for u in units if u.active_2026)
    assert [name for name, count in after.items() if count > 1] == []
    absorbed = [u for u in units if u.successor is not None]
    assert absorbed and all(u.successor.active_2026 for u in absorbed)  # type: ignore[union-attr]
    # An absorbed province's department is the new province's department of its kind from then on.
    for planned in builder.planned:
        for unit in planned.units:
            if unit.provincial and unit.province != planned.place:
                now = unit.successor or unit
                assert now.current_name == unit.name.replace(unit.province.words, planned.place.words)


def test_no_two_active_units_of_the_national_parent_share_a_name(national: None) -> None:
    active = Organization.objects.filter(parent__code=PARENT_CODE, ended_on__isnull=True)
    names = Counter(unit.current_name.casefold() for unit in active.prefetch_related("names"))
    assert [name for name, count in names.items() if count > 1] == []


def test_derived_fields_are_those_the_registry_services_write(national: None) -> None:
    for unit in Organization.objects.filter(parent__code=PARENT_CODE).order_by("code")[:40]:
        stored = (unit.search_text, unit.sort_key)
        unit.refresh_search_text()
        assert (unit.search_text, unit.sort_key) == stored


def test_a_settled_years_flag_goes_to_the_first_of_its_ranking(national: None) -> None:
    closed = EmulationYear.objects.filter(group__parent__code=PARENT_CODE, year=2024).select_related("group")
    for emulation_year in closed[:4]:
        results = year_results(emulation_year)
        assert results.all_settled
        first = min(results.members, key=lambda m: m.rank or 99)
        award = Award.objects.get(dossier__emulation_year=emulation_year)
        assert award.organization == first.organization
        poll = emulation_year.conferences.get().polls.get()
        assert poll.status == PollStatus.PUBLISHED
        assert poll.result["elected"] == [first.organization.code]


def test_a_national_council_vote_is_one_the_council_rules_accept(national: None) -> None:
    voted = Dossier.objects.filter(
        emulation_year__group__parent__code=PARENT_CODE, council_voted_at__isnull=False
    ).prefetch_related("proposals")
    assert voted.exists()
    for dossier in voted:
        members, present = dossier.council_members, dossier.council_present
        assert members is not None and present is not None
        proposals = list(dossier.proposals.all())
        # Votes in favour count the written votes of absent members too, so they may exceed those present
        # (DOMAIN.md, Voting, "Parent council"); never the council's members.
        votes = {str(p.pk): p.votes_in_favour for p in proposals}
        assert council_vote_problems(members=members, present=present, votes=votes) == []
        assert 3 * present >= 2 * members  # a quorum of two thirds at least
        threshold = Fraction(dossier.council_threshold_numerator, dossier.council_threshold_denominator)  # type: ignore[arg-type]
        for proposal in proposals:
            assert proposal.votes_in_favour is not None
            outcome = council_outcome(threshold, members=members, votes=proposal.votes_in_favour)
            assert (proposal.votes_needed, proposal.passed) == (outcome.needed, outcome.passed)


def test_the_pages_of_a_national_group_answer_parent_staff(national: None) -> None:
    client = Client()
    client.force_login(parent_staff())
    assert client.get(f"/cap-tren/{PARENT_CODE}/khen-thuong/2025/").status_code == 200
    assert client.get("/don-vi/").status_code == 200
    assert client.get("/cum-khoi/").status_code == 200
    assert client.get("/").status_code == 200
    for emulation_year in EmulationYear.objects.filter(
        group__parent__code=PARENT_CODE, year__in=(2025, CURRENT)
    ):
        slug, year = emulation_year.group.slug, emulation_year.year
        pages = [
            f"/cum-khoi/{slug}/",
            f"/cum-khoi/{slug}/nam/{year}/",
            f"/nam-thi-dua/{slug}/{year}/",
            f"/nam-thi-dua/{slug}/{year}/tong-hop/",
            f"/nam-thi-dua/{slug}/{year}/giao-uoc/",
            f"/nam-thi-dua/{slug}/{year}/hoi-nghi/",
            f"/nam-thi-dua/{slug}/{year}/van-ban/",
        ]
        if emulation_year.stage in (YearStage.DOSSIER, YearStage.CLOSED):
            pages.append(f"/nam-thi-dua/{slug}/{year}/ho-so-khen-thuong/")
        for page in pages:
            assert client.get(page).status_code == 200, (page, emulation_year.stage)


def test_a_second_run_adds_nothing_and_says_so(national: None) -> None:
    scores = Score.history.count()
    out = io.StringIO()
    call_command("load_demo", "--national", "--scale", "0.01", stdout=out)
    assert "đã có: không nạp thêm" in out.getvalue()
    assert Score.history.count() == scores


def test_the_demo_logins_list_the_national_accounts_and_only_accounts_that_exist(national: None) -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    listed = [line.split()[0] for line in out.getvalue().splitlines() if line.startswith("  ")]
    assert "toanquoc" in listed and any(name.startswith("cb-qg-") for name in listed)
    assert set(User.objects.filter(username__in=listed).values_list("username", flat=True)) == set(listed)


def test_a_scale_out_of_range_is_refused_in_vietnamese(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--scale phải lớn hơn 0"):
        call_command("load_demo", "--national", "--scale", "0")
