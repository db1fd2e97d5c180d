from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One state change: who did what to which record. Never holds ballot contents."""

    seq = models.PositiveBigIntegerField("số thứ tự", unique=True)
    created_at = models.DateTimeField("thời điểm")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("người thực hiện (tên)", max_length=200, blank=True)
    verb = models.CharField("hành động", max_length=80)
    target_type = models.CharField("loại đối tượng", max_length=80)
    target_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    target_label = models.CharField("đối tượng", max_length=300, blank=True)
    # The group a change belongs to, so each group's audit page is one indexed query.
    group = models.ForeignKey(
        "organizations.EmulationGroup",
        verbose_name="cụm/khối",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    data = models.JSONField("dữ liệu", default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = "sự kiện nhật ký"
        verbose_name_plural = "nhật ký"
        indexes = [models.Index(fields=["group", "-seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.target_label}"


# The primary key of the chain's one head row.
CHAIN_HEAD_ID = 1


class AuditChainHead(models.Model):
    """A single row, locked while an event is appended, so concurrent writers form one chain."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "đầu chuỗi nhật ký"

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class SubmitKey(models.Model):
    """A form's one-time key, spent by the service that acted on it: a double click, a retry after a
    timeout or a second tab sending the same form finds the key spent and is answered with the first
    request's result instead of doing the work twice (thidua.audit.submits)."""

    key = models.CharField("khóa gửi", max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người gửi", on_delete=models.CASCADE, related_name="+"
    )
    verb = models.CharField("hành động", max_length=80)
    result_url = models.CharField("kết quả tại", max_length=500, blank=True)
    created_at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "khóa gửi biểu mẫu"
        verbose_name_plural = "khóa gửi biểu mẫu"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="submit_key_once_per_user")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.key}"
