"""The to-dos of every role: what waits for a signed-in user, with its deadline and a link to the work.

The years app sits below the apps whose work makes to-dos (agreements, assessments, conferences,
documents, awards, news), so it cannot import them. Each of those apps registers a provider in its
`AppConfig.ready()`; `todos_for` asks every provider. The home page lists the result, and the e-mail
task sends one message when a to-do appears, a reminder before its deadline and a notice when it is late,
keyed on `Todo.key` so a message goes out once (DESIGN.md: "Every role's home page shows its to-dos").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from thidua.accounts.models import User


@dataclass(frozen=True)
class Todo:
    # Stable identity of the piece of work, e.g. "sign:agreement:12:org:5": the same work keeps its key
    # from the moment it appears until it is done, so e-mails about it are sent once per kind.
    key: str
    text: str
    url: str
    due: date | None
    overdue: bool
    # The year the work belongs to, for its reminder setting; None for work outside a year (news).
    emulation_year_id: int | None = None


# A provider reads the user through their roles only (thidua.accounts.permissions), never their id or
# their own rows: the e-mail sweep asks once for all the users who hold the same roles
# (thidua/years/notices.py), and a test holds every registered provider to it.
Provider = Callable[[User, date], Iterable[Todo]]

_providers: list[Provider] = []
# Tokens that change whenever a to-do may appear or go without an audited change (the news desk's
# drafts and moderation): with the data version and the day they key the home page's cached copy.
_versions: list[Callable[[], str]] = []


def register_version(source: Callable[[], str]) -> None:
    if source not in _versions:
        _versions.append(source)


def todos_version(today: date | None = None) -> str:
    """Changes whenever anyone's to-dos may have changed other than through the data version."""
    return "|".join([(today or timezone.localdate()).isoformat(), *(source() for source in _versions)])


def register(provider: Provider) -> Provider:
    """Add a source of to-dos; usable as a decorator. Registering twice is harmless."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def todo(
    *, key: str, text: str, url: str, due: date | None, today: date, emulation_year_id: int | None = None
) -> Todo:
    return Todo(key, text, url, due, bool(due and due < today), emulation_year_id)


def todos_for(user: User, today: date | None = None) -> list[Todo]:
    """Everything waiting for `user`, the earliest deadline first (work without a deadline last)."""
    if not user.is_authenticated or not user.is_active:
        return []
    today = today or timezone.localdate()
    items = {item.key: item for provider in _providers for item in provider(user, today)}
    return sorted(items.values(), key=lambda t: (t.due or date.max, t.text))
