"""Saves that know what they changed: every edit form carries the version of what it showed.

A row that can be edited from two tabs or by two officers keeps a `version`, bumped by each save, with
who saved and when. The form posts back the version it was drawn from; the service locks the row and
refuses the save when the version moved since, telling the user what is stored now, by whom and when
(issue 13: a stale tab must never silently write back what it showed).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict
from django.utils import timezone

from thidua.lib.dates import moment


class Versioned(models.Model):
    """The version of a row that forms edit, and the last save's author and time."""

    version = models.PositiveIntegerField("phiên bản", default=1)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người sửa cuối",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField("sửa lúc", null=True, blank=True)

    # The field that counts saves. A model whose `version` already means something else in the domain
    # (the agreement's "lần ban hành") overrides `version` and counts its saves in another field.
    counter: ClassVar[str] = "version"

    class Meta:
        abstract = True

    @property
    def row_version(self) -> int:
        value: int = getattr(self, self.counter)
        return value

    def bump(self, actor: Any) -> list[str]:
        """Mark a save by `actor`; returns the fields to add to `update_fields`."""
        setattr(self, self.counter, self.row_version + 1)
        self.changed_by = actor
        self.changed_at = timezone.now()
        return [self.counter, "changed_by", "changed_at"]


V = TypeVar("V", bound=Versioned)


class StaleEdit(ValidationError):
    """A save refused because the row changed after the form was drawn; `current` is the row now."""

    def __init__(self, message: str, current: Versioned) -> None:
        super().__init__(message, code="stale")
        self.current = current


def who_and_when(row: Versioned) -> str:
    """«bởi Cán bộ thi đua Ninh Bình lúc 15:02 ngày 04/12/2026», for the refusal messages."""
    parts = []
    if row.changed_by is not None:
        parts.append(f"bởi {row.changed_by}")
    if row.changed_at is not None:
        parts.append(f"lúc {moment(row.changed_at)}")
    return " ".join(parts)


def parse_version(raw: object) -> int | None:
    """The version a form posted; None when the form carried none (an API call, the demo loader)."""
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def require_version(current: V, expected: int | None, *, what: str, stored: str = "") -> V:
    """Refuse the save when `current` (already locked by the caller) moved past the form's version."""
    if expected is None or current.row_version == expected:
        return current
    stored_text = f" Giá trị đang lưu: {stored}." if stored else ""
    raise StaleEdit(
        f"{what} đã được sửa {who_and_when(current)} sau khi bạn mở trang; chưa lưu thay đổi của bạn."
        f"{stored_text}",
        current,
    )


OVERWRITE_WORDS = (
    "Bấm Lưu lần nữa để ghi đè bằng nội dung của bạn, hoặc mở lại trang để giữ nội dung đang lưu."
)


def redrawn_data(data: QueryDict, stale: StaleEdit) -> QueryDict:
    """The refused form's data with the version now stored: what the user typed stays on the form, and
    a second save, made knowing what is stored and by whom, overwrites it."""
    redrawn = data.copy()
    redrawn["version"] = str(stale.current.row_version)
    return redrawn
