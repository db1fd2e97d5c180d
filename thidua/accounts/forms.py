from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from thidua.accounts import security_log
from thidua.accounts.models import RoleKind
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
            security_log.locked_out(username, self.request)
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                note_login_failure(username)
            raise
        clear_login_failures(username)
        return cleaned


class AccountForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập", max_length=150)
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    job_title = forms.CharField(label="Chức vụ", max_length=150, required=False)
    kind = forms.ChoiceField(
        label="Vai trò",
        choices=[(kind, kind.label) for kind in (RoleKind.OFFICER, RoleKind.EDITOR, RoleKind.NEWS_MANAGER)],
    )
    password = forms.CharField(
        label="Mật khẩu ban đầu",
        widget=forms.PasswordInput,
        help_text="Ít nhất 10 ký tự, không toàn số; người dùng nên đổi sau lần đăng nhập đầu.",
    )


class EmailSettingsForm(forms.Form):
    email = forms.EmailField(
        label="Địa chỉ e-mail",
        required=False,
        max_length=254,
        error_messages={"invalid": "Địa chỉ e-mail không hợp lệ."},
        help_text="Nơi nhận thư báo việc cần làm, nhắc hạn và báo quá hạn.",
    )
    email_reminders = forms.BooleanField(
        label="Nhận thư nhắc việc qua e-mail",
        required=False,
        help_text="Bỏ chọn để không nhận thư nữa; danh sách việc cần làm trên trang chủ vẫn còn.",
    )
