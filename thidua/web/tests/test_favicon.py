"""Browsers ask every host for /favicon.ico; thidua answers with its icon, not a 404 page."""

from __future__ import annotations

import pytest
from django.test import Client

from thidua.news.tests.helpers import HOST

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["127.0.0.1:8000", HOST])
def test_the_favicon_is_an_icon_on_thiduas_host_and_on_a_news_sites_host(host: str) -> None:
    response = Client().get("/favicon.ico", HTTP_HOST=host)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert "max-age" in response["Cache-Control"]
