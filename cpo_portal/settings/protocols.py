"""The APIs: REST framework and its schema, Beckn (BPP) and OCPI 2.2.1, and the demo data."""

from __future__ import annotations

import os

from .environment import DEBUG, SECRET_KEY, TESTING, env_bool

# --- REST framework -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON within the product's limits (size, depth, number length); forms and uploads as DRF's.
    "DEFAULT_PARSER_CLASSES": [
        "cpo_portal.web.jsonlimits.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "cpo_portal.web.pagination.BoundedLimitOffsetPagination",
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
# `make run` serves /beckn/ from its protocol process, on PORT + 100 (Procfile).
BECKN_SUBSCRIBER_URI = os.environ.get("BECKN_SUBSCRIBER_URI", "http://127.0.0.1:8100/beckn")
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
# callback and catalog timings (seconds) and the registry check (milliseconds) may also
# come from the environment; unset keeps the default.
for _name in (
    "BECKN_CALLBACK_LEASE",
    "BECKN_CALLBACK_BACKOFF_BASE",
    "BECKN_CALLBACK_BACKOFF_CAP",
    "BECKN_CALLBACK_CONNECT_TIMEOUT",
    "BECKN_CALLBACK_READ_TIMEOUT",
    "BECKN_CALLBACK_DEADLINE",  # the whole callback POST (connect, headers and body)
    "BECKN_REGISTRY_CHECK_MS",  # how soon a registry or catalog change reaches every process
    "BECKN_CATALOG_TIME_STEP",  # a catalog laid out again with no edit (publication.time_step)
    "BECKN_CDS_PUBLISH_WINDOW",  # a publish to a CDS retried for this long
):
    if os.environ.get(_name):
        globals()[_name] = float(os.environ[_name])

# Answers a BAP may wait for (0: no limit).
if os.environ.get("BECKN_MAX_PENDING_PER_BAP"):
    BECKN_MAX_PENDING_PER_BAP = int(os.environ["BECKN_MAX_PENDING_PER_BAP"])

# Worker heartbeats and admission (beckn/conf.py, services.admission).
for _name in ("BECKN_HEARTBEAT_EVERY", "BECKN_WORKER_STALE_SECONDS"):
    if os.environ.get(_name):
        globals()[_name] = float(os.environ[_name])
# ACK with no live worker host: for tests (on by default under pytest, whose processes run
# no worker unless a test starts one) and benches that run none; never in production.
BECKN_ADMIT_WITHOUT_WORKERS = env_bool("BECKN_ADMIT_WITHOUT_WORKERS", TESTING)

# Days a request (and a callback of no order) is kept after its answer window (0: for ever).
if os.environ.get("BECKN_KEEP_MESSAGES_DAYS"):
    BECKN_KEEP_MESSAGES_DAYS = float(os.environ["BECKN_KEEP_MESSAGES_DAYS"])

# Beat: re-queue messages and callbacks whose task was lost or whose worker died
# (beckn.tasks.requeue_stuck), well inside the shortest ttl a BAP gets.
BECKN_REQUEUE_EVERY = float(os.environ.get("BECKN_REQUEUE_EVERY") or 5)  # seconds
# Catalogs changed since their last publish go to the operator's CDS (services.cds), and
# catalog changes are recorded and pushed to subscribed BAPs (services.catalog_refresh).
BECKN_CDS_CHECK_EVERY = float(os.environ.get("BECKN_CDS_CHECK_EVERY") or 30)  # seconds
BECKN_CATALOG_PUSH_EVERY = float(os.environ.get("BECKN_CATALOG_PUSH_EVERY") or 5)  # seconds
CELERY_BEAT_SCHEDULE = {
    "beckn-requeue-stuck": {"task": "beckn.requeue_stuck", "schedule": BECKN_REQUEUE_EVERY},
    "beckn-prune-messages": {"task": "beckn.prune_messages", "schedule": 600.0},
    "roaming-send-due": {"task": "roaming.send_all_due", "schedule": 60.0},
    "roaming-audit-received": {"task": "roaming.audit_all_received", "schedule": 300.0},
    "beckn-cds-publish": {"task": "beckn.cds_publish_due", "schedule": BECKN_CDS_CHECK_EVERY},
    "beckn-catalog-push": {
        "task": "beckn.catalog_push_due",
        "schedule": BECKN_CATALOG_PUSH_EVERY,
    },
}

# --- OCPI 2.2.1 (roaming) ---------------------------------------------------------------
# The public URL of our OCPI root: partners are given OCPI_PUBLIC_URL + "/versions".
OCPI_PUBLIC_URL = os.environ.get("OCPI_PUBLIC_URL", "http://127.0.0.1:8000/ocpi").rstrip("/")
OCPI_COUNTRY_CODE = os.environ.get("OCPI_COUNTRY_CODE", "IN")
# Partner URLs never lead to private/loopback addresses unless development allows it.
OCPI_ALLOW_PRIVATE_PARTNERS = env_bool("OCPI_ALLOW_PRIVATE_PARTNERS", False)
# Seconds one call to a partner may take in all (connect, request, headers and body): a
# handshake holds a web worker and a push a Celery worker no longer than this.
OCPI_CALL_DEADLINE = float(os.environ.get("OCPI_CALL_DEADLINE") or 15)
# CDR imports (`manage.py import_cdrs`, the admin upload): CDRs checked and written per
# transaction, CDRs per Celery part of an upload, refusals kept on an import's report.
CDR_IMPORT_BATCH = int(os.environ.get("CDR_IMPORT_BATCH") or 500)
CDR_IMPORT_PART = int(os.environ.get("CDR_IMPORT_PART") or 20_000)
CDR_IMPORT_MAX_ERRORS = int(os.environ.get("CDR_IMPORT_MAX_ERRORS") or 1_000)

# Customers are keyed by a salted hash of their normalised phone or email.
CUSTOMER_KEY_SALT = os.environ.get("CUSTOMER_KEY_SALT") or ("customer:" + SECRET_KEY)

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
