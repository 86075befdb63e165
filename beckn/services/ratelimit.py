"""Requests per minute per verified subscriber, counted in the Django cache.

A fixed one-minute window (cache `add` then `incr`, both atomic in Redis and memcached).
With the default local-memory cache every web process counts alone, so the effective
limit is the setting times the number of processes: configure a shared cache (Redis) in
production for an exact limit.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache

from beckn import conf


def limit_for(configured: int | None) -> int:
    return conf.get("BECKN_DEFAULT_RATE_LIMIT") if configured is None else configured


def retry_after(now: float | None = None) -> int:
    """Whole seconds until the current window ends (when a refused subscriber may retry)."""
    now = time.time() if now is None else now
    return max(1, math.ceil(60 - now % 60))


def allow(subscriber_id: str, per_minute: int, *, now: float | None = None) -> bool:
    """Count one request; False once the subscriber is over `per_minute` (0: unlimited)."""
    if per_minute <= 0:
        return True
    window = int((time.time() if now is None else now) // 60)
    key = f"beckn:rate:{subscriber_id}:{window}"
    if cache.add(key, 1, timeout=120):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=120)
        return True
    return count <= per_minute
