"""Reads about accounts that the sign-in, the profile page and the services share."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from thidua.accounts import permissions, rules
from thidua.accounts.models import Role, RoleKind, User


def authenticator(user: User) -> TOTPDevice | None:
    """The account's confirmed authenticator (one at most: enrolment replaces any other)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def leads_a_group(user: User) -> bool:
    """Whether the user is an officer of an organization that heads or deputizes a group in some year: a
    secretariat account (thidua/accounts/rules.py says why any year). Read through the role's organization,
    as accounts stands below organizations (DESIGN.md, Code layout)."""
    return Role.objects.filter(
        user=user, kind=RoleKind.OFFICER, organization__leaderships__isnull=False
    ).exists()


def two_factor_required(user: User) -> bool:
    """Whether `user` must pass the second step under the current settings."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False  # no query at all while the setting is off
    roles = permissions.load_roles(user)
    return rules.two_factor_required(
        required_by_setting=True,
        is_superuser=user.is_superuser,
        is_parent_staff=bool(roles.get(RoleKind.PARENT_STAFF)),
        leads_a_group=bool(roles.get(RoleKind.OFFICER)) and leads_a_group(user),
    )


def second_step(user: User) -> rules.SecondStep:
    """What a fresh sign-in of `user` owes: read when the password is accepted, kept in the session."""
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return rules.second_step(has_device=has_device, required=not has_device and two_factor_required(user))
