from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    # Vietnamese names are written in one piece ("Đinh Thị Liên"); first/last fields would split them wrongly.
    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    job_title = models.CharField("chức vụ", max_length=150, blank=True)
    # Every user may stop the to-do e-mails (issue 12); the to-do list on the home page stays.
    email_reminders = models.BooleanField("nhận thư nhắc việc", default=True)
    # Why the mail server refused the current address, shown on the account page until the user changes it;
    # meanwhile nothing more is sent to it.
    email_refused = models.CharField("lý do địa chỉ e-mail bị từ chối", max_length=300, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def __str__(self) -> str:
        return self.display_name


class RoleKind(models.TextChoices):
    PARENT_STAFF = "parent_staff", "Cán bộ cơ quan cấp trên"
    OFFICER = "officer", "Cán bộ thi đua của đơn vị"
    EDITOR = "editor", "Biên tập viên tin bài"
    # Approves what the organization's editors submit for its news site; editors cannot publish alone.
    NEWS_MANAGER = "news_manager", "Lãnh đạo duyệt tin"


class Role(models.Model):
    """A user's role, always bound to one organization.

    There is no "secretariat" role: it follows the Leadership record of the year
    (DESIGN.md: nobody is granted secretariat rights by hand).
    """

    user = models.ForeignKey(User, verbose_name="người dùng", on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField("vai trò", max_length=20, choices=RoleKind.choices)
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="roles"
    )

    class Meta:
        verbose_name = "vai trò"
        verbose_name_plural = "vai trò"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "organization"], name="role_unique_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.organization}"


class LoginFailure(models.Model):
    """One failed login, by the username tried (folded), for throttling across app processes."""

    username = models.CharField(max_length=150, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "lần đăng nhập sai"

    def __str__(self) -> str:
        return self.username
