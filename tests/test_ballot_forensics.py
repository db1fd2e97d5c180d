"""Forensics of the secret ballot (issue 14, "Done when"): 20 delegates vote over HTTP, then everything
someone holding the server's disks can read is read three times — the poll open with the votes cast,
after `close_poll`, after `count_poll`, `confirm_results` and `publish`:

- the pages of the ballot and participation tables, their TOAST table and their indexes: live rows, dead
  rows and free space (PostgreSQL through `pageinspect`; SQLite, the database file and its `-wal`, frame
  by frame);
- the write-ahead log PostgreSQL wrote meanwhile (`pg_waldump` finds the records, their bytes are read
  from the segment files);
- gunicorn's access log and the audit chain.

None of it may hold a choice in plain text: no choice key or label (as UTF-8, decomposed, as JSON's
`\\uXXXX` escapes, URL-encoded), no blank marker, no card code. And none may let anyone pair a delegate
with a choice better than chance. Pairing a delegate with *a ballot* is easy, and the attackers below do
it as the issue describes: a vote writes its participation and its ballot in one transaction, so on
PostgreSQL the two rows share their xmin (in the pages and in the WAL), and on SQLite they take the next
rowid of their tables. What must hold is that the paired ballot says nothing: an attacker who sees the
lengths and the shape of each delegate's ballot — and, to be generous, is told which choice is most
common among the ballots that look alike — guesses exactly as many choices as one who answers the most
common choice for everybody.

Both databases serve the votes with gunicorn over real HTTP (tests/live.py). The suite's SQLite database
lives in this process's memory, out of gunicorn's reach, so the SQLite test copies it into a file, in the
WAL mode production uses, and points both gunicorn and this process at that file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.utils import load_backend

from bench.harness import HOST, free_port
from tests.live import Server, exchange, serving

VOTERS = 20
RECEIPT_PAGE = re.compile(rb'<code class="receipt">([0-9a-f]{64})</code>')
RECEIPT = re.compile(rb"[0-9a-f]{64}")
VOTER_KEY = re.compile(rb"delegate:(\d+)")
HEX_RECEIPT = re.compile(r"[0-9a-f]{64}")
# gunicorn's default access log line, as tests/test_vote_logs.py reads it.
LOG_LINE = re.compile(rb'"(?P<request>[^"]*)" (?P<status>\d{3}) (?P<size>\S+) "')

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's pages and WAL: runs in the PostgreSQL pass (DATABASE_URL=postgres://…)",
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's file and -wal: runs in the SQLite pass, which copies the suite's database to a file",
)


# --- the conference, the votes, and what must stay secret


@dataclass(frozen=True)
class Vote:
    delegate_pk: int
    name: str
    code: str
    choice: str  # a choice key, or services.BLANK


@dataclass
class Setup:
    actor: Any
    conference_pk: int
    poll: Any  # as `open_poll` returned it: it carries the board's shares, which the count types
    votes: list[Vote]
    secrets: set[bytes]  # every spelling of every choice, of the blank, of every card code
    receipts: dict[int, str] = field(default_factory=dict)  # delegate pk -> the receipt their phone showed

    @property
    def truth(self) -> dict[int, str]:
        return {vote.delegate_pk: vote.choice for vote in self.votes}


def _spellings(word: str) -> set[bytes]:
    """The ways a word can sit in a file: UTF-8 as typed and decomposed, inside JSON with its non-ASCII
    letters escaped (Django's JSONField on SQLite writes `\\u1ec7`; other writers use capitals), and
    URL-encoded as a form or a query string carries it."""
    escaped = json.dumps(word)[1:-1]
    forms = {
        word,
        unicodedata.normalize("NFD", word),
        escaped,
        re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m[1].upper(), escaped),
        quote(word),
        quote_plus(word),
    }
    return {form.encode() for form in forms if form}


def _prepare() -> Setup:
    """Cụm 4's 2026 conference with 20 voting delegates (one vote each: the regulation in force is
    switched to one vote per delegate, as DOMAIN.md allows), checked in at the door — so the votes write
    nothing but the votes — and the election of next year's head, opened. One choice gets 11 votes, the
    others and the blank share the other 9: a choice predicted from anything but the ballot is right
    11 times in 20."""
    from thidua.accounts.models import User
    from thidua.conferences import codes, services
    from thidua.conferences.tests import helpers
    from thidua.lib.elgamal.group import BLANK_LABEL
    from thidua.organizations.models import Regulation, VotingUnit
    from thidua.years.models import EmulationYear

    actor = User.objects.get(username="quangtri")
    emulation_year = EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026)
    regulation = Regulation.objects.in_force(emulation_year.group.parent, emulation_year.year)
    assert regulation is not None
    Regulation.objects.filter(pk=regulation.pk).update(voting_unit=VotingUnit.DELEGATE)
    conference = helpers.conference_2026(actor, title="Hội nghị kiểm tra dấu vết phiếu bầu")
    members = helpers.members_2026()
    for number in range(VOTERS):
        services.add_delegate(
            actor=actor,
            conference=conference,
            organization=members[number % len(members)],
            # Names that contain no organization's code, so a name in a page is never taken for a choice.
            full_name=f"Đại biểu số {number + 1:02d}",
            votes=True,
            counting_board=number < 3,
        )
    issued = services.issue_codes(actor=actor, conference=conference)
    for item in issued:
        services.check_in(actor=actor, delegate=item.delegate)
    poll = services.open_poll(
        actor=actor, poll=services.create_election_poll(actor=actor, conference=conference, role="head")
    )
    slots = services.ballot_slots(poll)
    options = [choice.key for choice in slots] + [services.BLANK]
    favourite, others = options[0], options[1:]
    picks = [favourite] * 11 + [others[index % len(others)] for index in range(VOTERS - 11)]
    votes = [
        Vote(item.delegate.pk, item.delegate.full_name, item.code, pick)
        for item, pick in zip(issued, picks, strict=True)
    ]
    words = [*options, BLANK_LABEL, *(choice.label for choice in slots)]
    for item in issued:
        words += [item.code, item.code.lower(), codes.normalize(item.code) or ""]
    secrets = {spelling for word in words if word for spelling in _spellings(word)}
    return Setup(actor, conference.pk, poll, votes, secrets)


def _vote_over_http(port: int, setup: Setup) -> None:
    """Each delegate's phone as tests/test_vote_logs.py drives it: the page, the card's code (which opens
    the ballot), the confirmation, the cast; the receipt is what the last page shows."""
    path = f"/bo-phieu/{setup.conference_pk}/"
    for vote in setup.votes:
        assert exchange(port, "GET", path).status == 200
        assert exchange(port, "POST", path, {"code": vote.code, "step": "list"}).status == 200
        form = {"code": vote.code, "poll": str(setup.poll.pk), "choice": vote.choice}
        assert exchange(port, "POST", path, {**form, "step": "review"}).status == 200
        cast = exchange(port, "POST", path, {**form, "step": "cast"})
        found = RECEIPT_PAGE.search(cast.body.encode())
        assert cast.status == 200 and found, cast
        setup.receipts[vote.delegate_pk] = found[1].decode()


def _close(setup: Setup) -> None:
    from thidua.conferences import services

    services.close_poll(actor=setup.actor, poll=setup.poll)


def _count_confirm_publish(setup: Setup) -> None:
    from thidua.conferences import services
    from thidua.conferences.models import Poll

    shares = setup.poll.board_shares
    poll = Poll.objects.get(pk=setup.poll.pk)
    typed = {share.index: share.code for share in shares[: poll.board_key_threshold]}
    poll = services.count_poll(actor=setup.actor, poll=poll, typed=typed)
    assert sum(poll.decryption["totals"]) == VOTERS
    poll = services.confirm_results(actor=setup.actor, poll=poll)
    services.publish(actor=setup.actor, poll=poll)


# --- what an attacker makes of it


def _shape(value: Any) -> Hashable:
    """A JSON value with its strings reduced to their lengths: all a ballot shows without the key."""
    if isinstance(value, dict):
        return ("{", tuple((key, _shape(item)) for key, item in sorted(value.items())))
    if isinstance(value, list):
        return ("[", tuple(_shape(item) for item in value))
    if isinstance(value, str):
        return ("str", len(value))
    return (type(value).__name__,)


def _guessed(features: Mapping[int, Hashable], truth: Mapping[int, str]) -> Fraction:
    """The share of the voters whose choice an attacker gets right who sees `features` (what an artefact
    shows of each voter's ballot) and is told the most common choice among the voters whose ballots look
    alike: the best any rule reading only those features can do on these voters."""
    groups: dict[Hashable, Counter[str]] = defaultdict(Counter)
    for voter, feature in features.items():
        groups[feature][truth[voter]] += 1
    return Fraction(sum(max(choices.values()) for choices in groups.values()), len(features))


def _chance(truth: Mapping[int, str]) -> Fraction:
    return Fraction(max(Counter(truth.values()).values()), len(truth))


@dataclass
class Findings:
    """What one reading of the artefacts turned up: the test lists them all, then fails before the next
    phase (a leak in the votes' pages need not wait for a count that may refuse the ballots)."""

    phase: str
    setup: Setup
    found: list[str] = field(default_factory=list)

    def search(self, where: str, blob: bytes) -> None:
        for secret in self.setup.secrets:
            at = blob.find(secret)
            if at >= 0:
                self.found.append(
                    f"{self.phase}: {secret!r} in {where} at byte {at}: {blob[max(at - 60, 0) : at + 80]!r}"
                )

    def attack(self, what: str, paired: Mapping[int, str], features: Mapping[int, Hashable]) -> None:
        """`paired`: the receipt of the ballot the attacker paired with each delegate; `features`: what
        the artefact shows of that ballot."""
        truth = self.setup.truth
        # The attacker pairs every delegate with their own ballot — the product writes the two rows in
        # one transaction, by design — so what follows measures the ballot, not a weak pairing; and a
        # reader that stopped seeing the rows cannot pass by finding nothing.
        assert paired == self.setup.receipts, f"{self.phase}, {what}: the pairing is not the voters' own"
        assert set(features) == set(truth), f"{self.phase}, {what}: saw {len(features)} of {len(truth)}"
        guessed, chance = _guessed(features, truth), _chance(truth)
        if guessed > chance:
            looks: dict[str, Counter[str]] = defaultdict(Counter)
            for voter, feature in features.items():
                looks[str(feature)[:120]][truth[voter]] += 1
            self.found.append(
                f"{self.phase}: {what} lets an attacker guess {guessed} of the choices where chance "
                f"allows {chance}; ballots that look alike: {dict(looks)}"
            )

    def assert_none(self) -> None:
        assert not self.found, "\n".join(self.found)

    def receipts(self, where: str, receipts: Iterator[str]) -> None:
        odd = [receipt for receipt in receipts if not HEX_RECEIPT.fullmatch(receipt)]
        if odd:
            self.found.append(f"{self.phase}: receipts in {where} not 64 hex digits: {odd[:3]}")


def _vote_lines(log: bytes) -> int:
    return sum(1 for line in log.splitlines() if b"/bo-phieu/" in line)


def _complete_log(server: Server) -> bytes:
    """The access log once it holds the last request's line: gunicorn writes it after the answer."""
    deadline = time.monotonic() + 10
    log = server.log.read_bytes()
    # Lines, not occurrences: a POST's line names the page twice, in its request and its referrer.
    while _vote_lines(log) < 4 * VOTERS and time.monotonic() < deadline:
        time.sleep(0.05)
        log = server.log.read_bytes()
    assert not server.problems()
    return log


def _read_log(findings: Findings, log: bytes) -> None:
    """The access log: no secret and no receipt on any line, and each delegate's four lines — the page,
    the code, the confirmation, the cast — as long as every other delegate's."""
    findings.search("gunicorn's access log", log)
    for receipt in findings.setup.receipts.values():
        if receipt.encode() in log:
            findings.found.append(f"{findings.phase}: a receipt in the access log: {receipt}")
    lines = [line for line in log.splitlines() if b"/bo-phieu/" in line]
    assert len(lines) == 4 * VOTERS, log[-3000:]
    features: dict[int, Hashable] = {}
    for index, vote in enumerate(findings.setup.votes):
        steps = [LOG_LINE.search(line) for line in lines[4 * index : 4 * index + 4]]
        features[vote.delegate_pk] = tuple((m["status"], m["size"]) if m else None for m in steps)
    # Lines follow the votes one delegate after another: the log pairs each delegate with their lines.
    findings.attack("the access log's line sizes", findings.setup.receipts, features)


def _read_audit(findings: Findings, after_seq: int, *, voting: bool) -> int:
    """The audit chain's events since `after_seq`: none at all while delegates vote; afterwards none that
    holds a card code or a receipt, or names a voter and a choice together."""
    from thidua.audit.models import AuditEvent

    setup = findings.setup
    voters = {spelling for vote in setup.votes for spelling in _spellings(vote.name)}
    voters |= {f"delegate:{vote.delegate_pk}".encode() for vote in setup.votes}
    codes = {s for vote in setup.votes for s in _spellings(vote.code)}
    last = after_seq
    for event in AuditEvent.objects.filter(seq__gt=after_seq).order_by("seq"):
        last = event.seq
        fields = [event.verb, event.target_type, event.target_id, event.target_label, event.actor_label]
        text = b"\n".join(
            [json.dumps(event.data, ensure_ascii=False).encode(), json.dumps(event.data).encode()]
            + [str(value).encode() for value in fields]
        )
        where = f"audit event #{event.seq} {event.verb}"
        if voting:
            findings.found.append(f"{findings.phase}: {where} written while delegates vote: {text[:300]!r}")
        if any(secret in text for secret in codes) or any(
            receipt.encode() in text for receipt in setup.receipts.values()
        ):
            findings.found.append(f"{findings.phase}: {where} holds a card code or a receipt: {text[:300]!r}")
        if any(name in text for name in voters) and any(secret in text for secret in setup.secrets):
            findings.found.append(f"{findings.phase}: {where} names a voter and a choice: {text[:300]!r}")
    return last


def _last_seq() -> int:
    from thidua.audit.models import AuditEvent

    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _voter(blob: bytes) -> int | None:
    found = VOTER_KEY.search(blob)
    return int(found[1]) if found else None


def _receipt(blob: bytes) -> str | None:
    found = RECEIPT.search(blob)
    return found[0].decode() if found else None


# --- PostgreSQL: pages through pageinspect, the WAL through pg_waldump and the segment files

# PostgreSQL 15's WAL layout (src/include/access/xlogrecord.h, xlog_internal.h, heapam_xlog.h).
RECORD_HEADER = struct.Struct("<IIQBBxxI")  # xl_tot_len, xl_xid, xl_prev, xl_info, xl_rmid, xl_crc
LONG_PAGE_HEADER, SHORT_PAGE_HEADER = 40, 24
BLOCK_ID_DATA_SHORT, BLOCK_ID_DATA_LONG, BLOCK_ID_ORIGIN, BLOCK_ID_TOPLEVEL_XID = 255, 254, 253, 252
HAS_IMAGE, SAME_REL = 0x10, 0x80
IMAGE_HAS_HOLE, IMAGE_COMPRESSED = 0x01, 0x04 | 0x08 | 0x10
RM_HEAP, HEAP_OPMASK, HEAP_INSERT = 10, 0x70, 0x00
HEAP_TUPLE_HEADER, WAL_HEAP_HEADER = 23, 5  # offsetof(t_bits); xl_heap_header
WALDUMP_LINE = re.compile(r"len \(rec/tot\):\s*\d+/\s*(\d+), tx:\s*(\d+), lsn: ([0-9A-F]+)/([0-9A-F]+)")


@dataclass
class Block:
    relfilenode: int
    image: bytes  # a full-page image with its hole filled, b"" if none (or compressed)
    data: bytes


@dataclass
class WalRecord:
    lsn: int
    xid: int
    rmid: int
    info: int
    blocks: list[Block]
    main: bytes

    def inserted(self) -> bytes | None:
        """A heap INSERT's new tuple, from its t_bits on: from the record's data, or, when a checkpoint
        just passed and the record carries the page's image instead, from that image."""
        if self.rmid != RM_HEAP or self.info & HEAP_OPMASK != HEAP_INSERT or not self.blocks:
            return None
        block = self.blocks[0]
        if block.data:
            return block.data[WAL_HEAP_HEADER:]
        if not block.image:
            return None
        (offnum,) = struct.unpack_from("<H", self.main)
        (item,) = struct.unpack_from("<I", block.image, SHORT_PAGE_HEADER + 4 * (offnum - 1))
        start, length = item & 0x7FFF, item >> 17
        return block.image[start + HEAP_TUPLE_HEADER : start + length]


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass
class Postgres:
    database: int
    wal_dir: Path
    waldump: Path
    timeline: int
    segment: int
    page: int
    relations: dict[int, str]  # relfilenode -> name, for the ballot and participation tables and theirs
    toast: str  # the ballot table's TOAST table, where a ballot's ciphertexts are kept

    @classmethod
    def here(cls) -> Postgres:
        from thidua.conferences.models import Ballot, Participation

        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
            cursor.execute(
                "SELECT d.oid, current_setting('data_directory'), pg_walfile_name(pg_current_wal_lsn()), "
                "(SELECT setting::int FROM pg_settings WHERE name = 'wal_segment_size'), "
                "current_setting('wal_block_size')::int FROM pg_database d WHERE d.datname = current_database()"
            )
            database, data_dir, walfile, segment, page = cursor.fetchone()
            tables = [Ballot._meta.db_table, Participation._meta.db_table]
            # The tables, their TOAST tables, and every index of either.
            cursor.execute(
                "WITH t AS (SELECT oid FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r' "
                "  UNION SELECT reltoastrelid FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'), "
                "r AS (SELECT oid FROM t UNION SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM t)) "
                "SELECT c.relfilenode, c.oid::regclass::text FROM pg_class c JOIN r ON r.oid = c.oid",
                [tables, tables],
            )
            relations = dict(cursor.fetchall())
            cursor.execute(
                "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = %s", [tables[0]]
            )
            (toast,) = cursor.fetchone()
        pg_config = shutil.which("pg_config")
        if pg_config is None:
            pytest.skip("pg_config is not on the PATH: it says where pg_waldump is")
        bindir = subprocess.run(  # noqa: S603 — the server's own tool, fixed arguments
            [pg_config, "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        wal_dir = Path(data_dir) / "pg_wal"
        if not os.access(wal_dir, os.R_OK | os.X_OK):
            pytest.skip(f"the server's WAL ({wal_dir}) is not readable by this user: its files are read here")
        return cls(
            database,
            wal_dir,
            Path(bindir) / "pg_waldump",
            int(walfile[:8], 16),
            segment,
            page,
            relations,
            toast,
        )

    def relation(self, name: str) -> int:
        return next(node for node, relation in self.relations.items() if relation == name)

    def flushed(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
            return _lsn(cursor.fetchone()[0])

    # The pages

    def pages(self, name: str) -> bytes:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT get_raw_page(%s, n::int) FROM generate_series(0, "
                "pg_relation_size(%s::regclass) / current_setting('block_size')::int - 1) n ORDER BY n",
                [name, name],
            )
            return b"".join(bytes(page) for (page,) in cursor.fetchall())

    def items(self, name: str) -> list[tuple[int, int, bytes]]:
        """Every tuple of a heap, live or dead: (xmin, lp_len, t_data)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.t_xmin::text::bigint, i.lp_len, i.t_data FROM generate_series(0, "
                "pg_relation_size(%s::regclass) / current_setting('block_size')::int - 1) n, "
                "heap_page_items(get_raw_page(%s, n::int)) i WHERE i.t_data IS NOT NULL",
                [name, name],
            )
            return [(xmin, length, bytes(data)) for xmin, length, data in cursor.fetchall()]

    # The WAL

    def _read(self, lsn: int, size: int) -> bytes:
        segment_number = lsn // self.segment
        per_id = 0x100000000 // self.segment
        name = f"{self.timeline:08X}{segment_number // per_id:08X}{segment_number % per_id:08X}"
        with (self.wal_dir / name).open("rb") as segment:
            segment.seek(lsn % self.segment)
            return segment.read(size)

    def _raw(self, lsn: int, length: int) -> bytes:
        """A record's bytes, across the page headers of the pages it spans."""
        out, at = bytearray(), lsn
        while len(out) < length:
            if at % self.page == 0:
                at += LONG_PAGE_HEADER if at % self.segment == 0 else SHORT_PAGE_HEADER
                continue
            take = min(length - len(out), self.page - at % self.page)
            out += self._read(at, take)
            at += take
        return bytes(out)

    def _decode(self, lsn: int, raw: bytes) -> WalRecord:
        total, xid, _, info, rmid, _ = RECORD_HEADER.unpack_from(raw)
        assert total == len(raw), (lsn, total, len(raw))
        at, owed, main_length, relfilenode = RECORD_HEADER.size, 0, 0, 0
        heads: list[tuple[int, int, int, int, int]] = []  # relfilenode, image length, hole at, hole, data
        while total - at > owed:
            block_id = raw[at]
            at += 1
            if block_id == BLOCK_ID_DATA_SHORT:
                main_length, at = raw[at], at + 1
                owed += main_length
            elif block_id == BLOCK_ID_DATA_LONG:
                (main_length,), at = struct.unpack_from("<I", raw, at), at + 4
                owed += main_length
            elif block_id == BLOCK_ID_ORIGIN:
                at += 2
            elif block_id == BLOCK_ID_TOPLEVEL_XID:
                at += 4
            else:
                flags, data_length = struct.unpack_from("<BH", raw, at)
                at += 3
                image_length = hole_at = hole = 0
                if flags & HAS_IMAGE:
                    image_length, hole_at, image_info = struct.unpack_from("<HHB", raw, at)
                    at += 5
                    if image_info & IMAGE_COMPRESSED:
                        if image_info & IMAGE_HAS_HOLE:
                            at += 2
                        hole = -1  # compressed: not read (a copy of a page the test reads itself)
                    elif image_info & IMAGE_HAS_HOLE:
                        hole = self.page - image_length
                if not flags & SAME_REL:
                    (relfilenode,) = struct.unpack_from("<I", raw, at + 8)
                    at += 12
                at += 4  # the block number
                heads.append((relfilenode, image_length, hole_at, hole, data_length))
                owed += image_length + data_length
        blocks = []
        for relfilenode, image_length, hole_at, hole, data_length in heads:
            image, at = raw[at : at + image_length], at + image_length
            if hole < 0:
                image = b""
            elif hole:
                image = image[:hole_at] + bytes(hole) + image[hole_at:]
            blocks.append(Block(relfilenode, image, raw[at : at + data_length]))
            at += data_length
        main = raw[at : at + main_length]
        assert at + main_length == total, (lsn, at, main_length, total)
        return WalRecord(lsn, xid, rmid, info & 0xF0, blocks, main)

    def wal(self, start: int, end: int) -> list[WalRecord]:
        """The records of this database between two LSNs: pg_waldump finds them among every database's
        (other tests write to the same server), their bytes come from the segment files."""
        dump = subprocess.run(  # noqa: S603 — the server's own tool, fixed arguments
            [
                str(self.waldump),
                "--path",
                str(self.wal_dir),
                "--timeline",
                str(self.timeline),
                "--start",
                f"{start >> 32:X}/{start & 0xFFFFFFFF:X}",
                "--end",
                f"{end >> 32:X}/{end & 0xFFFFFFFF:X}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert dump.returncode == 0, dump.stderr[-2000:]
        records = []
        for line in dump.stdout.splitlines():
            if f"/{self.database}/" not in line:
                continue
            found = WALDUMP_LINE.search(line)
            assert found, line
            lsn = (int(found[3], 16) << 32) | int(found[4], 16)
            records.append(self._decode(lsn, self._raw(lsn, int(found[1]))))
        return records


def _read_postgresql(findings: Findings, pg: Postgres, start: int, end: int, *, whole_database: bool) -> None:
    from thidua.conferences.models import Ballot, Participation

    setup = findings.setup
    ballots, participations = Ballot._meta.db_table, Participation._meta.db_table
    toast = pg.toast

    # The pages of both tables, their TOAST table and their indexes, whole: live and dead tuples, free space.
    for name in pg.relations.values():
        findings.search(f"the pages of {name}", pg.pages(name))

    # The issue's join: a ballot and a participation written by one transaction share their xmin.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.voter_key, b.receipt, b.content::text, octet_length(b.content::text), "  # noqa: S608 — table names from the models
            f"pg_column_size(b.content) FROM {ballots} b JOIN {participations} p "
            "ON b.xmin = p.xmin AND b.poll_id = p.poll_id WHERE b.poll_id = %s",
            [setup.poll.pk],
        )
        joined = cursor.fetchall()
    paired: dict[int, str] = {}
    features: dict[int, Hashable] = {}
    for voter_key, receipt, content, text_length, stored_length in joined:
        voter = _voter(voter_key.encode())
        assert voter is not None, voter_key
        findings.search(f"the ballot joined to {voter_key}", content.encode())
        paired[voter] = receipt
        features[voter] = (text_length, stored_length, _shape(json.loads(content)), len(receipt))
    findings.receipts("the ballot table", iter(paired.values()))
    findings.attack("the xmin join's ballot lengths and shapes", paired, features)

    # The same pairing from the raw tuples, dead ones included: participation, ballot and TOAST chunks
    # by xmin; the voter and the receipt read from the tuples' bytes.
    voters = {xmin: _voter(data) for xmin, _, data in pg.items(participations)}
    mine = {xmin: voter for xmin, voter in voters.items() if voter in setup.truth}
    chunks: dict[int, list[int]] = defaultdict(list)
    for xmin, length, _ in pg.items(toast):
        chunks[xmin].append(length)
    paired, features = {}, {}
    for xmin, length, data in pg.items(ballots):
        voter = mine.get(xmin)
        if voter is not None:
            paired[voter] = _receipt(data) or ""
            features[voter] = (length, tuple(sorted(chunks[xmin])))
    findings.attack("the heap pages' tuple lengths, paired by xmin", paired, features)

    # The WAL: every record of this database while delegates vote; afterwards, those of the two tables.
    records = pg.wal(start, end)
    ours = set(pg.relations)
    for record in records:
        for block in record.blocks:
            if whole_database or block.relfilenode in ours:
                where = f"WAL record {record.lsn >> 32:X}/{record.lsn & 0xFFFFFFFF:X} on relfilenode {block.relfilenode}"
                findings.search(where + " (data)", block.data + b"|" + record.main)
                # Other tables' page images are copies of pages written before, not what this phase wrote.
                if block.relfilenode in ours:
                    findings.search(where + " (page image)", block.image)
    if whole_database:
        heap, chunk_heap = pg.relation(ballots), pg.relation(toast)
        by_xid: dict[int, dict[str, Any]] = defaultdict(lambda: {"lengths": []})
        for record in records:
            tuple_bytes = record.inserted()
            if tuple_bytes is None:
                continue
            node = record.blocks[0].relfilenode
            if node == pg.relation(participations):
                by_xid[record.xid]["voter"] = _voter(tuple_bytes)
            elif node == heap:
                by_xid[record.xid]["receipt"] = _receipt(tuple_bytes)
                by_xid[record.xid]["lengths"].append(("ballot", len(tuple_bytes)))
            elif node == chunk_heap:
                by_xid[record.xid]["lengths"].append(("toast", len(tuple_bytes)))
        paired, features = {}, {}
        for seen in by_xid.values():
            if seen.get("voter") in setup.truth:
                paired[seen["voter"]] = seen.get("receipt") or ""
                features[seen["voter"]] = tuple(sorted(seen["lengths"]))
        findings.attack("the WAL's inserted tuple lengths, paired by transaction", paired, features)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_postgresql_pages_wal_log_and_audit_pair_no_delegate_with_a_choice(
    demo_restored_after_module: None, tmp_path: Path
) -> None:
    from thidua.demo.loader import load_full_demo

    load_full_demo()  # a transactional test before this one emptied the tables
    pg = Postgres.here()
    setup = _prepare()
    connections.close_all()
    with serving(tmp_path, processes=2, access_log=True) as server:
        server.start()
        with connection.cursor() as cursor:
            # The first change of each page after a checkpoint is logged as the page's image, not as the
            # row: one now makes the WAL's reading meet both kinds, every run.
            cursor.execute("CHECKPOINT")
        start, seq = pg.flushed(), _last_seq()
        _vote_over_http(server.port, setup)
        voted = pg.flushed()
        log = _complete_log(server)

    findings = Findings("poll open, 20 votes cast", setup)
    _read_log(findings, log)
    seq = _read_audit(findings, seq, voting=True)
    _read_postgresql(findings, pg, start, voted, whole_database=True)
    findings.assert_none()

    _close(setup)
    closed = pg.flushed()
    findings = Findings("poll closed", setup)
    seq = _read_audit(findings, seq, voting=False)
    _read_postgresql(findings, pg, voted, closed, whole_database=False)
    findings.assert_none()

    _count_confirm_publish(setup)
    findings = Findings("poll counted, confirmed and published", setup)
    _read_audit(findings, seq, voting=False)
    _read_postgresql(findings, pg, closed, pg.flushed(), whole_database=False)
    findings.assert_none()


# --- SQLite: the database file and its -wal, page by page

WAL_HEADER, FRAME_HEADER = 32, 24
TABLE_LEAF = 0x0D


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's variable-length integer at `at`: (value, where the next field starts)."""
    value = 0
    for index in range(8):
        byte = data[at + index]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + index + 1
    return (value << 8) | data[at + 8], at + 9


def _local(size: int, usable: int) -> int:
    """How much of a record of `size` bytes a table leaf page holds itself (the rest overflows)."""
    most = usable - 35
    if size <= most:
        return size
    least = (usable - 12) * 32 // 255 - 23
    kept = least + (size - least) % (usable - 4)
    return kept if kept <= most else least


def _cells(page: bytes, number: int, usable: int) -> list[tuple[int, int, bytes]]:
    """The rows a table leaf page holds: (rowid, the record's length, the record's bytes on the page)."""
    header = 100 if number == 1 else 0
    if page[header] != TABLE_LEAF:
        return []
    (count,) = struct.unpack_from(">H", page, header + 3)
    cells = []
    for index in range(count):
        (at,) = struct.unpack_from(">H", page, header + 8 + 2 * index)
        size, at = _varint(page, at)
        rowid, at = _varint(page, at)
        cells.append((rowid, size, page[at : at + _local(size, usable)]))
    return cells


@dataclass
class SqliteFile:
    path: Path
    # Held open from the copy to the end: the last connection to a database in WAL mode to close
    # checkpoints it and deletes the -wal, which is one of the things read here.
    reader: sqlite3.Connection

    def tables(self) -> tuple[str, str]:
        from thidua.conferences.models import Ballot, Participation

        return Ballot._meta.db_table, Participation._meta.db_table

    def owners(self) -> dict[int, str]:
        """The pages of the two tables and their indexes, by number: whose page each is."""
        tables = self.tables()
        rows = self.reader.execute(
            "SELECT pageno, name FROM dbstat WHERE name IN "
            "(SELECT name FROM sqlite_schema WHERE tbl_name IN (?, ?))",
            tables,
        )
        return dict(rows.fetchall())

    def pages(self) -> tuple[int, dict[int, bytes]]:
        """(usable bytes per page, the file's pages by number)."""
        data = self.path.read_bytes()
        (size,) = struct.unpack_from(">H", data, 16)
        size = 65536 if size == 1 else size
        usable = size - data[20]
        return usable, {n // size + 1: data[n : n + size] for n in range(0, len(data), size)}

    def frames(self) -> list[tuple[int, bytes]]:
        """Every frame of the -wal, the ones a checkpoint left behind included: (page number, page)."""
        wal = Path(f"{self.path}-wal")
        data = wal.read_bytes() if wal.exists() else b""
        if len(data) < WAL_HEADER:
            return []
        (size,) = struct.unpack_from(">I", data, 8)
        step = FRAME_HEADER + size
        return [
            (struct.unpack_from(">I", data, at)[0], data[at + FRAME_HEADER : at + step])
            for at in range(WAL_HEADER, len(data) - step + 1, step)
        ]

    def last_rowids(self) -> dict[str, int]:
        return {
            table: self.reader.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]  # noqa: S608 — names from the models
            for table in self.tables()
        }


@contextmanager
def _on_file(path: Path) -> Iterator[SqliteFile]:
    """The suite's database copied into a file, and this thread's Django connection pointed at it until
    the block ends (the test's own transaction stays on the in-memory database, untouched)."""
    memory = connections["default"]
    memory.ensure_connection()
    # The bytes of the database as this connection sees it (its backup would wait on the lock the test's
    # own transaction holds).
    path.write_bytes(memory.connection.serialize())
    backend = load_backend(memory.settings_dict["ENGINE"])
    on_file = backend.DatabaseWrapper({**memory.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = on_file
    try:
        on_file.ensure_connection()  # its init_command puts the file in WAL mode, as production runs
        reader = sqlite3.connect(path)
        try:
            yield SqliteFile(path, reader)
        finally:
            reader.close()
    finally:
        on_file.close()
        connections["default"] = memory


@contextmanager
def _serving_file(tmp_path: Path, path: Path) -> Iterator[Server]:
    """tests/live.py's gunicorn, on the SQLite file instead of the suite's PostgreSQL database."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": "",
        "THIDUA_SQLITE_PATH": str(path),
        "THIDUA_REDIS_URL": "",
        "THIDUA_SECRET_KEY": settings.SECRET_KEY,
        "THIDUA_ALLOWED_HOSTS": HOST,
        "THIDUA_VAR_DIR": str(tmp_path / "var"),
        "THIDUA_DEBUG": "",
    }
    running = Server(free_port(), env, tmp_path / "gunicorn.log", processes=2, access_log=True)
    try:
        yield running
    finally:
        running.kill_all()


def _read_sqlite(findings: Findings, db: SqliteFile, before: Mapping[str, int], *, whole_wal: bool) -> None:
    setup = findings.setup
    ballots, participations = db.tables()
    owners = db.owners()
    usable, pages = db.pages()
    frames = db.frames()

    # The two tables' and their indexes' pages, whole (free space and freed cells included), as the file
    # holds them and as every frame of the -wal does; while delegates vote, every frame of the -wal.
    for number, owner in owners.items():
        findings.search(f"page {number} of the file ({owner})", pages.get(number, b""))
    for index, (number, page) in enumerate(frames):
        if whole_wal or number in owners:
            findings.search(f"frame {index} of the -wal (page {number}, {owners.get(number, '?')})", page)

    # Both tables give each new row the next rowid: the n-th participation since the poll opened and
    # the n-th ballot are one vote. First as SQL reads them…
    voters = db.reader.execute(
        f"SELECT voter_key FROM {participations} WHERE poll_id = ? AND rowid > ? ORDER BY rowid",  # noqa: S608 — names from the models
        [setup.poll.pk, before[participations]],
    ).fetchall()
    rows = db.reader.execute(
        f"SELECT receipt, content, length(CAST(content AS BLOB)) FROM {ballots} "  # noqa: S608 — names from the models
        "WHERE poll_id = ? AND rowid > ? ORDER BY rowid",
        [setup.poll.pk, before[ballots]],
    ).fetchall()
    paired: dict[int, str] = {}
    features: dict[int, Hashable] = {}
    for (voter_key,), (receipt, content, length) in zip(voters, rows, strict=True):
        voter = _voter(voter_key.encode())
        assert voter is not None, voter_key
        findings.search(f"the ballot paired with {voter_key}", content.encode())
        paired[voter] = receipt
        features[voter] = (length, _shape(json.loads(content)), len(receipt))
    findings.receipts("the ballot table", iter(paired.values()))
    findings.attack("the rowid pairing's ballot lengths and shapes", paired, features)

    # …then from the bytes of the pages, in the file and in every frame of the -wal.
    seen: dict[str, dict[int, tuple[int, bytes]]] = {ballots: {}, participations: {}}
    for number, page in [*pages.items(), *frames]:
        table = owners.get(number)
        if table in seen:
            for rowid, size, record in _cells(page, number, usable):
                if rowid > before[table]:
                    seen[table][rowid] = (size, record)
    voters_seen = [_voter(record) for _, (_, record) in sorted(seen[participations].items())]
    ballots_seen = [seen[ballots][rowid] for rowid in sorted(seen[ballots])]
    paired, features = {}, {}
    for voter, (size, record) in zip(voters_seen, ballots_seen, strict=True):
        if voter is not None:
            paired[voter] = _receipt(record) or ""
            features[voter] = size
    findings.attack("the pages' record lengths, paired by rowid", paired, features)


@sqlite_only
@pytest.mark.django_db
def test_the_sqlite_file_wal_log_and_audit_pair_no_delegate_with_a_choice(tmp_path: Path) -> None:
    with _on_file(tmp_path / "thidua.sqlite3") as db:
        setup = _prepare()
        # The -wal starts empty: every frame in it from here on was written by the votes.
        busy, _, _ = db.reader.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
        before, seq = db.last_rowids(), _last_seq()
        with _serving_file(tmp_path, db.path) as server:
            server.start()
            _vote_over_http(server.port, setup)
            log = _complete_log(server)

        findings = Findings("poll open, 20 votes cast", setup)
        _read_log(findings, log)
        seq = _read_audit(findings, seq, voting=True)
        _read_sqlite(findings, db, before, whole_wal=True)
        findings.assert_none()

        _close(setup)
        findings = Findings("poll closed", setup)
        seq = _read_audit(findings, seq, voting=False)
        _read_sqlite(findings, db, before, whole_wal=False)
        findings.assert_none()

        _count_confirm_publish(setup)
        findings = Findings("poll counted, confirmed and published", setup)
        _read_audit(findings, seq, voting=False)
        _read_sqlite(findings, db, before, whole_wal=False)
        # Copied into the file, the pages are read there once more.
        db.reader.execute("PRAGMA wal_checkpoint(PASSIVE)")
        _read_sqlite(findings, db, before, whole_wal=False)
        findings.assert_none()
