from __future__ import annotations

from django.db import models


class YearStatus(models.TextChoices):
    PLANNING = "planning", "Chuẩn bị"
    SIGNING = "signing", "Ký giao ước"
    SCORING = "scoring", "Tự chấm điểm"
    REVIEWING = "reviewing", "Chấm chéo, giải trình"
    SETTLED = "settled", "Đã chốt điểm"
    CLOSED = "closed", "Đã tổng kết"


class EmulationYear(models.Model):
    """A group's year of work: the root of its agreement, assessments and conference."""

    group = models.ForeignKey(
        "organizations.EmulationGroup",
        verbose_name="cụm/khối",
        on_delete=models.PROTECT,
        related_name="years",
    )
    year = models.PositiveSmallIntegerField("năm")
    status = models.CharField(
        "giai đoạn", max_length=12, choices=YearStatus.choices, default=YearStatus.PLANNING
    )
    signing_due = models.DateField("hạn ký giao ước", null=True, blank=True)
    self_scoring_due = models.DateField("hạn tự chấm điểm", null=True, blank=True)
    review_due = models.DateField("hạn chấm chéo", null=True, blank=True)
    answer_due = models.DateField("hạn giải trình", null=True, blank=True)
    conference_date = models.DateField("ngày hội nghị tổng kết", null=True, blank=True)
    # How many days before a deadline the people who must act get a reminder by e-mail (issue 12).
    reminder_days = models.PositiveSmallIntegerField(
        "nhắc việc trước hạn (ngày)", default=3, help_text="0: không gửi thư nhắc trước hạn."
    )

    class Meta:
        verbose_name = "năm thi đua"
        verbose_name_plural = "năm thi đua"
        constraints = [models.UniqueConstraint(fields=["group", "year"], name="one_emulation_year_per_group")]

    def __str__(self) -> str:
        return f"{self.group} — năm {self.year}"


from thidua.years.notice_models import Notice, NoticeKind, NoticeStatus, PeriodicRun  # noqa: E402, F401 — Django finds models in models.py
