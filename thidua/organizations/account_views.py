"""Accounts of one organization, listed, created and revoked by the parent body's staff: a page of the
registry, as the organization is (accounts stands below organizations)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from thidua.accounts import permissions, services
from thidua.accounts.forms import AccountForm
from thidua.accounts.models import Role, User
from thidua.organizations.models import Organization
from thidua.web.forms import apply_service_errors


@login_required
def organization_accounts(request: HttpRequest, code: str) -> HttpResponse:
    """Accounts of one organization: listed, created and revoked by the parent body's staff."""
    organization = get_object_or_404(Organization.objects.select_related("parent"), code=code)
    parent = organization.parent
    permissions.require(parent is not None and permissions.can_manage_registry(request.user, parent))
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = request.user
        assert isinstance(actor, User)
        try:
            user = services.create_account(actor=actor, organization=organization, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã tạo tài khoản {user.username}.")
            return redirect("organizations:organization_accounts", code=organization.code)
    roles = Role.objects.filter(organization=organization).select_related("user").order_by("user__username")
    return render(
        request,
        "accounts/organization_accounts.html",
        {"organization": organization, "roles": roles, "form": form},
    )
