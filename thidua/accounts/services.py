"""Accounts: creating them, revoking roles, and login throttling per username.

Delegates at one venue share the venue's IP address, so counting by IP would lock a whole
conference out after a few typos; counting by username stops guessing at one account.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from thidua.accounts.models import LoginFailure, Role, User
from thidua.accounts.permissions import can_manage_registry, require
from thidua.audit.services import record
from thidua.lib.text import clean_text, fold

if TYPE_CHECKING:
    from thidua.organizations.models import Organization


def _key(username: str) -> str:
    return fold(username)[:150]


def login_locked(username: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(username=_key(username), created_at__gte=since).count()
    return recent >= settings.LOGIN_FAILURE_LIMIT


@transaction.atomic
def note_login_failure(username: str) -> None:
    LoginFailure.objects.create(username=_key(username))
    # Keep the table small: old failures no longer count.
    cutoff = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS * 4)
    LoginFailure.objects.filter(created_at__lt=cutoff).delete()


@transaction.atomic
def clear_login_failures(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()


@transaction.atomic
def create_account(
    *,
    actor: User,
    organization: Organization,
    username: str,
    full_name: str,
    job_title: str,
    kind: str,
    password: str,
) -> User:
    """An account for a person of `organization`, with one role there. Parent-body staff only."""
    require(
        organization.parent is not None and can_manage_registry(actor, organization.parent),
        "Chỉ cán bộ cơ quan cấp trên được tạo tài khoản cho đơn vị.",
    )
    username = clean_text(username)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"Tên đăng nhập «{username}» đã có người dùng."})
    user = User(username=username, full_name=clean_text(full_name), job_title=clean_text(job_title))
    validate_password(password, user)
    user.set_password(password)
    user.save()
    Role.objects.create(user=user, kind=kind, organization=organization)
    record(
        actor=actor,
        verb="account.create",
        target=user,
        data={"username": username, "role": kind, "organization": organization.code},
    )
    return user


@transaction.atomic
def revoke_role(*, actor: User, role: Role) -> None:
    organization = role.organization
    require(
        organization.parent is not None and can_manage_registry(actor, organization.parent),
        "Chỉ cán bộ cơ quan cấp trên được thu hồi vai trò.",
    )
    record(
        actor=actor,
        verb="role.revoke",
        target=role.user,
        data={"role": role.kind, "organization": organization.code},
    )
    role.delete()


@transaction.atomic
def change_email(*, actor: User, user: User, email: str) -> bool:
    """A user's own e-mail address, where to-do e-mails go; empty stops them. A new address is no longer
    refused: the mail server's refusal was about the old one. Returns whether anything changed."""
    require(actor.pk == user.pk, "Chỉ chính người dùng được đổi địa chỉ e-mail của mình.")
    email = clean_text(email)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": f"Địa chỉ e-mail «{email}» không hợp lệ."}) from None
    if email == user.email:
        return False
    user.email = email
    user.email_refused = ""
    user.save(update_fields=["email", "email_refused"])
    # Whether there is an address, not the address: the audit chain is kept for good.
    record(actor=actor, verb="account.email", target=user, data={"has_email": bool(email)})
    return True


@transaction.atomic
def set_email_reminders(*, actor: User, user: User, enabled: bool) -> bool:
    """Turn a user's to-do e-mails on or off. Returns whether anything changed."""
    require(actor.pk == user.pk, "Chỉ chính người dùng được bật, tắt thư nhắc việc của mình.")
    if enabled == user.email_reminders:
        return False
    user.email_reminders = enabled
    user.save(update_fields=["email_reminders"])
    record(actor=actor, verb="account.email_reminders", target=user, data={"enabled": enabled})
    return True
