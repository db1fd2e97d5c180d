"""The account page where a user creates and revokes their own API tokens. Thin: form → service → page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from thidua.accounts.models import User
from thidua.api import services
from thidua.api.models import ApiToken
from thidua.web.forms import apply_service_errors


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Tên gọi",
        max_length=100,
        help_text="Để nhận ra mã sau này, ví dụ: “Cổng thông tin tỉnh” hoặc “Bảng tính báo cáo”.",
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache  # the page that shows a new token must not be kept by a browser or a proxy
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created: str | None = None
    if request.method == "POST" and form.is_valid():
        try:
            _, created = services.create_token(actor=_user(request), name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # Rendered, not redirected: the whole token is shown this once and exists nowhere else.
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "created": created, "tokens": ApiToken.objects.filter(user=_user(request))},
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's token is "not found", so its existence is not confirmed either.
    token = get_object_or_404(ApiToken, pk=pk, user=_user(request))
    services.revoke_token(actor=_user(request), token=token)
    messages.success(request, f"Đã thu hồi mã truy cập «{token.name}»; mã này không còn dùng được.")
    return redirect("api_tokens:list")
