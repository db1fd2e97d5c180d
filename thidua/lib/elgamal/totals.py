"""Decrypting the totals, and only them, with a Chaum–Pedersen proof that anyone can check without the
key."""

from __future__ import annotations

from thidua.lib.elgamal.ballots import Ciphertext
from thidua.lib.elgamal.group import (
    GENERATOR,
    IDENTITY,
    ORDER,
    Invalid,
    SodiumError,
    add,
    b64,
    base,
    check_public,
    framed,
    hash_to_scalar,
    is_point,
    mul,
    random_scalar,
    scalar_bytes,
    scalar_from,
    secret_scalar,
    sub,
)


def _discrete_log(point: bytes, at_most: int) -> int | None:
    """m in 0…at_most with m·G = point, by baby steps and giant steps: about 2·√at_most additions."""
    step = max(1, int(at_most**0.5) + 1)
    table: dict[bytes, int] = {}
    current = IDENTITY
    for j in range(step):
        table.setdefault(current, j)
        current = add(current, GENERATOR)
    giant = base(step)
    current = point
    for i in range(at_most // step + 1):
        small = table.get(current)
        if small is not None:
            value = i * step + small
            return value if value <= at_most else None
        current = sub(current, giant)
    return None


def _decryption_statement(context: bytes, public: bytes, total: Ciphertext, value: int) -> bytes:
    return (
        b"thidua decryption proof\x00"
        + framed(context)
        + public
        + total.a
        + total.b
        + value.to_bytes(8, "big")
    )


def decrypt_total(
    secret: bytes, total: Ciphertext, at_most: int, *, context: bytes
) -> tuple[int, dict[str, str]]:
    """Decrypt one total (value ≤ ``at_most``, the number of ballots) and prove it.

    The proof is Chaum–Pedersen's: the same x that gives Y = x·G gives b − value·G = x·a, so nobody needs
    the key to check that the value is what the ciphertext holds. ``context`` binds the proof to the poll,
    as ``check_decryption`` expects.
    """
    x = secret_scalar(secret)
    if at_most < 0:
        raise Invalid("Giới hạn của tổng không được âm.")
    try:
        shared = mul(x, total.a)
        plain = sub(total.b, shared)
    except SodiumError as error:
        raise Invalid("Tổng mã hóa có điểm không thuộc nhóm.") from error
    value = _discrete_log(plain, at_most)
    if value is None:
        raise Invalid(f"Tổng không nằm trong khoảng 0…{at_most}: các phiếu không khớp với khóa.")
    public = base(x)
    nonce = random_scalar()
    t_g, t_a = base(nonce), mul(nonce, total.a)
    challenge = hash_to_scalar(_decryption_statement(context, public, total, value), t_g, t_a)
    response = (nonce + challenge * x) % ORDER
    return value, {"c": b64(scalar_bytes(challenge)), "z": b64(scalar_bytes(response))}


def _total_point(value: bytes) -> bool:
    # A total may be the identity (no ballot, or randomness adding up to 0), which is_valid_point refuses.
    return value == IDENTITY or is_point(value)


def check_decryption(
    public: bytes, total: Ciphertext, value: int, proof: dict[str, str], context: bytes
) -> None:
    """Check that ``total`` decrypts to ``value`` under the key behind ``public``; ``Invalid`` otherwise.
    Needs no key: z·G = t₁ + c·Y and z·a = t₂ + c·(b − value·G), with c the hash of them all."""
    check_public(public)
    if not _total_point(total.a) or not _total_point(total.b):
        raise Invalid("Tổng mã hóa có điểm không thuộc nhóm.")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise Invalid("Giá trị của tổng phải là số nguyên không âm.")
    if not isinstance(proof, dict) or set(proof) != {"c", "z"}:
        raise Invalid("Bằng chứng giải mã phải có đúng hai khóa 'c' và 'z'.")
    challenge = scalar_from(proof["c"], "Bằng chứng giải mã, c")
    response = scalar_from(proof["z"], "Bằng chứng giải mã, z")
    plain_shared = sub(total.b, base(value))
    t_g = sub(base(response), mul(challenge, public))
    t_a = sub(mul(response, total.a), mul(challenge, plain_shared))
    expected = hash_to_scalar(_decryption_statement(context, public, total, value), t_g, t_a)
    if challenge != expected:
        raise Invalid(f"Bằng chứng giải mã không đúng: tổng không phải {value}.")
