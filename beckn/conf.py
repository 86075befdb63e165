"""Beckn settings with their defaults, read at call time so tests can override them.

Only the identity (BECKN_SUBSCRIBER_ID / _URI) and the two safety switches live in
cpo_portal/settings/protocols.py; everything tunable has a default here and may be set there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "BECKN_SUBSCRIBER_ID": "bpp.cpo-portal.local",
    "BECKN_SUBSCRIBER_URI": "http://127.0.0.1:8100/beckn",
    "BECKN_VERIFY_SIGNATURES": True,
    "BECKN_ALLOW_PRIVATE_CALLBACKS": False,
    "BECKN_REGISTRY_URL": "",
    "BECKN_REGISTRY_CACHE_SECONDS": 300,
    "BECKN_REGISTRY_TIMEOUT": 3.0,
    # A 2.0 Ack to our callback without a counter-signature: delivered (False) or refused.
    "BECKN_REQUIRE_ACK_COUNTERSIGNATURE": False,
    # The local registry's per-process memo: its version is checked at most every
    # CHECK_MS (a registry change reaches every process within that), and an entry lives
    # at most LOCAL_CACHE_SECONDS (0: no memo, one query per lookup).
    "BECKN_REGISTRY_LOCAL_CACHE_SECONDS": 30,
    "BECKN_REGISTRY_CHECK_MS": 250,
    # Inbound limits: the largest real request (init with billing and tags) is a few KB.
    "BECKN_MAX_BODY_BYTES": 256 * 1024,
    "BECKN_MAX_JSON_DEPTH": 32,
    "BECKN_SIGNATURE_MAX_SKEW": 300,  # seconds of clock difference tolerated
    "BECKN_SIGNATURE_MAX_LIFETIME": 3600,  # seconds from created to expires, at most
    # seconds a context timestamp may be ahead of our clock; an end of charging reported
    # further ahead than this is refused (services.booking_window.check_ended)
    "BECKN_CONTEXT_MAX_SKEW": 300,
    "BECKN_DEFAULT_RATE_LIMIT": 600,  # requests per minute per subscriber; 0: unlimited
    # Answers a BAP may be waiting for at once (accepted, callback not yet done); beyond
    # it a request gets a 429 NACK (services.backlog). 0: unlimited.
    "BECKN_MAX_PENDING_PER_BAP": 200,
    "BECKN_PENDING_RETRY_AFTER": 2,  # seconds, the hint in that NACK
    # Worker heartbeats (services.heartbeat): each worker process writes one every
    # HEARTBEAT_EVERY seconds; a worker host is dead once its newest is STALE_SECONDS old.
    # With no live worker host, or a backlog that cannot be answered within the message's
    # ttl, a request gets a 503 NACK (services.admission). ADMIT_WITHOUT_WORKERS: ACK
    # with no live worker all the same (tests and benches that run none).
    "BECKN_HEARTBEAT_EVERY": 1.0,
    "BECKN_WORKER_STALE_SECONDS": 3.0,
    "BECKN_ADMIT_WITHOUT_WORKERS": False,
    # Requests, and callbacks of no order, are deleted this many days after their answer
    # window closed (services.retention); 0: kept for ever.
    "BECKN_KEEP_MESSAGES_DAYS": 30,
    # Callbacks
    "BECKN_CALLBACK_CONNECT_TIMEOUT": 2.0,
    "BECKN_CALLBACK_READ_TIMEOUT": 5.0,
    # The whole POST (connect, request, answer's headers and body) ends by this many seconds
    "BECKN_CALLBACK_DEADLINE": 7.0,
    "BECKN_CALLBACK_MIN_WINDOW": 10,  # seconds: always try at least this long
    "BECKN_CALLBACK_BACKOFF_BASE": 0.5,
    "BECKN_CALLBACK_BACKOFF_CAP": 30.0,
    "BECKN_CALLBACK_LEASE": 15,  # seconds a worker holds a row, renewed before each slow POST
    # Commerce
    "BECKN_DEFAULT_SESSION_MINUTES": 60,
    # A session is booked to start from GRACE minutes before now (clocks differ) to at most
    # HORIZON days ahead; charging started up to GRACE minutes before the booked start is
    # settled from when it started (services.booking_window).
    "BECKN_BOOKING_GRACE_MINUTES": 15,
    "BECKN_BOOKING_HORIZON_DAYS": 60,
    "BECKN_DEFAULT_SEARCH_RADIUS_KM": 10,
    "BECKN_MAX_SEARCH_RADIUS_KM": 200,
    "BECKN_MAX_CATALOG_ITEMS": 500,
    # A bigger on_search catalog goes out as several callbacks of at most this many bytes
    # each (beckn/wire/catalog_parts.py); each part repeats the offer definitions its items
    # need, so smaller parts cost more bytes in all (docs/beckn.md, "A catalog in parts").
    "BECKN_CATALOG_PART_BYTES": 512 * 1024,
    "BECKN_QUOTE_TTL": "PT15M",
    "BECKN_PAYMENT_URL": "",
    "BECKN_SUPPORT_PHONE": "1800 000 000",
    "BECKN_SUPPORT_EMAIL": "support@example.com",
    "BECKN_SUPPORT_URL": "",
    "BECKN_TERMS_URL": "",
    # Catalog publishing to a CDS (services.cds): a publish is retried for this many
    # seconds (how often beat looks for changed catalogs is BECKN_CDS_CHECK_EVERY, a
    # setting of the beat schedule: cpo_portal/settings/protocols.py).
    "BECKN_CDS_PUBLISH_WINDOW": 600,
    # A CDS's catalogs and the change record are laid out again, with no edit, in steps of
    # this many seconds (publication.time_step: what a catalog shows depends on the time).
    "BECKN_CATALOG_TIME_STEP": 300,
    # Bench only: mounts a bare DRF ACK view at /beckn/_bench/ack.
    "BECKN_BENCH_VIEWS": False,
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def seconds(name: str) -> timedelta:
    return timedelta(seconds=float(get(name)))


def bpp_id() -> str:
    return get("BECKN_SUBSCRIBER_ID")


def bpp_uri() -> str:
    return get("BECKN_SUBSCRIBER_URI")
