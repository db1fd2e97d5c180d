"""The whole demo: Cụm 4's registry, its years with their conference and dossier, and the news sites. It
spans every app, so it stands above them all (DESIGN.md, Code layout); each app loads its own part."""

from __future__ import annotations

from thidua.accounts.models import User
from thidua.organizations.demo import DEMO_LABEL, load_demo
from thidua.organizations.models import EmulationGroup


def load_demo_years() -> None:
    """Cụm 4's 2023 (settled, its conference replayed, its dossier decided) and 2026 (self-scoring open)
    years."""
    from thidua.assessments.demo import load_year_demo
    from thidua.awards.demo import load_awards_demo
    from thidua.conferences.demo import load_conference_demo
    from thidua.years.models import EmulationYear
    from thidua.years.services import advance_year, archive_year

    staff = User.objects.get(username="vusta")
    cluster4 = EmulationGroup.objects.get(slug="vusta-cum-4")
    load_year_demo(staff, cluster4)
    load_conference_demo(staff, cluster4)
    load_awards_demo(staff, cluster4)
    # Each year stands at the stage its data reach. 2024 and 2025 happened before the cluster used
    # thidua: their agreement is kept, their work was done on paper, so the parent body archives them.
    for emulation_year in EmulationYear.objects.filter(group=cluster4).order_by("year"):
        if emulation_year.year in (2024, 2025):
            archive_year(
                actor=staff, emulation_year=emulation_year, reason=f"Tổng kết ngoài hệ thống. {DEMO_LABEL}"
            )
        else:
            advance_year(actor=staff, emulation_year=emulation_year)


def load_full_demo() -> None:
    """The whole demo: registry, Cụm 4's years, the replayed conference and Ninh Bình's news site
    (idempotent)."""
    from thidua.news.demo import load_news_demo

    load_demo()
    load_demo_years()
    load_news_demo()
