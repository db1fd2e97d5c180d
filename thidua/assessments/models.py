from __future__ import annotations

from django.conf import settings
from django.db import models

from thidua.web.versioning import Versioned


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Đang chấm"
    SUBMITTED = "submitted", "Đã nộp"


class Assessment(models.Model):
    """A member's self-scoring of one year against the agreement in force (bản tự chấm)."""

    emulation_year = models.ForeignKey(
        "years.EmulationYear",
        verbose_name="năm thi đua",
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name="đơn vị",
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    agreement = models.ForeignKey(
        "agreements.Agreement", verbose_name="giao ước", on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    # Who submitted, so a save from a stale tab is told by whom the sheet was locked (issue 13).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nộp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopened_reason = models.TextField("lý do mở lại", blank=True)

    class Meta:
        verbose_name = "bản tự chấm"
        verbose_name_plural = "bản tự chấm"
        constraints = [
            models.UniqueConstraint(
                fields=["emulation_year", "organization"], name="one_assessment_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"Bản tự chấm {self.organization} — {self.emulation_year.year}"


class CurrentScores(models.Manager["Score"]):
    """The scores of the criteria in force: a criterion an amendment removed keeps its score, retired,
    readable through `Score.history` only, so no total, sheet or ranking counts it (issue 13)."""

    def get_queryset(self) -> models.QuerySet[Score]:
        return super().get_queryset().filter(retired_by__isnull=True)


class Score(Versioned):
    """One criterion of one assessment: the self score, the reviewer's, the answer, the final.

    Versioned: the sheet, the review and settling each post back the version their row was drawn from,
    so a stale tab is refused for that row instead of writing back what it showed (issue 13)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("agreements.Criterion", on_delete=models.PROTECT, related_name="scores")
    # What the officer typed: points, 1/0, amount achieved or occurrences, by the criterion's kind.
    self_value = models.DecimalField(
        "giá trị tự chấm", max_digits=12, decimal_places=2, null=True, blank=True
    )
    self_points = models.DecimalField("điểm tự chấm", max_digits=7, decimal_places=2, null=True, blank=True)
    note = models.TextField("thuyết minh", blank=True)
    reviewed_points = models.DecimalField(
        "điểm chấm chéo", max_digits=7, decimal_places=2, null=True, blank=True
    )
    review_reason = models.TextField("lý do chấm khác", blank=True)
    answer = models.TextField("giải trình", blank=True)
    final_points = models.DecimalField("điểm chốt", max_digits=7, decimal_places=2, null=True, blank=True)
    final_note = models.TextField("ghi chú chốt điểm", blank=True)
    # The amendment that removed this score's criterion; the score stays as it was, for the history.
    retired_by = models.ForeignKey(
        "agreements.Agreement",
        verbose_name="bỏ theo bản sửa đổi",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retired_scores",
    )

    objects = CurrentScores()
    history = models.Manager()

    class Meta:
        base_manager_name = "history"
        verbose_name = "điểm"
        verbose_name_plural = "điểm"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.self_points}"

    @property
    def disagrees(self) -> bool:
        return self.reviewed_points is not None and self.reviewed_points != self.self_points


class Evidence(models.Model):
    """A file backing a score (minh chứng); its type was checked by content and its hash kept."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/")
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "minh chứng"
        verbose_name_plural = "minh chứng"

    def __str__(self) -> str:
        return self.original_name


class ReviewKind(models.TextChoices):
    PEER = "peer", "Chấm chéo"
    APPRAISAL = "appraisal", "Thẩm định (cụm trưởng, cụm phó)"


class ReviewAssignment(models.Model):
    emulation_year = models.ForeignKey(
        "years.EmulationYear", on_delete=models.PROTECT, related_name="review_assignments"
    )
    reviewed = models.ForeignKey(
        "organizations.Organization",
        verbose_name="đơn vị được chấm",
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        "organizations.Organization", verbose_name="đơn vị chấm", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("hình thức", max_length=10, choices=ReviewKind.choices, default=ReviewKind.PEER)
    completed_at = models.DateTimeField("chấm xong lúc", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người hoàn thành",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "phân công chấm chéo"
        verbose_name_plural = "phân công chấm chéo"
        constraints = [
            models.UniqueConstraint(fields=["emulation_year", "reviewed"], name="one_reviewer_per_member"),
            models.CheckConstraint(
                condition=~models.Q(reviewed=models.F("reviewer")), name="nobody_reviews_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} chấm {self.reviewed}"


class AmendmentEffect(models.Model):
    """What an amendment did to one member's sheet when it took effect: the member's to-do until an
    officer of the member has read it (issue 13: "the members whose scores changed get a to-do")."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="amendment_effects")
    agreement = models.ForeignKey(
        "agreements.Agreement", verbose_name="bản sửa đổi", on_delete=models.PROTECT, related_name="+"
    )
    lines = models.JSONField("thay đổi", default=list)
    reopened = models.BooleanField("mở lại bản tự chấm", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField("đã xem lúc", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "thay đổi do sửa đổi giao ước"
        verbose_name_plural = "thay đổi do sửa đổi giao ước"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "agreement"], name="one_effect_per_amendment")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} — {self.agreement}"
