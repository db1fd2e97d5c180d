from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from thidua.accounts.models import Role


def roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's roles for the header: lazily, so pages that do not show them pay nothing."""

    def load() -> list[Role]:
        if not request.user.is_authenticated:
            return []
        return list(Role.objects.filter(user=request.user).select_related("organization"))

    return {"my_roles": load}
