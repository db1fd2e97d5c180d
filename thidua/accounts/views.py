from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from thidua.accounts import services
from thidua.accounts.forms import EmailSettingsForm, ThrottledLoginForm
from thidua.accounts.models import Role, User
from thidua.web.forms import apply_service_errors


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
    return render(request, "accounts/profile.html", {"form": form, "account": user})


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
