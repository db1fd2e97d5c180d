from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from thidua.agreements.rules import Kind
from thidua.web.versioning import Versioned


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    SIGNING = "signing", "Đang ký"
    IN_FORCE = "in_force", "Có hiệu lực"
    SUPERSEDED = "superseded", "Đã được sửa đổi"


class Agreement(Versioned):
    """Giao ước thi đua. Each amendment is a new version; earlier versions stay readable."""

    emulation_year = models.ForeignKey(
        "years.EmulationYear", verbose_name="năm thi đua", on_delete=models.PROTECT, related_name="agreements"
    )
    # The amendment number (lần ban hành), not the edit counter: the draft's edits count in `revision`.
    version = models.PositiveSmallIntegerField("lần ban hành", default=1)
    revision = models.PositiveIntegerField("phiên bản sửa", default=1)
    counter = "revision"
    status = models.CharField(
        "trạng thái", max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    title = models.CharField("tên", max_length=300)
    goals = models.TextField("mục tiêu", blank=True)
    commitments = models.TextField("cam kết", blank=True)
    amendment_reason = models.TextField("lý do sửa đổi", blank=True)
    bonus_cap = models.DecimalField(
        "điểm thưởng tối đa", max_digits=7, decimal_places=2, null=True, blank=True
    )
    penalty_cap = models.DecimalField(
        "điểm trừ tối đa", max_digits=7, decimal_places=2, null=True, blank=True
    )
    # Ranking tie-break after the total: the higher score in this work area (by its code), then fewer
    # penalty points; what is still tied goes to the conference vote.
    tie_break_group_code = models.CharField("nhóm tiêu chí xét khi bằng điểm", max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    in_force_at = models.DateTimeField("có hiệu lực lúc", null=True, blank=True)

    class Meta:
        verbose_name = "giao ước thi đua"
        verbose_name_plural = "giao ước thi đua"
        ordering = ["emulation_year", "version"]
        constraints = [
            models.UniqueConstraint(fields=["emulation_year", "version"], name="agreement_version_unique"),
            models.UniqueConstraint(
                fields=["emulation_year"], condition=Q(status="in_force"), name="one_agreement_in_force"
            ),
        ]

    def __str__(self) -> str:
        suffix = f" (sửa đổi lần {self.version - 1})" if self.version > 1 else ""
        return f"{self.title}{suffix}"

    @property
    def editable(self) -> bool:
        return self.status == AgreementStatus.DRAFT


class CriterionGroup(Versioned):
    """A work area (nhóm tiêu chí) with its maximum."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="criterion_groups")
    position = models.PositiveSmallIntegerField("thứ tự")
    code = models.CharField("mã", max_length=10)
    title = models.CharField("nhóm tiêu chí", max_length=300)
    max_points = models.DecimalField("điểm tối đa", max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = "nhóm tiêu chí"
        verbose_name_plural = "nhóm tiêu chí"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="criterion_group_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class CriterionKind(models.TextChoices):
    FIXED = Kind.FIXED.value, "Chấm theo mức (tối đa)"
    QUANTITATIVE = Kind.QUANTITATIVE.value, "Định lượng theo chỉ tiêu"
    PASS_FAIL = Kind.PASS_FAIL.value, "Đạt / không đạt"
    PER_OCCURRENCE = Kind.PER_OCCURRENCE.value, "Điểm mỗi lần, có mức trần"
    BONUS = Kind.BONUS.value, "Điểm thưởng"
    PENALTY = Kind.PENALTY.value, "Điểm trừ"


class Criterion(Versioned):
    """One criterion of one version of the agreement.

    `key` is the criterion's identity across versions: an amendment copies it to the criterion it keeps or
    changes, so scores, reviews and settled points follow the criterion, not one version's row id
    (issue 13). A criterion an amendment adds gets a new key; one it removes leaves its key behind."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="criteria")
    group = models.ForeignKey(
        CriterionGroup, verbose_name="nhóm", on_delete=models.CASCADE, related_name="criteria"
    )
    key = models.UUIDField("định danh", default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField("thứ tự")
    code = models.CharField("mã", max_length=16)
    text = models.TextField("tiêu chí")
    guidance = models.TextField("hướng dẫn chấm, minh chứng", blank=True)
    kind = models.CharField(
        "cách chấm", max_length=16, choices=CriterionKind.choices, default=CriterionKind.FIXED
    )
    max_points = models.DecimalField("điểm tối đa", max_digits=7, decimal_places=2)
    target = models.DecimalField("chỉ tiêu", max_digits=12, decimal_places=2, null=True, blank=True)
    points_per_unit = models.DecimalField(
        "điểm mỗi lần", max_digits=7, decimal_places=2, null=True, blank=True
    )
    evidence_required = models.BooleanField("bắt buộc minh chứng", default=False)

    class Meta:
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"
        ordering = ["group__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="criterion_code_unique"),
            models.UniqueConstraint(fields=["agreement", "key"], name="criterion_key_once_per_version"),
            models.CheckConstraint(
                condition=Q(max_points__gte=Decimal(0)), name="criterion_max_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text[:80]}"


class SignatureMethod(models.TextChoices):
    ONLINE = "online", "Ký trên hệ thống"
    PAPER = "paper", "Ký giấy (bản quét)"


class Signature(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="đơn vị",
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    signer_name = models.CharField("người ký", max_length=150)
    signer_title = models.CharField("chức vụ", max_length=150)
    signed_at = models.DateTimeField("thời điểm ký")
    method = models.CharField("hình thức", max_length=10, choices=SignatureMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scan = models.FileField("bản quét", upload_to="signatures/%Y/", blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "chữ ký giao ước"
        verbose_name_plural = "chữ ký giao ước"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organization"], name="one_signature_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.signer_name} — {self.organization}"
