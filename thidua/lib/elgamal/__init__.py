"""Encrypted ballots: exponential ElGamal on ristretto255, their proofs, the counting board's key.

A ballot is stored only as ciphertexts under the poll's public key, so whoever reads the database files,
the WAL, the logs or a backup learns nothing from it. The ciphertexts are added up per choice (the
encryption is additively homomorphic) and only the totals are ever decrypted, with a proof that anyone can
check without the key. The design and the adversary are in docs/decisions.md ("Encrypted ballots").

The group is ristretto255 (RFC 9496), the prime-order group built on edwards25519, through libsodium's
low-level operations (bound by rbcl, which bundles libsodium). Every point that comes from outside is
decoded, which refuses any 32 bytes that are not an element's one canonical encoding, either by
``crypto_core_ristretto255_is_valid_point`` or by the multiplication it goes through.

Pure on purpose: stdlib and libsodium's bindings only, no Django, so the count, the ``verify_poll``
command and a verifier written by someone else all run the same code, and the tests need no database.

- ``group``: the group's operations, the Fiat–Shamir hash, stored encodings, the errors;
- ``ballots``: encrypting a voter's picks, the proofs, checking them (in parallel at the count), sums;
- ``totals``: decrypting a total with its proof, and checking that proof;
- ``board``: the key split among the counting board, and the codes its members type;
- ``record``: the published record of a poll and its check.
"""

from thidua.lib.elgamal.ballots import (
    Ballot,
    Ciphertext,
    Kit,
    Proof,
    add_up,
    check_ballot,
    check_ballots,
    count_ballots,
    encrypt_ballot,
    finish_ballot,
    prepare_kit,
)
from thidua.lib.elgamal.board import (
    MAX_MEMBERS,
    PRIME,
    Share,
    combine,
    read_share_code,
    share_code,
    share_fits,
    split,
)
from thidua.lib.elgamal.group import (
    BLANK_LABEL,
    IDENTITY,
    ORDER,
    RECORD_FORMAT,
    BadBallot,
    Invalid,
    WrongShare,
    keypair,
)
from thidua.lib.elgamal.record import check_record, poll_record
from thidua.lib.elgamal.totals import check_decryption, decrypt_total

__all__ = [
    "BLANK_LABEL",
    "IDENTITY",
    "MAX_MEMBERS",
    "ORDER",
    "PRIME",
    "RECORD_FORMAT",
    "BadBallot",
    "Ballot",
    "Ciphertext",
    "Invalid",
    "Kit",
    "Proof",
    "Share",
    "WrongShare",
    "add_up",
    "check_ballot",
    "check_ballots",
    "check_decryption",
    "check_record",
    "combine",
    "count_ballots",
    "decrypt_total",
    "encrypt_ballot",
    "finish_ballot",
    "keypair",
    "poll_record",
    "prepare_kit",
    "read_share_code",
    "share_code",
    "share_fits",
    "split",
]
