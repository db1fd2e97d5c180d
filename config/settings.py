"""thidua settings: one file, every knob read from the environment.

`.env.example` documents each variable. The embedded default is SQLite and files under
`var/`; set DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


VAR_DIR = Path(os.environ.get("THIDUA_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("THIDUA_DEBUG")


def _secret_key() -> str:
    # A laptop install should not ship a known key, and should not ask its user for one:
    # generate it once and keep it beside the data it protects.
    if key := os.environ.get("THIDUA_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

# ".localhost" lets the demo's news sites answer by hostname (ninhbinh.localhost): browsers resolve every
# *.localhost name to this machine without any DNS set-up.
ALLOWED_HOSTS = env_list("THIDUA_ALLOWED_HOSTS", "127.0.0.1,localhost,.localhost")

# The address delegates' phones reach this server at, printed in the QR codes of their voting cards.
# `make run LAN=1` sets it to this laptop's address on the venue's network (and serves on 0.0.0.0).
PUBLIC_URL = os.environ.get("THIDUA_PUBLIC_URL", "").rstrip("/")
if PUBLIC_URL:
    from urllib.parse import urlsplit

    _public_host = urlsplit(PUBLIC_URL).hostname
    if _public_host and _public_host not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(_public_host)
CSRF_TRUSTED_ORIGINS = env_list("THIDUA_CSRF_TRUSTED_ORIGINS")
# A form refused for its missing or stale token gets a Vietnamese page, not Django's English one.
CSRF_FAILURE_VIEW = "thidua.web.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The second sign-in step (docs/decisions.md, "Two-factor sign-in"): TOTP devices from an
    # authenticator app, and one-time recovery codes kept as a static device.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "thidua.accounts",
    "thidua.audit",
    "thidua.organizations",
    "thidua.years",
    "thidua.agreements",
    "thidua.assessments",
    "thidua.conferences",
    "thidua.documents",
    "thidua.awards",
    "thidua.news",
    "thidua.home",
    # Wagtail, for the organizations' news sites (DESIGN.md); its admin is for editors only.
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.sitemaps",
    # The REST API; listed as an app so its docs page serves Swagger UI from our own static files.
    "ninja",
    "thidua.api",
    "thidua.backups",
    "thidua.demo",
    # Background tasks through Django's tasks interface (Wagtail's django-tasks), queued in the database.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "thidua.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "thidua.web.middleware.NormalizeInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second step (its device in the session).
    "django_otp.middleware.OTPMiddleware",
    # Until then every page but the step's own sends the user there (thidua/accounts/middleware.py).
    "thidua.accounts.middleware.SecondStepMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A signed-in user without a news role gets a Vietnamese 403 at /quan-tri-tin/, not a redirect loop.
    "thidua.news.access.NewsAdminAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Acts only on a 404: sends an old article address an editor redirected to the new one.
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "thidua.accounts.context_processors.roles",
            ],
            # `{% submit_key %}` in every create form (thidua.web.submits).
            "builtins": ["thidua.web.submits", "thidua.web.templatetags.citations"],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"


def _databases() -> dict[str, dict[str, Any]]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        db: dict[str, Any] = dict(dj_database_url.parse(url))
        if db["ENGINE"] == "django.db.backends.postgresql":
            # A commit returns once it is on disk, whatever the server or role default says: an
            # acknowledged vote or score must survive a crash (DESIGN.md, Decisions).
            db["OPTIONS"] = {**(db.get("OPTIONS") or {}), "options": "-c synchronous_commit=on"}
        if db["ENGINE"] == "django.db.backends.postgresql" and env_bool("THIDUA_DB_POOL", True):
            # psycopg's pool keeps connections warm across requests in each app process.
            db["OPTIONS"] = {**(db.get("OPTIONS") or {}), "pool": {"min_size": 1, "max_size": 8}}
            db["CONN_MAX_AGE"] = 0
        return {"default": db}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("THIDUA_SQLITE_PATH") or VAR_DIR / "thidua.sqlite3",
            "OPTIONS": {
                # WAL lets readers work while a writer commits; FULL syncs each commit to disk,
                # so an acknowledged write survives a power cut (DESIGN.md, Decisions).
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;",
                # Take the write lock when a transaction begins: two concurrent services then queue
                # instead of failing with "database is locked" on upgrade from a read lock.
                "transaction_mode": "IMMEDIATE",
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# ASVS 5.0 V6.2: a minimum length (10, above ASVS's 8), no upper bound below 64, no composition rules
# (so no "not only digits" rule either: a long number is a long password), and refusal of common passwords
# and of ones built from the user's own names.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "thidua.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Failed logins allowed per username in the window before the username is locked for the window.
# Counted per username, not per IP: delegates at one venue share the venue's address.
LOGIN_FAILURE_LIMIT = env_int("THIDUA_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("THIDUA_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
# The second sign-in step (TOTP or a recovery code) is required of superusers, parent-body staff and the
# secretariat (thidua/accounts/rules.py); others may turn it on for themselves. On unless set to 0: a
# deployment is secure without anyone remembering a variable; `make run` and `make dev` turn it off for
# the demo's printed logins.
TWO_FACTOR_REQUIRED = env_bool("THIDUA_TWO_FACTOR_REQUIRED", True)
# Wrong codes at the second step: per account as for passwords (THIDUA_LOGIN_FAILURE_LIMIT in the same
# window), and per client, so one address cannot try codes against many accounts whose passwords it has.
TWO_FACTOR_CLIENT_FAILURE_LIMIT = env_int("THIDUA_TWO_FACTOR_CLIENT_FAILURE_LIMIT", 20)
# The name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = os.environ.get("THIDUA_TWO_FACTOR_ISSUER", "thidua")
# django-otp's own per-device delay (1, 2, 4 … s after each failure) is off: the two counts above are
# the one throttle, with one message saying how long to wait.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Wrong voting codes from one client in a window (thidua/conferences/throttle.py): generous, since an
# 80-bit code needs no lock and a venue behind one NAT address shares the count; never per card.
VOTE_CODE_FAILURE_LIMIT = env_int("THIDUA_VOTE_CODE_FAILURE_LIMIT", 100)
VOTE_CODE_FAILURE_WINDOW_SECONDS = env_int("THIDUA_VOTE_CODE_FAILURE_WINDOW_SECONDS", 10 * 60)
# The trust roots a signed original's signatures must chain to (thidua/documents/signatures.py): a PEM
# bundle, a DER file or a directory, installed by an administrator; never fetched. Empty: no roots, so
# every signature is kept as untrusted.
SIGNATURE_TRUST_ROOTS = os.environ.get("THIDUA_SIGNATURE_TRUST_ROOTS", "")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
# Vietnamese for the Wagtail admin screens that news editors use, where Wagtail's own catalog has none:
# read before every app's catalog (docs/decisions.md, "Vietnamese in Wagtail's admin").
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start until collectstatic has run
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("THIDUA_MEDIA_ROOT") or VAR_DIR / "media")
# Media (evidence, signed originals, documents, templates, news images) on an S3-compatible store when
# THIDUA_S3_BUCKET is set: the one store several app servers must share (docs/deployment.md). Every object
# is private and no page links to the store: each file goes out through a view that checks who asks
# (docs/decisions.md, "Media go out through the app's views"), so the store needs no public access and
# its signed URLs are never handed out; the short expiry only bounds one that leaked all the same.


def media_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """STORAGES["default"] for these environment variables (tests point it at their own S3 server)."""
    bucket = environ.get("THIDUA_S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # Empty: AWS itself, with the keys from the environment or the machine's role, as boto3 finds them.
            "endpoint_url": environ.get("THIDUA_S3_ENDPOINT_URL", "").strip() or None,
            "access_key": environ.get("THIDUA_S3_ACCESS_KEY", "").strip() or None,
            "secret_key": environ.get("THIDUA_S3_SECRET_KEY", "").strip() or None,
            "region_name": environ.get("THIDUA_S3_REGION", "").strip() or None,
            # A folder of its own in a shared bucket: a restore deletes whatever else lies under it.
            "location": environ.get("THIDUA_S3_PREFIX", "").strip().strip("/"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            # Never replace a stored file under the same name, as on disk: a second upload gets a new name.
            "file_overwrite": False,
            # A file read back (a download, a template) spills to disk above this, not into memory.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }


STORAGES = {
    "default": media_storage(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and `make dev` run without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG

# Three caches.
# - "local", per process: what is keyed on a data version read on every request (rendered summaries,
#   keyed on the audit chain's last sequence number), so processes never share or invalidate entries.
# - "objects", per process, the same but not copied: what the delegate's phone reads and never changes.
# - "default": sessions, login throttling and signed-in users with their roles. These must be one store
#   for every app process: a logout or a revoked role must take effect in all of them at once, and the
#   throttle must count a username's failures across processes. With THIDUA_REDIS_URL set
#   (redis://host:port/db) it is Redis, sessions are written through to the database as well
#   ("cached_db": a Redis restart logs nobody out) and users are served from it. Without Redis it is
#   per-process memory, and sessions and users are read from the database on every request, as a
#   single-process laptop setup can afford.
REDIS_URL = os.environ.get("THIDUA_REDIS_URL", "").strip()
SHARED_CACHE = bool(REDIS_URL)
CACHES: dict[str, dict[str, object]] = {
    "default": (
        {"BACKEND": "thidua.web.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "thidua"}
        if SHARED_CACHE
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "thidua"}
    ),
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "thidua-local"},
    # Objects handed to every request of a process as they are, for code that only reads them.
    "objects": {"BACKEND": "thidua.web.cache.ObjectCache", "LOCATION": "thidua-objects"},
}
if SHARED_CACHE:
    # Django's cached_db, reading the session and its user in one round trip (thidua/accounts/sessions.py).
    SESSION_ENGINE = "thidua.accounts.sessions"
# A signed-in user and their roles, read once per request: kept in the shared cache (see above) for
# this long at most, and dropped at once whenever the user or one of their roles changes.
AUTH_CACHE_SECONDS = env_int("THIDUA_AUTH_CACHE_SECONDS", 300)
# The longest a reader's news page is served from one process's memory after a change elsewhere, when
# there is no Redis to tell every process at once (thidua/news/cache.py); 0 turns the cache off.
NEWS_CACHE_SECONDS = env_int("THIDUA_NEWS_CACHE_SECONDS", 60)
AUTHENTICATION_BACKENDS = ["thidua.accounts.backends.CachedModelBackend"]

# News sites (Wagtail). The admin's name, and the address its e-mails and previews link to.
WAGTAIL_SITE_NAME = os.environ.get("THIDUA_NEWS_SITE_NAME", "Trang tin thidua")
WAGTAILADMIN_BASE_URL = PUBLIC_URL or os.environ.get("THIDUA_NEWS_ADMIN_URL", "http://localhost:8000")
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The database backend works on SQLite and PostgreSQL alike, with no search server to run. It does not
# fold diacritics the same way on both, so the public search filters on ArticlePage.search_text
# (folded by thidua.lib.text.fold) instead; this backend serves the admin's page search.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods"]
# A news document is sent by Wagtail's view, which checks its collection's restrictions, never by a redirect
# to the media store (Wagtail's default for a remote store): no file has an address outside the app.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# The sizes of a news image that pages show are kept in the media store like every file, and served by
# thidua.news.images, the one address a reader's browser may load them from (CSP: img-src 'self').
WAGTAILIMAGES_RENDITION_STORAGE = "thidua.news.images.rendition_storage"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("THIDUA_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
# Editors are thidua users; Wagtail's own password reset and user admin would bypass thidua's accounts.
WAGTAIL_PASSWORD_RESET_ENABLED = False
# No avatar from gravatar.com: it would send each editor's e-mail hash to a third party, and the policy
# allows no image from elsewhere. Wagtail shows its own default avatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_LOGIN_URL = "accounts:login"
# The editors' account page offers this one time zone: Wagtail's default list holds every zone the
# machine knows, "localtime" among them, which the admin's script rejects.
WAGTAIL_USER_TIME_ZONES = ["Asia/Ho_Chi_Minh"]

# Background work (e-mail, reminders, scheduled publishing) runs as tasks queued in the database; the
# worker (`manage.py run_worker`, started beside the web server by `make run`) runs them and enqueues the
# recurring ones (DESIGN.md, Decisions). Nothing slow runs inside a request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# How often the worker sweeps every user's to-dos for e-mails to send.
NOTICE_SWEEP_SECONDS = env_int("THIDUA_NOTICE_SWEEP_SECONDS", 5 * 60)
# The statistics' sums of settled points are made by the worker (thidua/awards/snapshots.py): a page that
# finds them older than the data asks for new ones once they are this old, and asks again when an ask has
# gone unanswered this long (its task lost).
SCORE_SNAPSHOT_SECONDS = env_int("THIDUA_SCORE_SNAPSHOT_SECONDS", 60)
SCORE_SNAPSHOT_RETRY_SECONDS = env_int("THIDUA_SCORE_SNAPSHOT_RETRY_SECONDS", 10 * 60)
# A worker whose sign of life is older than this is taken for dead, and the task it was running goes back
# to the queue (thidua/years/workers.py). Workers beat every few seconds (`run_worker --tick`), so this is
# many beats missed, never a slow task: the beat comes from a thread beside the task.
WORKER_DEAD_SECONDS = env_int("THIDUA_WORKER_DEAD_SECONDS", 60)
# How many workers a task may be handed to before it is marked failed: a task that kills its worker each
# time (out of memory on a huge file) must not take every worker down in turn.
TASK_ATTEMPTS = env_int("THIDUA_TASK_ATTEMPTS", 3)

# Encrypted ballots made ahead (thidua/conferences/kits.py): each web process keeps up to this many
# ballots' randomness and multiplications per open poll in its own memory, made by a low-priority thread
# while the poll waits for votes, so a cast only finishes one. 0 turns it off: every cast then encrypts
# from scratch, as secure and about 2 ms slower.
BALLOT_KITS = env_int("THIDUA_BALLOT_KITS", 600)

# E-mail, sent by the worker only. With THIDUA_EMAIL_HOST set, through that SMTP server; without it the
# messages are written to the worker's console, as `make run` does.
EMAIL_HOST = os.environ.get("THIDUA_EMAIL_HOST", "").strip()
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_USE_TLS = env_bool("THIDUA_EMAIL_TLS")  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env_bool("THIDUA_EMAIL_SSL")  # TLS from the first byte, usually on port 465
EMAIL_PORT = env_int("THIDUA_EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = os.environ.get("THIDUA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("THIDUA_EMAIL_PASSWORD", "")
# A server that does not answer must not hold a worker for long: the send is retried later.
EMAIL_TIMEOUT = env_int("THIDUA_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("THIDUA_DEFAULT_FROM_EMAIL", "thidua <thidua@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# A TrueType font with the Vietnamese letters for PDFs (voting cards, paper ballots); when empty thidua
# looks for Liberation (the fonts-liberation2 version) or DejaVu Sans where Debian installs them.
PDF_FONT = os.environ.get("THIDUA_PDF_FONT", "").strip()

# LibreOffice, for PDFs of official documents: the `soffice` to run (empty: the one on PATH; a missing
# file: PDFs unavailable, DOCX still served) and a Python with LibreOffice's `uno` module (empty: the
# bundled or system one) for the warm converter.
SOFFICE = os.environ.get("THIDUA_SOFFICE", "").strip()
UNO_PYTHON = os.environ.get("THIDUA_UNO_PYTHON", "").strip()

# Largest evidence file (minh chứng) an officer may upload.
EVIDENCE_MAX_BYTES = env_int("THIDUA_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
# Largest .xlsx accepted for an import.
IMPORT_MAX_BYTES = env_int("THIDUA_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("THIDUA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

# A session ends on the server 8 hours after it was last written (at sign-in, or when a page stores
# something in it; plain page views do not extend it), and its cookie dies with the browser: officers
# sign in on shared office and venue computers, where "remember me" is not worth a stolen session.
SESSION_COOKIE_AGE = env_int("THIDUA_SESSION_SECONDS", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("THIDUA_SESSION_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# HTTPS. A laptop serves plain HTTP on 127.0.0.1 or the venue's Wi-Fi, where a secure cookie would never
# come back and an HTTPS redirect would lock everyone out; so all of this is off unless THIDUA_HTTPS=1,
# which a production server behind TLS sets (docs/deployment.md).
HTTPS = env_bool("THIDUA_HTTPS")
SESSION_COOKIE_SECURE = env_bool("THIDUA_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # ASVS 5.0 V3.3.1/3.3.3: "__Host-" binds a cookie to this exact host over HTTPS (no Domain, Path=/),
    # so a sibling subdomain can neither read nor plant it. Browsers refuse the prefix over plain HTTP.
    SESSION_COOKIE_NAME = "__Host-thidua-session"
    CSRF_COOKIE_NAME = "__Host-thidua-csrf"
SECURE_SSL_REDIRECT = env_bool("THIDUA_SSL_REDIRECT", HTTPS)
# Behind nginx the app sees plain HTTP; nginx says what the browser used. Trust that header only when
# the app port is reachable from the proxy alone (gunicorn bound to 127.0.0.1 or a socket).
if env_bool("THIDUA_PROXY_SSL_HEADER", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address, for the voting codes' throttle, is the last X-Forwarded-For entry, which nginx
# appends itself, on the same condition (thidua/web/client.py); else REMOTE_ADDR.
CLIENT_FROM_FORWARDED_FOR = env_bool("THIDUA_FORWARDED_FOR", HTTPS)
SECURE_HSTS_SECONDS = env_int("THIDUA_HSTS_SECONDS", 365 * 24 * 60 * 60 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("THIDUA_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading binds the whole domain to HTTPS in browsers for months: its owner decides, not thidua.
SECURE_HSTS_PRELOAD = env_bool("THIDUA_HSTS_PRELOAD")

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy of every HTML page (thidua.web.csp): scripts and styles from our own static
# files only, nothing inline, no plugins, no framing. Downloads get a stricter, sandboxing policy there.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Wagtail's admin (the news editors' pages under /quan-tri-tin/) runs inline scripts and sets inline styles
# that it has no nonce for: there, and only there, they are allowed, with images from data: and blob:
# URLs (upload previews) and framing by the admin itself (the preview panel). The admin is for
# signed-in editors; the readers' pages keep the strict policy (docs/decisions.md).
NEWS_ADMIN_PREFIX = "/quan-tri-tin/"
NEWS_ADMIN_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_line": {"()": "thidua.web.logs.RefusalLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("THIDUA_LOG_LEVEL", "WARNING")},
    "loggers": {
        # Sign-ins, sign-outs and refused sign-ins are kept whatever the general level (ASVS 16.3.1).
        "thidua.security": {"level": "INFO"},
        # A refused request is one line without a traceback; a server error keeps its traceback.
        "django.request": {"filters": ["refusal_line"]},
    },
}
