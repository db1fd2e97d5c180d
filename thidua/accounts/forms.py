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


def _code_field(help_text: str, **attrs: str | bool) -> forms.CharField:
    return forms.CharField(
        label="Mã xác thực",
        max_length=40,
        help_text=help_text,
        error_messages={"required": "Mã xác thực: vui lòng nhập mã."},
        # The only field of its page: the cursor starts there, and after a refusal it is where the message
        # is read out (Django marks it aria-invalid and describes it by the error).
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false", **attrs}
        ),
    )


class SecondStepForm(forms.Form):
    """The second sign-in step: a code from the authenticator app, or a recovery code."""

    code = _code_field(
        "6 chữ số đang hiện trong ứng dụng xác thực; mất điện thoại thì nhập một mã dự phòng đã in hoặc đã lưu.",
        autocapitalize="characters",
    )


class AuthenticatorCodeForm(forms.Form):
    """A code from the authenticator app only: to confirm the app just set up, or to renew the recovery
    codes."""

    code = _code_field("6 chữ số đang hiện trong ứng dụng xác thực.", inputmode="numeric")


def without_focus(form: forms.Form) -> forms.Form:
    """The form as one of several on a page that has not been sent yet: it must not take the cursor."""
    for field in form.fields.values():
        field.widget.attrs.pop("autofocus", None)
    return form
