"""One redis-py client per process for the ACK path's Redis calls (services.backlog,
services.ratelimit), and their Lua scripts sent by hash.

Django's Redis cache hands out a new client object on every call (and each thread, or
gevent greenlet, has a backend and connection pool of its own), which cost about a
tenth of the ACK's CPU. A redis-py client is safe to share; its pool reconnects in a
forked child.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache

_clients: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}


def client(backend: BaseCache) -> Any | None:
    """The shared client for `backend`'s servers, or None when it is not a Redis cache."""
    found = _shared(backend)
    return None if found is None else found[0]


def script(backend: BaseCache, source: str) -> Any | None:
    """`source` registered on the shared client for `backend`'s servers (called, it runs
    by EVALSHA: the text is sent only when Redis lacks it); None when `backend` is not a
    Redis cache."""
    found = _shared(backend)
    if found is None:
        return None
    shared, scripts = found
    registered = scripts.get(source)
    if registered is None:
        registered = scripts[source] = shared.register_script(source)
    return registered


def _shared(backend: BaseCache) -> tuple[Any, dict[str, Any]] | None:
    if not isinstance(backend, RedisCache):
        return None
    # _servers, _options: Django's (the client's configuration), missing from django-stubs.
    servers, options = backend._servers, backend._options  # type: ignore[attr-defined]
    key = (os.getpid(), tuple(servers), repr(options))
    found = _clients.get(key)
    if found is None:
        _clients.clear()  # another process or configuration (tests): start afresh
        found = _clients[key] = (backend._cache.get_client(write=True), {})
    return found
