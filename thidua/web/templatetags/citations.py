"""`{{ source|official:regulation }}`: a rule's citation as pages show it, without the staff's marks and
notes (issue 15; thidua/lib/citations.py says which is which). The regulation settings page and the admin
show the source as written; every other page goes through this filter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from thidua.lib.citations import official_source

register = template.Library()


def _regulation_words(regulation: Any) -> str:
    """The regulation that sets a rule, as "title (citation)": from a Regulation, a poll's copied
    `rule_sources` (keys "regulation" and "citation"), or text."""
    if isinstance(regulation, Mapping):
        title, citation = regulation.get("regulation", ""), regulation.get("citation", "")
    elif hasattr(regulation, "title") and hasattr(regulation, "citation"):
        title, citation = regulation.title, regulation.citation
    else:
        return str(regulation or "")
    return f"{title} ({citation})" if title and citation else str(title or citation)


@register.filter
def official(source: object, regulation: Any = "") -> str:
    return official_source(str(source or ""), _regulation_words(regulation))
