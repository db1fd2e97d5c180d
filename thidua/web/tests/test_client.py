"""The client's address, for the voting codes' throttle (thidua/web/client.py)."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from thidua.web.client import client_address


def _request(**meta: str) -> Any:
    return RequestFactory().post("/bo-phieu/1/", REMOTE_ADDR="127.0.0.1", **meta)  # type: ignore[arg-type]


def test_without_a_proxy_the_client_is_the_peer_and_a_forwarded_for_header_is_ignored(settings: Any) -> None:
    settings.CLIENT_FROM_FORWARDED_FOR = False
    assert client_address(_request(HTTP_X_FORWARDED_FOR="198.51.100.9")) == "127.0.0.1"


def test_behind_the_proxy_the_client_is_the_last_forwarded_address_whatever_came_before(
    settings: Any,
) -> None:
    settings.CLIENT_FROM_FORWARDED_FOR = True
    assert client_address(_request(HTTP_X_FORWARDED_FOR="198.51.100.9")) == "198.51.100.9"
    assert (
        client_address(_request(HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.5, 198.51.100.9")) == "198.51.100.9"
    )
    assert client_address(_request()) == "127.0.0.1"  # a request that did not come through the proxy
