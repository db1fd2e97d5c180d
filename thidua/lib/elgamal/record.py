"""The published record of a closed poll, and its check: what `manage.py verify_poll` and the public page
run, without the key."""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from collections.abc import Sequence
from typing import Any

from thidua.lib.elgamal.ballots import Ballot, add_up, check_shape, find_problems, slot_name
from thidua.lib.elgamal.group import RECORD_FORMAT, Invalid, b64, point_from
from thidua.lib.elgamal.totals import check_decryption


def poll_record(
    *,
    context: bytes,
    public: bytes,
    slots: int,
    limit: int,
    labels: Sequence[str],
    ballots: Sequence[Ballot],
    totals: Sequence[int],
    proofs: Sequence[dict[str, str]],
    meta: dict[str, Any],
) -> dict[str, Any]:
    """What is published after the count: every ballot by receipt (sorted, so the order they were cast in
    is not kept), the totals with their decryption proofs, and what a verifier needs to recompute them.
    JSON-safe; ``check_record`` reads it back.

    ``meta`` is the caller's (the poll's name, dates…), JSON-safe; when it carries ``ballot_count``, the
    number of electronic ballots cast as the participations count them, ``check_record`` holds the
    ballots to it.
    """
    if len(labels) != slots or len(totals) != slots or len(proofs) != slots:
        raise Invalid(f"Biên bản cần {slots} nhãn, {slots} tổng và {slots} bằng chứng giải mã.")
    entries = sorted(({"receipt": b.receipt(), **b.to_dict()} for b in ballots), key=lambda e: e["receipt"])
    return {
        "format": RECORD_FORMAT,
        "context": base64.urlsafe_b64encode(context).decode("ascii"),
        "public_key": b64(public),
        "slots": slots,
        "limit": limit,
        "labels": list(labels),
        "ballots": entries,
        "totals": [
            {"label": label, "value": value, "proof": dict(proof)}
            for label, value, proof in zip(labels, totals, proofs, strict=True)
        ],
        "meta": meta,
    }


def _field(record: dict[str, Any], key: str, kind: type) -> Any:
    value = record.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Invalid(f"Biên bản thiếu mục '{key}' hoặc mục này sai kiểu.")
    return value


def check_record(record: dict[str, Any], *, workers: int | None = None) -> list[str]:
    """Every problem of a published record, in Vietnamese; an empty list when it holds.

    Needs no key. Checks each ballot's receipt and proofs, recomputes the encrypted totals as the sum of
    the ballots, and checks every decryption proof against them: a ballot changed, dropped or added, one
    that encrypts 2 for a choice, or a changed total, each shows here.
    """
    try:
        if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
            return [f"Không phải biên bản cuộc bỏ phiếu dạng {RECORD_FORMAT}."]
        try:
            context = base64.urlsafe_b64decode(_field(record, "context", str).encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError) as error:
            raise Invalid("Mục 'context' không đọc được.") from error
        public = point_from(record.get("public_key"), "Khóa công khai", check=True)
        slots, limit = _field(record, "slots", int), _field(record, "limit", int)
        check_shape(slots, limit)
        labels = _field(record, "labels", list)
        entries = _field(record, "ballots", list)
        totals = _field(record, "totals", list)
        if len(labels) != slots or len(totals) != slots:
            raise Invalid(f"Biên bản phải có {slots} nhãn và {slots} tổng.")
    except Invalid as error:
        return [str(error)]

    problems: list[str] = []
    ballots: list[Ballot] = []
    receipts: list[str] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"Phiếu thứ {number} trong biên bản không đọc được.")
            continue
        stated = entry.get("receipt")
        try:
            ballot = Ballot.from_dict({k: v for k, v in entry.items() if k != "receipt"}, slots)
        except Invalid as error:
            problems.append(f"Phiếu có biên nhận {stated}: {error}")
            continue
        receipt = ballot.receipt()
        if receipt != stated:
            problems.append(f"Phiếu thứ {number}: biên nhận ghi {stated} nhưng phiếu có biên nhận {receipt}.")
        ballots.append(ballot)
        receipts.append(receipt)
    if receipts != sorted(receipts):
        problems.append("Các phiếu không được xếp theo biên nhận.")
    problems += [
        f"Phiếu có biên nhận {r} xuất hiện nhiều lần." for r, n in sorted(Counter(receipts).items()) if n > 1
    ]
    # The server that holds the key at the count could leave a ballot out before adding up, and publish
    # totals that prove. The number of ballots cast, from the participations, shows it; voters finding
    # their receipts show which.
    cast = record.get("meta", {}).get("ballot_count") if isinstance(record.get("meta"), dict) else None
    if isinstance(cast, int) and cast != len(entries):
        problems.append(f"Biên bản có {len(entries)} phiếu, nhưng số phiếu đã bỏ là {cast}.")
    for index, message in find_problems(
        public, context, ballots, slots, limit, secret=None, workers=workers, every=True
    ):
        problems.append(f"Phiếu có biên nhận {receipts[index]}: {message}")

    encrypted = add_up(ballots, slots, workers=workers)
    for slot, (entry, total) in enumerate(zip(totals, encrypted, strict=True)):
        name = labels[slot] if isinstance(labels[slot], str) else slot_name(slot, slots)
        if not isinstance(entry, dict):
            problems.append(f"Tổng của '{name}' không đọc được.")
            continue
        value, proof = entry.get("value"), entry.get("proof")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= len(entries):
            problems.append(f"Tổng của '{name}' phải là số nguyên từ 0 đến số phiếu.")
            continue
        try:
            check_decryption(public, total, value, proof if isinstance(proof, dict) else {}, context)
        except Invalid as error:
            problems.append(f"Tổng của '{name}' không khớp với các phiếu: {error}")
    return problems
