"""Django settings, read from environment variables (see the README's configuration table).

Nothing configured gives a working single-machine platform: SQLite in WAL mode under
``OXYFLOW_DATA_DIR``. Production sets ``DATABASE_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS``
and ``DEBUG=0``; the system checks in :mod:`oxyflow.checks` refuse unsafe combinations.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from oxyflow.conf import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_time_zone,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("OXYFLOW_DATA_DIR", str(Path.cwd() / "var"))).resolve()

# Only used when SECRET_KEY is unset; the `oxyflow.W001`/`E001` checks warn or refuse.
INSECURE_DEV_SECRET_KEY = "oxyflow-insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", INSECURE_DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "oxyflow.accounts",
    "oxyflow.registry",
    "oxyflow.stock",
    "oxyflow.reporting",
    "oxyflow.scenarios",
    "oxyflow.alerts",
    "oxyflow.incidents",
    "oxyflow.dashboard",
    "oxyflow.sitrep",
    "oxyflow.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "oxyflow.web.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oxyflow.accounts.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "oxyflow.urls"
# Report files of up to 5 MB are uploaded through the API, whose idempotency check
# reads the whole body: let such a body through (Django's default is 2.5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
WSGI_APPLICATION = "oxyflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project templates first: our account pages replace the admin's registration ones.
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oxyflow.web.context.role",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL", "").strip()
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "oxyflow.sqlite3"),
            # IMMEDIATE avoids "database is locked" on upgrade from read to write lock;
            # WAL lets readers proceed while one writer commits (STACK.md).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20,
            },
        }
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=0))
    except ValueError as exc:
        raise ConfigError(
            "DATABASE_URL", url, f"a database URL such as postgres://user@host:5432/name ({exc})"
        ) from None
    engine = str(config.get("ENGINE", ""))
    if engine not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ConfigError("DATABASE_URL", url, "a postgres:// or sqlite:/// URL")
    if engine == "django.db.backends.postgresql" and env_bool("OXYFLOW_DB_POOL", True):
        options = dict(config.get("OPTIONS") or {})
        options["pool"] = {
            "min_size": 1,
            "max_size": env_int("OXYFLOW_DB_POOL_SIZE", 10, minimum=1),
        }
        config["OPTIONS"] = options
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_choice("OXYFLOW_DEFAULT_LANGUAGE", "en", ("en", "fr", "ar", "vi"))
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("vi", _("Vietnamese")),
]
# Our strings first; then Vietnamese translations of the Django strings our users see
# that Django's own catalogue leaves untranslated (admin, auth, form validation).
LOCALE_PATHS = [PACKAGE_DIR / "locale", PACKAGE_DIR / "locale_django_supplement"]
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["oxyflow.formats"]
USE_TZ = True
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end libraries come from the npm registry at set-up (`npm ci`, pinned in
# package.json and package-lock.json) and are served by us: nothing from a CDN at run time.
ASSETS_DIR = Path(env_str("OXYFLOW_ASSETS_DIR", str(PACKAGE_DIR.parent / "node_modules"))).resolve()
VENDOR_ASSETS = {
    "vendor/leaflet": ASSETS_DIR / "leaflet" / "dist",
    "vendor/chart.js": ASSETS_DIR / "chart.js" / "dist",
}
STATICFILES_DIRS = [(prefix, str(path)) for prefix, path in VENDOR_ASSETS.items() if path.is_dir()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_BACKEND = env_str("OXYFLOW_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "oxyflow@localhost")

# Behind HTTPS in production; the oxyflow.W003 check reminds when DEBUG is off.
SESSION_COOKIE_SECURE = env_bool("OXYFLOW_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env_bool("OXYFLOW_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("OXYFLOW_HSTS_SECONDS", 0, minimum=0)
if env_bool("OXYFLOW_BEHIND_PROXY", False):
    # The TLS-terminating proxy says the original scheme in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Base map tiles, e.g. https://tile.example.org/{z}/{x}/{y}.png. Empty: the map draws
# regions and sites without a background (works offline).
OXYFLOW_MAP_TILE_URL = env_str("OXYFLOW_MAP_TILE_URL", "")
OXYFLOW_MAP_TILE_ATTRIBUTION = env_str("OXYFLOW_MAP_TILE_ATTRIBUTION", "")
# How long a stored Idempotency-Key answer is replayed, in hours.
OXYFLOW_IDEMPOTENCY_TTL_HOURS = env_int("OXYFLOW_IDEMPOTENCY_TTL_HOURS", 24, minimum=1)
# A worker heartbeat older than this makes /healthz report the worker as stale, in seconds.
OXYFLOW_WORKER_STALE_SECONDS = env_int("OXYFLOW_WORKER_STALE_SECONDS", 300, minimum=10)

# Daily-report reminders (`oxyflow scheduler` checks every 15 minutes): "due soon" this
# many minutes before the deadline (0: none); each reminder is also POSTed as JSON to the
# webhook URL when one is set.
OXYFLOW_REPORT_REMINDER_LEAD_MINUTES = env_int(
    "OXYFLOW_REPORT_REMINDER_LEAD_MINUTES", 120, minimum=0, maximum=1440
)
OXYFLOW_REPORT_WEBHOOK_URL = env_str("OXYFLOW_REPORT_WEBHOOK_URL", "").strip()
if OXYFLOW_REPORT_WEBHOOK_URL and not OXYFLOW_REPORT_WEBHOOK_URL.startswith(
    ("http://", "https://")
):
    raise ConfigError(
        "OXYFLOW_REPORT_WEBHOOK_URL", OXYFLOW_REPORT_WEBHOOK_URL, "an http:// or https:// URL"
    )
OXYFLOW_REPORT_WEBHOOK_TIMEOUT_SECONDS = env_int(
    "OXYFLOW_REPORT_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, maximum=120
)

# Background work: a queue in the database, served by `oxyflow db_worker`; periodic jobs
# are enqueued by `oxyflow scheduler` (django-tasks has no scheduler of its own).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": env_str("OXYFLOW_LOG_LEVEL", "INFO")},
    # WeasyPrint logs eight progress lines per PDF at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# Alerts (`oxyflow scheduler` evaluates every 5 minutes, and every report is evaluated as
# it is stored). Defaults for every region without an alert rule of its own (admin):
# autonomy under CRITICAL hours is critical, under WARNING hours a warning; a producer
# more than PRODUCTION_DROP_PCT below its baseline. An alert not acknowledged moves one
# step up (site → district → province → ministry) every ESCALATION_MINUTES (critical
# alerts only, unless ESCALATE_WARNINGS). Messages: email, SMS through the gateway class
# named by OXYFLOW_SMS_GATEWAY (default: a development outbox that sends nothing), and a
# JSON POST to the webhook URL when one is set.
OXYFLOW_ALERT_AUTONOMY_CRITICAL_HOURS = env_int(
    "OXYFLOW_ALERT_AUTONOMY_CRITICAL_HOURS", 8, minimum=1, maximum=720
)
OXYFLOW_ALERT_AUTONOMY_WARNING_HOURS = env_int(
    "OXYFLOW_ALERT_AUTONOMY_WARNING_HOURS", 24, minimum=1, maximum=720
)
if OXYFLOW_ALERT_AUTONOMY_WARNING_HOURS < OXYFLOW_ALERT_AUTONOMY_CRITICAL_HOURS:
    raise ConfigError(
        "OXYFLOW_ALERT_AUTONOMY_WARNING_HOURS",
        str(OXYFLOW_ALERT_AUTONOMY_WARNING_HOURS),
        f"at least OXYFLOW_ALERT_AUTONOMY_CRITICAL_HOURS ({OXYFLOW_ALERT_AUTONOMY_CRITICAL_HOURS})",
    )
OXYFLOW_ALERT_PRODUCTION_DROP_PCT = env_int(
    "OXYFLOW_ALERT_PRODUCTION_DROP_PCT", 20, minimum=1, maximum=99
)
OXYFLOW_ALERT_REPORT_LATE = env_bool("OXYFLOW_ALERT_REPORT_LATE", True)
OXYFLOW_ALERT_PLAUSIBILITY = env_bool("OXYFLOW_ALERT_PLAUSIBILITY", True)
OXYFLOW_ALERT_ESCALATION_MINUTES = env_int(
    "OXYFLOW_ALERT_ESCALATION_MINUTES", 30, minimum=1, maximum=7 * 24 * 60
)
OXYFLOW_ALERT_ESCALATE_WARNINGS = env_bool("OXYFLOW_ALERT_ESCALATE_WARNINGS", False)
OXYFLOW_ALERT_SEND_ATTEMPTS = env_int("OXYFLOW_ALERT_SEND_ATTEMPTS", 3, minimum=1, maximum=20)
OXYFLOW_ALERT_WEBHOOK_URL = env_str("OXYFLOW_ALERT_WEBHOOK_URL", "").strip()
if OXYFLOW_ALERT_WEBHOOK_URL and not OXYFLOW_ALERT_WEBHOOK_URL.startswith(("http://", "https://")):
    raise ConfigError(
        "OXYFLOW_ALERT_WEBHOOK_URL", OXYFLOW_ALERT_WEBHOOK_URL, "an http:// or https:// URL"
    )
OXYFLOW_ALERT_WEBHOOK_TIMEOUT_SECONDS = env_int(
    "OXYFLOW_ALERT_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, maximum=120
)
OXYFLOW_SMS_GATEWAY = env_str("OXYFLOW_SMS_GATEWAY", "oxyflow.alerts.sms.DevelopmentSmsGateway")
