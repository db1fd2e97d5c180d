"""Delegate access codes: pure, stdlib only.

A code is "<card>-<secret>": the card number is printed in clear and says which card it is, so that
wrong attempts are counted per card (DESIGN.md and the conference issue: rate-limited per code, not per
IP — a venue's delegates share one address). The secret is 16 characters of Crockford base32: 80 bits
of entropy, well past the 64 the issue asks for. Only a hash of the whole code is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U, so nothing reads as another
SECRET_LENGTH = 16
GROUP = 4
RECEIPT_LENGTH = 10


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))


def format_code(card: str, secret: str) -> str:
    groups = [secret[i : i + GROUP] for i in range(0, len(secret), GROUP)]
    return "-".join([card, *groups])


def normalize(code: str) -> tuple[str, str] | None:
    """(card, secret) from what a delegate typed or scanned: case, spaces and dashes do not matter, and
    the letters people confuse with digits are read as Crockford says (O→0, I/L→1)."""
    cleaned = code.strip().upper().replace(" ", "").translate(str.maketrans("OIL", "011"))
    if "-" not in cleaned:
        return None
    card, _, rest = cleaned.partition("-")
    secret = rest.replace("-", "")
    if not card.isdigit() or len(secret) != SECRET_LENGTH or any(c not in ALPHABET for c in secret):
        return None
    return card, secret


@dataclass(frozen=True)
class ScannedCard:
    conference: int | None  # the conference the card's URL names, when the scan is a URL
    card: str  # two digits at least, as printed: "07"
    secret: str


# What a card's QR code holds: the voting page's URL with the code in its fragment,
# "http://192.168.1.5:8000/bo-phieu/12/#07-ABCD-EFGH-JKMN-PQRS" (thidua/conferences/views.py, cards).
_VOTE_URL = re.compile(r"/bo-phieu/(\d+)/?(?:[?][^#]*)?$")


def read_scanned_card(text: str) -> ScannedCard | None:
    """A voting card as a scanner or a phone types it: the URL of its QR code, or the code printed under
    it. None when it is neither."""
    text = text.strip()
    conference = None
    if "#" in text:
        address, _, text = text.partition("#")
        match = _VOTE_URL.search(address)
        if match is None:
            return None
        conference = int(match.group(1))
    parsed = normalize(text)
    if parsed is None:
        return None
    card, secret = parsed
    return ScannedCard(conference, card.zfill(2), secret)


def code_hash(card: str, secret: str) -> str:
    return hashlib.sha256(f"{card}-{secret}".encode()).hexdigest()


def receipt() -> str:
    """A ballot's receipt: 10 characters, enough that nobody guesses another voter's. 50 random bits in
    one draw, five per character (the alphabet has 32): every vote makes one, and ten draws cost more."""
    bits = secrets.randbits(5 * RECEIPT_LENGTH)
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(RECEIPT_LENGTH))
