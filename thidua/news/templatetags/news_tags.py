from __future__ import annotations

import datetime

from django import template

from thidua.lib.dates import portal_date as _portal_date

register = template.Library()


@register.filter
def portal_date(value: datetime.date | None) -> str:
    """ "Thứ Hai, 18/12/2023" — how the news sites print a date."""
    return _portal_date(value) if value else ""
