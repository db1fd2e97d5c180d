"""Reading a confirmation page as a browser would: the hidden fields of its confirming form."""

from __future__ import annotations

import re
from html import unescape

from django.http import HttpResponse

_HIDDEN = re.compile(r'<input type="hidden" name="(?!csrfmiddlewaretoken)([^"]+)" value="([^"]*)">')


def confirmed(confirmation: HttpResponse) -> dict[str, str]:
    """The data the confirmation page's «Xác nhận …» button posts; fails when the page offers none."""
    page = confirmation.content.decode()
    assert confirmation.status_code == 200, confirmation.status_code
    fields = {name: unescape(value) for name, value in _HIDDEN.findall(page)}
    assert fields.get("confirmed") == "1", "the page offers no confirmation"
    return fields
