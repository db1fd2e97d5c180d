"""Web hardening (issue 7, part 4): what a browser is told to enforce, what a laptop keeps, and how
uploaded files are kept and sent back. docs/security.md maps each test to its ASVS requirement."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent

# What docs/deployment.md sets on a production server (the host name stands for the real one).
PRODUCTION_ENV = {
    "THIDUA_DEBUG": "0",
    "THIDUA_HTTPS": "1",
    "THIDUA_HSTS_PRELOAD": "1",
    "THIDUA_ALLOWED_HOSTS": "thidua.example.vn",
    "THIDUA_CSRF_TRUSTED_ORIGINS": "https://thidua.example.vn",
}


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh process: none of this machine's THIDUA_ settings, its own var folder."""
    # The suite's own process allows Django's async-unsafe calls for Playwright; a server never does.
    dropped = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_") and k not in dropped}
    env["THIDUA_VAR_DIR"] = str(tmp_path)
    env.update(extra)
    return env


def _settings_of(env: dict[str, str], *names: str) -> dict[str, Any]:
    """Settings as a process started with `env` reads them (settings are read once, at import)."""
    script = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(  # noqa: S603 — this interpreter, a fixed script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(json.loads(result.stdout))


def test_the_deploy_check_with_production_settings_gives_no_warning(tmp_path: Path) -> None:
    env = _clean_env(tmp_path, THIDUA_SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_send_cookies_over_https_only_and_ask_for_strict_transport(
    tmp_path: Path,
) -> None:
    values = _settings_of(
        _clean_env(tmp_path, **PRODUCTION_ENV),
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "DEBUG",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
    )
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["DEBUG"] is False


def test_a_laptop_keeps_plain_http_working_without_redirects_or_secure_only_cookies(tmp_path: Path) -> None:
    values = _settings_of(
        _clean_env(tmp_path),
        "SESSION_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "DEBUG",
        "ALLOWED_HOSTS",
    )
    assert values["SESSION_COOKIE_SECURE"] is False and values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0 and values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["DEBUG"] is False
    assert "127.0.0.1" in values["ALLOWED_HOSTS"]
    # The key a laptop generates for itself is kept beside its data, readable by its owner only.
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_every_page_forbids_inline_scripts_framing_and_content_sniffing(client: Any) -> None:
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_only_the_news_admin_may_run_inline_code_and_readers_pages_may_not(client: Any) -> None:
    from thidua.accounts.models import User

    client.force_login(User.objects.get(username="bientap"))
    admin = client.get("/quan-tri-tin/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in admin and "frame-ancestors 'self'" in admin
    client.logout()
    for path in ("/", "/tin-tuc/", "/tai-khoan/dang-nhap/"):
        assert "unsafe" not in client.get(path)["Content-Security-Policy"], path


def _templates() -> list[Path]:
    found = list((ROOT / "templates").rglob("*.html"))
    found += list((ROOT / "thidua").rglob("templates/**/*.html"))
    assert found
    return found


def test_no_template_holds_an_inline_script_an_event_handler_or_a_style() -> None:
    """The policy forbids them; one left in a template would silently stop working in the browser."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
    style = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
    javascript_url = re.compile(r"javascript:", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(ROOT)}: {pattern.pattern}"
        for path in _templates()
        for pattern in (inline_script, handler, style, javascript_url)
        # An e-mail is no page: mail programs read no style sheet, so its styles must be inline. Scripts
        # stay forbidden there too.
        if pattern.search(path.read_text(encoding="utf-8"))
        and not (pattern is style and "email" in path.relative_to(ROOT).parts)
    ]
    assert offenders == []


@pytest.mark.django_db
def test_a_signed_in_session_ends_with_the_browser_and_within_the_configured_age(
    client: Any, officer_nghe_an: Any
) -> None:
    officer_nghe_an.set_password("mật khẩu đủ dài 2026")
    officer_nghe_an.save()
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": "nghean", "password": "mật khẩu đủ dài 2026"}
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    assert client.session.get_expiry_age() <= 8 * 60 * 60


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Ab1!xyzq", "quá ngắn"),  # 8 characters
        ("password1234", "quá phổ biến"),
        ("nghean2026!", "quá giống"),
    ],
)
@pytest.mark.django_db
def test_a_weak_password_is_refused_with_the_reason_in_vietnamese(
    officer_nghe_an: Any, password: str, why: str
) -> None:
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        validate_password(password, user=officer_nghe_an)
    assert any(why in message for message in error.value.messages), error.value.messages


@pytest.mark.django_db
def test_a_long_passphrase_of_any_letters_or_only_digits_is_accepted(officer_nghe_an: Any) -> None:
    validate_password("hội nghị cụm bốn tháng mười hai", user=officer_nghe_an)
    validate_password("20261231" * 16, user=officer_nghe_an)  # 128 digits: no composition rule


def test_uploads_live_outside_every_folder_the_web_server_serves() -> None:
    media = Path(settings.MEDIA_ROOT).resolve()
    served = [Path(settings.STATIC_ROOT).resolve(), *(Path(p).resolve() for p in settings.STATICFILES_DIRS)]
    for folder in served:
        assert not media.is_relative_to(folder) and not folder.is_relative_to(media)


@pytest.mark.django_db
def test_evidence_is_stored_under_a_random_name_and_sent_back_as_a_sandboxed_attachment(
    client_for: Any, settings: Any, tmp_path: Path
) -> None:
    from thidua.accounts.models import User
    from thidua.assessments import services
    from thidua.assessments.demo import minimal_pdf
    from thidua.assessments.models import Assessment

    settings.MEDIA_ROOT = str(tmp_path)
    officer = User.objects.get(username="ninhbinh")
    assessment = Assessment.objects.get(emulation_year__year=2026, organization__code="lhh-ninh-binh")
    score = assessment.scores.get(criterion__code="3.1")
    upload = SimpleUploadedFile("<script>alert(1)</script>.pdf", minimal_pdf("minh chứng"))
    evidence = services.add_evidence(actor=officer, score=score, upload=upload)

    stored = Path(evidence.file.path)
    assert stored.is_relative_to(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored.name)

    client = client_for(officer)
    response = client.get(f"/nam-thi-dua/vusta-cum-4/2026/cham-diem/lhh-ninh-binh/minh-chung/{evidence.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "<script>" not in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    b"".join(response.streaming_content)

    # The file has no address of its own: only the permission-checked view above sends it.
    assert client.get(f"/{settings.MEDIA_URL}{evidence.file.name}").status_code == 404
    assert client_for(None).get(
        f"/nam-thi-dua/vusta-cum-4/2026/cham-diem/lhh-ninh-binh/minh-chung/{evidence.pk}/"
    ).status_code in (302, 403)
