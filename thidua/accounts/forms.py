from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from thidua.accounts.services import clear_login_failures, login_locked, note_login_failure


class ThrottledLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản này đã bị khóa.",
        "locked": "Tài khoản tạm khóa vì đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        if username and login_locked(username):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                note_login_failure(username)
            raise
        clear_login_failures(username)
        return cleaned
