"""Delegate access codes: pure, stdlib only.

A code is 16 characters of Crockford base32, typed in four groups of four ("ABCD-EFGH-JKMN-PQRS") or
scanned from the card's QR code: 80 random bits. Guessing one is hopeless however many tries a client
makes, so no card is ever locked — a lock anyone could trigger would let anyone on the venue's Wi-Fi keep
every delegate from voting. Wrong attempts are throttled per client instead (`thidua.conferences.throttle`).

The card's number ("Thẻ số 07") is printed for people to tell cards apart; it is no part of the code.
Only the code's SHA-256 is stored, and it is also what finds the card: one indexed lookup, whose timing
says nothing about the code. No key is mixed in: 80 random bits need none against a copy of the
database, and a key would tie every printed card to the server's secret key, so that rotating it or
restoring a backup on another machine would void the cards in the middle of a conference.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U, so nothing reads as another
CODE_LENGTH = 16
GROUP = 4
RECEIPT_LENGTH = 10
EXAMPLE = "ABCD-EFGH-JKMN-PQRS"  # how the cards and the messages show the code's shape


def entropy_bits() -> int:
    """The code's entropy: each character is one of 32, drawn independently."""
    return CODE_LENGTH * (len(ALPHABET).bit_length() - 1)


def new_code() -> str:
    """A fresh code, as printed: four groups of four."""
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH)))


def format_code(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


_READ_AS = str.maketrans("OIL", "011")


def normalize(code: str) -> str | None:
    """The code's 16 characters from what a delegate typed or scanned, or None when it cannot be one:
    case, spaces and dashes do not matter, and the letters people confuse with digits are read as
    Crockford says (O→0, I/L→1)."""
    cleaned = re.sub(r"[\s-]", "", code).upper().translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


@dataclass(frozen=True)
class ScannedCard:
    conference: int | None  # the conference the card's URL names, when the scan is a URL
    code: str  # normalized: 16 characters, no dashes


# What a card's QR code holds: the voting page's URL with the code in its fragment,
# "http://192.168.1.5:8000/bo-phieu/12/#ABCD-EFGH-JKMN-PQRS" (thidua/conferences/views.py, cards).
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
    code = normalize(text)
    return None if code is None else ScannedCard(conference, code)


def code_hash(code: str) -> str:
    """What is stored of a normalized code, and looked up by."""
    return hashlib.sha256(code.encode()).hexdigest()


def receipt() -> str:
    """A ballot's receipt: 10 characters, enough that nobody guesses another voter's. 50 random bits in
    one draw, five per character (the alphabet has 32): every vote makes one, and ten draws cost more."""
    bits = secrets.randbits(5 * RECEIPT_LENGTH)
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(RECEIPT_LENGTH))
