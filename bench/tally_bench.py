"""Speed of the poll tally (issue 4), as a ratio against a bare ``collections.Counter`` in the same run.

Goal (issue 4): tallying 100,000 ballots takes well under a second. The tally is pure Python
(thidua/conferences/rules.py), so it is timed in process, without Django or a database: what a poll's
close pays once its ballots are loaded. The baseline is the least any tally must do, one
``Counter`` over the same ballots' selections; the ratio says what the rules add to it.

What it does:
1. builds N random ballots (seeded, so every run counts the same ones) for two polls of 7 choices:
   suy tôn (APPROVE_EACH, 1 seat, each nominee approved with probability 0.6, so 0.4^7 ≈ 0.2% blank)
   and an election (PICK_UP_TO, 2 seats, 0, 1 or 2 picks per ballot equally likely, the 0 being blank);
2. for each poll and round, times the baseline then ``rules.tally`` on the same list;
3. prints the median of the rounds for each, the ratio, and whether the goal is met (exit status 0
   only if it is, for both polls); for reference, also the time of building the ``BallotContent``
   objects from lists as stored in the Ballot rows, which a poll's close pays before the tally.

Usage, from the project root:
    .venv/bin/python -m bench.tally_bench [--ballots 100000] [--rounds 7] [--seed 2023]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from functools import partial

from bench.harness import cpu_name
from thidua.conferences import rules

CHOICES = ("NB", "TH", "NA", "HT", "QB", "QT", "HUE")  # Cụm 4's seven members (DOMAIN.md)
GOAL_SECONDS = 1.0


def _spec(method: rules.Method, seats: int, max_picks: int, voters: int) -> rules.PollSpec:
    return rules.PollSpec(
        method=method,
        choices=CHOICES,
        seats=seats,
        max_picks=max_picks,
        threshold=rules.Threshold(Fraction(1, 2), inclusive=False),
        base=rules.Base.PRESENT,
        eligible=voters,
        members=len(CHOICES),
        quorum=Fraction(2, 3),
    )


def approve_each_ballots(rng: random.Random, count: int) -> list[rules.BallotContent]:
    return [
        rules.BallotContent(frozenset(key for key in CHOICES if rng.random() < 0.6)) for _ in range(count)
    ]


def pick_up_to_ballots(rng: random.Random, count: int) -> list[rules.BallotContent]:
    return [rules.BallotContent(frozenset(rng.sample(CHOICES, rng.randint(0, 2)))) for _ in range(count)]


def _contents(stored: list[list[str]]) -> list[rules.BallotContent]:
    return [rules.BallotContent(frozenset(s)) for s in stored]


def _seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def measure(
    spec: rules.PollSpec, ballots: list[rules.BallotContent], rounds: int
) -> tuple[float, float, rules.Tally]:
    baseline: list[float] = []
    tallied: list[float] = []
    result = rules.tally(spec, ballots)  # warm-up, and the result to show
    for _ in range(rounds):
        baseline.append(_seconds(lambda: Counter(b.selections for b in ballots)))
        tallied.append(_seconds(lambda: rules.tally(spec, ballots)))
    return statistics.median(baseline), statistics.median(tallied), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)  # noqa: S311 -- seeded sample ballots, reproducible, not a secret
    polls = [
        (
            "APPROVE_EACH, 7 choices, 1 seat",
            _spec(rules.Method.APPROVE_EACH, 1, 1, args.ballots),
            approve_each_ballots,
        ),
        (
            "PICK_UP_TO, 7 choices, 2 seats, ≤ 2 picks",
            _spec(rules.Method.PICK_UP_TO, 2, 2, args.ballots),
            pick_up_to_ballots,
        ),
    ]
    print(
        f"{datetime.date.today().isoformat()}, Python {platform.python_version()}, {os.cpu_count()} CPU(s), "
        f"{cpu_name()}; {args.ballots:,} ballots, median of {args.rounds} rounds"
    )
    print()
    print("| Poll | ballots | distinct contents | Counter baseline | `rules.tally` | ratio | elected |")
    print("|---|---:|---:|---:|---:|---:|---|")
    met = True
    built: list[float] = []
    for name, spec, build in polls:
        ballots = build(rng, args.ballots)
        distinct = len({b.selections for b in ballots})
        baseline, tallied, result = measure(spec, ballots, args.rounds)
        met = met and tallied < GOAL_SECONDS
        stored = [sorted(b.selections) for b in ballots]  # as a JSON list in the Ballot row
        built.append(statistics.median(_seconds(partial(_contents, stored)) for _ in range(args.rounds)))
        print(
            f"| {name} | {len(ballots):,} | {distinct} | {baseline * 1000:.1f} ms | {tallied * 1000:.1f} ms | "
            f"{tallied / baseline:.2f} | {', '.join(result.elected) or '—'} |"
        )
    print()
    print(
        "For reference, not part of the tally: building the BallotContent objects from stored lists, "
        f"as a poll's close does: {' and '.join(f'{t * 1000:.1f} ms' for t in built)}."
    )
    print(f"Goal, under {GOAL_SECONDS:g} s per {args.ballots:,} ballots: {'met' if met else 'missed'}.")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
