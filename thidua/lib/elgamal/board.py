"""The counting board's key: Shamir's sharing of a 127-bit seed over GF(2^127 − 1), hash commitments that
name a wrong share, and short codes a board member can type, with check symbols that catch a typo."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from thidua.lib.elgamal.group import Invalid, WrongShare, base, hash_to_scalar, scalar_bytes

# A Mersenne prime: the seed and every share fit in 127 bits, so a share is 26 base32 symbols. The
# poll's scalar is derived from the seed by a hash, instead of sharing the 253-bit scalar itself.
PRIME: Final = 2**127 - 1
# The code keeps three bits for the member's number, so a board has at most 8 members holding shares.
MAX_MEMBERS: Final = 8


@dataclass(frozen=True)
class Share:
    """One board member's share: ``index`` 1…n (their number on the board), ``value`` = f(index) mod p.

    The value is left out of ``repr``, so a share that reaches a log line or a traceback does not give
    itself away there."""

    index: int
    value: int = field(repr=False)


def _poll_secret(context: bytes, seed: int) -> int:
    return hash_to_scalar(b"thidua poll key", context, seed.to_bytes(16, "big"))


def _commitment(context: bytes, share: Share) -> str:
    data = b"thidua share" + context + share.index.to_bytes(1, "big") + share.value.to_bytes(16, "big")
    return hashlib.sha256(data).hexdigest()


def split(context: bytes, k: int, n: int) -> tuple[bytes, list[Share], list[str]]:
    """A fresh poll key, split so that any ``k`` of the ``n`` board members rebuild it.

    Returns the public key, the n shares (to print, one per member, then forget) and their commitments
    (to store, in the members' order). The seed and the secret scalar never leave this function.

    k is not written in the codes or the commitments: the caller keeps it (the regulation sets it) and
    passes it to ``combine``, which otherwise finds out that shares are missing when the rebuilt public key
    differs from the stored one.
    """
    if not 1 <= k <= n <= MAX_MEMBERS:
        raise Invalid(f"Cần 1 ≤ k ≤ n ≤ {MAX_MEMBERS} (k = {k}, n = {n}).")
    coefficients = [secrets.randbelow(PRIME) for _ in range(k)]
    shares = []
    for index in range(1, n + 1):
        value = 0
        for coefficient in reversed(coefficients):  # Horner
            value = (value * index + coefficient) % PRIME
        shares.append(Share(index, value))
    public = base(_poll_secret(context, coefficients[0]))
    return public, shares, [_commitment(context, share) for share in shares]


def share_fits(context: bytes, share: Share, commitment: str) -> bool:
    """Whether ``share`` is the one committed to (constant-time compare)."""
    if not 1 <= share.index <= MAX_MEMBERS or not 0 <= share.value < PRIME:
        return False
    # Bytes, not str: compare_digest refuses a str with a non-ASCII character, and a commitment read
    # from anywhere must give an answer, not an exception.
    return hmac.compare_digest(_commitment(context, share).encode(), commitment.encode())


def combine(
    context: bytes,
    shares: Sequence[Share],
    commitments: Sequence[str],
    public: bytes,
    *,
    k: int | None = None,
) -> bytes:
    """The poll's secret scalar, rebuilt from the board members' shares, for the count only.

    ``commitments[i]`` is member i + 1's. Refuses a share entered twice and a member number the board does
    not have (``Invalid``); names the first share that does not match its commitment (``WrongShare``);
    refuses fewer than ``k`` shares when k is given, and in any case shares that do not give back the
    stored public key (too few of them: Lagrange interpolation through fewer than k points gives another
    seed).
    """
    seen: set[int] = set()
    for share in shares:
        if share.index in seen:
            raise Invalid(f"Phần khóa của thành viên số {share.index} đã được nhập rồi.")
        seen.add(share.index)
        if not 1 <= share.index <= len(commitments):
            raise Invalid(f"Ban kiểm phiếu không có thành viên số {share.index}.")
    for share in shares:
        if not share_fits(context, share, commitments[share.index - 1]):
            raise WrongShare(
                share.index,
                f"Phần khóa của thành viên số {share.index} không đúng: nhập lại mã của thành viên này.",
            )
    if k is not None and len(shares) < k:
        raise Invalid(f"Cần ít nhất {k} phần khóa, mới nhập {len(shares)}.")
    if not shares:
        raise Invalid("Chưa nhập phần khóa nào.")
    seed = 0
    for share in shares:
        numerator, denominator = 1, 1
        for other in shares:
            if other.index != share.index:
                numerator = numerator * other.index % PRIME
                denominator = denominator * (other.index - share.index) % PRIME
        seed = (seed + share.value * numerator * pow(denominator, -1, PRIME)) % PRIME
    secret = _poll_secret(context, seed)
    if base(secret) != public:
        raise Invalid(
            "Các phần khóa đã nhập chưa đủ để dựng lại khóa: cần thêm phần khóa của thành viên khác."
        )
    return scalar_bytes(secret)


# Crockford's base32: no I, L, O or U, so 1/I/L and 0/O cannot be confused, and reading is tolerant.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = {"O": "0", "I": "1", "L": "1"}
_DATA_SYMBOLS = 26  # 3 bits of member number + 127 bits of value = 130 bits
_CHECK_SYMBOLS = 2
_CODE_SYMBOLS = _DATA_SYMBOLS + _CHECK_SYMBOLS  # 28: seven groups of four
_GROUP = 4


# GF(32) from x^5 + x^2 + 1 for the two check symbols: a Reed–Solomon code of distance 3, which finds
# every single typo and every swap of two different symbols, and tells where a single typo is.
def _gf32_tables() -> tuple[list[int], list[int]]:
    """Powers of α (twice over, so that a product needs no reduction of the exponent) and their logs."""
    powers, logs = [0] * 62, [0] * 32
    value = 1
    for power in range(31):
        powers[power] = powers[power + 31] = value
        logs[value] = power
        value <<= 1
        if value & 0b100000:
            value ^= 0b100101
    return powers, logs


_EXP, _LOG = _gf32_tables()


def _gf_mul(x: int, y: int) -> int:
    return 0 if x == 0 or y == 0 else _EXP[_LOG[x] + _LOG[y]]


def _syndromes(symbols: Sequence[int]) -> tuple[int, int]:
    """r(α) and r(α²), symbol i being the coefficient of x^(len-1-i); both 0 for a codeword."""
    first = second = 0
    for symbol in symbols:
        first = _gf_mul(first, _EXP[1]) ^ symbol
        second = _gf_mul(second, _EXP[2]) ^ symbol
    return first, second


def _check_symbols(data: Sequence[int]) -> list[int]:
    """The two symbols that make ``data`` a codeword: the remainder of data·x² by (x − α)(x − α²)."""
    g1, g0 = _EXP[1] ^ _EXP[2], _EXP[3]  # g(x) = x² + (α + α²)x + α³
    r1 = r0 = 0
    for symbol in data:
        feedback = symbol ^ r1
        r1 = r0 ^ _gf_mul(feedback, g1)
        r0 = _gf_mul(feedback, g0)
    return [r1, r0]


def share_code(share: Share) -> str:
    """The share as a code a person can type: 28 Crockford base32 symbols in groups of four,
    "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX". The first 26 hold the member's number (3 bits) and the value
    (127 bits), the last two are check symbols."""
    if not 1 <= share.index <= MAX_MEMBERS or not 0 <= share.value < PRIME:
        raise Invalid("Phần khóa không hợp lệ.")
    number = ((share.index - 1) << 127) | share.value
    data = [(number >> (5 * (_DATA_SYMBOLS - 1 - i))) & 31 for i in range(_DATA_SYMBOLS)]
    symbols = data + _check_symbols(data)
    text = "".join(_ALPHABET[s] for s in symbols)
    return "-".join(text[i : i + _GROUP] for i in range(0, _CODE_SYMBOLS, _GROUP))


def _typo_groups(symbols: list[int]) -> list[int]:
    """Groups (from 1) where one typo, or a swap of two neighbours, would explain a failed check."""
    groups: list[int] = []
    first, second = _syndromes(symbols)
    if first and second:
        # One error of size e at degree d gives r(α) = e·α^d and r(α²) = e·α^(2d), so α^d = r(α²)/r(α).
        degree = (_LOG[second] - _LOG[first]) % 31
        if degree < len(symbols):
            groups.append((len(symbols) - 1 - degree) // _GROUP + 1)
    for i in range(len(symbols) - 1):
        swapped = [*symbols[:i], symbols[i + 1], symbols[i], *symbols[i + 2 :]]
        if _syndromes(swapped) == (0, 0):
            groups.extend({i // _GROUP + 1, (i + 1) // _GROUP + 1})
    return sorted(set(groups))


def read_share_code(text: str) -> Share:
    """Read a typed or scanned share code back, tolerant of case, spaces, dashes, O for 0 and I or L for 1.

    Refuses, naming the group where it can: a symbol not in the alphabet, a group of the wrong length, a
    wrong number of symbols, and any code whose check symbols do not match (every single typo and every
    swap of two symbols is caught).
    """
    cleaned = text.strip().upper()
    groups = [g for g in re.split(r"[\s\-‐‑‒–—]+", cleaned) if g]
    symbols: list[int] = []
    for number, group in enumerate(groups, start=1):
        for char in group:
            char = _READ_AS.get(char, char)
            if char not in _ALPHABET:
                group_number = len(symbols) // _GROUP + 1 if len(groups) == 1 else number
                raise Invalid(
                    f"Mã phần khóa có ký tự '{char}' không dùng trong mã, ở nhóm thứ {group_number}."
                )
            symbols.append(_ALPHABET.index(char))
    if len(symbols) != _CODE_SYMBOLS:
        # Typed in groups, the first group of another length is most likely where a symbol went missing
        # or came in twice; with the right number of symbols any grouping is fine.
        short = next((n for n, g in enumerate(groups, start=1) if len(g) != _GROUP), None)
        if len(groups) > 1 and short is not None:
            raise Invalid(
                f"Mã phần khóa sai ở nhóm thứ {short}: nhóm có {len(groups[short - 1])} ký tự, cần {_GROUP}."
            )
        raise Invalid(f"Mã phần khóa có {len(symbols)} ký tự, cần {_CODE_SYMBOLS} (7 nhóm 4 ký tự).")
    if _syndromes(symbols) != (0, 0):
        where = _typo_groups(symbols)
        if where:
            places = " hoặc ".join(f"thứ {g}" for g in where)
            raise Invalid(f"Mã phần khóa sai ở nhóm {places}: kiểm tra lại các ký tự của nhóm này.")
        raise Invalid("Mã phần khóa sai: kiểm tra lại toàn bộ mã.")
    number = 0
    for symbol in symbols[:_DATA_SYMBOLS]:
        number = (number << 5) | symbol
    value = number & ((1 << 127) - 1)
    if value >= PRIME:
        raise Invalid("Mã phần khóa không hợp lệ.")
    return Share(index=(number >> 127) + 1, value=value)
