"""Django itself: apps, middleware, templates, the database, auth, i18n and static files."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from .environment import BASE_DIR, DEBUG, TESTING, VAR_DIR, env_bool

INSTALLED_APPS = [
    "cpo_portal.apps.ProductAdminConfig",  # django.contrib.admin on the product's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "cpo_portal",
    "pricing",
    "offers",
    "analytics",
    "beckn",
    "roaming",
    "axes",  # login throttling (cpo_portal.settings.security)
    "csp",  # content security policy (cpo_portal.settings.security)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cpo_portal.web.no_store.NoStoreMiddleware",  # Cache-Control for signed-in users' answers
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes requires
]

# Admin history pages show old versions and never write one back
# (cpo_portal/admin/history_admin.py refuses the POST; these hide the buttons of any
# history admin).
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_EDIT = False

ROOT_URLCONF = "cpo_portal.urls"
WSGI_APPLICATION = "cpo_portal.wsgi.application"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file: WAL lets readers run beside a
    # writer, IMMEDIATE transactions take the write lock up front instead of failing late.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env_bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # Parameters sent apart from the statement (server-side binding), and a statement
        # that has run five times on a connection prepared there: PostgreSQL then skips
        # parsing it (bench/results/select.md). Turn off for a pooler that
        # cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
        # Each execution is still planned for its own values (plan_cache_mode): a plan
        # made once for any values cannot use a partial index, whose condition names
        # values (the claim of the next Beckn message, inbound_waiting_idx), and then
        # reads every answered row, slower as the table grows (bench/results/select.md).
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options.update(server_side_binding=True, prepare_threshold=5)
        custom = "-c plan_cache_mode=force_custom_plan"
        options["options"] = f"{options.get('options', '')} {custom}".strip()
    # A connection pool per process (Django's psycopg pool): needed by gevent workers,
    # whose every client connection is a greenlet that would otherwise open a database
    # connection of its own (gunicorn.conf.py sets it for them; docs/operations.md).
    DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE") or 0)
    if DATABASE_POOL_SIZE > 0:
        # No check at checkout (an empty query, one round trip per request): the Beckn
        # ACK's INSERT finds a dead connection itself and goes again on a live one
        # (beckn/services/reconnect.py); other requests on this pool meet a dead
        # connection at most once each after a database restart.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # back to the pool after each request
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": int(os.environ.get("DATABASE_POOL_TIMEOUT") or 10),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth, i18n, static -------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # staff accounts reach every operator's prices
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-in"
# One date format on every page: "24 Sep 2025, 19:00" (cpo_portal/formatting/formats/en/formats.py).
FORMAT_MODULE_PATH = ["cpo_portal.formatting.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"declined_beckn": {"()": "beckn.log_filters.DeclinedBecknRequests"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # a Beckn 429 or 503 is logged once a while by admission, not once per request
        "django.request": {"filters": ["declined_beckn"]},
        # django-axes says its version and settings as every process starts: the first
        # line of every command's output (its lockouts log under axes.handlers, kept)
        "axes.apps": {"level": "WARNING"},
    },
}
