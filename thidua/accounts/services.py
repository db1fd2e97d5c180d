"""Accounts: creating them, revoking roles, login throttling per username, and the second sign-in step.

Delegates at one venue share the venue's IP address, so counting by IP would lock a whole
conference out after a few typos; counting by username stops guessing at one account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from thidua.accounts import permissions, rules, selectors
from thidua.accounts.models import LoginFailure, Role, User
from thidua.accounts.permissions import can_manage_registry, require
from thidua.audit.services import record
from thidua.lib.text import clean_text, fold
from thidua.web import throttle

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


# The second sign-in step (thidua/accounts/rules.py says who must pass it). Wrong codes are counted like
# wrong passwords, per account (a LoginFailure row under a key no username can take: usernames hold no
# colon), and also per client in the shared cache, so that one address holding many passwords cannot try
# codes against each account in turn. A code is checked outside any enclosing transaction, so that the
# failure it counts is kept when the service then refuses.


def _code_key(user: User) -> str:
    return f"2fa:{user.pk}"


def _client_key(client: str) -> str:
    return f"2fa:wrong-codes:{client}"


def second_step_wait_minutes() -> int:
    return -(-settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)


def second_step_locked(*, user: User, client: str) -> bool:
    """True while the account, or the client it is tried from, has had too many wrong codes."""
    return (
        login_locked(_code_key(user))
        or throttle.failures(_client_key(client)) >= settings.TWO_FACTOR_CLIENT_FAILURE_LIMIT
    )


WRONG_CODE = (
    "Mã xác thực không đúng hoặc đã được dùng. Nhập 6 chữ số đang hiện trong ứng dụng xác thực, "
    "hoặc một mã dự phòng chưa dùng."
)


def _locked_message() -> str:
    return (
        "Mã xác thực: đã nhập sai nhiều lần, tạm khóa bước xác thực. "
        f"Vui lòng thử lại sau {second_step_wait_minutes()} phút."
    )


@dataclass(frozen=True)
class CheckedCode:
    device: Device
    recovery_codes_left: int | None  # after a recovery code was used; None for an authenticator code


def _matching_device(user: User, typed: str, *, recovery_allowed: bool) -> Device | None:
    digits = rules.totp_code(typed)
    if digits is not None:
        # Locked for the check: two requests with the same code cannot both pass (TOTP's last_t).
        totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        return totp if totp is not None and totp.verify_token(digits) else None
    recovery = rules.recovery_code(typed)
    if recovery is None or not recovery_allowed:
        return None
    static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    # The device deletes the matched token: a recovery code works once.
    return static if static is not None and static.verify_token(rules.recovery_digest(recovery)) else None


def check_code(*, user: User, code: str, client: str, recovery_allowed: bool = True) -> CheckedCode:
    """The device that accepts `code` (an authenticator code, or a recovery code when allowed), counting a
    wrong one; raises a ValidationError on the field "code" when none does or while the step is locked."""
    if second_step_locked(user=user, client=client):
        raise ValidationError({"code": _locked_message()}, code="locked")
    left = None
    with transaction.atomic():
        device = _matching_device(user, code, recovery_allowed=recovery_allowed)
        if device is None:
            note_login_failure(_code_key(user))
            throttle.note_failure(_client_key(client), settings.LOGIN_FAILURE_WINDOW_SECONDS)
        else:
            clear_login_failures(_code_key(user))
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                record(actor=user, verb="two_factor.recovery_code_used", target=user, data={"left": left})
    if device is None:
        raise ValidationError({"code": WRONG_CODE}, code="wrong")
    return CheckedCode(device, left)


@transaction.atomic
def begin_enrolment(*, actor: User, user: User) -> TOTPDevice:
    """The authenticator being set up for `user`: a new secret, or the one already shown if the page is
    opened again. Unconfirmed, it verifies nothing (django-otp ignores it) and is not audited: the change
    is `confirm_enrolment`."""
    require(actor.pk == user.pk, "Chỉ chính người dùng được bật xác thực hai bước cho mình.")
    if selectors.authenticator(user) is not None:
        raise ValidationError("Tài khoản đã bật xác thực hai bước.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes; returns them as shown, the only time they exist in clear."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Mã dự phòng", confirmed=True)
    codes = rules.new_recovery_codes()
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=rules.recovery_digest(rules.recovery_code(code) or ""))
        for code in codes
    )
    return codes


def confirm_enrolment(*, actor: User, user: User, device: TOTPDevice, code: str, client: str) -> list[str]:
    """Turn on the second step with the authenticator `device`, once it shows it works (a first code);
    returns the new recovery codes, to be shown once."""
    require(
        actor.pk == user.pk and device.user_id == user.pk,
        "Chỉ chính người dùng được bật xác thực hai bước cho mình.",
    )
    if second_step_locked(user=user, client=client):
        raise ValidationError({"code": _locked_message()}, code="locked")
    digits = rules.totp_code(code)
    if digits is None or not device.verify_token(digits):
        throttle.note_failure(_client_key(client), settings.LOGIN_FAILURE_WINDOW_SECONDS)
        raise ValidationError(
            {"code": "Mã xác thực không đúng: nhập 6 chữ số ứng dụng đang hiện cho tài khoản vừa thêm."}
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_recovery_codes(user)
        record(actor=actor, verb="two_factor.enrol", target=user, data={"recovery_codes": len(codes)})
    return codes


def regenerate_recovery_codes(*, actor: User, user: User, code: str, client: str) -> list[str]:
    """New recovery codes in place of the old, after a current authenticator code (not a recovery code: a
    stolen sheet must not renew itself)."""
    require(actor.pk == user.pk, "Chỉ chính người dùng được tạo lại mã dự phòng của mình.")
    if selectors.authenticator(user) is None:
        raise ValidationError({"code": "Tài khoản chưa bật xác thực hai bước."})
    check_code(user=user, code=code, client=client, recovery_allowed=False)
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record(
            actor=actor, verb="two_factor.recovery_codes_regenerated", target=user, data={"count": len(codes)}
        )
    return codes


def _remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def turn_off_two_factor(*, actor: User, user: User, code: str, client: str) -> None:
    """Turn one's own second step off, where nothing requires it, after a current code."""
    require(actor.pk == user.pk, "Chỉ chính người dùng được tắt xác thực hai bước của mình.")
    require(
        not selectors.two_factor_required(user),
        "Tài khoản của anh/chị bắt buộc phải xác thực hai bước; không thể tắt.",
    )
    check_code(user=user, code=code, client=client)
    with transaction.atomic():
        _remove_devices(user)
        record(actor=actor, verb="two_factor.remove", target=user, data={"by": "self"})


@transaction.atomic
def reset_two_factor(*, actor: User, user: User) -> None:
    """Clear another account's second step (a lost phone): it sets up a new authenticator at its next
    sign-in, and its sessions verified by the old one are asked again. Its parent body's staff only."""
    require(
        permissions.can_reset_two_factor(actor, user),
        "Chỉ cán bộ cơ quan cấp trên của đơn vị được đặt lại xác thực hai bước của tài khoản.",
    )
    _remove_devices(user)
    record(actor=actor, verb="two_factor.remove", target=user, data={"by": "staff"})
