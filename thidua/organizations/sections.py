"""What the apps above organizations add to an organization's page (its awards, from awards): each
registers a function from its AppConfig.ready(), as the to-dos are registered; organizations imports
none of them (DESIGN.md, Code layout)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from thidua.organizations.models import Organization

Section = Callable[[Organization], dict[str, Any]]

_sections: list[Section] = []


def register_section(section: Section) -> None:
    if section not in _sections:
        _sections.append(section)


def organization_sections(organization: Organization) -> dict[str, Any]:
    """The template context every registered section adds for `organization`."""
    context: dict[str, Any] = {}
    for section in _sections:
        context.update(section(organization))
    return context
