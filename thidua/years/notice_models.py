"""The to-do e-mails (`Notice`), the periods of the worker's recurring jobs (`PeriodicRun`) and the
workers' signs of life (`WorkerBeat`).

Kept out of models.py, which holds the year and its stages; `thidua.years.models` imports this module so
that Django finds the models in the years app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from thidua.lib import schedule


class NoticeKind(models.TextChoices):
    APPEARED = schedule.APPEARED, "Việc mới"
    REMINDER = schedule.REMINDER, "Nhắc trước hạn"
    LATE = schedule.LATE, "Quá hạn"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    SENT = "sent", "Đã gửi"
    REFUSED = "refused", "Địa chỉ bị từ chối"
    # Not sent, and never will be: the work was done, or the user turned the e-mails off, before it went.
    DROPPED = "dropped", "Không gửi nữa"


class Notice(models.Model):
    """One e-mail about one to-do of one user: when it appeared, a reminder before its deadline, or that it
    is late. At most one per user, to-do and kind, whatever the number of workers sweeping at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người nhận", on_delete=models.CASCADE, related_name="notices"
    )
    key = models.CharField("mã việc", max_length=200)
    kind = models.CharField("loại thư", max_length=10, choices=NoticeKind.choices)
    emulation_year = models.ForeignKey(
        "years.EmulationYear",
        verbose_name="năm thi đua",
        on_delete=models.CASCADE,
        related_name="notices",
        null=True,
        blank=True,
    )
    # What the to-do said when the notice was made: the e-mail says it even if the wording changes later.
    text = models.CharField("việc", max_length=300)
    url = models.CharField("đường dẫn", max_length=500)
    due = models.DateField("hạn", null=True, blank=True)
    # The day the sweep found it due (Asia/Ho_Chi_Minh): a reminder or a late notice counts from it.
    day = models.DateField("ngày lập")
    status = models.CharField(
        "trạng thái", max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    # Before this moment neither the sweep nor a worker touches a pending notice: a send is under way (a
    # lease, in case its worker dies) or waits for its retry after a failure.
    next_attempt_at = models.DateTimeField("gửi lại từ", null=True, blank=True)
    # The number of the latest send task enqueued for it; an older task finds another number and stops, so
    # a notice enqueued twice is still sent once.
    claim = models.PositiveIntegerField("lượt", default=0)
    address = models.EmailField("địa chỉ đã gửi", blank=True)
    # Vietnamese, for the user and the staff: why the last send failed or was refused.
    reason = models.CharField("lý do", max_length=300, blank=True)
    created_at = models.DateTimeField("lập lúc", default=timezone.now)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thư nhắc việc"
        verbose_name_plural = "thư nhắc việc"
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "kind"], name="one_notice_per_todo_and_kind")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notice_pending_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text} → {self.user}"


class PeriodicRun(models.Model):
    """A recurring job's period, claimed by the first worker process to start it: the row's uniqueness is
    what runs the job once per period however many workers run."""

    job = models.CharField("việc định kỳ", max_length=100)
    period_start = models.DateTimeField("đầu kỳ")
    claimed_at = models.DateTimeField("nhận lúc", default=timezone.now)

    class Meta:
        verbose_name = "lượt việc định kỳ"
        verbose_name_plural = "lượt việc định kỳ"
        constraints = [
            models.UniqueConstraint(fields=["job", "period_start"], name="one_run_per_job_and_period")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start:%Y-%m-%d %H:%M}"


class WorkerBeat(models.Model):
    """A worker process's last sign of life. Each `run_worker` writes its own every few seconds, from a
    thread beside the task it runs; a task left running by a worker whose beat has stopped (killed, its
    machine gone) is handed back to the queue by the others (thidua/years/workers.py)."""

    worker_id = models.CharField("mã tiến trình", max_length=64, unique=True)
    host = models.CharField("máy", max_length=255, blank=True)
    pid = models.PositiveIntegerField("số tiến trình", default=0)
    started_at = models.DateTimeField("chạy từ", default=timezone.now)
    seen_at = models.DateTimeField("còn sống lúc", default=timezone.now)

    class Meta:
        verbose_name = "tiến trình nền"
        verbose_name_plural = "tiến trình nền"

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.host}"
