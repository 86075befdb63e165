"""Settings that must hold when the product runs on several hosts, and a fingerprint of
those that must be the same on every host (reported by /healthz, compared by
`manage.py check_hosts`).

Every web and worker process must share one database, one broker and one cache, and use
the same secrets: a session signed on one web host is read on another, a customer key
hashed by a worker is looked up by a web process. The fingerprint says whether two hosts
agree without showing the values: short SHA-256 digests of the secrets (long random
strings, which a digest does not give away) and of where each service is (passwords
left out).
"""

from __future__ import annotations

import hashlib
import os
from urllib.parse import urlsplit

from django.conf import settings

LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
)
LOCAL_SESSIONS = ("django.contrib.sessions.backends.file",)
LOCAL_BROKERS = ("filesystem", "memory", "sqla+sqlite", "sqlite")


def _where(url: str) -> str:
    """`url` without its password: scheme, host, port, path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}:{parts.port or ''}{parts.path}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def fingerprint() -> dict[str, str]:
    db = settings.DATABASES["default"]
    cache = settings.CACHES["default"]
    return {
        "secret_key": _digest(f"cpo.fingerprint.secret|{settings.SECRET_KEY}"),
        "customer_key_salt": _digest(f"cpo.fingerprint.salt|{settings.CUSTOMER_KEY_SALT}"),
        "database": _digest(f"{db['ENGINE']}|{db.get('HOST')}|{db.get('PORT')}|{db['NAME']}"),
        "broker": _digest(
            _where(settings.CELERY_BROKER_URL)
            + str(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", ""))
        ),
        "cache": _digest(f"{cache['BACKEND']}|{_where(str(cache.get('LOCATION', '')))}"),
        "beckn_identity": _digest(
            f"{getattr(settings, 'BECKN_SUBSCRIBER_ID', '')}|"
            f"{getattr(settings, 'BECKN_SUBSCRIBER_URI', '')}|{settings.OCPI_PUBLIC_URL}"
        ),
    }


def local_problems() -> list[str]:
    """One line per setting of this host that cannot work across hosts."""
    problems = []
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        problems.append(
            f"database: SQLite ({db['NAME']}) is a file on this host; every host must use "
            "the one PostgreSQL (DATABASE_URL)"
        )
    scheme = urlsplit(settings.CELERY_BROKER_URL).scheme
    if scheme in LOCAL_BROKERS:
        problems.append(
            f"broker: {scheme}:// keeps tasks on this host; every host must use the one "
            "Redis (CELERY_BROKER_URL=redis://...)"
        )
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in LOCAL_CACHES:
        problems.append(
            f"cache: {backend.rsplit('.', 1)[-1]} is per process, so rate limits and "
            "backlogs are counted per process; set CACHE_URL=redis://... (another database "
            "than the broker's)"
        )
    engine = settings.SESSION_ENGINE
    if engine in LOCAL_SESSIONS or (
        engine == "django.contrib.sessions.backends.cache" and backend in LOCAL_CACHES
    ):
        problems.append(f"sessions: {engine} keeps staff sessions on this host")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        problems.append("tasks: CELERY_TASK_ALWAYS_EAGER runs tasks inside web requests")
    if not (settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST):
        problems.append(
            "tasks: without CELERY_TASK_ACKS_LATE and CELERY_TASK_REJECT_ON_WORKER_LOST a "
            "task whose worker host dies is lost"
        )
    if not os.environ.get("SECRET_KEY"):
        problems.append(
            "secret key: not set in the environment (a development key in this host's var/); "
            "set the same SECRET_KEY on every host"
        )
    return problems


def differences(mine: dict[str, str], theirs: dict[str, str]) -> list[str]:
    """The names of the fingerprint's parts on which two hosts disagree."""
    return sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
