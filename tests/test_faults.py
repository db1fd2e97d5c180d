"""Kill the server in the middle of a burst of score saves and votes; every acknowledged write survives
exactly once and the audit chain still verifies (issue 7, part 6).

gunicorn (2 workers, the production settings but for static files: bench.bench_wsgi) serves the test
database, committed data. Officers save their own score sheets one value after another, each value
unique; delegates cast their votes, several at once. Once 30% of the work is acknowledged one worker gets
SIGKILL (gunicorn starts another); at 60% the whole server gets SIGKILL and a new one is started on the
same port. Requests that fail meanwhile are simply not acknowledged: what was committed without an answer
may be there, what was answered must be.

PostgreSQL only: on SQLite the suite's database lives in the test process's memory, out of gunicorn's
reach. Linux only (the workers are found in /proc).
"""

from __future__ import annotations

import datetime
import http.client
import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connections

from tests.live import TOKEN_RE, Server, request, serving, session_cookie

VOTERS = 60
SAVES_PER_OFFICER = 40
RECEIPT_RE = re.compile(r'<code class="receipt">([0-9a-f]{64})</code>')  # SHA-256 of the ballot
YEAR = 2026


@dataclass
class Officer:
    username: str
    cookie: str
    sheet: str  # path of the sheet
    score_pk: int
    sent: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)


@dataclass
class Voter:
    code: str
    choice: str
    receipt: str | None = None


@dataclass
class Setup:
    conference_pk: int
    poll_pk: int
    officers: list[Officer]
    voters: list[Voter]


def _prepare() -> Setup:
    from thidua.accounts.models import User
    from thidua.agreements import services as agreements
    from thidua.assessments.models import Assessment, AssessmentStatus
    from thidua.conferences import services as voting
    from thidua.conferences.models import Delegate
    from thidua.demo.loader import load_full_demo
    from thidua.organizations import services as registry
    from thidua.organizations.models import LeadershipRole, Organization, Regulation, VotingUnit
    from thidua.years.models import EmulationYear

    load_full_demo()
    staff = User.objects.get(username="vusta")
    vusta = Organization.objects.get(code="vusta")
    in_force = Regulation.objects.in_force(vusta, YEAR)
    assert in_force is not None
    values = {name: getattr(in_force, name) for name in registry.REGULATION_FIELDS}
    values["voting_unit"] = VotingUnit.DELEGATE  # every delegate votes: many votes in one poll
    values["voting_unit_source"] = "Kiểm thử sự cố: mỗi đại biểu một phiếu"
    registry.save_regulation(actor=staff, parent=vusta, valid_from_year=YEAR, values=values)
    emulation_year = EmulationYear.objects.get(group__slug="vusta-cum-4", year=YEAR)
    members = sorted(agreements.members_of(emulation_year), key=lambda m: m.code)
    conference = voting.create_conference(
        actor=staff,
        emulation_year=emulation_year,
        values={
            "title": "Hội nghị kiểm thử sự cố",
            "starts_at": datetime.datetime(YEAR, 12, 8, 8, 0, tzinfo=datetime.UTC),
            "place": "Phòng máy",
            "host": members[0],
        },
    )
    Delegate.objects.bulk_create(
        Delegate(
            conference=conference,
            organization=members[i % len(members)],
            full_name=f"Đại biểu {i + 1:03d}",
            votes=True,
            counting_board=i < 3,  # the board that holds the poll's key (2 of 3 by default)
        )
        for i in range(VOTERS)
    )
    issued = voting.issue_codes(actor=staff, conference=conference)
    poll = voting.create_election_poll(actor=staff, conference=conference, role=LeadershipRole.HEAD)
    poll = voting.open_poll(actor=staff, poll=poll)
    voters = [Voter(c.code, members[i % len(members)].code) for i, c in enumerate(issued)]

    officers = []
    drafts = Assessment.objects.filter(emulation_year=emulation_year, status=AssessmentStatus.DRAFT)
    for assessment in drafts.select_related("organization").order_by("organization__code"):
        user = User.objects.filter(
            roles__organization=assessment.organization, username__isnull=False
        ).first()
        score = assessment.scores.filter(criterion__code="2.1").first()
        if user is None or score is None:
            continue
        officers.append(
            Officer(
                user.username,
                session_cookie(user.username),  # a session in the shared store, handed to the HTTP client
                f"/nam-thi-dua/vusta-cum-4/{YEAR}/cham-diem/{quote(assessment.organization.code)}/",
                score.pk,
            )
        )
        if len(officers) == 3:
            break
    assert officers, "the demo has draft 2026 sheets with an officer"
    connections.close_all()
    return Setup(conference.pk, poll.pk, officers, voters)


@pytest.fixture
def server(transactional_db: Any, demo_restored_after_module: None, tmp_path: Path) -> Iterator[Server]:
    with serving(tmp_path, processes=2) as running:
        yield running


def _save_scores(port: int, officer: Officer, index: int, progress: Counter[str]) -> None:
    for step in range(SAVES_PER_OFFICER):
        value = f"{(index * SAVES_PER_OFFICER + step + 1) / 100:.2f}".replace(".", ",")
        cookies = {settings.SESSION_COOKIE_NAME: officer.cookie}
        try:
            status, set_cookies, page = request(port, "GET", officer.sheet, cookies=cookies)
            token = TOKEN_RE.search(page)
            if status != 200 or token is None:
                raise OSError(f"sheet answered {status}")
            cookies.update(set_cookies)
            officer.sent.append(value)
            status, _, _ = request(
                port,
                "POST",
                officer.sheet,
                {"action": "save", f"value-{officer.score_pk}": value, "csrfmiddlewaretoken": token.group(1)},
                cookies,
            )
            if status == 302:
                officer.acknowledged.append(value)
                progress["done"] += 1
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)  # the server is down or a worker died: this save is not acknowledged


def _vote(port: int, conference_pk: int, poll_pk: int, voter: Voter, progress: Counter[str]) -> None:
    path = f"/bo-phieu/{conference_pk}/"
    try:
        status, cookies, page = request(port, "GET", path)
        if status != 200 or 'name="code"' not in page:
            raise OSError(f"vote page answered {status}")
        form = {  # no CSRF token: the phone's forms carry the code instead (thidua/web/origin.py)
            "code": voter.code,
            "step": "cast",
            "poll": str(poll_pk),
            "choice": voter.choice,
        }
        status, _, page = request(port, "POST", path, form, cookies)
        receipt = RECEIPT_RE.search(page)
        if status == 200 and receipt:
            voter.receipt = receipt.group(1)
            progress["done"] += 1
    except (OSError, http.client.HTTPException):
        time.sleep(0.1)


def test_killing_the_server_mid_burst_loses_no_acknowledged_score_or_vote_and_keeps_the_chain(
    server: Server,
) -> None:
    from thidua.assessments.models import Score
    from thidua.audit.models import AuditEvent
    from thidua.audit.services import verify_chain
    from thidua.conferences.models import Ballot, Participation

    setup = _prepare()
    server.start()
    total = len(setup.officers) * SAVES_PER_OFFICER + len(setup.voters)
    progress: Counter[str] = Counter()
    kills: list[str] = []

    def saboteur() -> None:
        deadline = time.monotonic() + 60
        while progress["done"] < 0.3 * total and time.monotonic() < deadline:
            time.sleep(0.01)
        workers = server.workers()
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            kills.append("worker")
        while progress["done"] < 0.6 * total and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill_all()
        kills.append("server")
        server.start()

    sabotage = threading.Thread(target=saboteur)
    sabotage.start()
    with ThreadPoolExecutor(max_workers=len(setup.officers) + 6) as pool:
        jobs = [pool.submit(_save_scores, server.port, o, i, progress) for i, o in enumerate(setup.officers)]
        jobs += [
            pool.submit(_vote, server.port, setup.conference_pk, setup.poll_pk, v, progress)
            for v in setup.voters
        ]
        for job in jobs:
            job.result(timeout=60)
    sabotage.join(timeout=60)
    assert kills == ["worker", "server"], kills
    server.kill_all()  # every connection to the test database closed before the checks and the flush

    # Scores: each acknowledged value was written once, and the sheet holds the last one written.
    for officer in setup.officers:
        assert officer.acknowledged, f"no save of {officer.username} was acknowledged"
        written = [
            event.data["value"][1]
            for event in AuditEvent.objects.filter(verb="score.self", target_id=str(officer.score_pk))
        ]
        normalized = Counter(str(Decimal(v).quantize(Decimal("0.01"))) for v in written if v is not None)
        for value in officer.acknowledged:
            assert normalized[value.replace(",", ".")] == 1, (officer.username, value)
        final = Score.objects.get(pk=officer.score_pk).self_value
        last = officer.sent.index(officer.acknowledged[-1])
        assert str(final) in {v.replace(",", ".") for v in officer.sent[last:]}

    # Votes: every receipt handed out is one ballot; ballots and participations match one for one.
    receipts = Counter(Ballot.objects.filter(poll_id=setup.poll_pk).values_list("receipt", flat=True))
    acknowledged = [v.receipt for v in setup.voters if v.receipt]
    assert acknowledged
    assert all(receipts[r] == 1 for r in acknowledged)
    assert sum(receipts.values()) == Participation.objects.filter(poll_id=setup.poll_pk).count()
    assert len(acknowledged) <= sum(receipts.values()) <= len(setup.voters)

    assert verify_chain() is None
    saves = sum(len(o.acknowledged) for o in setup.officers)
    sent = sum(len(o.sent) for o in setup.officers)
    print(  # shown with -s: how much the kills cost, to keep the test honest
        f"saves acknowledged {saves}/{sent} sent; votes acknowledged {len(acknowledged)}/{len(setup.voters)}, "
        f"stored {sum(receipts.values())}"
    )
    connections.close_all()
