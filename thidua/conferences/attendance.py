"""Check-in at the door, by the secretariat: many delegates at once, or one by scanning their card.

Services (one function per state change, in a transaction, with its audit event) split from
`services.py` by topic. A delegate already present is left as they are, so asking twice does nothing
more: the door's list, a double click and a second scan are all harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from thidua.accounts.models import User
from thidua.audit.services import record
from thidua.conferences import codes
from thidua.conferences.models import Conference, Delegate
from thidua.conferences.services import require_runner


def _card_words(delegate: Delegate) -> str:
    """ "Thẻ số 07 — Nguyễn Văn An (Liên hiệp hội tỉnh Nghệ An)": how a message names a card."""
    organization = f" ({delegate.organization.current_short_name})" if delegate.organization else ""
    card = f"Thẻ số {delegate.card} — " if delegate.card else ""
    return f"{card}{delegate.full_name}{organization}"


@transaction.atomic
def check_in_many(*, actor: User, conference: Conference, delegate_ids: Iterable[int]) -> list[Delegate]:
    """Mark the given delegates of the conference present; return those who were not yet. Ids of another
    conference's delegates are refused, and then nobody is checked in."""
    require_runner(actor, conference)
    wanted = set(delegate_ids)
    if not wanted:
        raise ValidationError("Chưa chọn đại biểu nào để điểm danh.")
    # Locked, so two people at the door checking the same delegates in record each arrival once.
    delegates = list(
        conference.delegates.select_for_update(of=("self",))
        .filter(pk__in=wanted)
        .order_by("pk")
        .select_related("organization")
    )
    if len(delegates) != len(wanted):
        raise ValidationError("Có đại biểu không thuộc hội nghị này; chưa điểm danh ai.")
    arrived = [d for d in delegates if d.checked_in_at is None]
    if not arrived:
        return []
    now = timezone.now()
    Delegate.objects.filter(pk__in=[d.pk for d in arrived]).update(checked_in_at=now)
    for delegate in arrived:
        delegate.checked_in_at = now
    record(
        actor=actor,
        verb="delegate.check_in",
        target=conference,
        group=conference.emulation_year.group,
        data={"by": "secretariat", "delegates": [d.pk for d in arrived]},
    )
    return arrived


@dataclass(frozen=True)
class ScanResult:
    delegate: Delegate
    already: bool  # the delegate was checked in before this scan

    @property
    def message(self) -> str:
        if self.already:
            moment = timezone.localtime(self.delegate.checked_in_at)
            return f"{_card_words(self.delegate)}: đã điểm danh trước đó, lúc {moment:%H:%M}."
        return f"Đã điểm danh {_card_words(self.delegate)}."


@transaction.atomic
def check_in_by_card(*, actor: User, conference: Conference, scanned: str) -> ScanResult:
    """Check in the delegate whose voting card was scanned (its QR code's URL) or typed (its code). The
    code finds the card, so a card whose code was issued anew no longer counts. Messages name the card
    by its number, never by its code."""
    require_runner(actor, conference)
    card = codes.read_scanned_card(scanned)
    if card is None:
        raise ValidationError(
            "Không đọc được thẻ: cần quét mã QR trên thẻ biểu quyết hoặc gõ mã in trên thẻ "
            f"(dạng {codes.EXAMPLE})."
        )
    if card.conference is not None and card.conference != conference.pk:
        raise ValidationError("Thẻ này là thẻ của một hội nghị khác.")
    delegate = (
        conference.delegates.select_for_update(of=("self",))
        .select_related("organization")
        .filter(code_hash=codes.code_hash(card.code))
        .first()
    )
    if delegate is None:
        raise ValidationError(
            "Mã trên thẻ không đúng với hội nghị này: thẻ đã được cấp mã mới (hãy dùng thẻ in sau cùng) "
            "hoặc là thẻ của hội nghị khác."
        )
    already = delegate.checked_in_at is not None
    if not already:
        check_in_many(actor=actor, conference=conference, delegate_ids=[delegate.pk])
        delegate.refresh_from_db(fields=["checked_in_at"])
    return ScanResult(delegate, already)
