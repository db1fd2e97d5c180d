"""Password rules (ASVS 5.0 V6.2; docs/security.md). Django's own validators do the work; this one only
speaks Vietnamese, which Django's translation lacks for the length rule."""

from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLength


class MinimumLengthValidator(DjangoMinimumLength):
    def get_error_message(self) -> str:
        return f"Mật khẩu này quá ngắn: cần ít nhất {self.min_length} ký tự (có thể là một câu dễ nhớ)."

    def get_help_text(self) -> str:
        return f"Mật khẩu cần ít nhất {self.min_length} ký tự; một câu dài dễ nhớ là mật khẩu tốt."
