"""API tokens: stored hashed, shown once, revoked by their owner, audited."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from thidua.api.models import ApiToken
from thidua.api.services import create_token, revoke_token, user_for_token
from thidua.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKENS_PAGE = "/tai-khoan/ma-truy-cap-api/"


def test_a_token_is_stored_only_as_a_prefix_and_the_sha256_of_its_secret(officer_nghe_an: Any) -> None:
    token, text = create_token(actor=officer_nghe_an, name="Cổng thông tin")
    _, prefix, secret = text.split("_", 2)
    row = ApiToken.objects.values().get(pk=token.pk)
    assert row["prefix"] == prefix
    assert row["secret_sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in row.values())


def test_the_secret_appears_in_no_audit_event(officer_nghe_an: Any) -> None:
    _, text = create_token(actor=officer_nghe_an, name="Cổng thông tin")
    secret = text.rsplit("_", 1)[1]
    event = AuditEvent.objects.filter(verb="api_token.create").latest("seq")
    assert event.actor == officer_nghe_an
    assert secret not in str(event.data) and secret not in event.target_label


def test_a_token_authenticates_its_owner_and_notes_when_it_was_used(officer_nghe_an: Any) -> None:
    token, text = create_token(actor=officer_nghe_an, name="Bảng tính")
    assert user_for_token(text) == officer_nghe_an
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "text",
    ["", "thidua", "thidua_000000000000_" + "a" * 43, "Basic abc", "thidua_zz_" + "a" * 43, "\x00"],
)
def test_malformed_or_unknown_tokens_authenticate_nobody(text: str, officer_nghe_an: Any) -> None:
    assert user_for_token(text) is None


def test_a_token_with_a_wrong_secret_is_refused(officer_nghe_an: Any) -> None:
    _, text = create_token(actor=officer_nghe_an, name="Bảng tính")
    wrong = text[:-1] + ("A" if text[-1] != "A" else "B")
    assert user_for_token(wrong) is None


def test_a_revoked_token_is_refused_by_the_api_with_the_json_error_shape(officer_nghe_an: Any) -> None:
    token, text = create_token(actor=officer_nghe_an, name="Bảng tính")
    client = Client()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 200
    revoke_token(actor=officer_nghe_an, token=token)
    response = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = response.json()["loi"]
    assert error["ma"] == "chua_xac_thuc"
    assert "thu hồi" in error["thong_bao"]
    assert AuditEvent.objects.filter(verb="api_token.revoke", target_id=str(token.pk)).exists()


def test_a_deactivated_users_token_is_refused(officer_nghe_an: Any) -> None:
    _, text = create_token(actor=officer_nghe_an, name="Bảng tính")
    officer_nghe_an.is_active = False
    officer_nghe_an.save()
    assert user_for_token(text) is None


def test_nobody_revokes_another_users_token(officer_nghe_an: Any, officer_ha_tinh: Any) -> None:
    from django.core.exceptions import PermissionDenied

    token, _ = create_token(actor=officer_nghe_an, name="Bảng tính")
    with pytest.raises(PermissionDenied):
        revoke_token(actor=officer_ha_tinh, token=token)


def test_a_token_needs_a_name(officer_nghe_an: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Cần đặt tên"):
        create_token(actor=officer_nghe_an, name="   ")


def test_the_account_page_shows_a_new_token_once_and_lists_it_by_prefix_afterwards(
    officer_nghe_an: Any,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_nghe_an)
    page = client.get(TOKENS_PAGE)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    csrf = page.cookies["csrftoken"].value
    created = client.post(TOKENS_PAGE, {"name": "Cổng thông tin tỉnh", "csrfmiddlewaretoken": csrf})
    assert created.status_code == 200
    token = ApiToken.objects.get(user=officer_nghe_an, name="Cổng thông tin tỉnh")
    body = created.content.decode()
    assert "chỉ hiện một lần" in body
    text = body.split('<code id="new-token">', 1)[1].split("</code>", 1)[0]
    assert user_for_token(text) == officer_nghe_an
    again = client.get(TOKENS_PAGE).content.decode()
    assert text not in again
    assert f"thidua_{token.prefix}_…" in again
    assert AuditEvent.objects.filter(verb="api_token.create", target_id=str(token.pk)).exists()


def test_the_account_page_refuses_a_post_without_its_csrf_token(officer_nghe_an: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_nghe_an)
    assert client.post(TOKENS_PAGE, {"name": "Không có CSRF"}).status_code == 403
    assert not ApiToken.objects.filter(name="Không có CSRF").exists()


def test_the_owner_revokes_a_token_on_the_account_page(officer_nghe_an: Any, client_for: Any) -> None:
    token, text = create_token(actor=officer_nghe_an, name="Bảng tính")
    response = client_for(officer_nghe_an).post(f"{TOKENS_PAGE}{token.pk}/thu-hoi/")
    assert response.status_code == 302
    assert user_for_token(text) is None


def test_another_user_cannot_revoke_a_token_through_the_page(
    officer_nghe_an: Any, officer_ha_tinh: Any, client_for: Any
) -> None:
    token, text = create_token(actor=officer_nghe_an, name="Bảng tính")
    assert client_for(officer_ha_tinh).post(f"{TOKENS_PAGE}{token.pk}/thu-hoi/").status_code == 404
    assert user_for_token(text) == officer_nghe_an


def test_a_session_cookie_does_not_open_the_api(officer_nghe_an: Any, client_for: Any) -> None:
    assert client_for(officer_nghe_an).get("/api/me").status_code == 401
