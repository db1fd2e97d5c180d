"""Ballots: one ciphertext of 0 or 1 per slot (the candidates, then "Phiếu trắng"), each with its
disjunctive Chaum–Pedersen proof, and the proof that Σ candidates + limit·blank lies in 1…limit; their
encryption, their checks (in parallel at the count) and their sums."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from thidua.lib.elgamal.group import (
    BLANK_LABEL,
    GENERATOR,
    IDENTITY,
    ORDER,
    POINT_BYTES,
    BadBallot,
    Invalid,
    SodiumError,
    add,
    b64,
    base,
    check_public,
    framed,
    hash_to_scalar,
    mul,
    point_from,
    random_scalar,
    scalar_bytes,
    scalar_from,
    secret_scalar,
    sub,
)

# --- ciphertexts, proofs, ballots


@dataclass(frozen=True)
class Ciphertext:
    """(a, b) = (r·G, m·G + r·Y): m is 0 or 1 for a slot, a count for a total; r is forgotten."""

    a: bytes
    b: bytes

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(add(self.a, other.a), add(self.b, other.b))


@dataclass(frozen=True)
class Proof:
    """A disjunctive Chaum–Pedersen proof (Cramer–Damgård–Schoenmakers) that a ciphertext encrypts one of a
    list of values, in its short form: one challenge and one response per value. The commitments are
    recomputed by the verifier from them, and the challenges must add up to the Fiat–Shamir hash."""

    challenges: tuple[int, ...]
    responses: tuple[int, ...]

    def to_bytes(self) -> bytes:
        return b"".join(scalar_bytes(c) for c in self.challenges) + b"".join(
            scalar_bytes(z) for z in self.responses
        )


def _statement(public: bytes, context: bytes, kind: bytes, slot: int, values: Sequence[int]) -> bytes:
    """What a proof is bound to besides its ciphertext: the poll (context), its key, which slot (or the
    sum) and the allowed values. A proof copied into another poll, another slot or another limit then
    fails, because its challenges no longer add up to the hash."""
    return (
        b"thidua ballot proof\x00"
        + framed(context)
        + public
        + kind
        + slot.to_bytes(4, "big")
        + len(values).to_bytes(4, "big")
        + b"".join(v.to_bytes(4, "big") for v in values)
    )


def _verify(
    public: bytes,
    statement: bytes,
    ciphertext: Ciphertext,
    values: Sequence[int],
    proof: Proof,
    secret: int | None,
) -> bool:
    """Recompute each branch's commitments (z·G − c·a, z·Y − c·(b − v·G)) and check that the challenges add
    up to their hash.

    With the secret x known (at the count), z·Y = (z·x)·G: a fixed-base multiplication, several times
    cheaper than a variable-base one, and c·v·G folds into the same one. The numbers hashed are the same
    either way, so the answer is too.
    """
    if len(proof.challenges) != len(values) or len(proof.responses) != len(values):
        return False
    commitments: list[bytes] = []
    try:
        for challenge, response, allowed in zip(proof.challenges, proof.responses, values, strict=True):
            t_a = sub(base(response), mul(challenge, ciphertext.a))
            if secret is None:
                t_b = sub(add(mul(response, public), base(challenge * allowed)), mul(challenge, ciphertext.b))
            else:
                t_b = sub(base(response * secret + challenge * allowed), mul(challenge, ciphertext.b))
            commitments.append(t_a + t_b)
    except SodiumError:
        # A point outside the group, which libsodium's multiplication refuses: the proof cannot hold.
        return False
    expected = hash_to_scalar(statement, ciphertext.a, ciphertext.b, *commitments)
    return sum(proof.challenges) % ORDER == expected


def slot_name(slot: int, slots: int) -> str:
    return BLANK_LABEL if slot == slots - 1 else f"phương án {slot + 1}"


def _weighted_sum(ciphertexts: Sequence[Ciphertext], limit: int) -> Ciphertext:
    """Σ candidate slots + limit·blank: the ciphertext the ballot's sum proof is about."""
    total = Ciphertext(IDENTITY, IDENTITY)
    for ciphertext in ciphertexts[:-1]:
        total = total + ciphertext
    blank = ciphertexts[-1]
    if limit == 1:  # the common single-choice poll: no multiplication
        return total + blank
    return total + Ciphertext(mul(limit, blank.a), mul(limit, blank.b))


def _sum_values(limit: int) -> tuple[int, ...]:
    return tuple(range(1, limit + 1))


_BIT_VALUES = (0, 1)


def _proof_from(data: object, what: str, branches: int | None) -> Proof:
    if not isinstance(data, dict) or set(data) != {"c", "z"}:
        raise Invalid(f"{what}: phải có đúng hai khóa 'c' và 'z'.")
    challenges, responses = data["c"], data["z"]
    if not isinstance(challenges, list) or not isinstance(responses, list):
        raise Invalid(f"{what}: 'c' và 'z' phải là danh sách.")
    if len(challenges) != len(responses) or not challenges:
        raise Invalid(f"{what}: 'c' và 'z' phải có cùng số phần tử, ít nhất một.")
    if branches is not None and len(challenges) != branches:
        raise Invalid(f"{what}: có {len(challenges)} nhánh, cần {branches}.")
    return Proof(
        tuple(scalar_from(c, f"{what}, c[{i}]") for i, c in enumerate(challenges)),
        tuple(scalar_from(z, f"{what}, z[{i}]") for i, z in enumerate(responses)),
    )


def _proof_dict(proof: Proof) -> dict[str, list[str]]:
    return {
        "c": [b64(scalar_bytes(c)) for c in proof.challenges],
        "z": [b64(scalar_bytes(z)) for z in proof.responses],
    }


@dataclass(frozen=True)
class Ballot:
    """One voter's encrypted ballot: a ciphertext of 0 or 1 per slot (the candidates, then "Phiếu trắng"),
    each with its 0-or-1 proof, and the proof that Σ candidates + limit·blank lies in 1…limit."""

    ciphertexts: tuple[Ciphertext, ...]
    proofs: tuple[Proof, ...]
    sum_proof: Proof

    def to_bytes(self) -> bytes:
        """The canonical bytes the receipt hashes: every a‖b, then every slot proof, then the sum proof,
        each proof as its challenges then its responses (32 bytes each, little-endian scalars)."""
        return (
            b"".join(c.a + c.b for c in self.ciphertexts)
            + b"".join(p.to_bytes() for p in self.proofs)
            + self.sum_proof.to_bytes()
        )

    def receipt(self) -> str:
        """SHA-256 (hex) of the canonical bytes: what the voter keeps and finds in the published record."""
        return hashlib.sha256(self.to_bytes()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, with one spelling per ballot (unpadded base64url of canonical values)."""
        return {
            "ciphertexts": [[b64(c.a), b64(c.b)] for c in self.ciphertexts],
            "proofs": [_proof_dict(p) for p in self.proofs],
            "sum_proof": _proof_dict(self.sum_proof),
        }

    @classmethod
    def from_dict(cls, data: object, slots: int, *, check_points: bool = True) -> Ballot:
        """Read a ballot back, checking its shape, every length and every point; ``Invalid`` otherwise.

        ``check_points=False`` skips only the subgroup check of the ciphertexts' points (about a third of a
        multiplication each), for the count, where ``check_ballots`` follows at once: its multiplications
        refuse any point outside the group, so such a ballot still fails there.
        """
        if not isinstance(data, dict) or set(data) != {"ciphertexts", "proofs", "sum_proof"}:
            raise Invalid("Phiếu phải có đúng ba phần: 'ciphertexts', 'proofs', 'sum_proof'.")
        pairs, proofs = data["ciphertexts"], data["proofs"]
        if not isinstance(pairs, list) or len(pairs) != slots:
            raise Invalid(f"Phiếu phải có {slots} bản mã, mỗi lựa chọn một bản.")
        if not isinstance(proofs, list) or len(proofs) != slots:
            raise Invalid(f"Phiếu phải có {slots} bằng chứng, mỗi lựa chọn một bằng chứng.")
        ciphertexts = []
        for slot, pair in enumerate(pairs):
            name = f"Bản mã của {slot_name(slot, slots)}"
            if not isinstance(pair, list) or len(pair) != 2:
                raise Invalid(f"{name}: phải là một cặp hai điểm.")
            ciphertexts.append(
                Ciphertext(
                    point_from(pair[0], name, check=check_points),
                    point_from(pair[1], name, check=check_points),
                )
            )
        return cls(
            tuple(ciphertexts),
            tuple(
                _proof_from(p, f"Bằng chứng của {slot_name(slot, slots)}", len(_BIT_VALUES))
                for slot, p in enumerate(proofs)
            ),
            _proof_from(data["sum_proof"], "Bằng chứng về số phương án được chọn", None),
        )


def check_shape(slots: int, limit: int) -> None:
    if slots < 2:
        raise Invalid("Cuộc bỏ phiếu cần ít nhất một phương án và ô Phiếu trắng.")
    if limit < 1:
        raise Invalid("Số phương án được chọn tối đa phải từ 1 trở lên.")


@dataclass(frozen=True)
class _SlotKit:
    """One slot's share of a kit: everything its ciphertext and its 0-or-1 proof need but the pick.

    ``b`` is the ciphertext's second point for a pick of 0 and of 1; ``real`` the true branch's
    commitment (w·G ‖ w·Y), whichever branch is true; ``simulated`` the other branch's commitment,
    (u·G ‖ u·Y − c·(m − v)·G), for m = 0 (v = 1) and for m = 1 (v = 0)."""

    randomness: int
    a: bytes
    b: tuple[bytes, bytes]
    nonce: int
    real: bytes
    challenge: int
    u: int
    simulated: tuple[bytes, bytes]


@dataclass(frozen=True)
class _SumBranch:
    """One value of the sum proof, ready to be simulated: (c, u, u·G, u·Y); or its true branch's nonce."""

    challenge: int
    u: int
    u_g: bytes
    u_y: bytes


@dataclass(frozen=True)
class Kit:
    """All of one ballot's encryption that does not depend on the picks: its randomness, every
    multiplication by the poll's key and every commitment, for a poll of ``slots`` slots and a limit of
    ``limit``. Finishing it with the picks (`finish_ballot`) costs a few hashes and no multiplication by
    the key, so a kit made before the vote takes most of the encryption out of the cast.

    A kit is as secret as the choice it will carry: its randomness decrypts the ballot. It lives in the
    memory of the process that made it, is used for one ballot, and is never written anywhere
    (thidua/conferences/kits.py)."""

    public: bytes
    slots: tuple[_SlotKit, ...]
    limit: int
    sum_a: bytes  # R·G, the sum ciphertext's first point, R = Σ candidates' r + limit·blank's r
    sum_b: tuple[bytes, ...]  # R·Y + v·G for v = 1…limit
    sum_randomness: int
    sum_nonce: int
    sum_real: bytes
    sum_branches: tuple[_SumBranch, ...]  # one per value 1…limit, simulated unless it is the true one


# What a kit made for known picks holds in place of the points those picks never use.
_UNUSED = b""


def prepare_kit(public: bytes, slots: int, limit: int, *, picks: Sequence[int] | None = None) -> Kit:
    """A fresh kit for one ballot of a poll with key ``public``, ``slots`` slots (the blank's included)
    and ``limit`` picks at most: about the cost of one encryption, paid before the picks are known.

    With ``picks`` (`encrypt_ballot`, which has them already), only the points those picks use are
    computed: the encryption then costs what it would without a kit."""
    check_public(public)
    check_shape(slots, limit)

    def needed(slot: int, pick: int) -> bool:
        return picks is None or picks[slot] == pick

    parts = []
    for slot in range(slots):
        r, nonce, challenge, u = random_scalar(), random_scalar(), random_scalar(), random_scalar()
        r_y, u_y = mul(r, public), mul(u, public)
        u_g = base(u)
        parts.append(
            _SlotKit(
                randomness=r,
                a=base(r),
                b=(r_y, add(r_y, GENERATOR) if needed(slot, 1) else _UNUSED),
                nonce=nonce,
                real=base(nonce) + mul(nonce, public),
                challenge=challenge,
                u=u,
                # m = 0 simulates v = 1: u·Y + c·G; m = 1 simulates v = 0: u·Y − c·G.
                simulated=(
                    u_g + add(u_y, base(challenge)) if needed(slot, 0) else _UNUSED,
                    u_g + add(u_y, base(-challenge)) if needed(slot, 1) else _UNUSED,
                ),
            )
        )
    randomness = [p.randomness for p in parts]
    total = (sum(randomness[:-1]) + limit * randomness[-1]) % ORDER
    total_y = mul(total, public)
    nonce = random_scalar()
    branches = []
    for _ in range(limit if limit > 1 else 0):  # a single value has no branch to simulate
        challenge, u = random_scalar(), random_scalar()
        branches.append(_SumBranch(challenge, u, base(u), mul(u, public)))
    return Kit(
        public=public,
        slots=tuple(parts),
        limit=limit,
        sum_a=base(total),
        sum_b=tuple(
            add(total_y, base(value)) if picks is None or value == _weighted(picks, limit) else _UNUSED
            for value in _sum_values(limit)
        ),
        sum_randomness=total,
        sum_nonce=nonce,
        sum_real=base(nonce) + mul(nonce, public),
        sum_branches=tuple(branches),
    )


def _weighted(picks: Sequence[int], limit: int) -> int:
    """Σ candidates + limit·blank: the value the sum proof is about."""
    return sum(picks[:-1]) + limit * picks[-1]


def _check_picks(picks: Sequence[int], limit: int) -> None:
    """A valid ballot is "Phiếu trắng" alone, or 1…limit candidates; ``Invalid`` otherwise."""
    check_shape(len(picks), limit)
    if any(p not in (0, 1) for p in picks):
        raise Invalid("Mỗi lựa chọn chỉ nhận 0 hoặc 1.")
    chosen, blank = sum(picks[:-1]), picks[-1]
    if blank and chosen:
        raise Invalid("Phiếu trắng không được chọn kèm phương án nào.")
    if not blank and chosen == 0:
        raise Invalid("Chưa chọn phương án nào: chọn ít nhất một phương án, hoặc Phiếu trắng.")
    if chosen > limit:
        raise Invalid(f"Chỉ được chọn tối đa {limit} phương án, phiếu này chọn {chosen}.")


def _bit_proof(statement: bytes, part: _SlotKit, ciphertext: Ciphertext, pick: int) -> Proof:
    """A slot's disjunctive Chaum–Pedersen proof, finished from its kit with no multiplication.

    The true branch is an honest Chaum–Pedersen proof; the other is simulated from a chosen challenge and
    response. Knowing r, the simulated commitment is written with a fresh u as (u·G, u·Y − c·(m − v)·G),
    which the kit holds for either pick: its response is u + c·r, the true one w + c'·r, where c' makes
    the challenges add up to the Fiat–Shamir hash."""
    commitments = [part.real if branch == pick else part.simulated[pick] for branch in _BIT_VALUES]
    total = hash_to_scalar(statement, ciphertext.a, ciphertext.b, *commitments)
    real = (total - part.challenge) % ORDER
    challenges = tuple(real if branch == pick else part.challenge for branch in _BIT_VALUES)
    responses = tuple(
        (part.nonce + real * part.randomness) % ORDER
        if branch == pick
        else (part.u + part.challenge * part.randomness) % ORDER
        for branch in _BIT_VALUES
    )
    return Proof(challenges, responses)


def _sum_proof(statement: bytes, kit: Kit, weighted: int) -> Proof:
    """The proof that the weighted sum is among 1…limit, from the kit: one fixed-base multiplication per
    simulated value (its commitment depends on the true value), none by the key."""
    values = _sum_values(kit.limit)
    ciphertext = Ciphertext(kit.sum_a, kit.sum_b[weighted - 1])
    commitments = []
    for branch, allowed in enumerate(values):
        if allowed == weighted:
            commitments.append(kit.sum_real)
            continue
        simulated = kit.sum_branches[branch]
        correction = base(-simulated.challenge * (weighted - allowed))
        commitments.append(simulated.u_g + add(simulated.u_y, correction))
    total = hash_to_scalar(statement, ciphertext.a, ciphertext.b, *commitments)
    others = sum(b.challenge for v, b in zip(values, kit.sum_branches, strict=False) if v != weighted)
    real = (total - others) % ORDER
    challenges, responses = [], []
    for branch, allowed in enumerate(values):
        if allowed == weighted:
            challenges.append(real)
            responses.append((kit.sum_nonce + real * kit.sum_randomness) % ORDER)
        else:
            simulated = kit.sum_branches[branch]
            challenges.append(simulated.challenge)
            responses.append((simulated.u + simulated.challenge * kit.sum_randomness) % ORDER)
    return Proof(tuple(challenges), tuple(responses))


def finish_ballot(kit: Kit, context: bytes, picks: Sequence[int]) -> Ballot:
    """Encrypt one voter's picks with a kit made for this poll's key, slots and limit: the ballot
    `encrypt_ballot` would make, at the cost of a few hashes. The picks are checked as there."""
    if len(picks) != len(kit.slots):
        raise Invalid(f"Phiếu phải có {len(kit.slots)} lựa chọn, kể cả Phiếu trắng.")
    _check_picks(picks, kit.limit)
    public, slots, limit = kit.public, len(picks), kit.limit
    ciphertexts = tuple(Ciphertext(p.a, p.b[pick]) for p, pick in zip(kit.slots, picks, strict=True))
    proofs = tuple(
        _bit_proof(_statement(public, context, b"bit", slot, _BIT_VALUES), part, ciphertext, pick)
        for slot, (part, ciphertext, pick) in enumerate(zip(kit.slots, ciphertexts, picks, strict=True))
    )
    if any(
        p.b[pick] == _UNUSED or p.simulated[pick] == _UNUSED for p, pick in zip(kit.slots, picks, strict=True)
    ):
        raise ValueError("kit made for other picks")
    statement = _statement(public, context, b"sum", slots, _sum_values(limit))
    weighted = _weighted(picks, limit)
    return Ballot(ciphertexts, proofs, _sum_proof(statement, kit, weighted))


def encrypt_ballot(public: bytes, context: bytes, picks: Sequence[int], limit: int) -> Ballot:
    """Encrypt one voter's picks: one 0/1 per candidate slot, then the "Phiếu trắng" slot last.

    A valid ballot is "Phiếu trắng" alone, or 1…limit candidates; anything else is refused here, before
    any encryption, with ``Invalid`` (the ballot's proofs could not be made for it anyway). ``context``
    names the poll: the proofs are bound to it, so the ballot counts in this poll only.
    """
    check_public(public)
    _check_picks(picks, limit)
    return finish_ballot(prepare_kit(public, len(picks), limit, picks=picks), context, picks)


def _ballot_problem(
    public: bytes, context: bytes, ballot: Ballot, slots: int, limit: int, secret: int | None
) -> str | None:
    """What is wrong with ``ballot``, in Vietnamese, or None: the shape, each slot's 0-or-1 proof, then the
    sum proof. The first failure is enough to refuse it."""
    if len(ballot.ciphertexts) != slots or len(ballot.proofs) != slots:
        return f"Phiếu phải có {slots} bản mã và {slots} bằng chứng."
    if any(not isinstance(p, bytes) or len(p) != POINT_BYTES for c in ballot.ciphertexts for p in (c.a, c.b)):
        # libsodium's bindings raise TypeError on a wrong length; a ballot built by hand gets a message.
        return f"Mỗi điểm của phiếu phải dài {POINT_BYTES} byte."
    values = _sum_values(limit)
    if len(ballot.sum_proof.challenges) != len(values):
        return f"Bằng chứng về số phương án được chọn phải có {limit} nhánh."
    for slot, (ciphertext, proof) in enumerate(zip(ballot.ciphertexts, ballot.proofs, strict=True)):
        statement = _statement(public, context, b"bit", slot, _BIT_VALUES)
        if not _verify(public, statement, ciphertext, _BIT_VALUES, proof, secret):
            return f"Bằng chứng của {slot_name(slot, slots)} không đúng."
    try:
        weighted = _weighted_sum(ballot.ciphertexts, limit)
    except SodiumError:
        return "Phiếu có điểm không thuộc nhóm."
    statement = _statement(public, context, b"sum", slots, values)
    if not _verify(public, statement, weighted, values, ballot.sum_proof, secret):
        return (
            f"Bằng chứng về số phương án được chọn không đúng (phải chọn từ 1 đến {limit} phương án, "
            "hoặc chỉ Phiếu trắng)."
        )
    return None


def check_ballot(public: bytes, context: bytes, ballot: Ballot, slots: int, limit: int) -> None:
    """Check one ballot's proofs against the poll (public key, context, slots, limit); ``Invalid`` if any
    fails. For a ballot from outside; what ``encrypt_ballot`` has just made needs none (checking costs
    about three times the encryption), and the count checks every ballot anyway."""
    check_public(public)
    check_shape(slots, limit)
    problem = _ballot_problem(public, context, ballot, slots, limit, None)
    if problem is not None:
        raise Invalid(problem)


def _check_chunk(
    ballots: Sequence[Ballot],
    start: int,
    public: bytes,
    context: bytes,
    slots: int,
    limit: int,
    secret: int | None,
    every: bool,
) -> list[tuple[int, str]]:
    """The problems of a slice of ballots that begins at ``start``, as (index, message). Stops at the first
    unless ``every`` (a published record lists them all)."""
    problems = []
    for offset, ballot in enumerate(ballots):
        problem = _ballot_problem(public, context, ballot, slots, limit, secret)
        if problem is not None:
            problems.append((start + offset, problem))
            if not every:
                break
    return problems


# Below this many ballots a pool costs more than it saves (starting one takes tens of milliseconds).
_PARALLEL_FROM = 64

_Result = TypeVar("_Result")


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes. "forkserver" rather than "fork": the count runs inside a web process with other
    threads (the database pool's), and forking a threaded process may copy a held lock into the child;
    the fork server is a fresh single-threaded process that has imported only this package, so each
    worker starts from it quickly and clean."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload([__name__])
        return ProcessPoolExecutor(max_workers=workers, mp_context=server)
    # Platforms without fork (Windows): slower to start, same results.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _by_chunks(
    work: Callable[..., _Result], ballots: Sequence[object], workers: int | None, *args: object
) -> list[_Result]:
    """``work(chunk, start, *args)`` for consecutive chunks of ``ballots``, over ``workers`` processes
    (None: one per CPU), in order. Small batches stay in this process."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(ballots) < _PARALLEL_FROM:
        return [work(ballots, 0, *args)]
    # A few chunks per worker, so that one slow chunk does not leave the other cores idle at the end.
    size = -(-len(ballots) // (workers * 4))
    with _pool(workers) as pool:
        futures = [
            pool.submit(work, ballots[start : start + size], start, *args)
            for start in range(0, len(ballots), size)
        ]
        return [future.result() for future in futures]


def find_problems(
    public: bytes,
    context: bytes,
    ballots: Sequence[Ballot],
    slots: int,
    limit: int,
    *,
    secret: int | None,
    workers: int | None,
    every: bool,
) -> list[tuple[int, str]]:
    """(index, message) of the ballots that fail their checks, in order; only the first unless ``every``."""
    chunks = _by_chunks(_check_chunk, ballots, workers, public, context, slots, limit, secret, every)
    found = sorted(problem for chunk in chunks for problem in chunk)
    return found if every else found[:1]


def check_ballots(
    public: bytes,
    context: bytes,
    ballots: Sequence[Ballot],
    slots: int,
    limit: int,
    *,
    secret: bytes | None = None,
    workers: int | None = None,
) -> None:
    """Check every proof of every ballot, split over ``workers`` processes (None: one per CPU); raise
    ``BadBallot`` naming the first bad ballot's position and receipt.

    At the count, pass the rebuilt ``secret``: with it every z·Y becomes a fixed-base multiplication,
    and the answer is the same as without it. The secret reaches the workers through pipes, never a
    file, and ends with them.
    """
    check_public(public)
    check_shape(slots, limit)
    scalar = None
    if secret is not None:
        scalar = secret_scalar(secret)
        if base(scalar) != public:
            raise Invalid("Khóa giải mã không khớp với khóa công khai của cuộc bỏ phiếu.")
    problems = find_problems(
        public, context, ballots, slots, limit, secret=scalar, workers=workers, every=False
    )
    if problems:
        index, message = problems[0]
        receipt = ballots[index].receipt()
        raise BadBallot(index, receipt, f"Phiếu {index + 1} (biên nhận {receipt}): {message}")


def _count_chunk(
    stored: Sequence[object],
    start: int,
    public: bytes,
    context: bytes,
    slots: int,
    limit: int,
    secret: int,
) -> tuple[tuple[int, str] | None, list[tuple[bytes, bytes]]]:
    """Read, check and add up a slice of stored ballots in one pass: the first problem (index, message),
    or None and the slice's sums."""
    ballots = []
    for offset, data in enumerate(stored):
        try:
            ballot = Ballot.from_dict(data, slots, check_points=False)
        except Invalid as error:
            return (start + offset, str(error)), []
        problem = _ballot_problem(public, context, ballot, slots, limit, secret)
        if problem is not None:
            return (start + offset, problem), []
        ballots.append(ballot)
    return None, _sum_chunk(ballots, start, slots)


def count_ballots(
    public: bytes,
    context: bytes,
    stored: Sequence[object],
    slots: int,
    limit: int,
    *,
    secret: bytes,
    workers: int | None = None,
) -> tuple[Ciphertext, ...]:
    """The count's one pass over the ballots as stored (their ``to_dict``): each is read, its proofs are
    checked with the rebuilt ``secret``, and the ciphertexts are added up, in the same worker processes
    (None: one per CPU), so the ballots cross to them once. Returns the encrypted total of each slot, as
    ``add_up``; raises ``BadBallot`` naming the first ballot that fails. The points are not checked on
    reading: the proofs' multiplications refuse any string that encodes no point."""
    check_public(public)
    check_shape(slots, limit)
    scalar = secret_scalar(secret)
    if base(scalar) != public:
        raise Invalid("Khóa giải mã không khớp với khóa công khai của cuộc bỏ phiếu.")
    chunks = _by_chunks(_count_chunk, list(stored), workers, public, context, slots, limit, scalar)
    problems = sorted(problem for problem, _ in chunks if problem is not None)
    if problems:
        index, message = problems[0]
        try:
            receipt = Ballot.from_dict(stored[index], slots, check_points=False).receipt()
        except Invalid:
            receipt = "không đọc được"
        raise BadBallot(index, receipt, f"Phiếu {index + 1} (biên nhận {receipt}): {message}")
    return _merge_sums([sums for _, sums in chunks], slots)


def _merge_sums(chunks: Iterable[Sequence[tuple[bytes, bytes]]], slots: int) -> tuple[Ciphertext, ...]:
    a = [IDENTITY] * slots
    b = [IDENTITY] * slots
    for chunk in chunks:
        for slot, (x, y) in enumerate(chunk):
            a[slot] = add(a[slot], x)
            b[slot] = add(b[slot], y)
    return tuple(Ciphertext(x, y) for x, y in zip(a, b, strict=True))


def _sum_chunk(ballots: Sequence[Ballot], start: int, slots: int) -> list[tuple[bytes, bytes]]:
    a = [IDENTITY] * slots
    b = [IDENTITY] * slots
    for offset, ballot in enumerate(ballots):
        if len(ballot.ciphertexts) != slots:
            raise Invalid(f"Phiếu {start + offset + 1} phải có {slots} bản mã.")
        for slot, ciphertext in enumerate(ballot.ciphertexts):
            a[slot] = add(a[slot], ciphertext.a)
            b[slot] = add(b[slot], ciphertext.b)
    return list(zip(a, b, strict=True))


def add_up(ballots: Iterable[Ballot], slots: int, *, workers: int | None = 1) -> tuple[Ciphertext, ...]:
    """The encrypted total of each slot: the sum of the ballots' ciphertexts (the encryption adds the
    plaintexts). No ballot gives (identity, identity), an encryption of 0 with randomness 0, which
    decrypts and proves like any other total.

    An addition costs about a third of a multiplication (libsodium decompresses both points each time),
    so at the count, with a thousand ballots, ``workers=None`` spreads it over every CPU too.
    """
    return _merge_sums(_by_chunks(_sum_chunk, list(ballots), workers, slots), slots)
