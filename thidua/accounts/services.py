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
