"""Django settings for Toxin Clinic.

Everything that differs between a laptop demo and a clinic's server comes from the
environment, and the defaults are the production ones: DEBUG off, secure cookies,
HTTPS redirect, HSTS, no allowed hosts until ``ALLOWED_HOSTS`` is set.
``TOXINCLINIC_DEV=1`` (set by ``make demo`` and the tests) relaxes them for a laptop.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TOXINCLINIC_VAR", BASE_DIR / "var"))


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def secret(name: str) -> str | None:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name)


DEV = envbool("TOXINCLINIC_DEV")
DEBUG = envbool("DEBUG", default=False) and DEV


def _installation_secret() -> str:
    """A random per-installation key kept in var/secret_key (mode 600), created on first use.

    Never a hard-coded default: a single host works out of the box and stays secure;
    several hosts behind a load balancer must share one SECRET_KEY from the environment.
    """
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = secret("SECRET_KEY") or _installation_secret()
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEV else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    # Before django_tasks_db: its db_worker command (a leased worker) replaces django-tasks-db's.
    "toxinclinic.tasklease",
    "django_tasks_db",
    "toxinclinic.core",
    "toxinclinic.demo",
]
# Ours, one app per workflow. Each may plug in urls, api, demo and home panels (core/plugins.py).
WORKFLOW_APPS = [
    "accounts",
    "audit",
    "patients",
    "treatment",
    "education",
    "inventory",
    "visits",
    "diary",
    "outcomes",
    "safety",
    "scheduling",
    "messaging",
    "reminders",
    "cycles",
    "backup",
    "coverage",
    "coordinator",
    "fhir",
    # The top room: home screens that compose several workflows (after them, so they plug in last).
    "home",
]
INSTALLED_APPS += [f"toxinclinic.{app}" for app in WORKFLOW_APPS]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "toxinclinic.core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "toxinclinic.accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "toxinclinic.audit.middleware.RequestContextMiddleware",
    # The signed-in user's clinic: its time zone is active and dates/phones use its format.
    "toxinclinic.accounts.locale.ClinicLocaleMiddleware",
    # django-axes must be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "toxinclinic.urls"
WSGI_APPLICATION = "toxinclinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "toxinclinic" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "toxinclinic.core.context.navigation",
            ],
            # Dates and phone numbers in the clinic's format on every template (accounts/locale.py).
            "builtins": ["toxinclinic.core.templatetags.clinic_format"],
        },
    },
]

# SQLite under var/ by default, so a newcomer needs no server; DATABASE_URL for PostgreSQL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'toxinclinic.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web process write without "database is locked" under light load.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
if os.environ.get("TEST_DB_NAME"):
    # Lets several checkouts run the PostgreSQL suite at once without sharing a test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: 5 failures per username+IP locks for 30 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Behind N reverse proxies the client is the Nth address from the right of the proxy's header (each proxy
# appends the address it saw, and a client can write anything to the left). 0, the default, trusts no
# header and throttles by REMOTE_ADDR. Read by axes through django-ipware; "proxy count" there counts the
# hops listed after the client in the header, one less than the proxies in front of the app.
TOXINCLINIC_TRUSTED_PROXY_COUNT = envint("TOXINCLINIC_TRUSTED_PROXY_COUNT", 0)
TOXINCLINIC_TRUSTED_PROXY_HEADER = os.environ.get("TOXINCLINIC_TRUSTED_PROXY_HEADER", "X-Forwarded-For")
if TOXINCLINIC_TRUSTED_PROXY_COUNT > 0:
    AXES_IPWARE_META_PRECEDENCE_ORDER = (
        "HTTP_" + TOXINCLINIC_TRUSTED_PROXY_HEADER.upper().replace("-", "_"),
    )
    AXES_IPWARE_PROXY_COUNT = TOXINCLINIC_TRUSTED_PROXY_COUNT - 1
    AXES_IPWARE_PROXY_ORDER = "left-most"
    # Not strict: a client-written prefix in the header must not void the proxies' own (right-hand) entries.
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# When on, staff must pass a TOTP second factor; admins always must once enrolled or when this is on.
TOXINCLINIC_REQUIRE_STAFF_2FA = envbool("TOXINCLINIC_REQUIRE_STAFF_2FA", default=False)
TOXINCLINIC_REQUIRE_ADMIN_2FA = envbool("TOXINCLINIC_REQUIRE_ADMIN_2FA", default=not DEV)
OTP_TOTP_ISSUER = "Toxin Clinic"

LANGUAGE_CODE = "en-us"
# The installation's zone (workers, anonymous pages); each clinic's own zone is active on its pages.
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEV
WHITENOISE_AUTOREFRESH = DEV
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEV
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "toxinclinic"}
    )
}

# Background work goes through the database, so no extra server is needed to start;
# on PostgreSQL several `db_worker` processes claim rows with SELECT … SKIP LOCKED.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEV
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@example.org")

# Security headers. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER via TRUST_X_FORWARDED_PROTO.
SESSION_COOKIE_SECURE = not DEV
CSRF_COOKIE_SECURE = not DEV
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=not DEV)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEV else 31536000)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from csp.constants import NONCE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

# Never log request bodies or query strings: they can carry patient data.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# Clinic policy defaults (the clinical engine documents each one).
TOXINCLINIC_INVITE_VALID_DAYS = envint("TOXINCLINIC_INVITE_VALID_DAYS", 7)

# Called by every `manage.py db_worker` as it starts (toxinclinic.tasklease): work a stopped run left behind.
TASK_WORKER_STARTUP_HOOKS = ["toxinclinic.education.tasks.requeue_interrupted_narrations"]
# Messaging channels by name (toxinclinic/messaging/channels.py). E-mail goes through EMAIL_BACKEND (file in
# the demo, SMTP from the environment); SMS is a file per message in the demo until a provider is plugged in.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
TOXINCLINIC_MESSAGING_CHANNELS = {
    "email": {"BACKEND": "toxinclinic.messaging.channels.EmailChannel"},
    "sms": {
        "BACKEND": os.environ.get("SMS_CHANNEL_BACKEND", "toxinclinic.messaging.channels.FileChannel"),
        "OPTIONS": {"directory": str(VAR_DIR / "sms")},
    },
}
