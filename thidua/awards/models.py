"""The dossier a group sends to its parent body, the awards proposed in it, and the awards decided.

A dossier (hồ sơ đề nghị khen thưởng) is assembled by the secretariat from the year's issued documents
(tờ trình, minutes, vote-count minutes, score summary) and the achievement reports of the nominated
members; the parent body's council votes on each proposal and the president's decision turns those
that passed into awards (DOMAIN.md, "The year of a cluster", point 6).
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Q

from thidua.organizations.models import AwardForm


class DossierStatus(models.TextChoices):
    DRAFT = "draft", "Đang lập"
    SUBMITTED = "submitted", "Đã gửi cơ quan cấp trên"
    DECIDED = "decided", "Đã có quyết định khen thưởng"


class Dossier(models.Model):
    emulation_year = models.OneToOneField(
        "years.EmulationYear",
        verbose_name="năm thi đua",
        on_delete=models.PROTECT,
        related_name="dossier",
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=DossierStatus.choices, default=DossierStatus.DRAFT
    )
    documents = models.ManyToManyField(
        "documents.Document", verbose_name="văn bản trong hồ sơ", blank=True, related_name="dossiers"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    # The last return: kept after the dossier is sent again, so both sides see what was asked.
    returned_reason = models.TextField("lý do trả lại", blank=True)
    returned_at = models.DateTimeField("trả lại lúc", null=True, blank=True)
    # The council's vote (Hội đồng TĐKT of the parent body), and the threshold it was counted against,
    # copied from the Regulation in force with its source, so a later change of the Regulation never
    # changes a vote already recorded.
    council_members = models.PositiveSmallIntegerField("tổng số thành viên Hội đồng", null=True, blank=True)
    council_present = models.PositiveSmallIntegerField("số thành viên có mặt", null=True, blank=True)
    council_threshold_numerator = models.PositiveSmallIntegerField(null=True, blank=True)
    council_threshold_denominator = models.PositiveSmallIntegerField(null=True, blank=True)
    council_threshold_source = models.CharField("căn cứ: ngưỡng Hội đồng", max_length=400, blank=True)
    council_voted_at = models.DateTimeField("Hội đồng bỏ phiếu lúc", null=True, blank=True)
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    decision_signer_name = models.CharField("người ký", max_length=150, blank=True)
    decision_signer_title = models.CharField("chức vụ người ký", max_length=150, blank=True)
    decision_note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "hồ sơ đề nghị khen thưởng"
        verbose_name_plural = "hồ sơ đề nghị khen thưởng"

    def __str__(self) -> str:
        return f"Hồ sơ đề nghị khen thưởng — {self.emulation_year}"

    @property
    def council_threshold(self) -> Fraction | None:
        if not self.council_threshold_denominator:
            return None
        return Fraction(self.council_threshold_numerator or 0, self.council_threshold_denominator)


class Proposal(models.Model):
    """One organization proposed for one award form in a dossier, with the council's votes on it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="proposals")
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+"
    )
    award_form = models.CharField("hình thức khen thưởng", max_length=30, choices=AwardForm.choices)
    source = models.CharField("căn cứ đề nghị", max_length=300, blank=True)
    votes_in_favour = models.PositiveSmallIntegerField("số phiếu đồng ý", null=True, blank=True)
    votes_needed = models.PositiveSmallIntegerField("số phiếu cần đạt", null=True, blank=True)
    passed = models.BooleanField("Hội đồng thông qua", null=True, blank=True)

    class Meta:
        verbose_name = "đề nghị khen thưởng"
        verbose_name_plural = "đề nghị khen thưởng"
        ordering = ["dossier", "award_form", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "organization", "award_form"], name="one_proposal_per_form_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.get_award_form_display()}"


class AchievementReport(models.Model):
    """A nominated member's achievement report (báo cáo thành tích): PDF or DOCX, checked by content,
    its SHA-256 kept; the original name is for display only, never a path."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="reports")
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to="awards/%Y/")
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "báo cáo thành tích"
        verbose_name_plural = "báo cáo thành tích"

    def __str__(self) -> str:
        return self.original_name


class AwardQuerySet(models.QuerySet["Award"]):
    def of_parent(self, parent_id: int, year: int) -> AwardQuerySet:
        return self.filter(dossier__emulation_year__group__parent_id=parent_id, year=year)

    def published(self, today: datetime.date) -> AwardQuerySet:
        """Awards whose decision is issued: decided, and dated today or before. A decision is issued
        (ban hành) on its date (NĐ 30/2020/NĐ-CP, Điều 15): one recorded ahead of its date stays with
        the parent body's staff until that day (docs/decisions.md, "Award history")."""
        return self.filter(dossier__status=DossierStatus.DECIDED, decision_date__lte=today)


class Award(models.Model):
    """An award form given to an organization for a year by a decision of the parent body."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="awards"
    )
    year = models.PositiveSmallIntegerField("năm")
    award_form = models.CharField("hình thức khen thưởng", max_length=30, choices=AwardForm.choices)
    decision_number = models.CharField("số quyết định", max_length=60)
    decision_date = models.DateField("ngày quyết định")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="awards")
    note = models.CharField("ghi chú", max_length=300, blank=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = "khen thưởng"
        verbose_name_plural = "khen thưởng"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "award_form"], name="one_award_form_per_org_per_year"
            ),
            models.CheckConstraint(condition=~Q(decision_number=""), name="award_has_a_decision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.get_award_form_display()} năm {self.year} — {self.organization}"


class ScoreSnapshot(models.Model):
    """A parent body's settled points by criterion group and year, added up by the worker.

    The sum reads every settled score the parent body's groups hold, 1.5 million for a national body and
    about 2 seconds of PostgreSQL: too slow for a request (issue 16). The statistics page and its
    workbook read this row instead and say when it was added up. It is derived data, never a state
    change: writing it records no audit event, so it never moves the data version it is compared with.
    """

    parent = models.OneToOneField(
        "organizations.Organization",
        verbose_name="cơ quan cấp trên",
        on_delete=models.CASCADE,
        related_name="score_snapshot",
    )
    # [[year, criterion group title, total, sheets, max points], …]; the decimals as strings.
    rows = models.JSONField("số liệu", default=list)
    # The data version (thidua/audit/version.py) read before the sum: the figures hold every change up
    # to it. -1 until the first sum.
    data_version = models.BigIntegerField("phiên bản dữ liệu", default=-1)
    computed_at = models.DateTimeField("tính lúc", null=True)
    # When a sum was last asked of the worker; one newer than `computed_at` is still under way.
    requested_at = models.DateTimeField("yêu cầu tính lúc", null=True)

    class Meta:
        verbose_name = "số liệu điểm tính sẵn"
        verbose_name_plural = "số liệu điểm tính sẵn"

    def __str__(self) -> str:
        return f"Điểm theo nhóm tiêu chí — {self.parent}"
