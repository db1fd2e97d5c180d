"""Django's error pages, in Vietnamese: what a user meets when a request goes wrong."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("thidua.web.tests.error_urls")]

# Django's own error pages say these; none may reach a user.
ENGLISH = [
    "Bad Request",
    "Forbidden",
    "CSRF verification failed",
    "Not Found",
    "Server Error",
    "Reason given",
]


def _vietnamese_page(response: Any, status: int, title: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f"<h1>{title}</h1>" in html
    assert f"Mã lỗi {status}." in html
    left = [text for text in ENGLISH if text in html]
    assert not left, f"English on the {status} page: {left}"


def test_a_form_sent_without_its_csrf_token_is_refused_with_a_vietnamese_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/tai-khoan/dang-nhap/", {"username": "nghean", "password": "ThiDua@2026"})
    _vietnamese_page(response, 403, "Biểu mẫu đã hết hiệu lực")
    assert "tải lại trang" in response.content.decode()


def test_a_request_for_a_host_thidua_does_not_serve_gets_a_vietnamese_bad_request_page() -> None:
    response = Client().get("/", HTTP_HOST="thidua.example.com")
    _vietnamese_page(response, 400, "Yêu cầu không hợp lệ")


def test_a_malformed_request_gets_a_vietnamese_bad_request_page() -> None:
    _vietnamese_page(Client().get("/loi/400/"), 400, "Yêu cầu không hợp lệ")


def test_a_forbidden_page_says_so_in_vietnamese() -> None:
    _vietnamese_page(Client().get("/loi/403/"), 403, "Không có quyền truy cập")


def test_a_missing_page_says_so_in_vietnamese() -> None:
    _vietnamese_page(Client().get("/khong-co-trang-nay/"), 404, "Không tìm thấy trang")


def test_a_server_error_says_in_vietnamese_that_nothing_was_saved() -> None:
    response = Client(raise_request_exception=False).get("/loi/500/")
    _vietnamese_page(response, 500, "Lỗi hệ thống")
    assert "chưa được lưu" in response.content.decode()


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_refused_request_is_logged_as_one_warning_line_without_traceback_query_or_body(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        Client().get("/loi/403/", {"ma": "bi-mat-trong-dia-chi"})
        Client().post("/loi/403/", {"noi_dung": "bi-mat-trong-than"})
    lines = _request_lines(caplog)
    assert [(r.levelname, r.getMessage()) for r in lines] == [
        ("WARNING", "GET /loi/403/ 403 Forbidden (Permission denied)"),
        ("WARNING", "POST /loi/403/ 403 Forbidden (Permission denied)"),
    ]
    assert all(r.exc_info is None for r in lines)
    assert "Traceback" not in caplog.text and "PermissionDenied" not in caplog.text
    assert "bi-mat" not in caplog.text


def test_a_server_error_is_still_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        Client(raise_request_exception=False).get("/loi/500/", {"ma": "x"})
    (line,) = _request_lines(caplog)
    assert line.levelname == "ERROR" and line.exc_info is not None
    assert "Traceback" in caplog.text and "RuntimeError: a bug" in caplog.text
