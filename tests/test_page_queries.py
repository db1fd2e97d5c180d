"""Each page of the year's walk runs the same number of queries for Cụm 4 as the demo has it and for a Cụm 4
grown to a full cluster, with a conference, a register, a dossier and a news site to match (issue 16, "a
parent body at national scale"): what a page reads must not grow with the rows it lists.

Each page is fetched as the role that uses it, for 2023 (settled: scores, reviews, ranking, a conference
with polls, documents, a dossier) or for 2026 (the current year) where the page belongs to a running year.
The rows are written directly, in bulk, as copies of the demo's own rows: the pages show what they show
for the demo, only more of it. A failing comparison prints the queries one run made and the other did not.

Lists that stay whole on their page, bounded by nature: a group's members of a year (a cluster has at
most about fifteen), and with them its ranking, its cross-checks, the scores still to settle and the
dossier's proposals; a conference's delegates (at most about a hundred); a group's register of one year
(a few dozen documents). The organization list, the overview and the dossiers the parent body has
already handled grow with the country and the years: those are paged, fifty to a page.
"""

from __future__ import annotations

import datetime
import difflib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from django.db import models
from django.db.models import Max
from django.test import Client

from thidua.accounts.models import Role, RoleKind, User
from thidua.assessments.models import Assessment, Evidence, ReviewAssignment, Score
from thidua.awards.models import Award, Dossier, Proposal
from thidua.awards.parent_views import PER_PAGE
from thidua.awards.tests.overview_data import add_groups
from thidua.conferences.models import Ballot, Conference, Delegate, Participation, Poll
from thidua.documents.models import Document
from thidua.lib.text import fold, sort_text
from thidua.news.tests.helpers import HOST as NEWS_HOST
from thidua.news.tests.helpers import SEED_PATH, category, publish_article
from thidua.organizations.models import EmulationGroup, Membership, Organization, OrganizationName
from thidua.organizations.views import ORGANIZATIONS_PER_PAGE
from thidua.years.models import EmulationYear

pytestmark = pytest.mark.django_db
M = TypeVar("M", bound=models.Model)
SLUG = "vusta-cum-4"
SETTLED, CURRENT = 2023, 2026
# A cluster has at most about fifteen members (Cụm 4 has seven in 2023): grown to fifteen.
EXTRA_MEMBERS = 8
EXTRA_DOCUMENTS = 20
EXTRA_ARTICLES = 6
EXTRA_GROUPS = 12


def _year_url(year: int, rest: str = "") -> str:
    return f"/nam-thi-dua/{SLUG}/{year}/{rest}"


def _conference() -> Conference:
    return Conference.objects.get(emulation_year__group__slug=SLUG, emulation_year__year=SETTLED)


def _conference_url(rest: str = "") -> str:
    return _year_url(SETTLED, f"hoi-nghi/{_conference().pk}/{rest}")


def _poll_url() -> str:
    poll = Poll.objects.filter(conference=_conference(), kind="nomination").order_by("position").first()
    assert poll is not None
    return _conference_url(f"bo-phieu/{poll.pk}/")


@dataclass(frozen=True)
class Page:
    """One page of the walk: who opens it, where, and a text only the grown page shows, when the page
    lists what grows (so the comparison is known to have drawn the grown rows)."""

    name: str
    user: str | None
    url: Callable[[], str]
    grown_text: str = ""
    host: str = "testserver"


GROWN_MEMBER = f"Liên hiệp Hội mở rộng số {EXTRA_MEMBERS - 1:02d}"
GROWN_DOCUMENT = f"Văn bản mở rộng số {EXTRA_DOCUMENTS - 1:02d}"
PAGES = [
    Page("home of the current secretariat", "quangtri", lambda: "/"),
    Page("home of a member", "nghean", lambda: "/"),
    Page("home of the parent body", "vusta", lambda: "/"),
    Page("group", "vusta", lambda: f"/cum-khoi/{SLUG}/", GROWN_MEMBER),
    Page("group year", "vusta", lambda: f"/cum-khoi/{SLUG}/nam/{SETTLED}/", GROWN_MEMBER),
    Page("settled year", "ninhbinh", lambda: _year_url(SETTLED), GROWN_MEMBER),
    Page("current year", "quangtri", lambda: _year_url(CURRENT), GROWN_MEMBER),
    Page("summary", "nghean", lambda: _year_url(SETTLED, "tong-hop/"), GROWN_MEMBER),
    Page("ranking", "ninhbinh", lambda: _year_url(SETTLED, "chot-diem/"), GROWN_MEMBER),
    Page("score sheet", "nghean", lambda: _year_url(SETTLED, "cham-diem/lhh-nghe-an/")),
    Page("current score sheet", "nghean", lambda: _year_url(CURRENT, "cham-diem/lhh-nghe-an/")),
    Page("review", "nghean", lambda: _year_url(SETTLED, "cham-cheo/lhh-ninh-binh/")),
    Page("review assignments", "quangtri", lambda: _year_url(CURRENT, "phan-cong-cham-cheo/"), GROWN_MEMBER),
    Page("conferences", "ninhbinh", lambda: _year_url(SETTLED, "hoi-nghi/")),
    Page("conference", "ninhbinh", lambda: _conference_url(), GROWN_MEMBER),
    Page("poll", "ninhbinh", _poll_url),
    Page("documents", "ninhbinh", lambda: _year_url(SETTLED, "van-ban/"), GROWN_DOCUMENT),
    Page("dossier", "ninhbinh", lambda: _year_url(SETTLED, "ho-so-khen-thuong/"), GROWN_MEMBER),
    Page("incoming dossiers", "vusta", lambda: "/cap-tren/vusta/ho-so-khen-thuong/"),
    Page("overview", "vusta", lambda: f"/cap-tren/vusta/tong-quan/{SETTLED}/"),
    Page("organization list", None, lambda: "/don-vi/", GROWN_MEMBER),
    Page("news article", None, lambda: SEED_PATH, host=NEWS_HOST),
]


# --- Growing the data


def _prepare() -> None:
    """The demo's 2026 has no cross-check assigned yet; one is, before either count, so that both sizes
    are in the same state and differ only in how many rows they hold (as in thidua/years/tests)."""
    ReviewAssignment.objects.create(
        emulation_year=EmulationYear.objects.get(group__slug=SLUG, year=CURRENT),
        reviewed=Organization.objects.get(code="lhh-hue"),
        reviewer=Organization.objects.get(code="lhh-ha-tinh"),
    )


def _copy(row: M, **changes: Any) -> M:
    """An unsaved copy of `row` with `changes` (by attribute name: `organization_id`), for bulk_create: the
    demo's own values in every field, derived ones included, as the services wrote them."""
    fields = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if not f.primary_key}
    return type(row)(**{**fields, **changes})


def _grow() -> None:
    """Cụm 4 grown to fifteen members in 2023 and fourteen in 2026, each with an officer, its own
    assessment and a score on every criterion, cross-checks, a voting delegate at the 2023 conference who
    took part in every poll, a proposal and an award; and more documents in the register, more evidence
    on Nghệ An's sheets and more articles on Ninh Bình's news site."""
    group = EmulationGroup.objects.get(slug=SLUG)
    kind = Organization.objects.get(code="lhh-hue").kind
    names = [f"Liên hiệp Hội mở rộng số {i:02d}" for i in range(EXTRA_MEMBERS)]
    added = Organization.objects.bulk_create(
        # The derived fields Organization.refresh_search_text fills on save.
        Organization(
            code=f"lhh-mo-rong-{i:02d}",
            kind=kind,
            parent=group.parent,
            search_text=fold(name),
            sort_key=sort_text(name),
        )
        for i, name in enumerate(names)
    )
    OrganizationName.objects.bulk_create(
        OrganizationName(
            organization=o, name=n, short_name=f"LHH MR {i}", valid_from=datetime.date(2000, 1, 1)
        )
        for i, (o, n) in enumerate(zip(added, names, strict=True))
    )
    users = User.objects.bulk_create(User(username=f"mo-rong-{i:02d}") for i in range(EXTRA_MEMBERS))
    Role.objects.bulk_create(
        Role(user=u, kind=RoleKind.OFFICER, organization=o) for u, o in zip(users, added, strict=True)
    )
    for year in (SETTLED, CURRENT):
        _grow_year(EmulationYear.objects.get(group=group, year=year), added)
    _grow_conference(added)
    _grow_dossier(added)
    _grow_register()
    _grow_evidence()
    # More groups of VUSTA with a year at every stage, dossiers sent and decided among them.
    add_groups(EXTRA_GROUPS, year=SETTLED)
    index = category()
    for number in range(EXTRA_ARTICLES):
        publish_article(
            index, f"Tin mở rộng số {number}", day=datetime.date(2024, 5, 1 + number), tags=["Mở rộng"]
        )


def _grow_year(emulation_year: EmulationYear, added: list[Organization]) -> None:
    """The new members in the year, each with a copy of a demo member's assessment (settled in 2023,
    submitted in 2026) and its scores, cross-checked in a ring."""
    Membership.objects.bulk_create(
        Membership(group=emulation_year.group, organization=o, year=emulation_year.year) for o in added
    )
    model = (
        Assessment.objects.filter(emulation_year=emulation_year, status="submitted")
        .exclude(organization__code="lhh-nghe-an")
        .order_by("organization__code")
        .first()
    )
    assert model is not None, emulation_year
    scores = list(Score.history.filter(assessment=model))
    copies = Assessment.objects.bulk_create(_copy(model, organization_id=o.pk) for o in added)
    Score.history.bulk_create(_copy(s, assessment_id=copy.pk) for copy in copies for s in scores)
    done = ReviewAssignment.objects.filter(emulation_year=emulation_year).exclude(completed_at=None).first()
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            emulation_year=emulation_year,
            reviewed=o,
            reviewer=added[i - 1],
            completed_at=done.completed_at if done else None,
            completed_by_id=done.completed_by_id if done else None,
        )
        for i, o in enumerate(added)
    )


def _grow_conference(added: list[Organization]) -> None:
    """A voting delegate for each new member, checked in, who took part in every poll; a ballot for each."""
    conference = _conference()
    model = Delegate.objects.filter(conference=conference, votes=True).exclude(checked_in_at=None).first()
    assert model is not None
    top = Delegate.objects.filter(conference=conference).count() + 100
    delegates = Delegate.objects.bulk_create(
        Delegate(
            conference=conference,
            organization=o,
            full_name=f"Đại biểu mở rộng số {i}",
            job_title=model.job_title,
            votes=True,
            checked_in_at=model.checked_in_at,
            card=str(top + i),
            code_hash=f"mo-rong-{i}",
            voting_seat=f"org:{o.pk}" if model.voting_seat else "",
        )
        for i, o in enumerate(added)
    )
    for poll in Poll.objects.filter(conference=conference):
        Participation.objects.bulk_create(
            Participation(id=uuid.uuid4(), poll=poll, delegate=d, voter_key=f"org:{d.organization_id}")
            for d in delegates
        )
        ballot = Ballot.objects.filter(poll=poll).first()
        if ballot is not None:
            Ballot.objects.bulk_create(
                Ballot(id=uuid.uuid4(), poll=poll, content=ballot.content, receipt=uuid.uuid4().hex)
                for _ in delegates
            )


def _grow_dossier(added: list[Organization]) -> None:
    dossier = Dossier.objects.get(emulation_year__group__slug=SLUG, emulation_year__year=SETTLED)
    proposal = dossier.proposals.first()
    award = dossier.awards.first()
    assert proposal is not None and award is not None
    Proposal.objects.bulk_create(_copy(proposal, organization_id=o.pk) for o in added)
    Award.objects.bulk_create(_copy(award, organization_id=o.pk) for o in added)


def _grow_register() -> None:
    """More issued documents of Cụm 4 in 2023, copies of its first with numbers of their own."""
    model = Document.objects.filter(issuer_group__slug=SLUG, year=SETTLED).exclude(number=None).first()
    assert model is not None
    top = Document.objects.filter(issuer_group=model.issuer_group, year=SETTLED).aggregate(n=Max("number"))[
        "n"
    ]
    Document.objects.bulk_create(
        _copy(
            model,
            number=top + 1 + i,
            number_text=f"{top + 1 + i}/mở-rộng",
            summary=f"Văn bản mở rộng số {i:02d}",
            conference_id=None,
            poll_id=None,
            kind="",
            replaces_id=None,
        )
        for i in range(EXTRA_DOCUMENTS)
    )


def _grow_evidence() -> None:
    """Nghệ An's sheets, and Ninh Bình's it cross-checks, with a piece of evidence on every score."""
    model = Evidence.objects.first()
    for year in (SETTLED, CURRENT):
        scores = Score.objects.filter(
            assessment__organization__code__in=["lhh-nghe-an", "lhh-ninh-binh"],
            assessment__emulation_year__group__slug=SLUG,
            assessment__emulation_year__year=year,
        )
        Evidence.objects.bulk_create(
            Evidence(
                score=s,
                file=model.file.name if model else "evidence/2023/mo-rong.pdf",
                original_name=f"minh-chung-{s.pk}.pdf",
                content_type="application/pdf",
                size=model.size if model else 1000,
                sha256="0" * 64,
                uploaded_by=User.objects.get(username="nghean"),
            )
            for s in scores
        )


# --- Counting


def _difference(small: Any, large: Any) -> str:
    """The queries one run made and the other did not, literals masked: what grows with the rows."""

    def shape(query: dict[str, str]) -> str:
        return re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"])[:300]

    return "\n".join(
        difflib.unified_diff(
            [shape(q) for q in small.captured_queries],
            [shape(q) for q in large.captured_queries],
            lineterm="",
        )
    )


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_each_page_of_the_walk_runs_the_same_queries_for_the_demo_and_for_a_full_cluster(
    client_for: Callable[[Any], Client], cold_queries: Any, page: Page
) -> None:
    client = client_for(User.objects.get(username=page.user) if page.user else None)
    url = page.url()
    _prepare()
    # The first visit sets the session's and the CSRF cookie's state both measured visits carry.
    assert client.get(url, HTTP_HOST=page.host).status_code == 200
    with cold_queries() as small:
        small_response = client.get(url, HTTP_HOST=page.host)
    _grow()
    client.get(url, HTTP_HOST=page.host)
    with cold_queries() as large:
        large_response = client.get(url, HTTP_HOST=page.host)
    assert small_response.status_code == large_response.status_code == 200
    if page.grown_text:
        assert page.grown_text not in small_response.content.decode()
        assert page.grown_text in large_response.content.decode()
    assert len(small) == len(large), _difference(small, large)


def test_the_grown_organizations_stay_on_the_first_page_of_the_organization_list() -> None:
    # The list is paged (thidua/organizations/tests/test_organization_list.py); comparing its first page
    # at two sizes only says something if the grown rows are drawn on it.
    assert Organization.objects.count() + EXTRA_MEMBERS + EXTRA_GROUPS <= ORGANIZATIONS_PER_PAGE


def test_the_dossiers_already_decided_are_listed_fifty_to_a_page_for_the_parent_bodys_staff(
    client_for: Callable[[Any], Client],
) -> None:
    # Every group's dossiers pile up year after year: at national size the list pages (issue 16).
    add_groups(9 * 30, year=SETTLED)  # two stages in nine come with a decided dossier: sixty of them
    decided = Dossier.objects.filter(emulation_year__group__parent__code="vusta").exclude(status="submitted")
    client = client_for(User.objects.get(username="vusta"))

    def rows(page: str) -> int:
        html = client.get("/cap-tren/vusta/ho-so-khen-thuong/", {"trang": page}).content.decode()
        return html.split("Đã trả lại hoặc đã quyết định")[1].count('href="/nam-thi-dua/')

    assert decided.count() > PER_PAGE
    assert rows("1") == PER_PAGE
    assert rows("2") == decided.count() - PER_PAGE
