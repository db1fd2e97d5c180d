"""Tests for thidua.lib.elgamal: encrypted ballots, their proofs, the board's key and the published record.

Small polls (three candidates and "Phiếu trắng") keep each encryption to a few milliseconds; the forged
ballots are built with the module's own prover, asked to prove what is not true.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Sequence
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thidua.lib import elgamal
from thidua.lib.elgamal import (
    IDENTITY,
    ORDER,
    BadBallot,
    Ballot,
    Ciphertext,
    Invalid,
    Proof,
    Share,
    WrongShare,
    add_up,
    check_ballot,
    check_ballots,
    check_decryption,
    check_record,
    combine,
    count_ballots,
    decrypt_total,
    encrypt_ballot,
    group,
    keypair,
    poll_record,
    read_share_code,
    share_code,
    share_fits,
    split,
    totals,
)
from thidua.lib.elgamal import ballots as ballots_module
from thidua.lib.elgamal import board as board_module

CONTEXT = b"poll:42"
SLOTS = 4  # three candidates, then "Phiếu trắng"
LIMIT = 2
LABELS = ["Huế", "Quảng Trị", "Ninh Bình", "Phiếu trắng"]


@pytest.fixture(scope="module")
def key() -> tuple[bytes, bytes]:
    return keypair()


def _prove(  # the generic prover, any value: what a cheating client would use to forge a ballot
    public: bytes,
    statement: bytes,
    ciphertext: Ciphertext,
    randomness: int,
    value: int,
    values: Sequence[int],
) -> ballots_module.Proof:
    """Prove that ``ciphertext`` = (r·G, value·G + r·Y) with value among ``values``, hiding which.

    The true branch is an honest Chaum–Pedersen proof; the others are simulated from a chosen challenge and
    response. Knowing r, every simulated commitment is written with a fresh u as (u·G, u·Y − c·(value −
    v)·G), which costs one variable-base multiplication instead of three.
    """
    real = values.index(value)
    challenges = [0] * len(values)
    responses = [0] * len(values)
    commitments: list[bytes] = []
    nonce = group.random_scalar()
    for branch, allowed in enumerate(values):
        if branch == real:
            commitments.append(group.base(nonce) + group.mul(nonce, public))
            continue
        challenge, u = group.random_scalar(), group.random_scalar()
        challenges[branch] = challenge
        responses[branch] = (u + challenge * randomness) % ORDER
        commitments.append(
            group.base(u) + group.add(group.mul(u, public), group.base(-challenge * (value - allowed)))
        )
    total = group.hash_to_scalar(statement, ciphertext.a, ciphertext.b, *commitments)
    challenges[real] = (total - sum(challenges)) % ORDER
    responses[real] = (nonce + challenges[real] * randomness) % ORDER
    return ballots_module.Proof(tuple(challenges), tuple(responses))


def _forge(
    public: bytes, context: bytes, plain: list[int], limit: int, *, claim: list[int] | None = None
) -> Ballot:
    """A ballot whose slots encrypt ``plain`` (anything, 2 included), with proofs made as if the slots held
    ``claim`` (0 or 1 each) and the weighted sum were the claimed one: what a cheating client would send."""
    claim = plain if claim is None else claim
    randomness = [group.random_scalar() for _ in plain]
    ciphertexts = tuple(
        Ciphertext(group.base(r), group.add(group.mul(r, public), group.base(m)))
        for r, m in zip(randomness, plain, strict=True)
    )
    bits = (0, 1)
    proofs = tuple(
        _prove(public, ballots_module._statement(public, context, b"bit", slot, bits), c, r, m, bits)
        for slot, (c, r, m) in enumerate(zip(ciphertexts, randomness, claim, strict=True))
    )
    values = tuple(range(1, limit + 1))
    claimed_sum = sum(claim[:-1]) + limit * claim[-1]
    sum_proof = _prove(
        public,
        ballots_module._statement(public, context, b"sum", len(plain), values),
        ballots_module._weighted_sum(ciphertexts, limit),
        (sum(randomness[:-1]) + limit * randomness[-1]) % ORDER,
        claimed_sum if claimed_sum in values else 1,
        values,
    )
    return Ballot(ciphertexts, proofs, sum_proof)


def _decrypted(secret: bytes, ballots: list[Ballot], slots: int = SLOTS) -> list[int]:
    return [
        decrypt_total(secret, total, len(ballots), context=CONTEXT)[0] for total in add_up(ballots, slots)
    ]


# --- ballots


@pytest.mark.parametrize("picks", [[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 1, 0]])
def test_a_ballot_encrypted_for_the_poll_passes_its_checks_after_a_round_trip_through_json(key, picks):
    public, _ = key
    ballot = encrypt_ballot(public, CONTEXT, picks, LIMIT)
    check_ballot(public, CONTEXT, ballot, SLOTS, LIMIT)
    stored = json.loads(json.dumps(ballot.to_dict()))
    assert Ballot.from_dict(stored, SLOTS) == ballot
    assert Ballot.from_dict(stored, SLOTS).receipt() == ballot.receipt()


def test_the_receipt_is_the_sha256_of_the_ciphertexts_then_the_proofs(key):
    public, _ = key
    ballot = encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT)
    canonical = b"".join(c.a + c.b for c in ballot.ciphertexts)
    for proof in (*ballot.proofs, ballot.sum_proof):
        canonical += b"".join(s.to_bytes(32, "little") for s in (*proof.challenges, *proof.responses))
    assert ballot.receipt() == hashlib.sha256(canonical).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", ballot.receipt())


def test_two_encryptions_of_the_same_picks_look_unrelated(key):
    public, _ = key
    first, second = (encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT) for _ in range(2))
    assert first.receipt() != second.receipt()
    assert not {c.a for c in first.ciphertexts} & {c.a for c in second.ciphertexts}


def test_the_totals_of_the_ballots_decrypt_to_the_number_of_picks_of_each_choice(key):
    public, secret = key
    picks = [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1], [0, 1, 1, 0], [1, 0, 1, 0]]
    ballots = [encrypt_ballot(public, CONTEXT, p, LIMIT) for p in picks]
    assert _decrypted(secret, ballots) == [3, 2, 2, 1]


def test_an_empty_poll_totals_encryptions_of_zero_that_decrypt_and_prove(key):
    public, secret = key
    totals = add_up([], SLOTS)
    assert totals == tuple(Ciphertext(IDENTITY, IDENTITY) for _ in range(SLOTS))
    for total in totals:
        value, proof = decrypt_total(secret, total, 0, context=CONTEXT)
        assert value == 0
        check_decryption(public, total, 0, proof, CONTEXT)
        with pytest.raises(Invalid):
            check_decryption(public, total, 1, proof, CONTEXT)


@pytest.mark.parametrize(
    ("picks", "message"),
    [
        ([2, 0, 0, 0], "0 hoặc 1"),
        ([1, 0, 0, 1], "Phiếu trắng không được chọn kèm"),
        ([1, 1, 1, 0], "tối đa 2 phương án"),
        ([0, 0, 0, 0], "Chưa chọn phương án nào"),
        ([1], "ít nhất một phương án"),
    ],
)
def test_encrypting_picks_that_break_the_rules_is_refused(key, picks, message):
    public, _ = key
    with pytest.raises(Invalid, match=message):
        encrypt_ballot(public, CONTEXT, picks, LIMIT)


@pytest.mark.parametrize(
    ("plain", "claim", "message"),
    [
        # Slot 1 holds 2; its proof is made as if it held 1, the sum proof for the true weighted sum 2.
        ([2, 0, 0, 0], [1, 0, 0, 0], "Bằng chứng của phương án 1 không đúng"),
        ([0, 0, 0, 2], [0, 0, 0, 1], "Bằng chứng của Phiếu trắng không đúng"),
        ([1, 0, 0, 1], None, "số phương án được chọn"),  # blank and a candidate: sum 3 > limit 2
        ([1, 1, 1, 0], None, "số phương án được chọn"),  # three candidates, limit 2
        ([0, 0, 0, 0], None, "số phương án được chọn"),  # nothing, not even blank
    ],
)
def test_a_forged_ballot_is_refused_naming_the_proof_that_fails(key, plain, claim, message):
    public, secret = key
    forged = _forge(public, CONTEXT, plain, LIMIT, claim=claim)
    with pytest.raises(Invalid, match=message):
        check_ballot(public, CONTEXT, forged, SLOTS, LIMIT)
    with pytest.raises(BadBallot, match=message):
        check_ballots(public, CONTEXT, [forged], SLOTS, LIMIT, secret=secret)


def test_a_forged_ballot_made_honestly_is_accepted_so_the_forgery_tests_test_the_proofs(key):
    public, _ = key
    check_ballot(public, CONTEXT, _forge(public, CONTEXT, [0, 1, 1, 0], LIMIT), SLOTS, LIMIT)


def test_a_ballot_replayed_into_another_poll_fails(key):
    public, _ = key
    ballot = encrypt_ballot(public, CONTEXT, [0, 1, 0, 0], LIMIT)
    with pytest.raises(Invalid, match="phương án 1"):
        check_ballot(public, b"poll:43", ballot, SLOTS, LIMIT)


def test_a_ballot_checked_under_another_limit_fails(key):
    public, _ = key
    ballot = encrypt_ballot(public, CONTEXT, [0, 1, 0, 0], LIMIT)
    with pytest.raises(Invalid, match="3 nhánh"):
        check_ballot(public, CONTEXT, ballot, SLOTS, 3)


def test_a_slot_and_its_proof_moved_to_another_slot_fail(key):
    public, _ = key
    ballot = encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT)
    c, p = list(ballot.ciphertexts), list(ballot.proofs)
    c[0], c[1], p[0], p[1] = c[1], c[0], p[1], p[0]
    with pytest.raises(Invalid, match="phương án 1"):
        check_ballot(public, CONTEXT, Ballot(tuple(c), tuple(p), ballot.sum_proof), SLOTS, LIMIT)


def test_a_ballot_for_another_public_key_fails(key):
    public, _ = key
    other, _ = keypair()
    with pytest.raises(Invalid):
        check_ballot(public, CONTEXT, encrypt_ballot(other, CONTEXT, [1, 0, 0, 0], LIMIT), SLOTS, LIMIT)


def test_a_proof_taken_from_another_ballot_fails(key):
    public, _ = key
    first = encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT)
    second = encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT)
    mixed = Ballot(first.ciphertexts, first.proofs, second.sum_proof)
    with pytest.raises(Invalid, match="số phương án"):
        check_ballot(public, CONTEXT, mixed, SLOTS, LIMIT)


def _outside_the_group(point: bytes) -> bytes:
    """32 bytes that encode no element: ristretto255 encodes each element by a field element s with its
    lowest bit clear, so setting that bit (s + 1, odd) gives a string that decodes to nothing."""
    assert point[0] & 1 == 0
    return bytes([point[0] | 1]) + point[1:]


def test_a_string_that_encodes_no_point_is_refused_on_reading_and_on_checking(key):
    public, _ = key
    ballot = encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT)
    data = ballot.to_dict()
    data["ciphertexts"][2][0] = group.b64(_outside_the_group(ballot.ciphertexts[2].a))
    with pytest.raises(Invalid, match="Bản mã của phương án 3: không phải một điểm"):
        Ballot.from_dict(data, SLOTS)
    # Read without the point check (the count's fast path), the proof check still refuses it.
    unchecked = Ballot.from_dict(data, SLOTS, check_points=False)
    with pytest.raises(Invalid, match="phương án 3"):
        check_ballot(public, CONTEXT, unchecked, SLOTS, LIMIT)


def test_a_point_outside_the_group_is_refused_even_behind_a_zero_challenge(key):
    public, _ = key
    ballot = encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT)
    bad = Ciphertext(_outside_the_group(ballot.ciphertexts[0].a), ballot.ciphertexts[0].b)
    zero = Proof((0, 0), (0, 0))
    forged = Ballot((bad, *ballot.ciphertexts[1:]), (zero, *ballot.proofs[1:]), ballot.sum_proof)
    with pytest.raises(Invalid, match="phương án 1"):
        check_ballot(public, CONTEXT, forged, SLOTS, LIMIT)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["ciphertexts"].pop(), "4 bản mã"),
        (lambda d: d["proofs"].pop(), "4 bằng chứng"),
        (lambda d: d.pop("sum_proof"), "ba phần"),
        (lambda d: d.update(extra=1), "ba phần"),
        (lambda d: d["ciphertexts"][0].pop(), "một cặp hai điểm"),
        (lambda d: d["ciphertexts"][1].__setitem__(0, d["ciphertexts"][1][0][:-1]), "43 ký tự"),
        (lambda d: d["ciphertexts"][1].__setitem__(0, d["ciphertexts"][1][0] + "A"), "43 ký tự"),
        (lambda d: d["ciphertexts"][1].__setitem__(0, d["ciphertexts"][1][0] + "="), "43 ký tự"),
        (lambda d: d["ciphertexts"][1].__setitem__(1, 7), "base64url"),
        (lambda d: d["ciphertexts"][0].__setitem__(1, group.b64(b"\xff" * 32)), "không phải một điểm"),
        (lambda d: d["ciphertexts"][0].__setitem__(1, group.b64(IDENTITY)), "không phải một điểm"),
        (lambda d: d["proofs"][0]["c"].pop(), "cùng số phần tử"),
        (
            lambda d: d["proofs"][0].update(c=d["proofs"][0]["c"] * 2, z=d["proofs"][0]["z"] * 2),
            "có 4 nhánh, cần 2",
        ),
        (lambda d: d["proofs"][0]["z"].__setitem__(0, group.b64(b"\xff" * 32)), "vượt quá bậc"),
        (lambda d: d["sum_proof"].update(c=[], z=[]), "ít nhất một"),
        (lambda d: d["proofs"].__setitem__(0, []), "hai khóa"),
    ],
)
def test_a_stored_ballot_of_the_wrong_shape_is_refused_on_reading(key, change, message):
    public, _ = key
    data = encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT).to_dict()
    change(data)
    with pytest.raises(Invalid, match=message):
        Ballot.from_dict(data, SLOTS)


def test_base64_with_stray_low_bits_is_a_second_spelling_and_refused(key):
    public, _ = key
    data = encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT).to_dict()
    text = data["ciphertexts"][0][0]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    data["ciphertexts"][0][0] = (
        text[:-1] + alphabet[alphabet.index(text[-1]) ^ 1]
    )  # the last 2 bits are spare
    with pytest.raises(Invalid, match="không chuẩn"):
        Ballot.from_dict(data, SLOTS)


def test_the_count_finds_a_bad_ballot_among_good_ones_and_names_it_in_parallel(key, monkeypatch):
    public, secret = key
    monkeypatch.setattr(ballots_module, "_PARALLEL_FROM", 4)  # the pool's path, without a hundred ballots
    ballots = [encrypt_ballot(public, CONTEXT, [0, 0, 1, 0], LIMIT) for _ in range(7)]
    check_ballots(public, CONTEXT, ballots, SLOTS, LIMIT, secret=secret, workers=2)
    ballots[5] = _forge(public, CONTEXT, [0, 2, 0, 0], LIMIT, claim=[0, 1, 0, 0])
    with pytest.raises(BadBallot) as caught:
        check_ballots(public, CONTEXT, ballots, SLOTS, LIMIT, secret=secret, workers=2)
    assert caught.value.index == 5
    assert caught.value.receipt == ballots[5].receipt()
    assert str(caught.value).startswith(
        f"Phiếu 6 (biên nhận {ballots[5].receipt()}): Bằng chứng của phương án 2"
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_the_counts_one_pass_reads_checks_and_adds_up_as_the_separate_steps_do(key, monkeypatch, workers):
    public, secret = key
    monkeypatch.setattr(ballots_module, "_PARALLEL_FROM", 4)
    ballots = [
        encrypt_ballot(public, CONTEXT, p, LIMIT) for p in ([1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1])
    ] * 3
    stored = [ballot.to_dict() for ballot in ballots]
    assert count_ballots(public, CONTEXT, stored, SLOTS, LIMIT, secret=secret, workers=workers) == add_up(
        ballots, SLOTS
    )
    stored[7] = _forge(public, CONTEXT, [0, 2, 0, 0], LIMIT, claim=[0, 1, 0, 0]).to_dict()
    with pytest.raises(BadBallot) as caught:
        count_ballots(public, CONTEXT, stored, SLOTS, LIMIT, secret=secret, workers=workers)
    assert caught.value.index == 7 and str(caught.value).startswith("Phiếu 8 (biên nhận ")
    stored[7] = {"ciphertexts": []}
    with pytest.raises(BadBallot, match=r"Phiếu 8 .*ba phần"):
        count_ballots(public, CONTEXT, stored, SLOTS, LIMIT, secret=secret, workers=workers)
    _, other = keypair()
    with pytest.raises(Invalid, match="không khớp"):
        count_ballots(public, CONTEXT, stored, SLOTS, LIMIT, secret=other, workers=workers)


def test_the_totals_add_up_the_same_in_a_pool_of_workers(key, monkeypatch):
    public, _ = key
    ballots = [
        encrypt_ballot(public, CONTEXT, p, LIMIT) for p in ([1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1])
    ] * 3
    monkeypatch.setattr(ballots_module, "_PARALLEL_FROM", 2)
    assert add_up(ballots, SLOTS, workers=2) == add_up(ballots, SLOTS, workers=1)


def test_checking_with_the_secret_and_without_it_agree(key):
    public, secret = key
    good = encrypt_ballot(public, CONTEXT, [1, 1, 0, 0], LIMIT)
    bad = _forge(public, CONTEXT, [1, 1, 1, 0], LIMIT)
    for ballots, fails in (([good], False), ([good, bad], True)):
        verdicts = []
        for given_secret in (secret, None):
            try:
                check_ballots(public, CONTEXT, ballots, SLOTS, LIMIT, secret=given_secret, workers=1)
                verdicts.append(False)
            except BadBallot:
                verdicts.append(True)
        assert verdicts == [fails, fails]


def test_checking_with_a_secret_that_is_not_the_polls_is_refused(key):
    public, _ = key
    _, other = keypair()
    with pytest.raises(Invalid, match="không khớp"):
        check_ballots(public, CONTEXT, [], SLOTS, LIMIT, secret=other)


def test_an_invalid_public_key_is_refused(key):
    public, _ = key
    for bad in (IDENTITY, b"\x01" + b"\x00" * 31, _outside_the_group(public), public[:31]):
        with pytest.raises(Invalid, match="Khóa công khai"):
            encrypt_ballot(bad, CONTEXT, [1, 0, 0, 0], LIMIT)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.just((0, 0, 0, 1)),
            st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 1), st.just(0)).filter(
                lambda p: 1 <= sum(p) <= LIMIT
            ),
        ),
        max_size=4,
    )
)
def test_any_valid_ballots_check_and_their_totals_are_the_column_sums(key, picks):
    public, secret = key
    ballots = [encrypt_ballot(public, CONTEXT, list(p), LIMIT) for p in picks]
    check_ballots(public, CONTEXT, ballots, SLOTS, LIMIT, secret=secret, workers=1)
    assert (
        _decrypted(secret, ballots) == [sum(column) for column in zip(*picks, strict=True)]
        if picks
        else [0] * 4
    )


# --- decryption


def test_a_decryption_proof_checks_and_fails_when_the_value_is_changed(key):
    public, secret = key
    ballots = [encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT) for _ in range(3)]
    total = add_up(ballots, SLOTS)[0]
    value, proof = decrypt_total(secret, total, 3, context=CONTEXT)
    assert value == 3
    check_decryption(public, total, 3, proof, CONTEXT)
    for wrong in (2, 4, 0):
        with pytest.raises(Invalid, match=f"tổng không phải {wrong}"):
            check_decryption(public, total, wrong, proof, CONTEXT)
    with pytest.raises(Invalid):
        check_decryption(public, total, 3, proof, b"poll:43")
    with pytest.raises(Invalid):
        check_decryption(public, add_up(ballots[:2], SLOTS)[0], 3, proof, CONTEXT)


def test_a_total_above_the_bound_is_not_found():
    public, secret = keypair()
    ballots = [encrypt_ballot(public, CONTEXT, [1, 0, 0, 0], LIMIT) for _ in range(3)]
    with pytest.raises(Invalid, match="0…2"):
        decrypt_total(secret, add_up(ballots, SLOTS)[0], 2, context=CONTEXT)


@pytest.mark.parametrize("value", [0, 1, 2, 9, 10, 11, 99, 100])
def test_the_discrete_log_finds_every_value_up_to_the_bound(value):
    assert totals._discrete_log(group.base(value), 100) == value


# --- the counting board's key


@pytest.fixture(scope="module")
def board() -> tuple[bytes, list[Share], list[str]]:
    return split(CONTEXT, 2, 3)


def test_two_of_three_shares_rebuild_the_key_whichever_two(board):
    public, shares, commitments = board
    ballots = [encrypt_ballot(public, CONTEXT, [0, 1, 0, 0], LIMIT)]
    secrets_found = set()
    for pair in (*combinations(shares, 2), tuple(shares)):
        secret = combine(CONTEXT, pair, commitments, public, k=2)
        secrets_found.add(secret)
        assert _decrypted(secret, ballots) == [0, 1, 0, 0]
    assert len(secrets_found) == 1


def test_one_of_three_shares_does_not_rebuild_the_key(board):
    public, shares, commitments = board
    for share in shares:
        with pytest.raises(Invalid, match="chưa đủ"):
            combine(CONTEXT, [share], commitments, public)
        with pytest.raises(Invalid, match="Cần ít nhất 2 phần khóa, mới nhập 1"):
            combine(CONTEXT, [share], commitments, public, k=2)
    with pytest.raises(Invalid, match="Chưa nhập"):
        combine(CONTEXT, [], commitments, public)


def test_a_wrong_share_is_named_by_its_member_number(board):
    public, shares, commitments = board
    typo = Share(3, (shares[2].value + 1) % elgamal.PRIME)
    with pytest.raises(WrongShare, match="thành viên số 3") as caught:
        combine(CONTEXT, [shares[0], typo], commitments, public)
    assert caught.value.index == 3
    swapped = Share(2, shares[0].value)  # member 1's value typed on member 2's card
    with pytest.raises(WrongShare) as caught:
        combine(CONTEXT, [swapped, shares[2]], commitments, public)
    assert caught.value.index == 2


def test_a_share_does_not_show_its_value_when_printed(board):
    _, shares, _ = board
    assert repr(shares[0]) == "Share(index=1)"
    assert str(shares[0].value) not in repr(shares)


def test_a_share_entered_twice_is_refused(board):
    public, shares, commitments = board
    with pytest.raises(Invalid, match="số 1 đã được nhập rồi"):
        combine(CONTEXT, [shares[0], shares[0]], commitments, public)


def test_a_member_number_the_board_does_not_have_is_refused(board):
    public, shares, commitments = board
    with pytest.raises(Invalid, match="không có thành viên số 4"):
        combine(CONTEXT, [shares[0], Share(4, 5)], commitments, public)


def test_shares_of_another_poll_do_not_fit(board):
    public, shares, commitments = board
    assert share_fits(CONTEXT, shares[0], commitments[0])
    assert not share_fits(b"poll:43", shares[0], commitments[0])
    with pytest.raises(WrongShare):
        combine(b"poll:43", shares[:2], commitments, public)


def test_the_commitment_is_the_sha256_of_the_context_index_and_value(board):
    _, shares, commitments = board
    share = shares[1]
    data = b"thidua share" + CONTEXT + bytes([share.index]) + share.value.to_bytes(16, "big")
    assert commitments[1] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("k", "n"), [(0, 3), (3, 2), (2, 9)])
def test_a_board_split_outside_its_bounds_is_refused(k, n):
    with pytest.raises(Invalid):
        split(CONTEXT, k, n)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n), st.randoms())))
def test_any_k_of_n_shares_rebuild_the_key_and_k_minus_one_do_not(case):
    k, n, rng = case
    public, shares, commitments = split(CONTEXT, k, n)
    chosen = rng.sample(shares, k)
    assert group.base(int.from_bytes(combine(CONTEXT, chosen, commitments, public, k=k), "little")) == public
    if k > 1:
        with pytest.raises(Invalid, match="chưa đủ"):
            combine(CONTEXT, chosen[1:], commitments, public)


# --- share codes

CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}")


@given(st.integers(1, 8), st.integers(0, elgamal.PRIME - 1))
def test_a_share_code_is_seven_groups_of_four_and_reads_back(index, value):
    share = Share(index, value)
    code = share_code(share)
    assert CODE.fullmatch(code)
    assert read_share_code(code) == share


def test_a_share_code_reads_back_whatever_the_case_spacing_and_look_alike_letters(board):
    _, shares, _ = board
    code = share_code(shares[0])
    loose = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert read_share_code(loose) == shares[0]
    assert read_share_code(code.replace("-", "")) == shares[0]
    assert read_share_code(" " + code.replace("-", " – ") + "\n") == shares[0]
    flat = code.replace("-", "")
    assert read_share_code(" ".join(flat[i : i + 7] for i in range(0, 28, 7))) == shares[0]


def _symbols(code: str) -> list[str]:
    return list(code.replace("-", ""))


def _code(symbols: list[str]) -> str:
    text = "".join(symbols)
    return "-".join(text[i : i + 4] for i in range(0, 28, 4))


def test_every_single_typo_in_a_share_code_is_caught_and_its_group_named(board):
    _, shares, _ = board
    symbols = _symbols(share_code(shares[1]))
    for position in range(28):
        for other in board_module._ALPHABET:
            if other == symbols[position]:
                continue
            typo = symbols.copy()
            typo[position] = other
            with pytest.raises(Invalid, match=rf"nhóm .*thứ {position // 4 + 1}\b"):
                read_share_code(_code(typo))


def test_every_swap_of_two_different_symbols_in_a_share_code_is_caught(board):
    _, shares, _ = board
    symbols = _symbols(share_code(shares[2]))
    for i, j in combinations(range(28), 2):
        if symbols[i] == symbols[j]:
            continue
        swapped = symbols.copy()
        swapped[i], swapped[j] = swapped[j], swapped[i]
        with pytest.raises(Invalid, match="Mã phần khóa sai"):
            read_share_code(_code(swapped))


def test_a_swap_of_neighbours_names_their_group(board):
    _, shares, _ = board
    symbols = _symbols(share_code(shares[0]))
    i = next(i for i in range(8, 11) if symbols[i] != symbols[i + 1])  # inside group 3
    symbols[i], symbols[i + 1] = symbols[i + 1], symbols[i]
    with pytest.raises(Invalid, match=r"thứ 3\b"):
        read_share_code(_code(symbols))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c[:10] + "U" + c[11:], "ký tự 'U' không dùng trong mã, ở nhóm thứ 3"),
        (
            lambda c: c.replace("-", "")[:12] + "*" + c.replace("-", "")[13:],
            "ký tự '*' không dùng trong mã, ở nhóm thứ 4",
        ),
        (lambda c: c[:11] + c[12:], "nhóm thứ 3: nhóm có 3 ký tự, cần 4"),
        (lambda c: c.replace("-", "")[:-1], "có 27 ký tự, cần 28"),
        (lambda c: c.replace("-", "") + "0", "có 29 ký tự, cần 28"),
        (lambda c: "", "có 0 ký tự"),
    ],
)
def test_a_share_code_that_cannot_be_read_is_refused_naming_where(board, change, message):
    _, shares, _ = board
    with pytest.raises(Invalid, match=re.escape(message)):
        read_share_code(change(share_code(shares[0])))


def test_shares_typed_as_codes_rebuild_the_key(board):
    public, shares, commitments = board
    typed = [read_share_code(share_code(s).lower()) for s in shares[1:]]
    assert combine(CONTEXT, typed, commitments, public, k=2)


# --- the published record


@pytest.fixture(scope="module")
def counted(key):
    """A closed poll's ballots and the record published for it."""
    public, secret = key
    picks = [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1], [0, 1, 1, 0], [0, 0, 1, 0]]
    ballots = [encrypt_ballot(public, CONTEXT, p, LIMIT) for p in picks]
    return ballots, _record(public, secret, ballots)


def _record(public: bytes, secret: bytes, ballots: list[Ballot], totals: list[int] | None = None) -> dict:
    decrypted = [decrypt_total(secret, t, len(ballots), context=CONTEXT) for t in add_up(ballots, SLOTS)]
    return poll_record(
        context=CONTEXT,
        public=public,
        slots=SLOTS,
        limit=LIMIT,
        labels=LABELS,
        ballots=ballots,
        totals=totals or [value for value, _ in decrypted],
        proofs=[proof for _, proof in decrypted],
        meta={"poll": "Bầu Cụm trưởng 2024"},
    )


def test_a_published_record_checks_after_a_round_trip_through_json(counted):
    ballots, record = counted
    published = json.loads(json.dumps(record, ensure_ascii=False))
    assert check_record(published) == []
    assert [t["value"] for t in published["totals"]] == [2, 2, 2, 1]
    receipts = [entry["receipt"] for entry in published["ballots"]]
    assert receipts == sorted(b.receipt() for b in ballots)
    assert published["format"] == elgamal.RECORD_FORMAT


def test_a_record_with_a_changed_ballot_is_refused(counted, key):
    _, record = counted
    public, _ = key
    changed = copy.deepcopy(record)
    other = encrypt_ballot(public, CONTEXT, [0, 0, 0, 1], LIMIT).to_dict()
    changed["ballots"][1]["ciphertexts"][0] = other["ciphertexts"][0]
    problems = check_record(changed)
    assert any("biên nhận ghi" in p for p in problems)
    assert any("Bằng chứng của phương án 1 không đúng" in p for p in problems)
    assert any("Tổng của 'Huế' không khớp" in p for p in problems)


def _with_ballot(record: dict, ballot: Ballot, *, instead_of: int | None = None) -> dict:
    """A copy of ``record`` with ``ballot`` published too (in place of entry ``instead_of``), its receipt
    right and the entries sorted again: what someone who rewrote the record would publish."""
    changed = copy.deepcopy(record)
    if instead_of is not None:
        del changed["ballots"][instead_of]
    changed["ballots"].append({"receipt": ballot.receipt(), **ballot.to_dict()})
    changed["ballots"].sort(key=lambda e: e["receipt"])
    return changed


def test_a_record_with_a_ballot_swapped_for_another_valid_one_and_its_receipt_is_refused(counted, key):
    _, record = counted
    public, _ = key
    replacement = encrypt_ballot(public, CONTEXT, [0, 0, 0, 1], LIMIT)
    problems = check_record(_with_ballot(record, replacement, instead_of=0))
    assert problems
    assert all("không khớp với các phiếu" in p for p in problems)


def test_a_record_with_a_dropped_ballot_is_refused(counted):
    _, record = counted
    dropped = copy.deepcopy(record)
    del dropped["ballots"][2]
    problems = check_record(dropped)
    assert problems
    assert all("không khớp với các phiếu" in p for p in problems)


def test_a_record_with_fewer_ballots_than_were_cast_is_refused_even_when_its_totals_prove(counted, key):
    ballots, _ = counted
    public, secret = key
    record = _record(public, secret, ballots[1:])  # the key holder left one out before adding up
    assert check_record(record) == []
    record["meta"]["ballot_count"] = len(ballots)
    assert check_record(record) == ["Biên bản có 4 phiếu, nhưng số phiếu đã bỏ là 5."]


def test_a_record_with_an_added_valid_ballot_is_refused(counted, key):
    _, record = counted
    public, _ = key
    problems = check_record(_with_ballot(record, encrypt_ballot(public, CONTEXT, [0, 0, 1, 0], LIMIT)))
    assert (
        "Tổng của 'Ninh Bình' không khớp với các phiếu: Bằng chứng giải mã không đúng: tổng không phải 2."
        in problems
    )


def test_a_record_with_a_ballot_encrypting_2_for_one_choice_is_refused_even_with_honest_totals(counted, key):
    ballots, _ = counted
    public, secret = key
    forged = _forge(public, CONTEXT, [2, 0, 0, 0], LIMIT, claim=[1, 0, 0, 0])
    record = _record(public, secret, [*ballots, forged])
    assert record["totals"][0]["value"] == 4  # the forged 2 did reach the total
    problems = check_record(record)
    assert problems == [f"Phiếu có biên nhận {forged.receipt()}: Bằng chứng của phương án 1 không đúng."]


def test_a_record_with_changed_totals_is_refused(counted):
    _, record = counted
    changed = copy.deepcopy(record)
    changed["totals"][0]["value"] = 3
    assert check_record(changed) == [
        "Tổng của 'Huế' không khớp với các phiếu: Bằng chứng giải mã không đúng: tổng không phải 3."
    ]
    swapped = copy.deepcopy(record)
    swapped["totals"][2]["proof"], swapped["totals"][3]["proof"] = (
        record["totals"][3]["proof"],
        record["totals"][2]["proof"],
    )
    assert len(check_record(swapped)) == 2


def test_a_record_with_a_ballot_twice_or_out_of_order_is_refused(counted):
    _, record = counted
    doubled = copy.deepcopy(record)
    doubled["ballots"].insert(0, doubled["ballots"][0])
    assert any("xuất hiện nhiều lần" in p for p in check_record(doubled))
    shuffled = copy.deepcopy(record)
    shuffled["ballots"].reverse()
    assert check_record(shuffled) == ["Các phiếu không được xếp theo biên nhận."]


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(format="other"),
        lambda r: r.pop("public_key"),
        lambda r: r.update(slots="4"),
        lambda r: r.update(labels=["A"]),
        lambda r: r.update(context=5),
        lambda r: r["ballots"].__setitem__(0, "x"),
        lambda r: r["ballots"][0].pop("proofs"),
        lambda r: r["totals"].__setitem__(0, None),
        lambda r: r["totals"][0].update(value=-1),
        lambda r: r["totals"][0].update(proof="x"),
    ],
)
def test_a_malformed_record_gives_problems_not_an_exception(counted, change):
    _, record = counted
    broken = copy.deepcopy(record)
    change(broken)
    problems = check_record(broken)
    assert problems
    assert all(isinstance(p, str) for p in problems)


def test_a_record_is_checked_the_same_with_a_pool_of_workers(counted, monkeypatch):
    _, record = counted
    monkeypatch.setattr(ballots_module, "_PARALLEL_FROM", 2)
    changed = copy.deepcopy(record)
    changed["totals"][1]["value"] = 1
    assert check_record(record, workers=2) == []
    assert len(check_record(changed, workers=2)) == 1


def test_the_record_needs_as_many_labels_totals_and_proofs_as_slots(key):
    public, _ = key
    with pytest.raises(Invalid):
        poll_record(
            context=CONTEXT,
            public=public,
            slots=SLOTS,
            limit=LIMIT,
            labels=LABELS[:3],
            ballots=[],
            totals=[0] * 4,
            proofs=[{}] * 4,
            meta={},
        )


# --- kits made ahead


@pytest.mark.parametrize("picks", [[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1], [1, 1, 0, 0]])
def test_a_ballot_finished_from_a_kit_made_ahead_passes_its_checks_and_decrypts_to_the_picks(key, picks):
    public, secret = key
    kit = elgamal.prepare_kit(public, SLOTS, LIMIT)
    ballot = elgamal.finish_ballot(kit, CONTEXT, picks)
    check_ballot(public, CONTEXT, ballot, SLOTS, LIMIT)
    assert _decrypted(secret, [ballot]) == picks


def test_a_kit_made_for_some_picks_refuses_others_and_a_kit_checks_the_picks_as_encryption_does(key):
    public, _ = key
    kit = ballots_module.prepare_kit(public, SLOTS, LIMIT, picks=[1, 0, 0, 0])
    with pytest.raises(ValueError, match="other picks"):
        elgamal.finish_ballot(kit, CONTEXT, [0, 1, 0, 0])
    with pytest.raises(elgamal.Invalid, match="Phiếu trắng không được chọn kèm"):
        elgamal.finish_ballot(elgamal.prepare_kit(public, SLOTS, LIMIT), CONTEXT, [1, 0, 0, 1])
