"""One settings module, driven by environment variables.

Defaults are for a laptop: SQLite in ./var and Celery's filesystem broker, no services.
Deployments set DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis). With DEBUG off
(the default) the settings are production-safe and SECRET_KEY is required.
"""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

from cpo_portal import body_limits, embedded_broker

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = Path(sys.argv[0]).name in {"pytest", "py.test"} or "pytest" in sys.modules

# A development checkout: `make run` (and `make dev-env`) write var/dev.env, whose
# NAME=value lines are defaults for the variables below (the environment still wins), so
# manage.py, celery and gunicorn need no extra variables there. A deployment has no such
# file, and without it DEBUG is off and SECRET_KEY required. The tests ignore it: they run
# on the same settings in every checkout. (Hand-written: KEY=VALUE lines and comments need
# no dotenv library.)
DEV_ENV_FILE = VAR_DIR / "dev.env"
if DEV_ENV_FILE.exists() and not TESTING:
    for _line in DEV_ENV_FILE.read_text().splitlines():
        _name, _sep, _value = _line.strip().partition("=")
        if _sep and not _name.startswith("#"):
            os.environ.setdefault(_name.strip(), _value.strip())

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if TESTING:
        return "insecure-test-only-key-" + "x" * 32
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development: generate once and keep it, so sessions survive a restart.
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
if TESTING:
    ALLOWED_HOSTS += ["testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cpo_portal.no_store.NoStoreMiddleware",  # Cache-Control for signed-in users' answers
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

# Admin history pages show old versions and never write one back (cpo_portal/history_admin.py
# refuses the POST; these hide the buttons of any history admin).
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
    # A connection pool per process (Django's psycopg pool): needed by gevent workers,
    # whose every client connection is a greenlet that would otherwise open a database
    # connection of its own (gunicorn.conf.py sets it for them; docs/operations.md).
    DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE") or 0)
    if DATABASE_POOL_SIZE > 0:
        # CONN_HEALTH_CHECKS (on) makes Django have the pool check each connection at
        # checkout: one that died (the database restarted) is replaced before use.
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

# --- Security (safe unless DEBUG) ---------------------------------------------------
BEHIND_TLS = env_bool("BEHIND_TLS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if BEHIND_TLS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header is preload-eligible (a year, subdomains); opting out is a decision, so
    # the deploy check that asks for it (security.W021) is silenced only then.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # __Host- cookies are HTTPS-only, host-only and path=/: a sibling subdomain cannot
    # plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Health checks come from load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# === Production operation: keys, cache, queues, limits, throttling, CSP ===============
# Each switch is explained in docs/operations.md.

# --- Keys: rotate SECRET_KEY without logging everyone out ------------------------------
# Old keys, comma-separated, still accepted for sessions, password resets and signing.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

# --- Shared cache -------------------------------------------------------------------
# Beckn rate limits and registry lookups are kept in the cache. The default memory cache is
# per process, so with several gunicorn workers each would count alone: production sets
# CACHE_URL=redis://host:6379/1 (a different Redis database from the broker's).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "cpo",
        }
    }

# --- Celery queues ------------------------------------------------------------------
# Off (the default): one queue, and any worker runs every task. On: Beckn work and the
# ledger rollups get queues of their own, so a long rollup never delays a callback; every
# worker must then name its queues with -Q (docs/operations.md).
if env_bool("CELERY_SPLIT_QUEUES", False):
    CELERY_TASK_ROUTES = {
        "beckn.*": {"queue": "beckn"},
        "offers.analytics.*": {"queue": "rollups"},
        "cpo_portal.run_chunk": {"queue": "rollups"},  # heavy jobs' parts, never on Beckn's
    }

# --- Admin location -----------------------------------------------------------------
ADMIN_URL = (os.environ.get("ADMIN_URL") or "admin").strip("/") + "/"

# --- Request size limits (gunicorn.conf.py limits the request line and headers) -----
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000))
# Every request body, before Django runs (cpo_portal/body_limits.py, with the defaults): at
# most REQUEST_BODY_MAX_BYTES, read within REQUEST_BODY_TIMEOUT seconds plus one second per
# REQUEST_BODY_MIN_RATE bytes received; else 413 / 408 and the connection closes.
REQUEST_BODY_MAX_BYTES = int(
    os.environ.get("REQUEST_BODY_MAX_BYTES") or body_limits.DEFAULT_MAX_BYTES
)
REQUEST_BODY_TIMEOUT = float(os.environ.get("REQUEST_BODY_TIMEOUT") or body_limits.DEFAULT_TIMEOUT)
REQUEST_BODY_MIN_RATE = int(os.environ.get("REQUEST_BODY_MIN_RATE") or body_limits.DEFAULT_MIN_RATE)

# --- Login throttling (django-axes) -------------------------------------------------
# A username tried from one address is locked after AXES_FAILURE_LIMIT failures for
# AXES_COOLOFF_MINUTES; `manage.py axes_reset` (or the admin's "Access attempts") unlocks.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes requires
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cpo_portal.lockout.locked_out"  # 429, Retry-After, admin frame
# Behind N reverse proxies the client is the N-th X-Forwarded-For entry from the right.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
AXES_CLIENT_IP_CALLABLE = "cpo_portal.client_ip.client_ip"

# --- Content security policy (django-csp 4) -----------------------------------------
# No inline script or style: templates load our own static files; a template that truly
# needs an inline <script> gives it nonce="{{ request.csp_nonce }}".
INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
# CSP_REPORT_ONLY=1 reports violations (to CSP_REPORT_URI, if set) without blocking; the
# variable stays out of the settings namespace, where django-csp reads it as a 3.x setting.
_csp_policy = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "report-uri": os.environ.get("CSP_REPORT_URI") or None,
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp_policy
else:
    CONTENT_SECURITY_POLICY = _csp_policy
# === End of production operation ===================================================

# --- Celery -------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: kombu's filesystem transport with atomic writes and a worker
    # that skips an unreadable message (cpo_portal/embedded_broker.py).
    CELERY_BROKER_TRANSPORT = embedded_broker.TRANSPORT
    CELERY_BROKER_TRANSPORT_OPTIONS = embedded_broker.transport_options(
        BROKER_DIR, float(os.environ.get("CELERY_BROKER_POLLING_INTERVAL") or 0.05)
    )
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    # Processes that share one Redis database but not their queues: parallel test workers
    # (pytest-xdist), each with a database of its own, and the Celery workers they start.
    if TESTING and os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.setdefault("CELERY_KEY_PREFIX", f"test-{os.environ['PYTEST_XDIST_WORKER']}:")
    if os.environ.get("CELERY_KEY_PREFIX"):
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["CELERY_KEY_PREFIX"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes a worker's database connections after every task unless
# this is set; then it closes them once per this many tasks, and Django's CONN_MAX_AGE
# applies around each task (cpo_portal/celery.py).
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# A what-if replay is priced in this many parts at once by whichever workers are free
# (analytics.services.whatif.parallel); about the number of worker processes.
WHATIF_PARTS = int(os.environ.get("WHATIF_PARTS") or 4)
# A customer import of more data lines than this is split into parts (at most
# CUSTOMER_IMPORT_PARTS), run at once by the free workers (offers.services.customer_import_parts).
CUSTOMER_IMPORT_PART_LINES = int(os.environ.get("CUSTOMER_IMPORT_PART_LINES") or 20000)
CUSTOMER_IMPORT_PARTS = int(os.environ.get("CUSTOMER_IMPORT_PARTS") or 4)

# --- REST framework -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON within the product's limits (size, depth, number length); forms and uploads as DRF's.
    "DEFAULT_PARSER_CLASSES": [
        "cpo_portal.jsonlimits.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "cpo_portal.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CPO offers portal API",
    "DESCRIPTION": "Analytics rollups and the Beckn BPP endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from validator.swagger.io: the CSP allows no other origin.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # The Beckn protocol endpoints are plain views: a hook adds them from the core spec.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "beckn.openapi.add_beckn_paths",
    ],
}

# --- Beckn --------------------------------------------------------------------------
BECKN_SUBSCRIBER_ID = os.environ.get("BECKN_SUBSCRIBER_ID", "bpp.cpo-portal.local")
BECKN_SUBSCRIBER_URI = os.environ.get("BECKN_SUBSCRIBER_URI", "http://127.0.0.1:8000/beckn")
BECKN_DOMAIN = "deg:ev-charging"
BECKN_VERSION = "1.1.0"
# Signature checking is on; only local development may turn it off.
BECKN_VERIFY_SIGNATURES = env_bool("BECKN_VERIFY_SIGNATURES", True) or not DEBUG
# Callbacks never go to private/loopback addresses unless development allows it.
BECKN_ALLOW_PRIVATE_CALLBACKS = env_bool("BECKN_ALLOW_PRIVATE_CALLBACKS", False)
BECKN_REGISTRY_URL = os.environ.get("BECKN_REGISTRY_URL", "")
# Bench only: mounts a bare DRF view returning the same ACK at /beckn/_bench/ack.
BECKN_BENCH_VIEWS = env_bool("BECKN_BENCH_VIEWS", False)
# Other Beckn knobs (limits, timeouts, retry backoff) have defaults in beckn/conf.py. The
# callback timings may also come from the environment (seconds); unset keeps the default.
for _name in (
    "BECKN_CALLBACK_LEASE",
    "BECKN_CALLBACK_BACKOFF_BASE",
    "BECKN_CALLBACK_BACKOFF_CAP",
    "BECKN_CALLBACK_CONNECT_TIMEOUT",
    "BECKN_CALLBACK_READ_TIMEOUT",
):
    if os.environ.get(_name):
        globals()[_name] = float(os.environ[_name])

# Answers a BAP may wait for (0: no limit).
if os.environ.get("BECKN_MAX_PENDING_PER_BAP"):
    BECKN_MAX_PENDING_PER_BAP = int(os.environ["BECKN_MAX_PENDING_PER_BAP"])

# Beat: re-queue messages and callbacks whose task was lost or whose worker died
# (beckn.tasks.requeue_stuck), well inside the shortest ttl a BAP gets.
BECKN_REQUEUE_EVERY = float(os.environ.get("BECKN_REQUEUE_EVERY") or 5)  # seconds
CELERY_BEAT_SCHEDULE = {
    "beckn-requeue-stuck": {"task": "beckn.requeue_stuck", "schedule": BECKN_REQUEUE_EVERY},
    "roaming-send-due": {"task": "roaming.send_all_due", "schedule": 60.0},
}

# --- OCPI 2.2.1 (roaming) ---------------------------------------------------------------
# The public URL of our OCPI root: partners are given OCPI_PUBLIC_URL + "/versions".
OCPI_PUBLIC_URL = os.environ.get("OCPI_PUBLIC_URL", "http://127.0.0.1:8000/ocpi").rstrip("/")
OCPI_COUNTRY_CODE = os.environ.get("OCPI_COUNTRY_CODE", "IN")
# Partner URLs never lead to private/loopback addresses unless development allows it.
OCPI_ALLOW_PRIVATE_PARTNERS = env_bool("OCPI_ALLOW_PRIVATE_PARTNERS", False)

# Customers are keyed by a salted hash of their normalised phone or email.
CUSTOMER_KEY_SALT = os.environ.get("CUSTOMER_KEY_SALT") or ("customer:" + SECRET_KEY)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Demo data steps run by `manage.py seed_demo`, in order (see cpo_portal.demo).
DEMO_SEEDERS = [
    "cpo_portal.demo",
    "pricing.demo",
    "offers.demo",
    "offers.demo.addons",
    # Months of sessions through the services, against the offers above and its own.
    "analytics.demo",
    "beckn.demo",  # a signing key, so `manage.py beckn_bap` can play at once
]
