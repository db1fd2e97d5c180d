from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from thidua.web.origin import posted_from_here


@pytest.mark.parametrize(
    ("headers", "taken"),
    [
        ({"HTTP_ORIGIN": "http://testserver"}, True),
        ({"HTTP_ORIGIN": "https://testserver"}, False),  # another scheme is another origin
        ({"HTTP_ORIGIN": "http://testserver.evil.example"}, False),
        ({"HTTP_ORIGIN": "null"}, False),  # what a page with no-referrer or a sandbox sends
        ({"HTTP_ORIGIN": "https://thidua.example.vn"}, True),  # listed in CSRF_TRUSTED_ORIGINS
        ({"HTTP_SEC_FETCH_SITE": "cross-site"}, False),
        ({"HTTP_SEC_FETCH_SITE": "same-site"}, False),
        ({"HTTP_SEC_FETCH_SITE": "same-origin"}, True),
        ({}, True),  # no browser behind it: a script has no other site's page to forge from
    ],
)
def test_a_post_is_taken_only_from_this_origin_or_a_trusted_one(
    headers: dict[str, str], taken: bool, settings: Any
) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://thidua.example.vn"]
    request = RequestFactory().post("/bo-phieu/1/", **headers)  # type: ignore[arg-type]
    assert posted_from_here(request) is taken
