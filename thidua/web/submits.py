"""The form's side of one-time submits (thidua.audit.submits): a hidden key in every create form, and
the view's answer to a request whose key was already spent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms, template
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from thidua.audit.models import SubmitKey
from thidua.audit.submits import FIELD_NAME, clean_key, finish, new_key, spend

register = template.Library()


class SubmitKeyField(forms.CharField):
    """A hidden field holding a fresh key each time the form is drawn (`submit_key`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("initial", new_key)
        super().__init__(**kwargs)


@register.simple_tag
def submit_key() -> SafeString:
    """`{% submit_key %}`: the hidden key for a form written out in a template."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD_NAME, new_key())


def repeat_words(earlier: SubmitKey) -> str:
    return (
        f"Yêu cầu này đã được thực hiện lúc {timezone.localtime(earlier.created_at):%H:%M}; đây là kết quả."
    )


def once(request: HttpRequest, *, verb: str, work: Callable[[], str]) -> str:
    """Run `work` (the submit; it returns the URL of its result) at most once for the form's key, and
    return where to go. A request whose key was spent does nothing and gets the first's URL with a word
    saying so. A request without a key (an old page, a script) runs unguarded."""
    key = clean_key(request.POST.get(FIELD_NAME))
    actor: Any = request.user
    with transaction.atomic():
        earlier = spend(key=key, actor=actor, verb=verb)
        if earlier is not None:
            messages.info(request, repeat_words(earlier))
            return earlier.result_url or request.path
        url = work()
        finish(key=key, actor=actor, result_url=url)
    return url
