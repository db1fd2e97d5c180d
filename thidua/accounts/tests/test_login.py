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


@pytest.mark.django_db
def test_staff_create_an_officer_account_who_can_then_log_in(client_for: Any, staff: Any) -> None:
    from thidua.accounts.models import Role

    response = client_for(staff).post(
        "/tai-khoan/don-vi/lhh-nghe-an/",
        {
            "username": "nghean2",
            "full_name": "Trần Thị Bình",
            "job_title": "Chuyên viên",
            "kind": "officer",
            "password": "Thi-dua-2027!",
        },
    )
    assert response.status_code == 302
    assert Role.objects.get(user__username="nghean2").organization.code == "lhh-nghe-an"
    assert Client().post(LOGIN, {"username": "nghean2", "password": "Thi-dua-2027!"}).status_code == 302


@pytest.mark.django_db
def test_a_weak_initial_password_or_a_taken_username_is_refused_by_name(client_for: Any, staff: Any) -> None:
    client = client_for(staff)
    data = {
        "username": "nghean",
        "full_name": "A",
        "job_title": "",
        "kind": "officer",
        "password": "Thi-dua-2027!",
    }
    assert (
        "Tên đăng nhập «nghean» đã có người dùng."
        in client.post("/tai-khoan/don-vi/lhh-nghe-an/", data).content.decode()
    )
    data.update(username="moi", password="123")
    page = client.post("/tai-khoan/don-vi/lhh-nghe-an/", data).content.decode()
    assert "Mật khẩu" in page or "mật khẩu" in page
    from thidua.accounts.models import User

    assert not User.objects.filter(username="moi").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["nghean", "ninhbinh", "bientap"])
def test_only_parent_body_staff_revoke_roles(username: str, client_for: Any) -> None:
    from thidua.accounts.models import Role, User

    role = Role.objects.get(user__username="hatinh")
    response = client_for(User.objects.get(username=username)).post(f"/tai-khoan/vai-tro/{role.pk}/thu-hoi/")
    assert response.status_code == 403
    assert Role.objects.filter(pk=role.pk).exists()


@pytest.mark.django_db
def test_staff_revoke_a_role_and_the_audit_trail_says_so(client_for: Any, staff: Any) -> None:
    from thidua.accounts.models import Role
    from thidua.audit.models import AuditEvent

    role = Role.objects.get(user__username="hatinh")
    assert client_for(staff).post(f"/tai-khoan/vai-tro/{role.pk}/thu-hoi/").status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()
    assert AuditEvent.objects.order_by("-seq").first().verb == "role.revoke"  # type: ignore[union-attr]


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_sign_ins_sign_outs_refusals_and_lockouts_are_logged_without_the_password(caplog: Any) -> None:
    caplog.set_level("INFO", logger="thidua.security")
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.post(LOGIN, {"username": "nghean", "password": "ThiDua@2026"})
    client.post("/tai-khoan/dang-xuat/")
    for _ in range(2):
        client.post(LOGIN, {"username": "nghean", "password": "sai-mat-khau"})
    client.post(LOGIN, {"username": "nghean", "password": "ThiDua@2026"})
    lines = [r.getMessage() for r in caplog.records if r.name == "thidua.security"]
    assert lines[:2] == ["sign-in user=nghean from=192.0.2.7", "sign-out user=nghean from=192.0.2.7"]
    assert lines.count("sign-in refused user=nghean from=192.0.2.7") == 2
    assert lines[-1] == "sign-in refused, username locked user=nghean from=192.0.2.7"
    assert not any("ThiDua@2026" in line or "sai-mat-khau" in line for line in lines)
