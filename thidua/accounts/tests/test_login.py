from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

LOGIN = "/tai-khoan/dang-nhap/"


@pytest.mark.django_db
def test_a_demo_user_logs_in_with_the_printed_password_and_out_again() -> None:
    client = Client()
    response = client.post(LOGIN, {"username": "nghean", "password": "ThiDua@2026"})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "nghean"
    client.post("/tai-khoan/dang-xuat/")
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_a_wrong_password_is_answered_in_vietnamese() -> None:
    response = Client().post(LOGIN, {"username": "nghean", "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_username_even_from_different_addresses() -> None:
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        Client(REMOTE_ADDR=address).post(LOGIN, {"username": "nghean", "password": "sai"})
    response = Client(REMOTE_ADDR="10.0.0.4").post(LOGIN, {"username": "nghean", "password": "ThiDua@2026"})
    assert response.status_code == 200
    assert "tạm khóa" in response.content.decode()


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_delegates_sharing_one_venue_address_do_not_lock_each_other_out() -> None:
    venue = "192.0.2.10"
    for _ in range(3):
        Client(REMOTE_ADDR=venue).post(LOGIN, {"username": "hatinh", "password": "sai"})
    response = Client(REMOTE_ADDR=venue).post(LOGIN, {"username": "nghean", "password": "ThiDua@2026"})
    assert response.status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_lock_counts_the_username_however_it_is_typed() -> None:
    for typed in ("NGHEAN", "nghean", "NgheAn"):
        Client().post(LOGIN, {"username": typed, "password": "sai"})
    response = Client().post(LOGIN, {"username": "nghean", "password": "ThiDua@2026"})
    assert "tạm khóa" in response.content.decode()


@pytest.mark.django_db
def test_a_user_changes_the_password_with_the_rules_in_vietnamese(
    client_for: Any, officer_nghe_an: Any
) -> None:
    client = client_for(officer_nghe_an)
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": "ThiDua@2026", "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    assert "Mật khẩu" in response.content.decode()
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": "ThiDua@2026", "new_password1": "Giao-uoc-2027!", "new_password2": "Giao-uoc-2027!"},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_error_pages_speak_vietnamese(client_for: Any) -> None:
    response = client_for(None).get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
