from __future__ import annotations

from django.db import models

from thidua.years.rules import LABELS, ORDER, Stage


class YearStage(models.TextChoices):
    """The stages of rules.Stage, in their order, with the names the UI shows."""

    DRAFTING = Stage.DRAFTING.value, LABELS[Stage.DRAFTING]
    SIGNING = Stage.SIGNING.value, LABELS[Stage.SIGNING]
    IN_FORCE = Stage.IN_FORCE.value, LABELS[Stage.IN_FORCE]
    SELF_SCORING = Stage.SELF_SCORING.value, LABELS[Stage.SELF_SCORING]
    CROSS_CHECKING = Stage.CROSS_CHECKING.value, LABELS[Stage.CROSS_CHECKING]
    SETTLED = Stage.SETTLED.value, LABELS[Stage.SETTLED]
    CONFERENCE = Stage.CONFERENCE.value, LABELS[Stage.CONFERENCE]
    DOSSIER = Stage.DOSSIER.value, LABELS[Stage.DOSSIER]
    CLOSED = Stage.CLOSED.value, LABELS[Stage.CLOSED]


class EmulationYear(models.Model):
    """A group's year of work: the root of its agreement, assessments and conference."""

    group = models.ForeignKey(
        "organizations.EmulationGroup",
        verbose_name="cụm/khối",
        on_delete=models.PROTECT,
        related_name="years",
    )
    year = models.PositiveSmallIntegerField("năm")
    # Moved only by thidua.years.services.advance_year, when the stage's work is done.
    stage = models.CharField(
        "giai đoạn", max_length=16, choices=YearStage.choices, default=YearStage.DRAFTING
    )
    signing_due = models.DateField("hạn ký giao ước", null=True, blank=True)
    self_scoring_due = models.DateField("hạn tự chấm điểm", null=True, blank=True)
    review_due = models.DateField("hạn chấm chéo", null=True, blank=True)
    answer_due = models.DateField("hạn giải trình", null=True, blank=True)
    conference_date = models.DateField("ngày hội nghị tổng kết", null=True, blank=True)
    dossier_due = models.DateField("hạn gửi hồ sơ khen thưởng", null=True, blank=True)
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

    @property
    def settled(self) -> bool:
        """Its final scores are settled: the ranking is the year's result from here on."""
        return ORDER.index(Stage(self.stage)) >= ORDER.index(Stage.SETTLED)


from thidua.years.notice_models import Notice, NoticeKind, NoticeStatus, PeriodicRun, WorkerBeat  # noqa: E402, F401 — Django finds models in models.py
