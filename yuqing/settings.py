"""Django settings for yuqing. Every value comes from the environment (``YUQING_*``); see README."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from yuqing.env import (
    ConfigError,
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_mapping,
    env_str,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
# pytest ≥ 8.2 exports PYTEST_VERSION to the process it runs in.
TESTING = "PYTEST_VERSION" in os.environ

VAR_DIR = Path(env_str("YUQING_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env_str("YUQING_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ConfigError("YUQING_SECRET_KEY: must be at least 32 characters")
        return key
    # No secret in code: generate one per installation and keep it beside the data.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("YUQING_DEBUG", False)
HOST = env_str("YUQING_HOST", "127.0.0.1")
PORT = env_int("YUQING_PORT", 8000, minimum=1, maximum=65535)
ALLOWED_HOSTS = env_list("YUQING_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", HOST, "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("YUQING_CSRF_TRUSTED_ORIGINS", [])
DEMO = env_bool("YUQING_DEMO", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "huey.contrib.djhuey",
    "axes",
    "yuqing.core",
    "yuqing.audit",
    "yuqing.org",
    "yuqing.sources",
    "yuqing.items",
    "yuqing.events",
    "yuqing.notify",
    "yuqing.cases",
    "yuqing.releases",
    "yuqing.policies",
    "yuqing.consult",
    "yuqing.web",
    "yuqing.demo",
    "yuqing.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yuqing.core.middleware.SecurityHeadersMiddleware",
    # A view that meets a database still busy after the busy timeout answers 503 + Retry-After.
    "yuqing.core.middleware.DatabaseBusyMiddleware",
    # A service's refusal a page view lets through: back to the form with the reason, or 403/409/422/404.
    "yuqing.core.middleware.ServiceErrorMiddleware",
    # After SecurityHeadersMiddleware, which assigns request.request_id.
    "yuqing.audit.context.AuditContextMiddleware",
    # Needs the user and the audit context: suspends the session of an account that is locked (login).
    "yuqing.org.middleware.LoginLockMiddleware",
    # Last, as django-axes asks: turns a lockout during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yuqing.urls"
WSGI_APPLICATION = "yuqing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yuqing.web.context.site",
            ],
        },
    }
]

_db_url = env_str("YUQING_DATABASE_URL")
DATABASES = {
    "default": database_from_url("YUQING_DATABASE_URL", _db_url)
    if _db_url
    else sqlite_database(str(VAR_DIR / "yuqing.sqlite3"))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Seconds a writer waits for SQLite's one write lock before "database is locked" (the ingest then
    # tries again, and a request still refused answers 503 with Retry-After; see yuqing.core.busy).
    DATABASES["default"]["OPTIONS"]["timeout"] = env_int(  # type: ignore[index]
        "YUQING_SQLITE_BUSY_TIMEOUT", 30, minimum=1, maximum=600
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes' lockout check must come first; it never logs anyone in itself.
    "yuqing.org.backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login hardening (django-axes, extended in yuqing.org.backends; the rules are in org.selectors):
# - this many failed logins for one user name *from one address* lock that name there for the cool-off
#   (a stranger elsewhere cannot lock the duty officer out);
# - failures against LOGIN_SPRAY_USERS different user names from one address (password spraying) lock
#   the address out of every login for the cool-off; audited, the administrators are told;
# - LOGIN_ACCOUNT_FAILURE_LIMIT failures for one user name from all addresses together (at least three
#   addresses at the defaults, since one address stops counting at the first limit) lock the account
#   everywhere; audited, the administrators are told.
# While a user name is locked for the address a request comes from, or its account is locked, its API
# tokens and open sessions are suspended there too (yuqing.org.api_auth, org.middleware.LoginLockMiddleware).
# Addresses need YUQING_PROXY_COUNT behind a reverse proxy: otherwise everyone has the proxy's address.
AXES_FAILURE_LIMIT = env_int("YUQING_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("YUQING_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
LOGIN_SPRAY_USERS = env_int("YUQING_LOGIN_SPRAY_USERS", 5, minimum=2)
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int(
    "YUQING_LOGIN_ACCOUNT_FAILURE_LIMIT", 3 * AXES_FAILURE_LIMIT, minimum=AXES_FAILURE_LIMIT + 1
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "yuqing.org.backends.LoginAttemptHandler"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # locked for exactly the cool-off, not longer
AXES_LOCKOUT_CALLABLE = "yuqing.org.backends.lockout_response"
AXES_CLIENT_IP_CALLABLE = "yuqing.audit.context.client_ip"
AXES_COOLOFF_MESSAGE = "账号因多次密码错误已被暂时锁定，请稍后再试或联系系统管理员解锁。"
AXES_PERMALOCK_MESSAGE = "账号因多次密码错误已被锁定，请联系系统管理员解锁。"
# Reverse proxies in front of the application (0: clients connect directly); see audit.context.client_ip.
PROXY_COUNT = env_int("YUQING_PROXY_COUNT", 0, minimum=0, maximum=5)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"  # each role lands on its own first page
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("YUQING_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- background work (Huey) -------------------------------------------------------------
REDIS_URL = env_str("YUQING_REDIS_URL")
HUEY_IMMEDIATE = env_bool("YUQING_HUEY_IMMEDIATE", TESTING)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "yuqing",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread", "max_delay": 1.0},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "yuqing",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 2, "worker_type": "thread", "max_delay": 1.0},
    }

# --- collection -------------------------------------------------------------------------
# Host aliases applied to canonical URLs, e.g. "m.example.cn=www.example.cn".
URL_HOST_ALIASES = env_mapping("YUQING_URL_HOST_ALIASES", {})
# A poll claimed longer ago than this is considered lost (worker killed) and is re-enqueued.
POLL_CLAIM_TIMEOUT = env_int("YUQING_POLL_CLAIM_TIMEOUT", 600, minimum=1)
# Upper bound of the exponential back-off after failures.
POLL_MAX_BACKOFF = env_int("YUQING_POLL_MAX_BACKOFF", 6 * 3600, minimum=60)
FETCH_MIN_HOST_INTERVAL = float(env_int("YUQING_FETCH_MIN_HOST_INTERVAL_MS", 1000, minimum=0)) / 1000
# --- analysis ---------------------------------------------------------------------------
# The analysis pipeline runs on one worker at a time under a lease in the database, renewed every batch;
# a worker killed while holding it blocks analysis for at most this many seconds (then the sweep takes over).
ANALYSIS_LEASE_SECONDS = env_int("YUQING_ANALYSIS_LEASE_SECONDS", 120, minimum=5, maximum=3600)

# Background work is quiet by default: warnings and errors only (INFO shows each task and poll).
LOG_LEVEL = env_choice("YUQING_LOG_LEVEL", "WARNING", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Configured here (the consumer then installs no handler of its own): its per-task INFO lines
        # show only when YUQING_LOG_LEVEL asks for them.
        "huey": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "axes": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
        "httpcore2": {"level": "WARNING"},
        "django.server": {"level": "WARNING"},
    },
}

# The push API accepts up to 10 MB; the view itself answers 413 beyond that.
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

# --- the procedure (cases) ----------------------------------------------------------------
# Names of the confidentiality levels (密级), lowest first; who may read each is in cases.access.
CONFIDENTIALITY_LEVELS = env_list("YUQING_CONFIDENTIALITY_LEVELS", ["内部", "敏感", "秘密"])
if len(CONFIDENTIALITY_LEVELS) != 3:
    raise ConfigError("YUQING_CONFIDENTIALITY_LEVELS: 须为三个密级名称，由低到高，逗号分隔")
ATTACHMENT_DIR = VAR_DIR / "attachments"
ATTACHMENT_MAX_BYTES = env_int("YUQING_ATTACHMENT_MAX_MB", 20, minimum=1, maximum=200) * 1024 * 1024

# --- notification channels (yuqing.notify) ----------------------------------------------
# Email goes through Django's SMTP backend; without YUQING_EMAIL_HOST an email channel fails with that reason.
EMAIL_BACKEND = env_str("YUQING_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("YUQING_EMAIL_HOST", "")
EMAIL_PORT = env_int("YUQING_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("YUQING_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("YUQING_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("YUQING_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("YUQING_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigError("YUQING_EMAIL_USE_TLS and YUQING_EMAIL_USE_SSL: set at most one of them")
EMAIL_TIMEOUT = env_int("YUQING_EMAIL_TIMEOUT", 10, minimum=1, maximum=300)
DEFAULT_FROM_EMAIL = env_str("YUQING_EMAIL_FROM", "yuqing@localhost")
if "@" not in DEFAULT_FROM_EMAIL:
    raise ConfigError(f"YUQING_EMAIL_FROM={DEFAULT_FROM_EMAIL!r}: expected an email address")
# Base of the links in emails, bot posts and SMS (the address people open the system at).
NOTIFY_PUBLIC_URL = env_str("YUQING_PUBLIC_URL", f"http://{HOST}:{PORT}")
if not NOTIFY_PUBLIC_URL.startswith(("http://", "https://")):
    raise ConfigError(f"YUQING_PUBLIC_URL={NOTIFY_PUBLIC_URL!r}: expected an http:// or https:// URL")
# Webhooks, bots and the SMS gateway: seconds to wait for an answer.
NOTIFY_HTTP_TIMEOUT = env_int("YUQING_NOTIFY_HTTP_TIMEOUT_MS", 5000, minimum=100, maximum=60000) / 1000
# A failed delivery is retried after RETRY_BASE, 2×, 4×… seconds (capped at RETRY_MAX) up to MAX_ATTEMPTS.
NOTIFY_MAX_ATTEMPTS = env_int("YUQING_NOTIFY_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
NOTIFY_RETRY_BASE = env_int("YUQING_NOTIFY_RETRY_BASE_SECONDS", 60, minimum=1)
NOTIFY_RETRY_MAX = env_int("YUQING_NOTIFY_RETRY_MAX_SECONDS", 3600, minimum=1)
# A delivery claimed longer ago than this (worker killed mid-send) is picked up again by the sweeper.
NOTIFY_CLAIM_TIMEOUT = env_int("YUQING_NOTIFY_CLAIM_TIMEOUT", 300, minimum=30)
