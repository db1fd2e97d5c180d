"""The group and what every part of the encrypted ballot shares: ristretto255 through libsodium, the
Fiat–Shamir hash, the strict base64url of stored values, and the errors.

A point is its 32-byte canonical ristretto255 encoding; a scalar is an ``int`` below ``ORDER`` inside the
package and 32 little-endian bytes outside it. Ristretto255 is a group of prime order ℓ built on
edwards25519: every canonical encoding is an element, there is no cofactor and no small-order point, so
checking a point is decoding it. libsodium refuses to return the identity from a multiplication, which
the tallies need (the empty poll's totals), so the helpers here handle it themselves.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Final

import rbcl as _sodium

# The order ℓ of ristretto255 (that of edwards25519's prime-order subgroup): every scalar is taken modulo it.
ORDER: Final = 2**252 + 27742317777372353535851937790883648493
# The neutral element's encoding. libsodium's multiplications fail rather than return it, and its
# additions do not check their inputs, so the package handles it itself: it is the encryption of 0 with
# randomness 0 that an empty poll's totals are.
IDENTITY: Final = b"\x00" * 32
BLANK_LABEL: Final = "Phiếu trắng"
RECORD_FORMAT: Final = "thidua-poll-record/1"

POINT_BYTES = 32
_SCALAR_BYTES = 32


class SodiumError(RuntimeError):
    """libsodium refused an operation: a point that is not the encoding of a group element."""


class Invalid(ValueError):
    """Something from outside (a ballot, a share, a code, a record) is not what it must be.

    The message is Vietnamese and names what is wrong, so a view or a command can show it as it is.
    """


class WrongShare(Invalid):
    """A board member's share does not match its commitment: ``index`` says whose, so they can retype it."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


class BadBallot(Invalid):
    """One ballot of a batch fails its checks: ``index`` (from 0) and ``receipt`` say which."""

    def __init__(self, index: int, receipt: str, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.receipt = receipt


# --- group helpers


def scalar_bytes(value: int) -> bytes:
    return (value % ORDER).to_bytes(_SCALAR_BYTES, "little")


def random_scalar() -> int:
    # Never 0: a zero nonce or randomness would give the identity, which libsodium refuses to return.
    return secrets.randbelow(ORDER - 1) + 1


def base(scalar: int) -> bytes:
    """scalar·G. The zero scalar gives the identity, which libsodium refuses to compute."""
    scalar %= ORDER
    if scalar == 0:
        return IDENTITY
    # libsodium clears only the top bit of the scalar (no clamping), which every scalar below ℓ has clear.
    return bytes(_sodium.crypto_scalarmult_ristretto255_base(scalar.to_bytes(_SCALAR_BYTES, "little")))


def mul(scalar: int, point: bytes) -> bytes:
    """scalar·point. libsodium decodes ``point`` and raises if it is no element's canonical encoding; the
    zero scalar, for which it would fail anyway, checks the point here instead, so no outside point ever
    escapes the check through a zero challenge."""
    scalar %= ORDER
    if point == IDENTITY:
        return IDENTITY
    if scalar == 0:
        if not is_point(point):
            raise SodiumError("point outside the group")
        return IDENTITY
    try:
        return bytes(_sodium.crypto_scalarmult_ristretto255(scalar.to_bytes(_SCALAR_BYTES, "little"), point))
    except (RuntimeError, ValueError, TypeError) as error:
        raise SodiumError("point outside the group") from error


def add(p: bytes, q: bytes) -> bytes:
    """p + q, for points already checked: libsodium's addition does not report a bad encoding."""
    if p == IDENTITY:
        return q
    if q == IDENTITY:
        return p
    return bytes(_sodium.crypto_core_ristretto255_add(p, q))


def sub(p: bytes, q: bytes) -> bytes:
    """p − q, for points already checked, as `add`."""
    if q == IDENTITY:
        return p
    return bytes(_sodium.crypto_core_ristretto255_sub(p, q))


def is_point(value: object) -> bool:
    """A canonical encoding of a group element other than the identity (which no ballot holds)."""
    return (
        isinstance(value, bytes)
        and len(value) == POINT_BYTES
        and value != IDENTITY
        and bool(_sodium.crypto_core_ristretto255_is_valid_point(value))
    )


GENERATOR: Final = base(1)


def hash_to_scalar(*parts: bytes) -> int:
    """The Fiat–Shamir challenge: SHA-512 reduced modulo ℓ (the same number as libsodium's
    crypto_core_ristretto255_scalar_reduce of the digest, computed without a round trip through it)."""
    digest = hashlib.sha512(b"".join(parts)).digest()
    return int.from_bytes(digest, "little") % ORDER


def framed(value: bytes) -> bytes:
    # The context has no fixed length: its length first, so that no two (context, rest) pairs hash alike.
    return len(value).to_bytes(8, "big") + value


def keypair() -> tuple[bytes, bytes]:
    """A fresh (public, secret) pair, for tests. Real polls get their key from ``split``, whose secret is
    never returned."""
    secret = random_scalar()
    return base(secret), scalar_bytes(secret)


def secret_scalar(secret: bytes) -> int:
    if not isinstance(secret, bytes) or len(secret) != _SCALAR_BYTES:
        raise Invalid("Khóa giải mã phải dài 32 byte.")
    value = int.from_bytes(secret, "little")
    if value == 0 or value >= ORDER:
        raise Invalid("Khóa giải mã không hợp lệ.")
    return value


def check_public(public: bytes) -> None:
    if not is_point(public):
        raise Invalid("Khóa công khai của cuộc bỏ phiếu không hợp lệ.")


def b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode("ascii")


_B64_32 = re.compile(r"[A-Za-z0-9_-]{43}")
_B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def unb64(text: object, what: str) -> bytes:
    """Strict base64url of 32 bytes, without padding: one spelling per value, so a stored record cannot
    be rewritten into another text that decodes the same."""
    if not isinstance(text, str) or not _B64_32.fullmatch(text):
        raise Invalid(f"{what}: phải là 32 byte viết bằng base64url (43 ký tự).")
    # 43 symbols carry 258 bits for 256: the last symbol's two low bits must be 0, or the same bytes
    # would have four spellings.
    if _B64_ALPHABET.index(text[-1]) & 3:
        raise Invalid(f"{what}: cách viết base64url không chuẩn.")
    return base64.urlsafe_b64decode(text + "=")  # the pattern admits nothing it cannot decode


def point_from(text: object, what: str, *, check: bool) -> bytes:
    """A point read from outside. Without ``check`` only the identity is refused here (cheaply: it is one
    spelling), and the multiplications that follow refuse every other point outside the group."""
    value = unb64(text, what)
    if value == IDENTITY or (check and not is_point(value)):
        raise Invalid(f"{what}: không phải một điểm của nhóm.")
    return value


def scalar_from(text: object, what: str) -> int:
    value = int.from_bytes(unb64(text, what), "little")
    if value >= ORDER:
        # A scalar at or above ℓ would be a second spelling of a smaller one.
        raise Invalid(f"{what}: số vượt quá bậc của nhóm.")
    return value
