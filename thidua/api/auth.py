"""Bearer tokens for the API; the web's session cookie is not accepted here."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from thidua.accounts.models import User
from thidua.api.services import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            # The permission questions (thidua.accounts.permissions) read the user from the request,
            # as they do for the web: the token's owner, never a session that happens to be open.
            request.user = user
        return user
