"""Work off the request path: the shared cache, Celery (broker, queues, heavy jobs in parts)."""

from __future__ import annotations

import os

from cpo_portal.background import embedded_broker

from .django_core import TIME_ZONE
from .environment import TESTING, VAR_DIR, env_bool

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
# Off (the default): one queue, and any worker runs every task. On: answering Beckn
# requests gets a queue of its own (its worker runs on threads), whole catalogs built for
# a CDS or a push go to the default queue, and the ledger rollups and heavy jobs' parts to
# theirs, so neither delays a callback; every worker must then name its queues with -Q
# (docs/operations.md).
if env_bool("CELERY_SPLIT_QUEUES", False):
    CELERY_TASK_ROUTES = {
        "beckn.prune_messages": {"queue": "rollups"},  # bulk deletes, never on Beckn's
        "beckn.cds_publish_due": {"queue": "celery"},  # whole catalogs: CPU for seconds
        "beckn.catalog_push_due": {"queue": "celery"},
        "beckn.*": {"queue": "beckn"},
        "offers.analytics.*": {"queue": "rollups"},
        "cpo_portal.run_chunk": {"queue": "rollups"},  # heavy jobs' parts, never on Beckn's
    }

# --- Celery -------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: kombu's filesystem transport with atomic writes and a worker
    # that skips an unreadable message (cpo_portal/background/embedded_broker.py).
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
