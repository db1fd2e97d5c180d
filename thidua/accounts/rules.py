"""Two-factor sign-in: who must use it, what a session still owes, and the shape of its codes. Pure, stdlib
only.

Who must: issue 16 asks it of parent-body staff and the secretariat, and ASVS 5.0 6.3.3 (level 2) of every
account that can change what others rely on. Superusers come first: they open the Django admin, where any
row can be edited. Parent-body staff keep the registry and settle awards for every group under them. The
secretariat assigns cross-checks, settles scores, runs the conference and issues documents. There is no
secretariat role to read (DESIGN.md: the rights follow the Leadership record): `thidua.accounts.permissions`
gives a head's officers the year they head (`can_run_year`, with no end date) and the head's and deputy's
officers the opening of the next year (`can_open_year`), so an officer of an organization that holds any
leadership, head or deputy, is a secretariat account here. A member's officer who never led, an editor or a
news manager may turn the step on and is then asked for it like everyone else.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from enum import Enum


class SecondStep(Enum):
    """What a signed-in session still owes before any page opens."""

    NONE = "none"  # nothing: no device and not required, or already verified
    VERIFY = "verify"  # a code from the account's device (or a recovery code)
    ENROL = "enrol"  # required, but the account has no device yet: set one up first


def two_factor_required(
    *, required_by_setting: bool, is_superuser: bool, is_parent_staff: bool, leads_a_group: bool
) -> bool:
    """Whether an account must pass the second step (see the module's docstring for who and why)."""
    return required_by_setting and (is_superuser or is_parent_staff or leads_a_group)


def second_step(*, has_device: bool, required: bool) -> SecondStep:
    """An account with a device is always asked for its code, required or not (it chose to be); one
    without is sent to set one up only when required."""
    if has_device:
        return SecondStep.VERIFY
    return SecondStep.ENROL if required else SecondStep.NONE


TOTP_DIGITS = 6
_SEPARATORS = re.compile(r"[\s-]")


def totp_code(typed: str) -> str | None:
    """The six digits of an authenticator code as typed ("123 456" too), or None when it is not one."""
    cleaned = _SEPARATORS.sub("", typed)
    if len(cleaned) == TOTP_DIGITS and cleaned.isascii() and cleaned.isdigit():
        return cleaned
    return None


def grouped(text: str, size: int = 4, separator: str = " ") -> str:
    """A long code in groups of four, as it is read out and typed."""
    return separator.join(text[i : i + size] for i in range(0, len(text), size))


# Recovery codes: Crockford base32 (no I, L, O, U, so nothing reads as another), 24 characters, 120 random
# bits. ASVS 5.0 6.5.2 allows a plain hash for a lookup secret of 112 bits or more; below that it asks for a
# salted password hash, far too slow to try against ten codes at each sign-in. Only a digest is stored.
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_LENGTH = 24
RECOVERY_CODES = 10
_READ_AS = str.maketrans("OIL", "011")


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Fresh recovery codes, as shown to the user: six groups of four joined by dashes."""
    return [
        grouped("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)), separator="-")
        for _ in range(count)
    ]


def recovery_code(typed: str) -> str | None:
    """The code's 24 characters from what was typed, or None when it cannot be one: case, spaces and dashes
    do not matter, and the letters people confuse with digits are read as Crockford says (O→0, I/L→1)."""
    cleaned = _SEPARATORS.sub("", typed).upper().translate(_READ_AS)
    if len(cleaned) != RECOVERY_LENGTH or any(c not in RECOVERY_ALPHABET for c in cleaned):
        return None
    return cleaned


def recovery_digest(code: str) -> str:
    """What is stored for a recovery code (normalized by `recovery_code`): the first 16 characters (96 bits)
    of its SHA-256 in URL-safe base64, as django-otp's static token column holds 16 characters."""
    digest = hashlib.sha256(code.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:16]
