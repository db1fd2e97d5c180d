"""Secret ballot under load (issues 4 and 14): 1,000 delegates vote over real HTTP, 64 at a time, against
gunicorn and PostgreSQL, as ratios against a bare insert measured on the same stack in the same run; then
the cast burst again with one gunicorn worker killed in the middle of it (twice: while the ballot is
being encrypted, and while the vote's statement runs).

Goals (issue 14, "Speed and faults", at 1,000 voters and concurrency 64):
- the whole voter flow (the page the card's QR code opens, with the ballot in it; the cast) at least 0.25 of a bare
  insert: voters done per second ≥ 0.25 × bare inserts per second;
- the cast alone at least 0.3 of a bare insert: casts per second ≥ 0.3 × bare inserts per second;
- p99 under 300 ms for every request a phone makes (the cast burst's casts, and each step of the flow);
- no vote lost or duplicated: the Participation and Ballot rows of every poll against the successful casts;
- worker-kill runs clean: after `SIGKILL` of one worker mid-burst, every vote is either recorded once or
  failed visibly to its client and can be cast again, and no poll has a participation without its ballot.

The baseline, `POST /bench/bare-insert/` (bench/bench_urls.py), is the least a write through this stack
can do: the same gunicorn, middleware and client, a form body parsed, one INSERT under a unique key in a
transaction (a vote's Participation has that shape), "ok". It has none of the vote's own work (the
code's lookup, the rules, the encryption, the page), which is exactly what the ratios price.

What it does, loopback only, every loop bounded, every request with a timeout:
1. creates the database `thidua_bench_vote` (dropped first if a crashed run left it), migrates, loads the
   demo registry (not the demo years), makes VUSTA's 2026 regulation one vote per delegate (through
   `save_regulation`, the 2026 values otherwise unchanged), opens Cụm 4's 2026 year, creates a
   conference with 1,000 voting delegates (bulk-created rows, spread over the 2026 members, the first
   three on the counting board that holds the polls' key), issues their codes through `issue_codes`, and
   creates the table `bench_bare_insert (k text PRIMARY KEY)` with raw SQL (no project model);
2. starts gunicorn on bench.bench_wsgi (config.urls plus the bench views) on a free port, `--workers`
   sync workers (2 by default, one per core, as a 2-core server would run it: see DEFAULT_WORKERS);
3. warms up, then times the flow of 100 voters one at a time (the server's own time per step);
4. `--rounds` rounds, each of three measured kinds of burst at `--concurrency` over all `--voters`:
   bare inserts; casts (POST step=cast with code, poll and one choice, and the Origin header a browser
   sends) on a fresh poll every voter has opened first (GET, then step=list, not measured); and the
   whole flow on a second fresh poll (GET the page, which carries the open poll's ballot for the phone's
   script to show, then POST step=cast). The voters come in 4 slices, and for each slice the three kinds take turns (their order
   turning from round to round, a slice's casts always before its flow, so that the code entry finds
   one poll left to vote in): other work on the machine then weighs on the three alike. The polls are
   opened with `open_poll` and closed with `close_poll` after the round;
5. two fault runs, each a cast burst on another fresh poll: once 30% of the casts have succeeded, one
   gunicorn worker gets SIGKILL in the middle of a request, picked by its PostgreSQL session
   (pg_stat_activity): after the delegate is read, before the vote's statement (the ballot being
   encrypted, nothing written) in the first run, while the vote's statement runs (it commits without its
   client: counted, response lost) in the second; gunicorn respawns it; voters whose request failed
   (connection reset, 5xx or timeout) try again once after the burst (GET, then cast);
6. checks every poll in the database: each success receipt is a Ballot row, exactly once; Ballot rows ==
   Participation rows; no voter_key twice; each successful voter has its Participation; every voter has
   voted once; in the fault runs, every Ballot whose receipt nobody was told (committed, no response)
   matches one retry refused as "already recorded", and no retry is refused without one;
   then times casts, the encryption alone and bare inserts in process (Django test client) and profiles
   20 casts;
7. restarts gunicorn with each of `--compare-workers` (3 and 5) and runs `--compare-rounds` rounds more,
   to show what the number of workers does to the rates and to the CPU a request takes;
8. prints the summary and, with --write, writes it as its section of docs/benchmarks.md; stops gunicorn,
   drops the database and the temporary directory, on failure or Ctrl+C too.

The client is one asyncio loop writing HTTP/1.1 by hand over stdlib streams (no dependency), on the same
machine as the server: it takes CPU from gunicorn and PostgreSQL equally for every burst, so only the
ratios are meaningful, never the absolute figures across machines. Other work on the machine slows some
bursts more than others: the CPU each side used is read from /proc for every burst, and the CPU a burst
took per request (ours only) is reported beside the rates as a check that does not depend on it.

Exit status: 1 if a vote was lost or duplicated, a 5xx came outside the kill window, a request of a clean
burst failed, or a voter whose request failed could not vote again; 0 otherwise (the speed goals are
reported, and only fail the run with --require-goal).

Usage, from the project root:
    .venv/bin/python -m bench.vote_bench [--voters 1000] [--concurrency 64] [--rounds 3] [--workers 2]
    [--compare-workers 3,5] [--no-fault]
    [--write]     # replace this benchmark's section of docs/benchmarks.md
    [--profile]   # also print the SQL of one cast and the cProfile listing of 20 (in process)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from bench.harness import (
    DOCS,
    HOST,
    ROOT,
    create_database,
    free_port,
    replace_section,
    start_gunicorn,
)
from bench.httpload import finish, machine, raise_exit, stop, wait_ready

DATABASE = "thidua_bench_vote"
YEAR = 2026
REQUEST_TIMEOUT = 30.0
GOAL_FLOW_RATIO = 0.25
GOAL_CAST_RATIO = 0.3
GOAL_P99_MS = 300.0
# One sync worker per core, as a 2-core server running its own PostgreSQL would: a vote's request mostly
# computes (the commit's flush is its one wait), so workers beyond the cores mostly add switching between
# processes that share the cores with PostgreSQL. gunicorn's rule of thumb, (2 × cores) + 1, is for workers
# that mostly wait; the report compares it (`COMPARE_WORKERS`) in the same run.
DEFAULT_WORKERS = 2
COMPARE_WORKERS = (3, 5)
FLOW_VOTERS = 100
# A round takes the voters in this many slices, the bare inserts, the casts and the flow taking turns
# slice by slice: other work on the machine comes and goes within seconds, and so weighs on the three
# alike, where whole bursts one after the other (1 s, 4 s, 10 s) would each meet it differently.
SLICES = 4
# Other work above this many cores, on average over the measured bursts, makes a run's rates unreliable.
NOISY_CORES = 0.25
# The order within a slice turns from round to round; a slice's casts always come before its flow (see
# the round loop in `main`).
ORDERS = (("bare", "cast", "flow"), ("cast", "flow", "bare"), ("cast", "bare", "flow"))
KILL_AT = 0.30  # share of the burst's voters that have succeeded when one worker is killed
KILL_GRACE = 2.0  # seconds after the respawned worker appears that still count as the kill window
RESPAWN_SECONDS = 30.0
SECTION = "## Secret ballot under load (issues 4 and 14)"
# Headings this section had before: replaced by it rather than left beside it.
OLD_SECTIONS = ("## Secret ballot under load (issue 4)",)

SUCCESS_MARK = "Đã ghi nhận phiếu của bạn"
ALREADY_MARK = "đã được ghi nhận"
# In every page a delegate's accepted code opens (the ballot, the list of polls), never in the code page.
CODE_TAKEN = 'type="hidden" name="code"'
RECEIPT_RE = re.compile(r'<code class="receipt">([0-9a-f]{64})</code>')  # SHA-256 of the ballot

T = TypeVar("T")


# --- the database ---------------------------------------------------------------------------------


@dataclass
class Voter:
    delegate_pk: int
    code: str
    choice: str


@dataclass(frozen=True)
class Setup:
    conference_pk: int
    voters: list[Voter]
    pg_version: str


def _prepare_data(voters: int) -> Setup:
    """Migrate, load the registry, build the conference and its delegates; return their codes."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from thidua.accounts.models import User
    from thidua.agreements import services as agreements
    from thidua.conferences import services
    from thidua.conferences.models import Delegate
    from thidua.organizations import services as registry
    from thidua.organizations.demo import load_demo
    from thidua.organizations.models import EmulationGroup, Organization, Regulation, VotingUnit
    from thidua.years import services as year_services
    from thidua.years.models import EmulationYear

    call_command("migrate", verbosity=0, interactive=False)
    load_demo()
    staff = User.objects.get(username="vusta")
    vusta = Organization.objects.get(code="vusta")
    in_force = Regulation.objects.in_force(vusta, YEAR)
    assert in_force is not None, "the demo registry has a regulation for 2026"
    values = {name: getattr(in_force, name) for name in registry.REGULATION_FIELDS}
    values["voting_unit"] = VotingUnit.DELEGATE
    values["voting_unit_source"] = "Đo tải (bench/vote_bench.py): mỗi đại biểu một phiếu"
    registry.save_regulation(actor=staff, parent=vusta, valid_from_year=YEAR, values=values)

    cluster4 = EmulationGroup.objects.get(parent=vusta, number=4)
    emulation_year = EmulationYear.objects.filter(
        group=cluster4, year=YEAR
    ).first() or year_services.open_year(actor=staff, group=cluster4, year=YEAR)
    members = sorted(agreements.members_of(emulation_year), key=lambda m: m.code)
    conference = services.create_conference(
        actor=staff,
        emulation_year=emulation_year,
        values={
            "title": f"Hội nghị đo tải bỏ phiếu — Cụm thi đua số 4 năm {YEAR}",
            "starts_at": datetime.datetime(YEAR, 12, 8, 8, 0, tzinfo=datetime.UTC),
            "place": "Máy đo tải",
            "host": members[0],
        },
    )
    with transaction.atomic():
        Delegate.objects.bulk_create(
            Delegate(
                conference=conference,
                organization=members[i % len(members)],
                full_name=f"Đại biểu đo tải {i + 1:04d}",
                votes=True,
                # An electronic poll's key is split among the counting board when it opens.
                counting_board=i < 3,
            )
            for i in range(voters)
        )
    issued = services.issue_codes(actor=staff, conference=conference)
    codes = sorted((c.delegate.pk, c.code) for c in issued)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare_insert (k text PRIMARY KEY)")
        cursor.execute("SHOW server_version")
        pg_version = str(cursor.fetchone()[0])
    return Setup(
        conference.pk,
        [Voter(pk, code, members[i % len(members)].code) for i, (pk, code) in enumerate(codes)],
        pg_version,
    )


def _open_election_poll(conference_pk: int) -> int:
    """A fresh election poll of the conference, opened: each burst gets its own, so every delegate can
    vote in each. Two polls for the same role never conflict until one is published, which none is."""
    from thidua.accounts.models import User
    from thidua.conferences import services
    from thidua.conferences.models import Conference
    from thidua.organizations.models import LeadershipRole

    staff = User.objects.get(username="vusta")
    conference = Conference.objects.get(pk=conference_pk)
    poll = services.create_election_poll(actor=staff, conference=conference, role=LeadershipRole.HEAD)
    return services.open_poll(actor=staff, poll=poll).pk


def _close_poll(poll_pk: int) -> None:
    """Close a measured poll through `close_poll`: a conference runs one poll at a time, and an open poll
    the voters have all voted in would still be read by every later page that lists the open ones."""
    from thidua.accounts.models import User
    from thidua.conferences import services
    from thidua.conferences.models import Poll

    services.close_poll(actor=User.objects.get(username="vusta"), poll=Poll.objects.get(pk=poll_pk))


@dataclass(frozen=True)
class Stored:
    ballots: int
    participations: int
    receipts: Counter[str]
    duplicate_voter_keys: int
    voter_keys: frozenset[str]


def _stored(poll_pk: int) -> Stored:
    from django.db.models import Count

    from thidua.conferences.models import Ballot, Participation

    receipts = Counter(Ballot.objects.filter(poll_id=poll_pk).values_list("receipt", flat=True))
    keys = Participation.objects.filter(poll_id=poll_pk).values_list("voter_key", flat=True)
    duplicate_keys = (
        Participation.objects.filter(poll_id=poll_pk)
        .values("voter_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return Stored(
        ballots=sum(receipts.values()),
        participations=len(keys),
        receipts=receipts,
        duplicate_voter_keys=duplicate_keys,
        voter_keys=frozenset(keys),
    )


# --- the HTTP client --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    body: str


class Connection:
    """One client's connection, HTTP/1.1 by hand: kept alive unless the server says `Connection: close`,
    then reopened for the next request.

    gunicorn's sync workers close every connection after its response, and since gunicorn 27 they close
    gracefully: FIN, then wait (up to 2 s) for the client's FIN before taking the next connection. A
    client on the same loaded machine is slow to send it, and the worker idles meanwhile — the client
    would be measuring itself. So once a server has closed a connection after its response, this client
    asks for `Connection: close` and half-closes its side right after each request (as HTTP/1.1 allows):
    the worker finds the FIN already there and moves on at once."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.server_closes = False  # learned from the first response

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def request(
        self, method: str, path: str, *, form: Sequence[tuple[str, str]] | None = None
    ) -> Reply:
        try:
            return await asyncio.wait_for(self._exchange(method, path, form), REQUEST_TIMEOUT)
        except BaseException:
            await self.close()  # a half-read response must never be mistaken for the next one's start
            raise

    async def _exchange(self, method: str, path: str, form: Sequence[tuple[str, str]] | None) -> Reply:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        body = urlencode(form or []).encode()
        persistence = "close" if self.server_closes else "keep-alive"
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", f"Connection: {persistence}"]
        if method == "POST":
            head += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Origin: http://{HOST}:{self.port}",  # as a browser posting its own page's form
            ]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        if self.server_closes:
            self.writer.write_eof()  # the request is complete: our FIN now, not after the response

        status_line = await self.reader.readuntil(b"\r\n")
        version, status, *_ = status_line.decode("latin-1").split(" ", 2)
        headers: list[tuple[str, str]] = []
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip().lower(), value.strip()))
            if len(headers) > 100:
                raise ValueError("too many response headers")
        values = dict(headers)
        if "content-length" in values:
            data = await self.reader.readexactly(int(values["content-length"]))
        elif values.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            while await self.reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            data = b"".join(parts)
        else:
            data = await self.reader.read()  # until the server closes: bounded by the timeout
            await self.close()
        connection_header = values.get("connection", "").lower()
        if connection_header == "close" or (version == "HTTP/1.0" and connection_header != "keep-alive"):
            self.server_closes = True
            await self.close()
        return Reply(int(status), data.decode("utf-8", "replace"))


@dataclass
class Outcome:
    """One request: what it got and when (perf_counter seconds)."""

    kind: str  # success | refused | server_error | bad_status | connection_error
    started: float
    ended: float
    status: int = 0
    receipt: str = ""
    detail: str = ""

    @property
    def latency(self) -> float:
        return self.ended - self.started


async def _run_jobs(
    items: Sequence[T],
    concurrency: int,
    port: int,
    job: Callable[[Connection, int, T], Awaitable[None]],
) -> float:
    """`job` for every item, `concurrency` at a time, each worker on its own connection; the seconds."""
    queue = list(reversed(range(len(items))))

    async def worker() -> None:
        connection = Connection(port)
        try:
            while queue:
                index = queue.pop()
                await job(connection, index, items[index])
        finally:
            await connection.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(items)))))
    return time.perf_counter() - start


def _cast_form(voter: Voter, poll_pk: int) -> list[tuple[str, str]]:
    return [
        ("code", voter.code),
        ("step", "cast"),
        ("poll", str(poll_pk)),
        ("choice", voter.choice),
    ]


def _classify_cast(reply: Reply, started: float, ended: float) -> Outcome:
    if reply.status == 200 and SUCCESS_MARK in reply.body:
        found = RECEIPT_RE.search(reply.body)
        return Outcome("success", started, ended, 200, found.group(1) if found else "")
    if reply.status >= 500:
        return Outcome("server_error", started, ended, reply.status, detail=reply.body[:300])
    if reply.status == 400 and ALREADY_MARK in reply.body:
        return Outcome("refused", started, ended, 400)
    return Outcome("bad_status", started, ended, reply.status, detail=reply.body[:300])


async def _cast(connection: Connection, voter: Voter, conference_pk: int, poll_pk: int) -> Outcome:
    started = time.perf_counter()
    try:
        reply = await connection.request(
            "POST",
            f"/bo-phieu/{conference_pk}/",
            form=_cast_form(voter, poll_pk),
        )
    except (OSError, EOFError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as error:
        return Outcome("connection_error", started, time.perf_counter(), detail=type(error).__name__)
    return _classify_cast(reply, started, time.perf_counter())


class StepFailed(RuntimeError):
    """A page of the phone's flow answered something else than the page it must."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def _open_form(
    connection: Connection, voter: Voter, conference_pk: int, poll_pk: int | None = None
) -> float:
    """GET the phone's first page, as a phone that has just scanned its card does; with `poll_pk`, the
    page must carry that poll's ballot, which the phone's script shows at once."""
    started = time.perf_counter()
    reply = await connection.request("GET", f"/bo-phieu/{conference_pk}/")
    if reply.status != 200 or 'name="code"' not in reply.body:
        raise StepFailed(reply.status, f"the vote page answered {reply.status} without the code form")
    if poll_pk is not None and f'class="ballot-template" data-poll-pk="{poll_pk}"' not in reply.body:
        raise StepFailed(reply.status, f"the vote page carries no ballot of poll {poll_pk}")
    return time.perf_counter() - started


async def _post_step(
    connection: Connection, voter: Voter, conference_pk: int, step: str, poll_pk: int | None, mark: str
) -> float:
    form = [("code", voter.code), ("step", step)]
    if poll_pk is not None:
        form.append(("poll", str(poll_pk)))
    started = time.perf_counter()
    reply = await connection.request("POST", f"/bo-phieu/{conference_pk}/", form=form)
    if reply.status != 200 or mark not in reply.body:
        raise StepFailed(reply.status, f"step {step} answered {reply.status}: {reply.body[:500]}")
    return time.perf_counter() - started


# --- measurements -----------------------------------------------------------------------------------


def _percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


@dataclass
class Burst:
    label: str
    outcomes: list[Outcome]
    seconds: float
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by side, during the burst
    steps: dict[str, list[float]] = field(default_factory=dict)  # a flow's successful requests, by step

    @property
    def successes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == "success"]

    @property
    def rate(self) -> float:
        return len(self.successes) / self.seconds if self.seconds else 0.0

    def ms(self, p: float) -> float:
        return _percentile([o.latency for o in self.successes], p) * 1000

    def count(self, kind: str) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind)

    def step_ms(self, step: str, p: float) -> float:
        return _percentile(self.steps.get(step, []), p) * 1000

    def cpu_ms(self, side: str) -> float:
        """CPU milliseconds per request (per voter for a flow) of one side, or of ours all together."""
        spent = sum(self.cpu.get(s, 0.0) for s in OURS) if side == "ours" else self.cpu.get(side, 0.0)
        return spent / len(self.outcomes) * 1000 if self.outcomes else 0.0

    @property
    def other_cores(self) -> float:
        """Cores that other work on the machine kept busy during the burst."""
        ours = sum(self.cpu.get(s, 0.0) for s in OURS)
        return max(0.0, self.cpu.get("machine", 0.0) - ours) / self.seconds if self.seconds else 0.0


def _bare_burst(port: int, keys: Sequence[str], concurrency: int) -> Burst:
    outcomes: list[Outcome] = [Outcome("connection_error", 0.0, 0.0)] * len(keys)

    async def job(connection: Connection, index: int, key: str) -> None:
        started = time.perf_counter()
        try:
            reply = await connection.request("POST", "/bench/bare-insert/", form=[("k", key)])
        except (OSError, EOFError, asyncio.IncompleteReadError, TimeoutError) as error:
            outcomes[index] = Outcome("connection_error", started, time.perf_counter(), detail=repr(error))
            return
        ended = time.perf_counter()
        if reply.status == 200:
            outcomes[index] = Outcome("success", started, ended, 200)
        else:
            kind = "server_error" if reply.status >= 500 else "bad_status"
            outcomes[index] = Outcome(kind, started, ended, reply.status, detail=reply.body[:300])

    seconds = asyncio.run(_run_jobs(keys, concurrency, port, job))
    return Burst("bare insert", outcomes, seconds)


def _prepare_voters(port: int, conference_pk: int, voters: Sequence[Voter], concurrency: int) -> Burst:
    """Every voter opens the page and enters the code (step=list, which checks the delegate in and answers
    the ballot, or the list when no single poll waits)."""
    outcomes: list[Outcome] = [Outcome("connection_error", 0.0, 0.0)] * len(voters)

    async def job(connection: Connection, index: int, voter: Voter) -> None:
        started = time.perf_counter()
        await _open_form(connection, voter, conference_pk)
        await _post_step(connection, voter, conference_pk, "list", None, CODE_TAKEN)
        outcomes[index] = Outcome("success", started, time.perf_counter())

    seconds = asyncio.run(_run_jobs(voters, concurrency, port, job))
    return Burst("page + code entry", outcomes, seconds)


@dataclass
class Kill:
    pid: int = 0
    at: float = 0.0  # perf_counter
    respawned_at: float = 0.0
    new_pid: int = 0
    successes_before: int = 0
    state: str = ""  # its database session's state when it was killed ("" if none was seen busy)


def _workers(master: int) -> set[int]:
    """gunicorn's workers: the master's children, from /proc."""
    children: set[int] = set()
    try:
        for task in Path(f"/proc/{master}/task").iterdir():
            children.update(int(pid) for pid in (task / "children").read_text().split())
        return children
    except OSError:
        pass
    for stat in Path("/proc").glob("[0-9]*/stat"):  # kernels without the children file
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.add(int(stat.parent.name))
    return children


def _database_clients(workers: set[int], database_port: int) -> dict[int, int]:
    """Each worker's connections to PostgreSQL, as {local port: worker pid}, from /proc: a socket the
    worker holds, established to the database's port. (The pool keeps them open across requests.)"""
    inodes: dict[str, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cells = row.split()
            if cells[3] == "01" and int(cells[2].rsplit(":", 1)[1], 16) == database_port:
                inodes[f"socket:[{cells[9]}]"] = int(cells[1].rsplit(":", 1)[1], 16)
    clients = {}
    for pid in workers:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue  # gone, or an fd closed while being read
        clients.update({inodes[link]: pid for link in links if link in inodes})
    return clients


# When to kill a worker, read in pg_stat_activity: its session's state (and last statement).
KILL_MOMENTS = {
    # After the delegate is read by code, before the vote's statement: the worker checks the ballot and
    # encrypts it (most of the request's time), nothing is written, the voter can vote again.
    "while encrypting": "state = 'idle' AND query LIKE 'SELECT %%conferences_delegate%%'",
    # While the vote's statement runs: PostgreSQL finishes and commits a statement whose client has
    # died (it notices only when it sends the reply), so the vote counts, the voter never hears of it,
    # and a retry must be refused as already recorded. (Not "idle after it": by then the worker may
    # have answered and be reading the next request, whose vote the kill would cut off instead.)
    "during the vote": "state = 'active' AND query LIKE 'EXECUTE thidua_cast_vote%%'",
}


def _busy_sessions(monitor: Any, moment: str) -> dict[int, str]:
    """The bench database's sessions at `moment` (KILL_MOMENTS): {client port: state}."""
    # The condition comes from the constant above, never from input.
    sql = (
        "SELECT client_port, state FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() AND "  # noqa: S608 — a fixed clause picked from KILL_MOMENTS  # nosec B608
        + KILL_MOMENTS[moment]
    )
    rows = monitor.execute(sql, [DATABASE]).fetchall()
    return {int(port): str(state) for port, state in rows if port is not None}


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0  # gone since it was listed
    return int(fields[11]) + int(fields[12])  # utime + stime


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every process, /proc/stat), to tell our bursts' CPU
    from what other work on the machine took meanwhile."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(value) for value in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / CLOCK_TICKS


def _cpu(master: int) -> dict[str, float]:
    """CPU seconds used so far by gunicorn's workers, by the PostgreSQL backends of the bench database, by
    this process (the load client), and by the machine as a whole ("machine"): where a burst's CPU went,
    from /proc."""
    backends = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres:") and f" {DATABASE} ".encode() in title:
            backends += _cpu_ticks(int(cmdline.parent.name))
    times = os.times()
    kits = _kits_ticks(master)
    return {
        # The workers' request threads; the threads making ballot kits apart ("kits").
        "gunicorn": (sum(_cpu_ticks(pid) for pid in _workers(master)) - kits) / CLOCK_TICKS,
        "kits": kits / CLOCK_TICKS,
        "postgres": backends / CLOCK_TICKS,
        "client": times.user + times.system,
        "machine": _machine_busy(),
    }


OURS = ("gunicorn", "postgres", "client")


def _joined(parts: Sequence[Burst]) -> Burst:
    """The slices of one kind in a round as one burst: their outcomes, times, CPU and steps added up."""
    steps: dict[str, list[float]] = {}
    for part in parts:
        for name, seconds in part.steps.items():
            steps.setdefault(name, []).extend(seconds)
    return Burst(
        parts[0].label,
        [o for part in parts for o in part.outcomes],
        sum(part.seconds for part in parts),
        {side: sum(part.cpu.get(side, 0.0) for part in parts) for side in parts[0].cpu},
        steps,
    )


KITS_NICE = 19  # the nice value of the thread that makes ballot kits (thidua/conferences/kits.py)
KITS_WAIT_SECONDS = 60.0


def _kits_ticks(master: int) -> int:
    """CPU ticks of the threads making ballot kits in gunicorn's workers: the only threads at nice 19,
    one per worker for as long as it lives."""
    ticks = 0
    for pid in _workers(master):
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[16]) == KITS_NICE:
                ticks += int(fields[11]) + int(fields[12])
    return ticks


@dataclass
class Pause:
    """The wait before a burst while the workers made the open polls' ballot kits, as a conference waits
    while the chair reads out the candidates: its seconds and the workers' CPU seconds meanwhile."""

    seconds: float = 0.0
    cpu: float = 0.0


def _settle(port: int, master: int, conference_pk: int, pauses: list[Pause]) -> None:
    """Phones open the page (which has each worker keep the open polls' kits ready), then wait until no
    worker is making kits: each burst then starts as a vote does once the poll has been open a moment,
    and no kit is made with the CPU a measured burst is charged for."""

    async def job(connection: Connection, index: int, _: int) -> None:
        await connection.request("GET", f"/bo-phieu/{conference_pk}/")

    before, started = _cpu(master), time.perf_counter()
    asyncio.run(_run_jobs(list(range(16)), 8, port, job))
    quiet, ticks = 0, _kits_ticks(master)
    while quiet < 3 and time.perf_counter() - started < KITS_WAIT_SECONDS:
        time.sleep(0.1)
        now = _kits_ticks(master)
        quiet, ticks = (quiet + 1 if now == ticks else 0), now
    after = _cpu(master)
    spent = after["gunicorn"] + after["kits"] - before["gunicorn"] - before["kits"]
    pauses.append(Pause(time.perf_counter() - started, spent))


def _measured(master: int, run: Callable[..., Burst], *args: Any) -> Burst:
    """`run(*args)`, a burst, with the CPU each side used meanwhile."""
    before = _cpu(master)
    burst = run(*args)
    after = _cpu(master)
    burst.cpu = {side: after[side] - before[side] for side in before}
    return burst


def _cast_burst(
    port: int,
    conference_pk: int,
    poll_pk: int,
    voters: Sequence[Voter],
    concurrency: int,
    *,
    kill_master: int | None = None,
    workers: int = 2,
    database_port: int = 5432,
    monitor: Any = None,
    moment: str = "while encrypting",
) -> tuple[Burst, Kill | None]:
    """`voters` cast at `concurrency`. With `kill_master`: once 30% have succeeded, SIGKILL one of its
    workers in the middle of a request (`monitor`: a psycopg connection to read pg_stat_activity)."""
    outcomes: list[Outcome] = [Outcome("connection_error", 0.0, 0.0)] * len(voters)
    successes = 0
    kill = Kill() if kill_master is not None else None

    async def job(connection: Connection, index: int, voter: Voter) -> None:
        nonlocal successes
        outcome = await _cast(connection, voter, conference_pk, poll_pk)
        outcomes[index] = outcome
        if outcome.kind == "success":
            successes += 1

    async def killer() -> None:
        assert kill is not None and kill_master is not None
        deadline = time.monotonic() + 120
        while successes < KILL_AT * len(voters):
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(0.002)
        before = _workers(kill_master)
        if not before:
            raise RuntimeError("no gunicorn worker found under the master")
        # Kill a worker in the middle of a request, at `moment` (KILL_MOMENTS) as its database session
        # shows it (a sync worker serves one request at a time, and answers only after its last
        # query). Picked by the client's success count alone, the kill tends to land just after a
        # response — the moment the count moves — and loses nothing. Wait a little for such a worker
        # (its sessions are mapped again now and then: the pool may open new ones), else kill any.
        clients: dict[int, int] = {}
        for attempt in range(300):
            if attempt % 100 == 0:
                clients = _database_clients(before, database_port)
            busy = {
                clients[port_]: state
                for port_, state in _busy_sessions(monitor, moment).items()
                if port_ in clients
            }
            if busy:
                # Freeze the worker, then look again: a session seen a moment ago may have moved on
                # (the worker sends its next statement in microseconds). Frozen, it stays where the
                # second look finds it, and the kill lands exactly there.
                candidate = min(busy)
                os.kill(candidate, signal.SIGSTOP)
                again = _busy_sessions(monitor, moment)
                if any(clients.get(port_) == candidate for port_ in again):
                    kill.pid, kill.state = candidate, busy[candidate]
                    break
                os.kill(candidate, signal.SIGCONT)
            await asyncio.sleep(0.001)
        else:
            kill.pid = min(before)
        kill.successes_before = successes
        os.kill(kill.pid, signal.SIGKILL)
        kill.at = time.perf_counter()
        deadline = time.monotonic() + RESPAWN_SECONDS
        while time.monotonic() < deadline:
            now = _workers(kill_master)
            fresh = now - before
            if fresh and len(now) >= workers and kill.pid not in now:
                kill.new_pid = min(fresh)
                kill.respawned_at = time.perf_counter()
                return
            await asyncio.sleep(0.02)

    async def both() -> float:
        tasks = [asyncio.create_task(killer())] if kill is not None else []
        seconds = await _run_jobs(voters, concurrency, port, job)
        for task in tasks:
            if kill is not None and not kill.at:
                task.cancel()  # the burst ended before enough casts succeeded: no kill (reported)
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            else:
                await asyncio.wait_for(task, RESPAWN_SECONDS + 5)
        return seconds

    seconds = asyncio.run(both())
    return Burst("cast", outcomes, seconds), kill


def _clean_cast_burst(
    port: int, conference_pk: int, poll_pk: int, voters: Sequence[Voter], concurrency: int
) -> Burst:
    """`voters` cast at `concurrency`, no worker killed."""
    return _cast_burst(port, conference_pk, poll_pk, voters, concurrency)[0]


FLOW_STEPS = ("page", "cast")


def _flow_burst(
    port: int, conference_pk: int, poll_pk: int, voters: Sequence[Voter], concurrency: int
) -> Burst:
    """Every voter's whole path on a poll they have not seen yet: the page (GET, as the card's QR code
    opens it, carrying the poll's ballot, which the phone's script shows for the card with no request),
    then the cast. One outcome per voter, timed from the GET to the receipt: the rate is voters done per
    second."""
    outcomes: list[Outcome] = [Outcome("connection_error", 0.0, 0.0)] * len(voters)
    steps: dict[str, list[float]] = {name: [] for name in FLOW_STEPS}

    async def job(connection: Connection, index: int, voter: Voter) -> None:
        started = time.perf_counter()
        try:
            page = await _open_form(connection, voter, conference_pk, poll_pk)
        except StepFailed as failed:
            kind = "server_error" if failed.status >= 500 else "bad_status"
            outcomes[index] = Outcome(
                kind, started, time.perf_counter(), failed.status, detail=str(failed)[:300]
            )
            return
        except (
            OSError,
            EOFError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
        ) as error:
            outcomes[index] = Outcome(
                "connection_error", started, time.perf_counter(), detail=type(error).__name__
            )
            return
        cast = await _cast(connection, voter, conference_pk, poll_pk)
        outcomes[index] = Outcome(cast.kind, started, cast.ended, cast.status, cast.receipt, cast.detail)
        if cast.kind == "success":
            for name, seconds in zip(FLOW_STEPS, (page, cast.latency), strict=True):
                steps[name].append(seconds)

    seconds = asyncio.run(_run_jobs(voters, concurrency, port, job))
    return Burst("flow", outcomes, seconds, steps=steps)


# --- checks -----------------------------------------------------------------------------------------


@dataclass
class Check:
    """What the database holds for one poll against what the voters were told."""

    label: str
    poll_pk: int
    success_receipts: list[str]
    stored: Stored
    successful_voters: list[Voter]
    refused_after_failure: int = 0  # retries refused as already recorded (the first attempt committed)
    expected_participations: int | None = None

    @property
    def lost(self) -> int:
        """Success responses without their ballot: receipt missing, or the voter's participation."""
        missing_receipts = sum(1 for r in self.success_receipts if self.stored.receipts[r] == 0 or not r)
        missing_voters = sum(
            1 for v in self.successful_voters if f"delegate:{v.delegate_pk}" not in self.stored.voter_keys
        )
        return missing_receipts + missing_voters

    @property
    def duplicated(self) -> int:
        """More ballots than participations, a receipt or voter twice, or a ballot nobody can account for."""
        twice = sum(n - 1 for n in self.stored.receipts.values() if n > 1)
        told_twice = len(self.success_receipts) - len(set(self.success_receipts))
        more_ballots = max(0, self.stored.ballots - self.stored.participations)
        unexplained = max(
            0, self.stored.ballots - len(set(self.success_receipts)) - self.refused_after_failure
        )
        return twice + told_twice + more_ballots + self.stored.duplicate_voter_keys + unexplained

    @property
    def unknown_ballots(self) -> int:
        """Stored ballots whose receipt no voter was told: each must be a first attempt that committed
        without its response arriving, i.e. match one retry refused as already recorded."""
        told = set(self.success_receipts)
        return sum(n for receipt, n in self.stored.receipts.items() if receipt not in told)

    @property
    def refused_without_commit(self) -> int:
        """Retries refused as already recorded beyond the ballots nobody was told about: a voter refused
        although no earlier attempt of theirs had committed."""
        return max(0, self.refused_after_failure - self.unknown_ballots)

    @property
    def unpaired(self) -> int:
        """Ballots without a participation or the reverse: the two counts must be equal."""
        return abs(self.stored.ballots - self.stored.participations)

    @property
    def all_counted(self) -> bool:
        return (
            self.expected_participations is None or self.stored.participations == self.expected_participations
        )

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.duplicated == 0
            and self.unpaired == 0
            and self.refused_without_commit == 0
            and self.all_counted
        )


def _check(
    label: str,
    poll_pk: int,
    outcomes: Sequence[tuple[Voter, Outcome]],
    *,
    refused_after_failure: int = 0,
    expected_participations: int | None = None,
) -> Check:
    done = [(v, o) for v, o in outcomes if o.kind == "success"]
    return Check(
        label,
        poll_pk,
        [o.receipt for _, o in done],
        _stored(poll_pk),
        [v for v, _ in done],
        refused_after_failure,
        expected_participations,
    )


# --- in process ------------------------------------------------------------------------------------


# Where one cast's time goes, in process: (label, file suffix, function), cumulative time per cast.
# The rows nest (a view contains its queries); they are not meant to add up.
BREAKDOWN = (
    ("the whole request (middleware, view, template)", "django/core/handlers/base.py", "get_response"),
    ("vote view `start`", "thidua/conferences/vote_views.py", "start"),
    (
        "`versioned` (data version; conference, then poll + choices, from this process's memory)",
        "thidua/audit/version.py",
        "versioned",
    ),
    (
        "`services.authenticate` (code hash → delegate in one written-out SELECT, the throttle's cache read)",
        "thidua/conferences/services.py",
        "authenticate",
    ),
    (
        "`services.ballot_problems` (the ballot against the poll's rules)",
        "thidua/conferences/services.py",
        "ballot_problems",
    ),
    (
        "`services.cast_vote` (validation, the vote's prepared statement)",
        "thidua/conferences/services.py",
        "cast_vote",
    ),
    (
        "`services.encrypt` (the ballot's ElGamal encryption and its proofs, `thidua.lib.elgamal`)",
        "thidua/conferences/services.py",
        "encrypt",
    ),
    ("… of which variable-base multiplications (`group.mul`)", "thidua/lib/elgamal/group.py", "mul"),
    ("… of which fixed-base multiplications (`group.base`)", "thidua/lib/elgamal/group.py", "base"),
    ("template rendering (`render`)", "django/shortcuts.py", "render"),
    ("ORM: building SQL (`SQLCompiler.as_sql`)", "django/db/models/sql/compiler.py", "as_sql"),
    ("database round trips (`CursorWrapper._execute`)", "django/db/backends/utils.py", "_execute"),
)


@dataclass(frozen=True)
class InProcess:
    cast_ms: float
    bare_ms: float
    statements: list[tuple[float, str]]
    breakdown: list[tuple[str, float, float]]  # label, ms per cast (profiled), calls per cast
    listing: str
    encrypt_ms: float  # services.encrypt alone, unprofiled
    slots: int  # ciphertexts per ballot: the poll's choices and the blank
    cast_cpu_ms: float  # this process's CPU per cast (the rest of `cast_ms` waits)
    bare_cpu_ms: float
    ballot_bytes: int  # one encrypted ballot as the JSON stored


def _in_process(conference_pk: int, voters: Sequence[Voter], top: int = 30) -> InProcess:
    """Casts in process (Django test client on this database: no HTTP, no load), on a fresh poll: the
    mean time of a cast against a bare insert, of the encryption alone, the SQL of one cast, and a
    cProfile of 20 casts."""
    import cProfile
    import io
    import pstats

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    # The encryption from scratch, as a cast costs when no kit is ready: no thread making kits in this
    # process either, which would take the CPU being measured.
    settings.BALLOT_KITS = 0
    poll_pk = _open_election_poll(conference_pk)
    client = Client(HTTP_HOST=HOST)

    def cast(voter: Voter) -> None:
        response = client.post(
            f"/bo-phieu/{conference_pk}/",
            {"code": voter.code, "step": "cast", "poll": str(poll_pk), "choice": voter.choice},
        )
        if response.status_code != 200 or SUCCESS_MARK not in response.content.decode():
            raise RuntimeError(f"in-process cast answered {response.status_code}")

    def bare(key: str) -> None:
        if client.post("/bench/bare-insert/", {"k": key}).status_code != 200:
            raise RuntimeError("in-process bare insert failed")

    statements: list[tuple[float, str]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - began, sql))

    cast(voters[0])
    bare("in-process-warm")
    with connection.execute_wrapper(capture):
        cast(voters[1])
    casts = voters[2:42]
    # Interleaved, so that another process's burst on the machine weighs on both alike.
    # Wall time, and this process's CPU time: what is left waits on PostgreSQL and Redis (the commit's
    # flush mostly), which more workers than cores hide under load.
    cast_seconds = bare_seconds = cast_cpu = bare_cpu = 0.0
    for index, voter in enumerate(casts):
        began, began_cpu = time.perf_counter(), time.process_time()
        cast(voter)
        cast_seconds += time.perf_counter() - began
        cast_cpu += time.process_time() - began_cpu
        began, began_cpu = time.perf_counter(), time.process_time()
        bare(f"in-process-{index}")
        bare_seconds += time.perf_counter() - began
        bare_cpu += time.process_time() - began_cpu
    profiled = voters[42:62]
    profiler = cProfile.Profile()
    profiler.enable()
    for voter in profiled:
        cast(voter)
    profiler.disable()
    stats = pstats.Stats(profiler)
    breakdown = []
    for label, suffix, function in BREAKDOWN:
        rows = [
            row
            for (filename, _, name), row in stats.stats.items()  # type: ignore[attr-defined]
            if name == function and filename.endswith(suffix)
        ]
        total, calls = sum(row[3] for row in rows), sum(row[1] for row in rows)
        breakdown.append((label, total / len(profiled) * 1000, calls / len(profiled)))
    from thidua.conferences import services
    from thidua.conferences.models import Poll

    poll = Poll.objects.prefetch_related("choices").get(pk=poll_pk)
    chosen = frozenset([voters[0].choice])
    services.encrypt(poll, chosen)
    began = time.perf_counter()
    for _ in range(len(casts)):
        services.encrypt(poll, chosen)
    encrypt_ms = (time.perf_counter() - began) / len(casts) * 1000
    ballot_bytes = len(json.dumps(services.encrypt(poll, chosen).to_dict()))
    _close_poll(poll_pk)
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return InProcess(
        cast_seconds / len(casts) * 1000,
        bare_seconds / len(casts) * 1000,
        statements,
        breakdown,
        out.getvalue(),
        encrypt_ms,
        len(poll.choices.all()) + 1,
        cast_cpu / len(casts) * 1000,
        bare_cpu / len(casts) * 1000,
        ballot_bytes,
    )


# --- the fault run and the report ------------------------------------------------------------------


@dataclass
class Fault:
    moment: str
    burst: Burst
    kill: Kill
    retried: list[tuple[Voter, Outcome]]
    in_window: int
    errors_outside: int
    check: Check

    @property
    def failed(self) -> Counter[str]:
        return Counter(o.kind for o in self.burst.outcomes if o.kind != "success")

    @property
    def failed_n(self) -> int:
        return sum(self.failed.values())

    @property
    def failed_words(self) -> str:
        return ", ".join(f"{kind} {n}" for kind, n in sorted(self.failed.items())) or "none"

    @property
    def retry_success(self) -> int:
        return sum(1 for _, o in self.retried if o.kind == "success")

    @property
    def refused(self) -> int:
        return sum(1 for _, o in self.retried if o.kind == "refused")

    @property
    def could_not(self) -> int:
        return sum(1 for _, o in self.retried if o.kind not in ("success", "refused"))

    @property
    def server_errors(self) -> int:
        return self.burst.count("server_error") + sum(1 for _, o in self.retried if o.kind == "server_error")

    @property
    def respawn_ms(self) -> float:
        return (self.kill.respawned_at - self.kill.at) * 1000 if self.kill.respawned_at else float("nan")


def _fault_run(
    port: int,
    master: int,
    conference_pk: int,
    voters: Sequence[Voter],
    concurrency: int,
    workers: int,
    server: str,
    moment: str,
) -> Fault:
    """A cast burst on a fresh poll with one worker killed once 30% of the voters have succeeded; the
    voters whose request failed try once more after it; then the database is checked."""
    from django.db import connections

    poll_pk = _open_election_poll(conference_pk)
    connections.close_all()
    _prepare_voters(port, conference_pk, voters, concurrency)
    import psycopg

    with psycopg.connect(f"{server}/{DATABASE}", autocommit=True) as monitor:
        burst, kill = _cast_burst(
            port,
            conference_pk,
            poll_pk,
            voters,
            concurrency,
            kill_master=master,
            workers=workers,
            database_port=urlsplit(server).port or 5432,
            monitor=monitor,
            moment=moment,
        )
    assert kill is not None
    if kill.at:
        window_end = (kill.respawned_at or max(o.ended for o in burst.outcomes)) + KILL_GRACE
        in_window = [o for o in burst.outcomes if o.ended >= kill.at and o.started <= window_end]
    else:
        in_window = []
    errors_outside = sum(
        1 for o in burst.outcomes if o.kind == "server_error" and all(o is not w for w in in_window)
    )
    failed = [(v, o) for v, o in zip(voters, burst.outcomes, strict=True) if o.kind != "success"]
    outcomes: list[Outcome] = [Outcome("connection_error", 0.0, 0.0)] * len(failed)

    async def retry(connection: Connection, index: int, item: tuple[Voter, Outcome]) -> None:
        voter = item[0]
        started = time.perf_counter()
        try:
            await _open_form(connection, voter, conference_pk)  # a fresh page, as a phone reloading
        except (OSError, EOFError, asyncio.IncompleteReadError, TimeoutError, RuntimeError) as error:
            outcomes[index] = Outcome("connection_error", started, time.perf_counter(), detail=repr(error))
            return
        outcomes[index] = await _cast(connection, voter, conference_pk, poll_pk)

    asyncio.run(_run_jobs(failed, concurrency, port, retry))
    retried = list(zip([v for v, _ in failed], outcomes, strict=True))
    refused = sum(1 for _, o in retried if o.kind == "refused")
    succeeded = [(v, o) for v, o in zip(voters, burst.outcomes, strict=True) if o.kind == "success"]
    check = _check(
        f"fault run, {moment}",
        poll_pk,
        succeeded + retried,
        refused_after_failure=refused,
        expected_participations=len(voters),
    )
    errors_outside += sum(1 for _, o in retried if o.kind == "server_error")
    _close_poll(poll_pk)
    connections.close_all()
    return Fault(moment, burst, kill, retried, len(in_window), errors_outside, check)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _burst_row(label: str, bursts: Sequence[Burst]) -> str:
    outcomes = [o for b in bursts for o in b.outcomes]
    latencies = [o.latency for o in outcomes if o.kind == "success"]
    seconds = sum(b.seconds for b in bursts)
    failed = sum(1 for o in outcomes if o.kind != "success")
    return (
        f"| {label} | {len(latencies)} | {failed} | {seconds:.2f} | {len(latencies) / seconds:.1f} "
        f"| {_ms(_percentile(latencies, 50))} | {_ms(_percentile(latencies, 99))} |"
    )


def _cpu_row(label: str, bursts: Sequence[Burst]) -> str:
    requests = sum(len(b.outcomes) for b in bursts)
    seconds = sum(b.seconds for b in bursts)
    spent = {side: sum(b.cpu.get(side, 0.0) for b in bursts) for side in (*OURS, "kits", "machine")}
    ours = sum(spent[side] for side in OURS)
    cells = " | ".join(f"{spent[side] / requests * 1000:.2f}" for side in OURS)
    # The threads making ballot kits are ours too, but work for later votes (Report._kits_lines).
    other = max(0.0, spent["machine"] - ours - spent["kits"]) / seconds
    return f"| {label} | {cells} | {ours / requests * 1000:.2f} | {ours / seconds:.2f} | {other:.2f} |"


def _cpu_per_request(bursts: Sequence[Burst]) -> float:
    """Our CPU seconds per request (per voter for a flow) over all the bursts."""
    return sum(sum(b.cpu.get(side, 0.0) for side in OURS) for b in bursts) / sum(
        len(b.outcomes) for b in bursts
    )


def _statement_words(sql: str) -> str:
    """`SELECT conferences_poll` from a statement: its verb and first table."""
    verb = sql.split(None, 1)[0].upper() if sql.strip() else "?"
    found = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([a-z_]+)"?', sql, re.IGNORECASE)
    return f"{verb} {found.group(1)}" if found else verb


def _met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


@dataclass
class Report:
    args: argparse.Namespace
    comparisons: list[Comparison]
    machine: str
    voters: int
    bare: list[Burst]
    cast: list[Burst]
    flow: list[Burst]
    prep: list[Burst]
    pauses: list[Pause]  # before each burst of the main rounds, while the workers made ballot kits
    serial: Burst  # the flow, one voter at a time
    faults: list[Fault]
    inside: InProcess
    checks: list[Check]
    server_errors: int
    clean_failures: int

    @property
    def cast_ratios(self) -> list[float]:
        return [c.rate / b.rate if b.rate else 0.0 for b, c in zip(self.bare, self.cast, strict=True)]

    @property
    def flow_ratios(self) -> list[float]:
        return [f.rate / b.rate if b.rate else 0.0 for b, f in zip(self.bare, self.flow, strict=True)]

    @property
    def cast_ratio(self) -> float:
        return statistics.median(self.cast_ratios)

    @property
    def flow_ratio(self) -> float:
        return statistics.median(self.flow_ratios)

    def cpu_ratio(self, bursts: list[Burst]) -> float:
        """Bare insert's CPU per request over `bursts`' per request (per voter): the ratio of rates the
        same two loads would reach on a machine of their own, bound by its CPU."""
        spent = _cpu_per_request(bursts)
        return _cpu_per_request(self.bare) / spent if spent else 0.0

    @property
    def cast_p99(self) -> float:
        return _percentile([o.latency for b in self.cast for o in b.successes], 99) * 1000

    def flow_step_p99(self, step: str) -> float:
        return _percentile([s for b in self.flow for s in b.steps.get(step, [])], 99) * 1000

    @property
    def worst_p99(self) -> tuple[str, float]:
        """The slowest p99 of any request a phone makes, and which: the casts of the cast bursts and each
        step of the flow bursts, over all rounds."""
        candidates = [("cast (cast burst)", self.cast_p99)]
        candidates += [(f"{step} (flow burst)", self.flow_step_p99(step)) for step in FLOW_STEPS]
        return max(candidates, key=lambda pair: pair[1])

    @property
    def lost(self) -> int:
        return sum(c.lost for c in self.checks)

    @property
    def duplicated(self) -> int:
        return sum(c.duplicated for c in self.checks)

    @property
    def unpaired(self) -> int:
        return sum(c.unpaired for c in self.checks)

    @property
    def uncounted(self) -> int:
        return sum(1 for c in self.checks if not c.all_counted)

    @property
    def faults_clean(self) -> bool:
        return all(f.kill.pid != 0 and f.could_not == 0 and f.check.ok for f in self.faults)

    @property
    def correct(self) -> bool:
        return (
            all(c.ok for c in self.checks)
            and self.server_errors == 0
            and self.clean_failures == 0
            and self.faults_clean
        )

    def flow_met(self) -> bool:
        # Met when the rates and the CPU per request both say so: other work on the machine moves the
        # rates (a bare insert, mostly waiting, suffers more from it than a vote), never the CPU ratio.
        return min(self.flow_ratio, self.cpu_ratio(self.flow)) >= GOAL_FLOW_RATIO

    def cast_met(self) -> bool:
        return min(self.cast_ratio, self.cpu_ratio(self.cast)) >= GOAL_CAST_RATIO

    @property
    def other_cores(self) -> float:
        """Cores other work on the machine took, on average over the measured bursts."""
        bursts = [*self.bare, *self.cast, *self.flow]
        return sum(b.other_cores * b.seconds for b in bursts) / sum(b.seconds for b in bursts)

    @property
    def goal(self) -> bool:
        return self.flow_met() and self.cast_met() and self.worst_p99[1] < GOAL_P99_MS

    def _breakdown(self, function: str) -> float:
        return next((ms for label, ms, _ in self.inside.breakdown if f"`{function}`" in label), 0.0)

    def _limits(self) -> list[str]:
        """What bounds the rates, in this run's numbers."""
        inside = self.inside
        bare_cpu = _cpu_per_request(self.bare) * 1000
        cast_cpu = _cpu_per_request(self.cast) * 1000
        flow_cpu = _cpu_per_request(self.flow) * 1000
        calls = {label: n for label, _, n in inside.breakdown}
        variable = next((n for label, n in calls.items() if "group.mul" in label), 0.0)
        fixed = next((n for label, n in calls.items() if "group.base" in label), 0.0)

        def busy(bursts: list[Burst]) -> float:
            """Cores the machine had busy, ours and other work's, during `bursts`."""
            return sum(b.cpu.get("machine", 0.0) for b in bursts) / sum(b.seconds for b in bursts)

        def side(bursts: list[Burst], name: str) -> float:
            return sum(b.cpu.get(name, 0.0) for b in bursts) / sum(len(b.outcomes) for b in bursts) * 1000

        return [
            "What limits the speed: the CPU. The casts and the flows keep the machine's 2 cores busy "
            f"({busy(self.cast):.2f} and {busy(self.flow):.2f} cores with other work; the bare inserts "
            f"{busy(self.bare):.2f}), so a rate is the cores over the CPU a request takes, and the ratios of "
            f"rates follow the ratios of CPU per request ({self.cpu_ratio(self.cast):.3f} for the cast, "
            f"{self.cpu_ratio(self.flow):.3f} for the flow; the rates gave {self.cast_ratio:.3f} and "
            f"{self.flow_ratio:.3f}). A bare insert takes {bare_cpu:.2f} ms of CPU (gunicorn, PostgreSQL "
            f"and the client together), a cast {cast_cpu:.2f} ms, a voter's flow {flow_cpu:.2f} ms. In a "
            f"cast: the encryption from scratch, as in process with no kit ready, {inside.encrypt_ms:.2f} ms for a "
            f"ballot of {inside.slots} ciphertexts (the poll's choices and the blank: {variable:.0f} "
            f"variable-base multiplications by the poll's key and {fixed:.0f} fixed-base ones in "
            f"libsodium); PostgreSQL, {side(self.cast, 'postgres'):.2f} ms against "
            f"{side(self.bare, 'postgres'):.2f} (the data version, the delegate by code, and the vote's "
            f"statement writing the participation and a {inside.ballot_bytes / 1024:.1f} KiB ballot, against "
            f"one INSERT); the client reading the 16 KiB page, {side(self.cast, 'client'):.2f} ms against "
            f"{side(self.bare, 'client'):.2f}; the rest is Python in the worker: the code's lookup and "
            "throttle (Redis), the rules, the ballot's JSON and receipt, the page. In process a cast "
            f"takes {inside.cast_cpu_ms:.2f} ms of CPU and a bare insert {inside.bare_cpu_ms:.2f} ms; the "
            f"rest of their {inside.cast_ms:.2f} and {inside.bare_ms:.2f} ms waits on PostgreSQL, most of it "
            "for the commit's flush to disk.",
            *(
                [
                    "",
                    f"The rates' ratios are kinder than the CPU's because the bare inserts leave "
                    f"{max(0.0, 2 - busy(self.bare)):.2f} of the 2 cores idle with {self.args.workers} "
                    "workers: a bare insert's one wait, its commit's flush, is a large part of its time (in "
                    f"process {inside.bare_cpu_ms:.2f} ms of CPU in {inside.bare_ms:.2f} ms), and with a "
                    "worker per core nothing runs meanwhile. With more workers the bare inserts fill the "
                    "cores, but every vote then costs more CPU (the table at the end): the CPU ratios are "
                    "the stricter measure of the goals.",
                ]
                if self.cast_ratio > 1.05 * self.cpu_ratio(self.cast)
                else []
            ),
            "",
            "In the bursts the casts finish kits made ahead (above), a few hashes each, so the encryption is "
            f"mostly not in their CPU. The goal of {GOAL_CAST_RATIO:g} for the cast needs the whole cast within "
            f"{bare_cpu / GOAL_CAST_RATIO:.2f} ms. The flow's goal of {GOAL_FLOW_RATIO:g} needs a voter's "
            f"two requests within {bare_cpu / GOAL_FLOW_RATIO:.2f} ms, of which two requests doing no "
            f"more than a bare insert already take {2 * bare_cpu:.2f} ms: "
            f"{bare_cpu / GOAL_FLOW_RATIO - 2 * bare_cpu:.2f} ms would be left for the code's lookup, the "
            "rules, the two pages and the encryption together (the encryption from scratch alone takes "
            f"{inside.encrypt_ms:.2f} ms).",
            "",
            "Where the encryption runs: the choice is encrypted in the cast's own request, in the gunicorn "
            "worker that received it, and never leaves that request's memory — not to a queue, a cache, a log "
            "or another process. What does not depend on the choice (the randomness, the multiplications by "
            "the poll's key, the commitments) is made ahead by the same worker while it serves no request, "
            'in its memory only (docs/decisions.md, "Two requests to vote, and ballots encrypted ahead").',
            "",
            "Already done for speed (docs/decisions.md): the vote is one prepared statement, its own "
            "transaction, locking the poll's row FOR KEY SHARE while it is open; the delegate is read by code "
            "with SQL written out; the phone's pages carry no CSRF token (the Origin header is checked); the "
            "conference, the poll, the open polls and the organization's names come from the worker's memory "
            "under the data version (the last two added with this benchmark's issue 14 run: a code entry went "
            "from 3.6 to 1.6 ms in process); the ballots are on ristretto255, whose multiplications need no "
            "subgroup check; the card opens the ballot with no request of its own, and the casts finish "
            "ballot kits made ahead. What is left is not in the view: the two requests of a phone, each of "
            "which costs about a bare insert before it does any work of its own, and, when no kit is ready, "
            f"the encryption's {variable + fixed:.0f} multiplications (libsodium has no precomputed table "
            "for a key other than the base point, nor a multi-scalar multiplication).",
        ]

    def _kits_lines(self) -> list[str]:
        """What the ballot kits made before the bursts cost, and the ratios with that CPU counted."""
        if not self.pauses:
            return []
        votes = sum(len(b.successes) for b in (*self.cast, *self.flow))
        during = sum(b.cpu.get("kits", 0.0) for b in (*self.bare, *self.cast, *self.flow))
        paused = sum(p.cpu for p in self.pauses)
        kit_ms = (paused + during) / votes * 1000 if votes else 0.0
        bare = _cpu_per_request(self.bare) * 1000
        cast = _cpu_per_request(self.cast) * 1000
        flow = _cpu_per_request(self.flow) * 1000
        return [
            "Ballot kits (thidua/conferences/kits.py): before each burst, phones open the page and the run waits "
            "until no worker is making kits — as a conference waits while the chair reads out the candidates "
            f"— {statistics.median(p.seconds for p in self.pauses):.1f} s at the median "
            f"({max(p.seconds for p in self.pauses):.1f} s at most). The kits' CPU — in those pauses, "
            f"{paused:.2f} s, and during the bursts, where the making thread refills the shelves with the CPU "
            f"the requests leave idle, {during:.2f} s — is not in the table above: "
            f"{kit_ms:.2f} ms per vote cast in the bursts. Counted in, a cast would take "
            f"{cast + kit_ms:.2f} ms and a voter's flow {flow + kit_ms:.2f} ms: ratios "
            f"{bare / (cast + kit_ms):.3f} and {bare / (flow + kit_ms):.3f}. The kits move the encryption's "
            "multiplications out of the vote; they do not make it cheaper.",
            "",
        ]

    def _workers_table(self) -> list[str]:
        """The main run beside the same rounds with other numbers of workers."""
        if not self.comparisons:
            return []
        main = Comparison(
            self.args.workers,
            [
                Round(b, c, f, p, (), 0, 0)
                for b, c, f, p in zip(self.bare, self.cast, self.flow, self.prep, strict=True)
            ],
        )
        rows = [main, *self.comparisons]
        return [
            "The same rounds with other numbers of gunicorn workers, in the same run (medians of "
            f"{self.args.rounds} rounds for the main run, {self.args.compare_rounds} for the others; CPU per "
            "request as above):",
            "",
            "| workers | bare insert /s | cast /s | flow voters /s | cast ratio | flow ratio | CPU per bare insert ms "
            "| CPU per cast ms | CPU per voter's flow ms |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *(
                f"| {c.workers}{' (main run)' if c is main else ''} | {c.median('bare'):.1f} | "
                f"{c.median('cast'):.1f} | {c.median('flow'):.1f} | {c.ratio('cast'):.3f} | {c.ratio('flow'):.3f} "
                f"| {c.cpu_ms('bare'):.2f} | {c.cpu_ms('cast'):.2f} | {c.cpu_ms('flow'):.2f} |"
                for c in rows
            ),
            "",
        ]

    def markdown(self) -> str:
        a = self.args
        inside = self.inside
        statements = Counter(_statement_words(sql) for _, sql in inside.statements)
        bare_rate = statistics.median(b.rate for b in self.bare)
        worst_step, worst = self.worst_p99
        serial = self.serial
        lines = [
            SECTION,
            "",
            "Goals (issue 14, speed and faults; 1,000 voters at concurrency 64 on PostgreSQL): the whole voter "
            f"flow at least {GOAL_FLOW_RATIO:g} of a bare insert (voters done per second against bare inserts "
            f"per second, measured in the same run); the cast alone at least {GOAL_CAST_RATIO:g} of it; p99 "
            f"under {GOAL_P99_MS:g} ms for every request a phone makes; no vote lost or duplicated; a gunicorn "
            "worker killed (SIGKILL) mid-burst leaves every vote either recorded once or failed visibly to its "
            "client and castable again, and no participation without its ballot.",
            "",
            "Run: `.venv/bin/python -m bench.vote_bench --voters 1000 --concurrency 64 --write` (options: "
            "`--rounds`, `--workers`, `--compare-workers`, `--no-fault`, `--profile`, `--require-goal`; "
            "`--server` names the "
            f"PostgreSQL server, `--redis` the shared cache). It builds the database `{DATABASE}`: the "
            "demo registry, VUSTA's 2026 regulation made one vote per delegate, Cụm 4's 2026 year, a "
            f"conference of {self.voters} voting delegates with their codes (`issue_codes`), and the table "
            "`bench_bare_insert (k text PRIMARY KEY)`; then starts `gunicorn bench.bench_wsgi` on a loopback "
            f"port with {a.workers} sync workers, one per core, as a 2-core server that runs its own "
            "PostgreSQL would: a vote's request mostly computes (its one real wait is the commit's flush), "
            "so workers beyond the cores mostly add switching between processes that share the cores with "
            "PostgreSQL. gunicorn's rule of thumb, (2 × cores) + 1, is for workers that mostly wait; the "
            "same rounds with other numbers of workers close the section.",
            "",
            "**Baseline**: `POST /bench/bare-insert/` (`bench/bench_urls.py`), the least a write through this "
            "stack can do — the same gunicorn, middleware and load client, a form body parsed, one `INSERT` "
            "under a unique key in `transaction.atomic()` (a vote's Participation has that shape), a "
            "two-byte answer. Everything a vote does beyond that is what the ratios price: the code's "
            "lookup, the rules, the encryption, the 16 KiB padded page. Measured: **the cast** (POST "
            "`step=cast` with code, poll and one choice, and the Origin header a browser sends) on a fresh "
            "poll every voter has opened first (GET, then `step=list`, not timed); **the whole flow** on "
            "a second fresh poll, per voter: the page (GET, as the card's QR code opens it, carrying the open "
            "poll's ballot, which `static/thidua/vote.js` shows sorted for the card, and then the "
            "confirmation, with no request) and the cast — static files are "
            "not counted (nginx serves them, phones cache them). Every voter is present already (checked "
            "in at their first code entry, once per conference; a card that only ever casts is marked present "
            "by its first cast). A success is a 200 page with «Đã ghi nhận "
            "phiếu của bạn» and a receipt. Each round takes the voters in 4 slices of "
            f"{-(-self.voters // SLICES)}, and for each slice the three kinds take turns at concurrency "
            f"{a.concurrency} (the order turning from round to round, a slice's casts before its flow): other "
            "work on the machine comes and goes within seconds, and so weighs on the three alike. A kind's "
            "rate in a round is its voters over the seconds of its 4 slices; each ratio is the median of "
            "the rounds'. The polls are opened with `open_poll` and closed with `close_poll` after their "
            "round. Client: one asyncio loop writing HTTP/1.1 by hand on the same machine, a connection per "
            "request (gunicorn's sync workers close each), half-closed once the request is sent.",
            "",
            f"Run of {datetime.date.today().isoformat()}: {self.machine}; {a.workers} sync workers, psycopg "
            f"pool of `config/settings.py`, {'Redis' if a.redis else 'no shared'} cache; {self.voters} voters, "
            f"concurrency {a.concurrency}, {a.rounds} rounds. Other work shared the 2 cores (the `other work` column "
            "below): only the ratios carry over, and the CPU per request is the check that does not depend "
            "on it.",
            "",
            "| kind (all rounds) | successes | failed | seconds | per second | p50 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
            _burst_row("bare insert (`POST /bench/bare-insert/`)", self.bare),
            _burst_row("**cast** (`POST /bo-phieu/<pk>/`, `step=cast`)", self.cast),
            _burst_row("**whole flow, per voter** (GET, `step=cast`)", self.flow),
            _burst_row("before each round's casts, per voter: GET, then `step=list` (not timed)", self.prep),
            "",
            "| round | bare insert /s | cast /s | cast ratio | flow voters /s | flow ratio | cast p99 ms "
            "| flow's slowest step p99 ms | other work, cores |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *(
                f"| {i} | {b.rate:.1f} | {c.rate:.1f} | {c.rate / b.rate if b.rate else 0:.3f} | {f.rate:.1f} "
                f"| {f.rate / b.rate if b.rate else 0:.3f} | {c.ms(99):.1f} "
                f"| {max(f.step_ms(step, 99) for step in FLOW_STEPS):.1f} "
                f"| {statistics.mean(x.other_cores for x in (b, c, f)):.2f} |"
                for i, (b, c, f) in enumerate(zip(self.bare, self.cast, self.flow, strict=True), 1)
            ),
            "",
            f"- Whole flow / bare insert: **{self.flow_ratio:.3f}** (median of {a.rounds} rounds; bare inserts "
            f"{bare_rate:.1f}/s, voters {statistics.median(f.rate for f in self.flow):.1f}/s; by CPU per "
            f"request {self.cpu_ratio(self.flow):.3f}): goal ≥ {GOAL_FLOW_RATIO:g} {_met(self.flow_met())}.",
            f"- Cast / bare insert: **{self.cast_ratio:.3f}** (casts {statistics.median(c.rate for c in self.cast):.1f}"
            f"/s; by CPU per request {self.cpu_ratio(self.cast):.3f}): goal ≥ {GOAL_CAST_RATIO:g} "
            f"{_met(self.cast_met())}. A goal counts as met when the rates and the CPU both meet it.",
            f"- p99: cast {self.cast_p99:.1f} ms; in the flow, page {self.flow_step_p99('page'):.1f}, "
            f"cast {self.flow_step_p99('cast'):.1f} ms; slowest "
            f"**{worst:.1f} ms** ({worst_step}): goal < {GOAL_P99_MS:g} ms {_met(worst < GOAL_P99_MS)}. At "
            f"concurrency {a.concurrency} a request waits behind the others in flight: p99 follows "
            "concurrency ÷ rate. A voter's whole flow took p50 "
            f"{_ms(_percentile([o.latency for b in self.flow for o in b.successes], 50))} ms, p99 "
            f"{_ms(_percentile([o.latency for b in self.flow for o in b.successes], 99))} ms, reading time "
            "not included.",
            f"- Lost **{self.lost}**, duplicated **{self.duplicated}** (every poll: success receipts against "
            f"Ballot rows, Participation rows against voters); ballots without a participation or the reverse "
            f"{self.unpaired}; polls missing a voter {self.uncounted}; 5xx outside a kill window "
            f"{self.server_errors}; failed requests in the clean bursts {self.clean_failures}: "
            f"{_met(self.lost == 0 and self.duplicated == 0 and self.unpaired == 0)}.",
            f"- Worker-kill runs: {_met(self.faults_clean) if self.faults else 'not run'} (table below).",
            "",
            "CPU per request (per voter for the flow) during the bursts, from /proc: gunicorn's workers, the "
            "PostgreSQL backends of the bench database, the load client; cores they kept busy, and cores "
            "other work on the machine took meanwhile:",
            "",
            "| burst | gunicorn ms | PostgreSQL ms | client ms | total ms | cores busy | other work, cores |",
            "|---|---:|---:|---:|---:|---:|---:|",
            _cpu_row("bare insert", self.bare),
            _cpu_row("cast", self.cast),
            _cpu_row("whole flow, per voter", self.flow),
            "",
            f"Ratio of CPU per request, bare insert over cast: {self.cpu_ratio(self.cast):.3f}; over a voter's "
            f"flow: {self.cpu_ratio(self.flow):.3f}.",
            "",
            *self._kits_lines(),
            f"The flow's steps, p50 and p99 ms: in the flow bursts ({a.concurrency} voters at a time), and for "
            f"{len(serial.outcomes)} voters one at a time (the server's own time):",
            "",
            f"| request | p50 ×{a.concurrency} | p99 ×{a.concurrency} | p50 ×1 | p99 ×1 |",
            "|---|---:|---:|---:|---:|",
            *(
                f"| {step} | {_percentile([s for b in self.flow for s in b.steps[step]], 50) * 1000:.1f} "
                f"| {self.flow_step_p99(step):.1f} | {serial.step_ms(step, 50):.1f} | {serial.step_ms(step, 99):.1f} |"
                for step in FLOW_STEPS
            ),
            f"| **whole flow, per voter** | {_ms(_percentile([o.latency for b in self.flow for o in b.successes], 50))} "
            f"| {_ms(_percentile([o.latency for b in self.flow for o in b.successes], 99))} | {serial.ms(50):.1f} "
            f"| {serial.ms(99):.1f} |",
        ]
        if self.faults:
            faults = self.faults
            lines += [
                "",
                f"Worker-kill runs, each a cast burst on a fresh poll, {self.voters} voters at concurrency "
                f"{a.concurrency}: once {KILL_AT:.0%} of the casts have succeeded, one worker gets SIGKILL in the "
                "middle of a request, chosen by its database session in pg_stat_activity: *while encrypting* "
                "(idle after reading the delegate by code: the worker checks and encrypts the ballot before the "
                "vote's statement, nothing is written) or *during the vote* (active in the vote's statement, "
                "its own transaction, which PostgreSQL finishes and commits without its client: the vote counts "
                "but its response never leaves). The worker is frozen (SIGSTOP) and its session looked at again "
                "before the SIGKILL, so the kill lands in the state named. gunicorn's master forks a "
                f"replacement; the kill window runs from the kill to {KILL_GRACE:g} s after it appears. Voters "
                "whose request failed try once more after the burst (a fresh page, then the cast).",
                "",
                "| worker-kill run | " + " | ".join(f"killed {f.moment}" for f in faults) + " |",
                "|---|" + "---:|" * len(faults),
                "| worker's session when killed / casts succeeded before | "
                + " | ".join(
                    f"{f.kill.state or 'none seen busy'} / {f.kill.successes_before}" for f in faults
                )
                + " |",
                "| replacement forked after (ms) | "
                + " | ".join(f"{f.respawn_ms:.0f}" for f in faults)
                + " |",
                "| casts that succeeded in the burst | "
                + " | ".join(str(f.burst.count("success")) for f in faults)
                + " |",
                "| casts that failed, visibly to the client | "
                + " | ".join(f"{f.failed_n} ({f.failed_words})" for f in faults)
                + " |",
                "| requests in flight during the kill window | "
                + " | ".join(str(f.in_window) for f in faults)
                + " |",
                "| 5xx, burst and retries (outside the kill window) | "
                + " | ".join(f"{f.server_errors} ({f.errors_outside})" for f in faults)
                + " |",
                "| retries that voted | " + " | ".join(str(f.retry_success) for f in faults) + " |",
                '| retries refused as "đã được ghi nhận" | '
                + " | ".join(str(f.refused) for f in faults)
                + " |",
                "| ballots whose receipt nobody was told (committed, response lost) | "
                + " | ".join(str(f.check.unknown_ballots) for f in faults)
                + " |",
                "| refusals without a committed first attempt | "
                + " | ".join(str(f.check.refused_without_commit) for f in faults)
                + " |",
                "| retries that could not vote | " + " | ".join(str(f.could_not) for f in faults) + " |",
                "| Ballot rows / Participation rows / voters | "
                + " | ".join(
                    f"{f.check.stored.ballots} / {f.check.stored.participations} / {self.voters}"
                    for f in faults
                )
                + " |",
                "| success receipts missing (lost) / counted twice | "
                + " | ".join(f"{f.check.lost} / {f.check.duplicated}" for f in faults)
                + " |",
            ]
        lines += [
            "",
            f"In process (Django test client on the bench database, no HTTP, no load; mean of 40 each, "
            f"interleaved): a cast takes {inside.cast_ms:.1f} ms ({inside.cast_cpu_ms:.1f} ms of CPU), of which "
            f"the encryption alone {inside.encrypt_ms:.1f} ms; a bare insert {inside.bare_ms:.1f} ms "
            f"({inside.bare_cpu_ms:.1f} ms of CPU). One cast runs "
            f"{len(inside.statements)} SQL statements "
            f"({', '.join(f'{n} × {w}' if n > 1 else w for w, n in statements.items())}); the bare insert runs "
            "one INSERT. Where a cast's time goes (cProfile of 20 casts, cumulative ms and calls per cast; the "
            "rows nest, they do not add up; profiling inflates them):",
            "",
            "| part | ms per cast | calls per cast |",
            "|---|---:|---:|",
            *(f"| {label} | {ms:.2f} | {calls:g} |" for label, ms, calls in inside.breakdown),
            "",
            *self._limits(),
            "",
            *self._workers_table(),
            f"Verdict: correctness (lost, duplicated, worker kills) {'met' if self.correct else 'FAILED'}; speed "
            f"goals {'met' if self.goal else 'missed'} in this run."
            + (
                f" Other work took {self.other_cores:.2f} cores on average during the measured bursts: the "
                "rates and p99 of this run say little, the CPU per request still holds; run it again on a "
                "quiet machine."
                if self.other_cores > NOISY_CORES
                else ""
            ),
        ]
        return "\n".join(lines)


def _write(summary: str) -> None:
    """Replace this benchmark's section of docs/benchmarks.md, under its earlier heading if it still has
    one (the other benchmarks' sections stay as they are)."""
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    for old in OLD_SECTIONS:
        if old + "\n" in current and SECTION + "\n" not in current:
            replace_section(old, summary)
            return
    replace_section(SECTION, summary)


def _warm_up(port: int, conference_pk: int, voters: Sequence[Voter], concurrency: int, log: Path) -> None:
    """Every worker imports, renders, encrypts and connects its pool before anything is timed."""
    from django.db import connections

    warm = _bare_burst(port, [f"warm-{port}-{i}" for i in range(200)], concurrency)
    if warm.count("success") != 200:
        raise RuntimeError(
            f"the bare insert failed in the warm-up: {warm.outcomes[0]}\n{log.read_text()[-3000:]}"
        )
    warm_poll = _open_election_poll(conference_pk)
    connections.close_all()
    warm_voters = voters[:200]
    warm_flow = _flow_burst(port, conference_pk, warm_poll, warm_voters, concurrency)
    if warm_flow.count("success") != len(warm_voters):
        first = next(o for o in warm_flow.outcomes if o.kind != "success")
        raise RuntimeError(f"the flow failed in the warm-up: {first}\n{log.read_text()[-3000:]}")
    _close_poll(warm_poll)
    connections.close_all()


@dataclass
class Round:
    bare: Burst
    cast: Burst
    flow: Burst
    prep: Burst
    order: tuple[str, ...]
    cast_poll: int
    flow_poll: int
    pauses: list[Pause] = field(default_factory=list)


def _round(
    port: int,
    master: int,
    conference_pk: int,
    voters: Sequence[Voter],
    concurrency: int,
    name: str,
    number: int,
) -> Round:
    """One round: bare inserts, casts and flows over all the voters, slice by slice (`SLICES`)."""
    from django.db import connections

    keys = [f"{name}-{i}" for i in range(len(voters))]
    # Two polls open at once, as a conference may have: every voter casts in the first before the flow
    # takes them through the second, so that their code entry answers its ballot directly.
    cast_poll = _open_election_poll(conference_pk)
    connections.close_all()
    prep = _prepare_voters(port, conference_pk, voters, concurrency)
    flow_poll = _open_election_poll(conference_pk)
    connections.close_all()
    order = ORDERS[(number - 1) % len(ORDERS)]
    slices: dict[str, list[Burst]] = {kind: [] for kind in order}
    size = -(-len(voters) // SLICES)
    pauses: list[Pause] = []
    for start in range(0, len(voters), size):
        part, part_keys = voters[start : start + size], keys[start : start + size]
        for kind in order:
            _settle(port, master, conference_pk, pauses)
            if kind == "bare":
                burst = _measured(master, _bare_burst, port, part_keys, concurrency)
            else:
                poll_pk = cast_poll if kind == "cast" else flow_poll
                run = _clean_cast_burst if kind == "cast" else _flow_burst
                burst = _measured(master, run, port, conference_pk, poll_pk, part, concurrency)
            slices[kind].append(burst)
    bare, cast, flow = (_joined(slices[kind]) for kind in ("bare", "cast", "flow"))
    return Round(bare, cast, flow, prep, order, cast_poll, flow_poll, pauses)


def _round_line(label: str, r: Round) -> str:
    bare, cast, flow = r.bare, r.cast, r.flow
    return (
        f"{label}   bare {bare.rate:7.1f}/s p99 {bare.ms(99):6.1f} ms | cast {cast.rate:6.1f}/s "
        f"p99 {cast.ms(99):6.1f} ms ratio {cast.rate / bare.rate if bare.rate else 0:.3f} | flow "
        f"{flow.rate:6.1f} voters/s ratio {flow.rate / bare.rate if bare.rate else 0:.3f}, p99 "
        + "/".join(f"{flow.step_ms(step, 99):.0f}" for step in FLOW_STEPS)
        + f" ms | other work {statistics.mean(x.other_cores for x in (bare, cast, flow)):.2f} cores"
        f" | order {'-'.join(r.order)}"
    )


@dataclass
class Comparison:
    """The same rounds with another number of workers."""

    workers: int
    rounds: list[Round]

    def median(self, kind: str) -> float:
        return statistics.median(getattr(r, kind).rate for r in self.rounds)

    def ratio(self, kind: str) -> float:
        return statistics.median(
            getattr(r, kind).rate / r.bare.rate if r.bare.rate else 0.0 for r in self.rounds
        )

    def cpu_ms(self, kind: str) -> float:
        return _cpu_per_request([getattr(r, kind) for r in self.rounds]) * 1000


# --- main -------------------------------------------------------------------------------------------


def _default_server() -> str:
    """The server part of DATABASE_URL when it names a PostgreSQL server, else the local one."""
    parts = urlsplit(os.environ.get("DATABASE_URL", "").strip())
    if parts.scheme in ("postgres", "postgresql") and parts.hostname:
        return f"{parts.scheme}://{parts.netloc}"
    return "postgres://postgres@127.0.0.1:5432"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--server",
        default=_default_server(),
        help="PostgreSQL server URL (default: DATABASE_URL's server when set); the bench creates and drops "
        f"its own database `{DATABASE}` on it",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("THIDUA_REDIS_URL", "redis://127.0.0.1:6379/13"),
        help="shared cache (THIDUA_REDIS_URL), as production has: the code throttle reads it on every "
        "request; '' for none",
    )
    parser.add_argument("--voters", type=int, default=1000, help="delegates, and requests per burst")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of a bare-insert, a cast and a flow burst"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help="gunicorn sync workers (default: one per core of the 2-core server, see DEFAULT_WORKERS)",
    )
    parser.add_argument(
        "--compare-workers",
        type=lambda text: [int(n) for n in text.split(",") if n.strip()],
        default=list(COMPARE_WORKERS),
        help="then the same rounds with these numbers of workers, comma-separated ('' for none)",
    )
    parser.add_argument("--compare-rounds", type=int, default=2, help="rounds per compared number of workers")
    parser.add_argument("--no-fault", action="store_true", help="skip the runs that kill a worker")
    parser.add_argument("--write", action="store_true", help="replace this section of docs/benchmarks.md")
    parser.add_argument("--profile", action="store_true", help="cProfile casts in process and print it")
    parser.add_argument("--require-goal", action="store_true", help="exit 1 also when a speed goal is missed")
    args = parser.parse_args(argv)
    if urlsplit(args.server).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("a loopback PostgreSQL server only, e.g. postgres://postgres@127.0.0.1:5432")
    if args.voters < max(FLOW_VOTERS, 62) or args.concurrency < 1 or args.rounds < 1 or args.workers < 1:
        parser.error(
            f"--voters at least {max(FLOW_VOTERS, 62)}, --concurrency, --rounds and --workers at least 1"
        )

    signal.signal(signal.SIGTERM, raise_exit)
    sys.path.insert(0, str(ROOT))
    workdir = Path(tempfile.mkdtemp(prefix="thidua-bench-vote-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "THIDUA_ALLOWED_HOSTS": HOST,
        "THIDUA_SECRET_KEY": secrets.token_urlsafe(50),
        "THIDUA_VAR_DIR": str(workdir / "var"),  # nothing of the project's var/ is read or written
        "THIDUA_DEBUG": "",
        "THIDUA_REDIS_URL": args.redis,
        "PYTHONPATH": str(ROOT),
    }
    server: subprocess.Popen[bytes] | None = None
    created = False
    log = workdir / "gunicorn.log"
    try:
        print(
            f"Creating database {DATABASE}, migrating, {args.voters} delegates and their codes…", flush=True
        )
        create_database(args.server, DATABASE)
        created = True
        # This process only prepares and checks; gunicorn's workers keep the production pool.
        os.environ.update({**env, "THIDUA_DB_POOL": "0"})
        setup = _prepare_data(args.voters)
        conference_pk, voters = setup.conference_pk, setup.voters
        from django.db import connections

        connections.close_all()

        port = free_port()
        with log.open("wb") as log_file:
            server = start_gunicorn(port, args.workers, env, log_file)
        wait_ready(port, server, log)
        master = server.pid

        _warm_up(port, conference_pk, voters, args.concurrency, log)

        checks: list[Check] = []
        server_errors = 0
        clean_failures = 0

        def tally(label: str, poll_pk: int, voters_: Sequence[Voter], burst: Burst) -> None:
            nonlocal server_errors, clean_failures
            server_errors += burst.count("server_error")
            clean_failures += len(burst.outcomes) - burst.count("success")
            outcomes = list(zip(voters_, burst.outcomes, strict=True))
            checks.append(_check(label, poll_pk, outcomes, expected_participations=len(voters_)))
            for outcome in burst.outcomes:
                if outcome.kind != "success":
                    print(
                        f"    first {label} failure: {outcome.kind} {outcome.status} {outcome.detail[:200]}"
                    )
                    break

        def tally_bare(burst: Burst) -> None:
            nonlocal server_errors, clean_failures
            server_errors += burst.count("server_error")
            clean_failures += len(burst.outcomes) - burst.count("success")

        # The flow one voter at a time: what the server takes for each step, with nothing in the way.
        serial_poll = _open_election_poll(conference_pk)
        connections.close_all()
        serial = _flow_burst(port, conference_pk, serial_poll, voters[:FLOW_VOTERS], 1)
        tally("flow ×1", serial_poll, voters[:FLOW_VOTERS], serial)
        _close_poll(serial_poll)
        connections.close_all()
        print(
            f"flow ×1     {FLOW_VOTERS} voters one at a time: per voter p50 {serial.ms(50):.1f} ms; "
            + ", ".join(f"{step} {serial.step_ms(step, 50):.1f}" for step in FLOW_STEPS),
            flush=True,
        )

        bare_bursts: list[Burst] = []
        cast_bursts: list[Burst] = []
        flow_bursts: list[Burst] = []
        prep_bursts: list[Burst] = []
        pauses: list[Pause] = []
        for number in range(1, args.rounds + 1):
            result = _round(port, master, conference_pk, voters, args.concurrency, f"r{number}", number)
            tally(f"round {number} cast", result.cast_poll, voters, result.cast)
            tally(f"round {number} flow", result.flow_poll, voters, result.flow)
            tally_bare(result.bare)
            _close_poll(result.cast_poll)
            _close_poll(result.flow_poll)
            connections.close_all()
            bare_bursts.append(result.bare)
            cast_bursts.append(result.cast)
            flow_bursts.append(result.flow)
            prep_bursts.append(result.prep)
            pauses.extend(result.pauses)
            print(_round_line(f"round {number}", result), flush=True)

        faults: list[Fault] = []
        for moment in () if args.no_fault else KILL_MOMENTS:
            fault = _fault_run(
                port, master, conference_pk, voters, args.concurrency, args.workers, args.server, moment
            )
            faults.append(fault)
            checks.append(fault.check)
            server_errors += fault.errors_outside
            kill = fault.kill
            print(
                f"fault run   killed {moment}: worker {kill.pid} (session {kill.state or 'not seen busy'}) after "
                f"{kill.successes_before} successes; replaced by {kill.new_pid} {fault.respawn_ms:.0f} ms later; "
                f"{fault.failed_n} failed ({fault.failed_words}); retried: {fault.retry_success} voted, "
                f"{fault.refused} refused as already recorded, {fault.could_not} could not vote",
                flush=True,
            )

        print(
            "In process: casts, the encryption and bare inserts through the Django test client…", flush=True
        )
        inside = _in_process(conference_pk, voters)
        connections.close_all()

        # The same rounds with other numbers of workers, to show what the choice of `--workers` costs.
        comparisons: list[Comparison] = []
        for workers in args.compare_workers:
            stop(server)
            server = None
            port = free_port()
            with log.open("ab") as log_file:
                server = start_gunicorn(port, workers, env, log_file)
            wait_ready(port, server, log)
            _warm_up(port, conference_pk, voters, args.concurrency, log)
            compared: list[Round] = []
            for number in range(1, args.compare_rounds + 1):
                result = _round(
                    port, server.pid, conference_pk, voters, args.concurrency, f"w{workers}r{number}", number
                )
                tally(f"{workers} workers, round {number} cast", result.cast_poll, voters, result.cast)
                tally(f"{workers} workers, round {number} flow", result.flow_poll, voters, result.flow)
                tally_bare(result.bare)
                _close_poll(result.cast_poll)
                _close_poll(result.flow_poll)
                connections.close_all()
                compared.append(result)
                print(_round_line(f"{workers} workers, round {number}", result), flush=True)
            comparisons.append(Comparison(workers, compared))

        report = Report(
            args=args,
            comparisons=comparisons,
            machine=machine(setup.pg_version),
            voters=len(voters),
            bare=bare_bursts,
            cast=cast_bursts,
            flow=flow_bursts,
            prep=prep_bursts,
            pauses=pauses,
            serial=serial,
            faults=faults,
            inside=inside,
            checks=checks,
            server_errors=server_errors,
            clean_failures=clean_failures,
        )
        summary = report.markdown()
        print()
        print(summary)
        if args.profile:
            print()
            print(f"SQL of one cast ({len(inside.statements)} statements):")
            for seconds, sql in inside.statements:
                print(f"  {seconds * 1000:6.2f} ms  {sql[:150]}")
            print(inside.listing)
        if args.write:
            _write(summary)
            print(f"\nWrote the section {SECTION!r} of {DOCS.relative_to(ROOT)}.")
        if not report.correct:
            return 1
        return 1 if args.require_goal and not report.goal else 0
    finally:
        finish(server, database_server=args.server, database=DATABASE if created else None, workdir=workdir)


if __name__ == "__main__":
    sys.exit(main())
