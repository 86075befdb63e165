"""The ACK path's one Redis connection: services.backlog counts a request against its
sender's rate limit and its BAP's backlog in one Lua call on it.

Measured (bench/results/beckn_ack.md): each round trip the ACK adds costs the web process
CPU, and this call replaces the three the cache API needs for the rate limit (add, exists,
incr) and the backlog count the database would need (two queries under a per-BAP lock).

The client is made with redis-py's public `Redis.from_url` from the default cache's own
setting (CACHES["default"]["LOCATION"]) when that cache is Django's Redis cache, once per
process (redis-py clients are safe to share between threads); None otherwise.
"""

from __future__ import annotations

import os
from typing import Any

import redis
from django.conf import settings

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
_clients: dict[tuple[int, str], tuple[redis.Redis, dict[str, Any]]] = {}


def _location() -> str | None:
    config = settings.CACHES.get("default", {})
    if config.get("BACKEND") != REDIS_CACHE:
        return None
    location = config.get("LOCATION")
    if isinstance(location, list | tuple):
        location = location[0]  # the primary, where Django's cache writes
    return str(location) if location else None


def _shared() -> tuple[redis.Redis, dict[str, Any]] | None:
    location = _location()
    if location is None:
        return None
    key = (os.getpid(), location)
    found = _clients.get(key)
    if found is None:
        _clients.clear()  # another process or configuration (tests): start afresh
        found = _clients[key] = (redis.Redis.from_url(location), {})
    return found


def client() -> redis.Redis | None:
    """The shared client for the default cache's Redis, or None when it is not Redis."""
    found = _shared()
    return None if found is None else found[0]


def script(source: str) -> Any | None:
    """`source` registered on the shared client (called, it runs by EVALSHA: the text is
    sent only when Redis lacks it); None when the default cache is not Redis."""
    found = _shared()
    if found is None:
        return None
    shared, scripts = found
    registered = scripts.get(source)
    if registered is None:
        registered = scripts[source] = shared.register_script(source)
    return registered
