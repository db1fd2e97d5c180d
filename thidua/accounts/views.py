from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from thidua.accounts import services
from thidua.accounts.forms import ThrottledLoginForm
from thidua.accounts.models import Role, User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True


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
