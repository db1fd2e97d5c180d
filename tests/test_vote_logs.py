"""What votes leave in gunicorn's access log, written as `make run` writes it (issue 14, part 4): the
voting pages' lines carry no code and no choice, and the size each line records is the same whatever
the choice.

PostgreSQL only: gunicorn must reach the test database (see tests/live.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from django.db import connections

from tests.live import Server, exchange, serving
from thidua.web.padding import BUCKET

pytestmark = pytest.mark.django_db(transaction=True)

# gunicorn's default access log line: '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'.
LINE = re.compile(
    r'^\S+ \S+ \S+ \[[^\]]+\] "(?P<request>[^"]*)" (?P<status>\d{3}) (?P<size>\S+) "(?P<referer>[^"]*)"'
)


@dataclass(frozen=True)
class Setup:
    conference_pk: int
    poll_pk: int
    cards: list[tuple[str, str]]  # (code, choice key) for each voting delegate
    words: list[str]  # every code and choice, as typed, normalized, labelled and URL-encoded


def _prepare() -> Setup:
    from thidua.accounts.models import User
    from thidua.conferences import codes, services
    from thidua.conferences.tests import helpers
    from thidua.demo.loader import load_full_demo

    load_full_demo()
    quangtri = User.objects.get(username="quangtri")
    conference = helpers.conference_2026_with_voters(quangtri, title="Hội nghị kiểm thử nhật ký truy cập")
    issued = services.issue_codes(actor=quangtri, conference=conference)
    poll = services.create_election_poll(actor=quangtri, conference=conference, role="head")
    poll = services.open_poll(actor=quangtri, poll=poll)
    choices = list(poll.choices.values_list("key", "label"))
    keys = [key for key, _ in choices] + [services.BLANK]
    cards = [(item.code, keys[index % len(keys)]) for index, item in enumerate(issued)]
    words = [label for _, label in choices] + keys
    for item in issued:
        words += [item.code, codes.normalize(item.code) or ""]
    words += [quote(w) for w in words] + [quote_plus(w) for w in words]
    connections.close_all()
    return Setup(conference.pk, poll.pk, cards, words)


@pytest.fixture
def server(demo_restored_after_module: None, tmp_path: Path) -> Iterator[Server]:
    with serving(tmp_path, processes=2, access_log=True) as running:
        yield running


def test_the_voting_pages_log_lines_carry_no_code_no_choice_and_one_size_whatever_the_choice(
    server: Server,
) -> None:
    setup = _prepare()
    server.start()
    path = f"/bo-phieu/{setup.conference_pk}/"
    steps = ("open", "ballot", "review", "cast")
    for code, key in setup.cards:
        assert exchange(server.port, "GET", path).status == 200
        assert exchange(server.port, "POST", path, {"code": code, "step": "list"}).status == 200
        form = {"code": code, "poll": str(setup.poll_pk), "choice": key}
        assert exchange(server.port, "POST", path, {**form, "step": "review"}).status == 200
        assert exchange(server.port, "POST", path, {**form, "step": "cast"}).status == 200
    # A worker writes a request's line after its response has left, so the last line may still be on
    # its way when the client has its answer: wait for every line before reading them.
    expected = len(steps) * len(setup.cards)
    deadline = time.monotonic() + 10
    while True:
        log = server.log.read_text(encoding="utf-8")
        lines = [LINE.match(line) for line in log.splitlines() if "/bo-phieu/" in line]
        if len(lines) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(lines) == expected and all(lines), log[-3000:]
    for line in log.splitlines():
        for word in setup.words:
            assert word not in line, f"«{word}» in the access log: {line}"
    sizes: dict[str, set[int]] = {step: set() for step in steps}
    for index, match in enumerate(lines):
        assert match is not None
        assert match["request"] in (f"GET {path} HTTP/1.1", f"POST {path} HTTP/1.1"), match["request"]
        sizes[steps[index % len(steps)]].add(int(match["size"]))
    # The ballot opens for six delegates of six organizations, each picking another choice or the blank.
    assert {step: len(found) for step, found in sizes.items()} == dict.fromkeys(steps, 1), sizes
    assert all(size % BUCKET == 0 for step in ("ballot", "review", "cast") for size in sizes[step])
    assert not server.problems()
