"""What the browser walks share: signing in as a demo user, the page's messages, closing the test
thread's database connections."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

PASSWORD = "ThiDua@2026"  # every demo user's (thidua.organizations.demo)


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def messages(page: Any) -> Any:
    return page.locator("ul.messages")


def close_db_connections() -> None:
    # A connection left open in Playwright's context keeps PostgreSQL's test database from being
    # dropped at the end of the session.
    from django.db import connections

    connections.close_all()
