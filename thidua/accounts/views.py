from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY

from thidua.accounts import rules, second_step, security_log, selectors, services
from thidua.accounts.forms import (
    AuthenticatorCodeForm,
    EmailSettingsForm,
    SecondStepForm,
    ThrottledLoginForm,
    without_focus,
)
from thidua.accounts.models import Role, User
from thidua.accounts.rules import SecondStep
from thidua.web.client import client_address
from thidua.web.forms import apply_service_errors
from thidua.web.qr import qr_svg

T = TypeVar("T")

# The prefixes of the profile page's two second-step forms, which both have a "code" field.
REGENERATE = "ma-du-phong"
TURN_OFF = "tat"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own account: the e-mail address to-dos go to, and whether they go at all."""
    user = request.user
    assert isinstance(user, User)
    # Read afresh: the signed-in user may come from the cache, and the worker may have just marked the
    # address refused.
    user = User.objects.get(pk=user.pk)
    initial = {"email": user.email, "email_reminders": user.email_reminders}
    form = EmailSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # Both or neither: a refused address must not leave the reminders switched.
            with transaction.atomic():
                changed = services.change_email(actor=user, user=user, email=form.cleaned_data["email"])
                changed |= services.set_email_reminders(
                    actor=user, user=user, enabled=form.cleaned_data["email_reminders"]
                )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu thiết lập thư." if changed else "Không có gì thay đổi.")
            return redirect("accounts:profile")
    return _profile_page(request, user, form=form)


def _profile_page(
    request: HttpRequest,
    user: User,
    *,
    form: EmailSettingsForm | None = None,
    regenerate_form: AuthenticatorCodeForm | None = None,
    turn_off_form: SecondStepForm | None = None,
) -> HttpResponse:
    """The account page, with whichever of its forms was just refused."""
    if form is None:
        form = EmailSettingsForm(initial={"email": user.email, "email_reminders": user.email_reminders})
    has_authenticator = selectors.authenticator(user) is not None
    required = selectors.two_factor_required(user)
    context = {
        "form": form,
        "account": user,
        "has_authenticator": has_authenticator,
        "two_factor_required": required,
        "recovery_codes_left": selectors.recovery_codes_left(user) if has_authenticator else 0,
        "regenerate_form": regenerate_form or without_focus(AuthenticatorCodeForm(prefix=REGENERATE)),
        "turn_off_form": (turn_off_form or without_focus(SecondStepForm(prefix=TURN_OFF)))
        if not required
        else None,
    }
    return render(request, "accounts/profile.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(
        Role.objects.select_related("organization", "organization__parent", "user"), pk=pk
    )
    actor = request.user
    assert isinstance(actor, User)
    services.revoke_role(actor=actor, role=role)
    messages.success(request, f"Đã thu hồi vai trò của {role.user.username}.")
    return redirect("organizations:organization_accounts", code=role.organization.code)


def _signed_in(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _with_code(request: HttpRequest, form: forms.Form, service: Callable[[str, str], T]) -> T | None:
    """What `service(code, client)` returns for the code a posted `form` holds; None when nothing was
    posted, or when the form or the service refused it (the message then on the form's field, and the
    refusal in the security log, never the code)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return service(form.cleaned_data["code"], client_address(request))
    except ValidationError as error:
        apply_service_errors(form, error)
        security_log.second_step("code refused", request.user, request, refused=True)
        return None


def _with_next(name: str, request: HttpRequest) -> str:
    return reverse(name) + "?" + urlencode({"next": second_step.next_url(request)})


@login_required
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: a code from the authenticator app, or a recovery code."""
    user = _signed_in(request)
    if second_step.is_verified(user):
        return redirect(second_step.next_url(request))
    # Read afresh rather than from the session: a device reset since the sign-in means setting up anew.
    step = selectors.second_step(user)
    second_step.remember(request, step)
    if step is SecondStep.ENROL:
        return redirect(_with_next("accounts:two_factor_enrol", request))
    if step is SecondStep.NONE:
        return redirect(second_step.next_url(request))
    form = SecondStepForm(request.POST or None)
    checked = _with_code(
        request, form, lambda code, client: services.check_code(user=user, code=code, client=client)
    )
    if checked is not None:
        second_step.verified(request, checked.device)
        security_log.second_step("verified", user, request)
        if checked.recovery_codes_left is not None:
            security_log.second_step("recovery code used", user, request, left=checked.recovery_codes_left)
            messages.warning(
                request,
                f"Anh/chị vừa dùng một mã dự phòng; còn {checked.recovery_codes_left} mã. "
                "Tạo bộ mã mới ở trang Tài khoản nếu sắp hết.",
            )
        return redirect(second_step.next_url(request))
    return render(request, "accounts/two_factor.html", {"form": form, "next": second_step.next_url(request)})


def _recovery_codes_page(request: HttpRequest, codes: list[str], *, enrolled: bool) -> HttpResponse:
    # After setting up, on to the page the sign-in was for; after renewing, back to the account page.
    onward = second_step.next_url(request) if enrolled else reverse("accounts:profile")
    # Both views sending it are never_cache: the only time the codes are shown leaves no copy in any cache.
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "enrolled": enrolled, "next": onward}
    )


@login_required
@never_cache
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Setting up an authenticator app: scan the QR code (or type the secret), confirm with a first code,
    then keep the recovery codes shown once."""
    user = _signed_in(request)
    if selectors.authenticator(user) is not None:
        if second_step.is_verified(user):
            return redirect("accounts:profile")
        return redirect(_with_next("accounts:two_factor", request))
    device = services.begin_enrolment(actor=user, user=user)
    form = AuthenticatorCodeForm(request.POST or None)
    codes = _with_code(
        request,
        form,
        lambda code, client: services.confirm_enrolment(
            actor=user, user=user, device=device, code=code, client=client
        ),
    )
    if codes is not None:
        second_step.verified(request, device)
        security_log.second_step("enrolled", user, request)
        return _recovery_codes_page(request, codes, enrolled=True)
    context = {
        "form": form,
        "qr": qr_svg(device.config_url),
        "secret": rules.grouped(b32encode(device.bin_key).decode("ascii")),
        "required": selectors.two_factor_required(user),
        "next": second_step.next_url(request),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@login_required
@require_POST
@never_cache
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    form = AuthenticatorCodeForm(request.POST, prefix=REGENERATE)
    codes = _with_code(
        request,
        form,
        lambda code, client: services.regenerate_recovery_codes(
            actor=user, user=user, code=code, client=client
        ),
    )
    if codes is not None:
        security_log.second_step("recovery codes regenerated", user, request, count=len(codes))
        return _recovery_codes_page(request, codes, enrolled=False)
    return _profile_page(request, User.objects.get(pk=user.pk), regenerate_form=form)


@login_required
@require_POST
def two_factor_turn_off(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    form = SecondStepForm(request.POST, prefix=TURN_OFF)

    def turn_off(code: str, client: str) -> bool:
        services.turn_off_two_factor(actor=user, user=user, code=code, client=client)
        return True

    if _with_code(request, form, turn_off):
        security_log.second_step("device removed", user, request, by="self")
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        second_step.remember(request, SecondStep.NONE)
        messages.success(request, "Đã tắt xác thực hai bước.")
        return redirect("accounts:profile")
    return _profile_page(request, User.objects.get(pk=user.pk), turn_off_form=form)


@login_required
@require_POST
def two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Parent-body staff clear another account's second step (a lost phone)."""
    actor = _signed_in(request)
    account = get_object_or_404(User, pk=pk)
    services.reset_two_factor(actor=actor, user=account)
    security_log.second_step("device removed", account, request, by=actor.get_username())
    messages.success(
        request,
        f"Đã đặt lại xác thực hai bước của {account.username}: lần đăng nhập tới, tài khoản này "
        "cài lại ứng dụng xác thực (nếu bắt buộc).",
    )
    # Back to the organization's accounts page the button is on; its code only names a page of this site.
    organization = request.POST.get("organization", "")
    if organization.replace("-", "").isalnum():
        return redirect("organizations:organization_accounts", code=organization)
    return redirect("accounts:profile")
