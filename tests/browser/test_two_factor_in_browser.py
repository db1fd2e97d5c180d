"""Two-factor sign-in in Chromium: staff set up an authenticator at their first sign-in (the QR code drawn
inline under the Content-Security-Policy), keep the recovery codes, and are asked for a code next time."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.test_registry_in_browser import PASSWORD, log_in

pytestmark = pytest.mark.browser


def _code(secret: str, ahead: int = 0) -> str:
    return f"{totp(base64.b32decode(secret.replace(' ', '')), drift=ahead):06d}"


def test_staff_set_up_an_authenticator_then_sign_in_with_its_code(
    page: Any, demo_site: str, settings: Any
) -> None:
    settings.TWO_FACTOR_REQUIRED = True
    log_in(page, demo_site, "vusta", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cài đặt xác thực hai bước")
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.locator("figure.qr code").inner_text()
    page.get_by_label("Mã xác thực").fill(_code(secret))
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mã dự phòng")
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"([0-9A-Z]{4}-){5}[0-9A-Z]{4}", c) for c in codes)
    page.get_by_role("link", name="Tôi đã lưu các mã — tiếp tục").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()

    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, demo_site, "vusta", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai bước")
    page.get_by_label("Mã xác thực").fill("000000")
    page.get_by_role("button", name="Xác nhận").click()
    field = page.get_by_label("Mã xác thực")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    field.fill(_code(secret, ahead=1))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Xác thực hai bước")
