"""The second sign-in step: setting up an authenticator, codes, recovery codes, who must, and that nothing
opens before it (issue 16; ASVS 5.0 6.3.3)."""

from __future__ import annotations

import json
import logging
import re
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from thidua.accounts import services
from thidua.accounts.backends import user_cache_keys
from thidua.accounts.models import User
from thidua.audit.models import AuditEvent

LOGIN = "/tai-khoan/dang-nhap/"
STEP = "/tai-khoan/xac-thuc-hai-buoc/"
ENROL = "/tai-khoan/xac-thuc-hai-buoc/cai-dat/"
PASSWORD = "ThiDua@2026"
YEAR_PAGE = "/nam-thi-dua/vusta-cum-4/2023/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED = True


def code(device: TOTPDevice, ahead: int = 0) -> str:
    """The app's code for `device` now, or `ahead` time steps later (the device accepts one step either
    side, and only a step after the last one used)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead):0{device.digits}d}"


def enrolled(user: User) -> tuple[TOTPDevice, list[str]]:
    """`user` with an authenticator set up (its first code used) and its ten recovery codes."""
    device = services.begin_enrolment(actor=user, user=user)
    codes = services.confirm_enrolment(actor=user, user=user, device=device, code=code(device), client="test")
    return device, codes


def signed_in(username: str, address: str = "10.0.0.1") -> Client:
    """A browser past the password, not yet past the second step."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_a_required_account_without_a_device_sets_one_up_and_gets_ten_recovery_codes_once(
    staff: User, caplog: pytest.LogCaptureFixture
) -> None:
    client = signed_in("vusta")
    response = client.get(YEAR_PAGE)
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "Cài đặt xác thực hai bước" in page
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page)
    assert secret is not None and re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{4}", secret.group(1))
    assert client.get(YEAR_PAGE).status_code == 302  # nothing opens before the first code
    with caplog.at_level(logging.INFO, logger="thidua.security"):
        response = client.post(ENROL, {"code": code(device), "next": YEAR_PAGE})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    shown = re.findall(r"<li><code>([0-9A-Z-]+)</code></li>", page)
    assert len(shown) == 10 and len(set(shown)) == 10 and "chỉ hiện một lần" in page
    assert f'href="{YEAR_PAGE}"' in page
    assert TOTPDevice.objects.get(user=staff).confirmed
    # Only digests are kept: no code is stored as shown, and none is logged or audited.
    stored = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in shown}
    assert client.get(YEAR_PAGE).status_code == 200
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.verb == "two_factor.enrol" and event.data == {"recovery_codes": 10}
    logged = caplog.text + json.dumps(event.data)
    assert "second step enrolled user=vusta" in caplog.text
    assert device.key not in logged and secret.group(1).replace(" ", "") not in logged
    assert not any(c in logged for c in shown)
    # Shown once: the page asks for a code now, never for the codes again.
    assert client.get(ENROL).status_code == 302


def test_an_enrolled_account_signs_in_with_a_code_from_its_app(officer_nghe_an: User) -> None:
    device, _ = enrolled(officer_nghe_an)
    client = Client()
    response = client.post(LOGIN, {"username": "nghean", "password": PASSWORD, "next": YEAR_PAGE})
    assert response["Location"] == YEAR_PAGE
    response = client.get(YEAR_PAGE)
    assert (
        response.status_code == 302
        and response["Location"] == f"{STEP}?next=%2Fnam-thi-dua%2Fvusta-cum-4%2F2023%2F"
    )
    page = client.get(response["Location"]).content.decode()
    assert "Xác thực hai bước" in page and f'name="next" value="{YEAR_PAGE}"' in page
    session_before = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post(STEP, {"code": code(device, ahead=1), "next": YEAR_PAGE})
    assert response.status_code == 302 and response["Location"] == YEAR_PAGE
    # A new session key once verified: one seen before the step is worth nothing after it.
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != session_before
    assert client.get(YEAR_PAGE).status_code == 200


def test_a_wrong_code_is_refused_with_the_field_named_marked_and_focused(officer_nghe_an: User) -> None:
    enrolled(officer_nghe_an)
    client = signed_in("nghean")
    for typed in ("000000", "12345", "không phải mã"):
        response = client.post(STEP, {"code": typed})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Mã xác thực không đúng hoặc đã được dùng." in page
        field = re.search(r'<input[^>]*name="code"[^>]*>', page)
        assert field is not None and 'aria-invalid="true"' in field.group(0) and "autofocus" in field.group(0)
        assert 'id="id_code_error"' in page and "id_code_error" in field.group(0)
    assert client.get("/").status_code == 302


def test_a_code_already_used_cannot_be_used_again(officer_nghe_an: User) -> None:
    device, _ = enrolled(officer_nghe_an)
    first = signed_in("nghean")
    typed = code(device, ahead=1)
    assert first.post(STEP, {"code": typed}).status_code == 302
    second = signed_in("nghean", "10.0.0.2")
    response = second.post(STEP, {"code": typed})
    assert "Mã xác thực không đúng hoặc đã được dùng." in response.content.decode()
    assert second.get("/").status_code == 302
    # Nor the code that set the device up.
    device.refresh_from_db()
    assert device.last_t >= 0


def test_a_recovery_code_works_once_however_it_is_typed(officer_nghe_an: User) -> None:
    _, codes = enrolled(officer_nghe_an)
    client = signed_in("nghean")
    typed = codes[3].lower().replace("-", " ")
    response = client.post(STEP, {"code": typed}, follow=True)
    assert response.status_code == 200 and "còn 9 mã" in response.content.decode()
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.verb == "two_factor.recovery_code_used" and event.data == {"left": 9}
    again = signed_in("nghean", "10.0.0.2")
    assert "không đúng hoặc đã được dùng" in again.post(STEP, {"code": codes[3]}).content.decode()
    assert again.post(STEP, {"code": codes[4]}).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/",
        YEAR_PAGE,
        "/tai-khoan/",
        "/tai-khoan/doi-mat-khau/",
        "/tai-khoan/ma-truy-cap-api/",
        "/quan-tri/",
        "/quan-tri-tin/",
        "/cum-khoi/vusta-cum-4/mo-nam-thi-dua/",
    ],
)
def test_staff_cannot_skip_the_second_step_on_any_page(staff: User, path: str) -> None:
    enrolled(staff)
    client = signed_in("vusta")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{STEP}?next=")


def test_staff_cannot_skip_the_second_step_with_a_post_or_through_the_api(staff: User) -> None:
    client = signed_in("vusta")  # no device yet: sent to set one up
    response = client.post("/tai-khoan/", {"email": "x@example.vn", "email_reminders": "on"})
    assert response.status_code == 302 and response["Location"] == ENROL
    assert User.objects.get(pk=staff.pk).email != "x@example.vn"
    for path in ("/api/openapi.json", "/api/docs"):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json()["loi"]["ma"] == "chua_xac_thuc_hai_buoc"
    # The step's pages and signing out stay open.
    assert client.get(ENROL).status_code == 200
    assert client.post("/tai-khoan/dang-xuat/").status_code == 302
    assert client.get("/").status_code == 200


def test_the_superuser_and_a_secretariat_officer_must_set_up_the_step_too() -> None:
    for username in ("quantri", "quangtri"):  # Quảng Trị heads Cụm 4 in 2026 (demo)
        response = signed_in(username).get("/")
        assert response.status_code == 302 and response["Location"].startswith(ENROL), username


def test_a_member_officer_not_in_the_secretariat_is_not_forced_when_not_enrolled() -> None:
    # Quảng Bình is a member of Cụm 4 but never its head or deputy in the demo.
    client = signed_in("quangbinh")
    assert client.get(YEAR_PAGE).status_code == 200
    assert "Bật xác thực hai bước" in client.get("/tai-khoan/").content.decode()


def test_with_the_setting_off_staff_sign_in_with_the_password_only(settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED = False
    client = signed_in("vusta")
    assert client.get(YEAR_PAGE).status_code == 200
    # The parent body's staff hold no news role: told so (403), not sent to the second step.
    assert client.get("/quan-tri-tin/").status_code in (200, 403)
    assert not client.get("/quan-tri-tin/").get("Location", "").startswith(STEP)


def test_an_account_that_turned_the_step_on_is_asked_for_it_even_with_the_setting_off(
    settings: Any, officer_ha_tinh: User
) -> None:
    settings.TWO_FACTOR_REQUIRED = False
    device, _ = enrolled(officer_ha_tinh)
    client = signed_in("hatinh")
    assert client.get("/").status_code == 302
    assert client.post(STEP, {"code": code(device, ahead=1)}).status_code == 302
    assert client.get("/").status_code == 200


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_wrong_codes_lock_the_step_of_the_account_whatever_the_address(officer_nghe_an: User) -> None:
    device, _ = enrolled(officer_nghe_an)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        signed_in("nghean", address).post(STEP, {"code": "000000"})
    client = signed_in("nghean", "10.0.0.4")
    page = client.post(STEP, {"code": code(device, ahead=1)}).content.decode()
    assert "Mã xác thực: đã nhập sai nhiều lần" in page and "15 phút" in page
    assert client.get("/").status_code == 302
    # The password's own count is apart: the account still signs in with its password.
    assert signed_in("nghean", "10.0.0.5").get(STEP).status_code == 200


@override_settings(TWO_FACTOR_CLIENT_FAILURE_LIMIT=4)
def test_one_client_trying_codes_against_many_accounts_is_stopped(
    officer_nghe_an: User, officer_ha_tinh: User
) -> None:
    enrolled(officer_nghe_an)
    ha_tinh_device, _ = enrolled(officer_ha_tinh)
    for _ in range(2):
        signed_in("nghean", "192.0.2.7").post(STEP, {"code": "000000"})
        signed_in("hatinh", "192.0.2.7").post(STEP, {"code": "000000"})
    page = (
        signed_in("hatinh", "192.0.2.7").post(STEP, {"code": code(ha_tinh_device, ahead=1)}).content.decode()
    )
    assert "đã nhập sai nhiều lần" in page
    # Another client is not held up by it.
    assert (
        signed_in("hatinh", "192.0.2.8").post(STEP, {"code": code(ha_tinh_device, ahead=1)}).status_code
        == 302
    )


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "http://testserver.evil/"]
)
def test_next_never_leads_off_the_site(officer_nghe_an: User, next_url: str) -> None:
    device, _ = enrolled(officer_nghe_an)
    client = signed_in("nghean")
    assert next_url not in client.get(STEP, {"next": next_url}).content.decode()
    response = client.post(STEP, {"code": code(device, ahead=1), "next": next_url})
    assert response.status_code == 302 and response["Location"] == "/"


def test_verification_belongs_to_one_session_and_signing_in_again_asks_again(officer_nghe_an: User) -> None:
    # With the shared cache and its session engine, as in production: the signed-in user cached across
    # sessions must not carry one session's verification to another.
    with override_settings(SHARED_CACHE=True, SESSION_ENGINE="thidua.accounts.sessions"):
        device, _ = enrolled(officer_nghe_an)
        first = signed_in("nghean")
        assert first.post(STEP, {"code": code(device, ahead=1)}).status_code == 302
        assert first.get("/").status_code == 200
        cached = cache.get_many(user_cache_keys(officer_nghe_an.pk))
        assert cached and all(
            not hasattr(entry[1], "otp_device") for entry in cached.values() if isinstance(entry, tuple)
        )
        second = signed_in("nghean", "10.0.0.2")
        assert second.get("/").status_code == 302
        first.post("/tai-khoan/dang-xuat/")
        again = first
        again.post(LOGIN, {"username": "nghean", "password": PASSWORD})
        assert again.get("/").status_code == 302


def test_recovery_codes_are_renewed_only_with_a_current_code() -> None:
    # Quảng Bình's officer is not required to, and turned the step on.
    device, old = enrolled(User.objects.get(username="quangbinh"))
    client = signed_in("quangbinh")
    client.post(STEP, {"code": old[5]})
    page = client.get("/tai-khoan/").content.decode()
    assert "Còn <strong>9</strong> mã dự phòng" in page and "Tắt xác thực hai bước" in page
    # A recovery code does not renew the sheet it is on.
    response = client.post("/tai-khoan/xac-thuc-hai-buoc/ma-du-phong/", {"ma-du-phong-code": old[0]})
    assert "Mã xác thực không đúng" in response.content.decode()
    response = client.post(
        "/tai-khoan/xac-thuc-hai-buoc/ma-du-phong/", {"ma-du-phong-code": code(device, ahead=1)}
    )
    fresh = re.findall(r"<li><code>([0-9A-Z-]+)</code></li>", response.content.decode())
    assert len(fresh) == 10 and not set(fresh) & set(old)
    assert (
        AuditEvent.objects.order_by("-seq").values_list("verb", flat=True)[0]
        == "two_factor.recovery_codes_regenerated"
    )
    other = signed_in("quangbinh", "10.0.0.2")
    assert "không đúng" in other.post(STEP, {"code": old[1]}).content.decode()
    assert other.post(STEP, {"code": fresh[1]}).status_code == 302


def test_the_step_is_turned_off_only_where_nothing_requires_it(officer_ha_tinh: User, staff: User) -> None:
    _, codes = enrolled(officer_ha_tinh)  # Hà Tĩnh led Cụm 4 (demo): a secretariat account
    client = signed_in("hatinh")
    client.post(STEP, {"code": codes[0]})
    assert "bắt buộc xác thực hai bước, không tắt được" in client.get("/tai-khoan/").content.decode()
    response = client.post("/tai-khoan/xac-thuc-hai-buoc/tat/", {"tat-code": codes[1]})
    assert response.status_code == 403 and TOTPDevice.objects.filter(user=officer_ha_tinh).exists()
    with override_settings(TWO_FACTOR_REQUIRED=False):
        response = client.post("/tai-khoan/xac-thuc-hai-buoc/tat/", {"tat-code": codes[1]})
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=officer_ha_tinh).exists()
        assert not StaticToken.objects.filter(device__user=officer_ha_tinh).exists()
        assert client.get("/").status_code == 200
        assert signed_in("hatinh", "10.0.0.2").get("/").status_code == 200
    assert AuditEvent.objects.order_by("-seq").first().data == {"by": "self"}  # type: ignore[union-attr]


def test_parent_body_staff_reset_a_lost_phone_and_nobody_else_may(
    staff: User, officer_nghe_an: User, officer_ha_tinh: User
) -> None:
    _, codes = enrolled(officer_nghe_an)
    officer = signed_in("nghean")
    officer.post(STEP, {"code": codes[0]})
    assert officer.get("/").status_code == 200
    reset = f"/tai-khoan/{officer_nghe_an.pk}/dat-lai-xac-thuc-hai-buoc/"
    # Not another officer, not oneself.
    assert officer.post(reset).status_code == 403
    with override_settings(TWO_FACTOR_REQUIRED=False):
        other = Client()
        other.force_login(officer_ha_tinh)
        assert other.post(reset).status_code == 403
        by_staff = Client()
        by_staff.force_login(staff)
        response = by_staff.post(reset, {"organization": "lhh-nghe-an"})
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/don-vi/lhh-nghe-an/"
    assert not TOTPDevice.objects.filter(user=officer_nghe_an).exists()
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.verb == "two_factor.remove" and event.data == {"by": "staff"}
    # The session verified by the lost phone is asked again: Nghệ An led Cụm 4, so it sets up a new app.
    response = officer.get("/")
    assert response.status_code == 302
    assert officer.get(response["Location"])["Location"].startswith(ENROL)


def test_the_demo_logins_say_when_the_second_step_is_off_and_how_to_turn_it_on(settings: Any) -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "Xác thực hai bước" not in out.getvalue()
    settings.TWO_FACTOR_REQUIRED = False
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "Xác thực hai bước đang tắt" in out.getvalue() and "THIDUA_TWO_FACTOR_REQUIRED=1" in out.getvalue()
