"""Requests per minute per verified subscriber, counted in the Django cache.

A fixed one-minute window, counted with the cache's `add` then `incr` (both atomic in
Redis and memcached). With the default local-memory cache every web process counts alone,
so the effective limit is the setting times the number of processes: configure a shared
cache (Redis, CACHE_URL) in production for an exact limit.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache, caches
from django.core.cache.backends.base import BaseCache
from django.utils.connection import ConnectionProxy

from beckn import conf

WINDOW_TTL = 120  # seconds a window's counter is kept: past its minute, then gone


def limit_for(configured: int | None) -> int:
    return conf.get("BECKN_DEFAULT_RATE_LIMIT") if configured is None else configured


def retry_after(now: float | None = None) -> int:
    """Whole seconds until the current window ends (when a refused subscriber may retry)."""
    now = time.time() if now is None else now
    return max(1, math.ceil(60 - now % 60))


def key(subscriber_id: str, now: float | None = None) -> str:
    """The cache key (before the cache's prefix) counting this minute's requests."""
    window = int((time.time() if now is None else now) // 60)
    return f"beckn:rate:{subscriber_id}:{window}"


def allow(subscriber_id: str, per_minute: int, *, now: float | None = None) -> bool:
    """Count one request; False once the subscriber is over `per_minute` (0: unlimited)."""
    if per_minute <= 0:
        return True
    counter = key(subscriber_id, now)
    backend = _backend()
    if backend.add(counter, 1, timeout=WINDOW_TTL):
        return True
    try:
        counted = backend.incr(counter)
    except ValueError:  # expired between add and incr
        backend.add(counter, 1, timeout=WINDOW_TTL)
        return True
    return counted <= per_minute


def _backend() -> BaseCache:
    """The default cache (`cache` is Django's proxy to it), or what replaced `cache`."""
    return caches["default"] if isinstance(cache, ConnectionProxy) else cache
