from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


class ApiClient:
    """A client that speaks to /api/ with a bearer token, as a program would (no session cookie)."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, **self._headers())

    def put(self, path: str, data: Any) -> Any:
        return self.client.put(path, json.dumps(data), content_type="application/json", **self._headers())

    def post(self, path: str, data: Any) -> Any:
        return self.client.post(path, json.dumps(data), content_type="application/json", **self._headers())


@pytest.fixture
def token_for(db: Any) -> Callable[[Any], str]:
    """A fresh API token for a user, made through the same service as the account page."""
    from thidua.api.services import create_token

    def make(user: Any) -> str:
        return create_token(actor=user, name="Kiểm thử")[1]

    return make


@pytest.fixture
def api_for(token_for: Callable[[Any], str]) -> Callable[[Any], ApiClient]:
    """`api_for(user)` calls the API with a token of `user`; `api_for(None)` without any."""
    return lambda user: ApiClient(None if user is None else token_for(user))
