"""gunicorn settings for deployments: `gunicorn -c gunicorn.conf.py` (docs/operations.md).

Everything tunable comes from the environment, like the Django settings. gunicorn sits
behind a TLS-terminating proxy that buffers whole requests and sets X-Forwarded-Proto (and
X-Forwarded-For, see TRUSTED_PROXY_COUNT in the settings); it listens on 127.0.0.1 unless
GUNICORN_BIND says otherwise.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


wsgi_app = "cpo_portal.wsgi:application"
# Loopback by default: gunicorn must not face clients itself. A reverse proxy on this host
# (TLS, and buffering whole requests before it passes them on: docs/operations.md, Request
# limits) is what clients reach; GUNICORN_BIND=0.0.0.0:8000 (or the proxy's private
# network address) only when that proxy runs on another host or in another container.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"

# Processes x threads bounds concurrent requests, and every one may hold a database
# connection, as may each gthread worker's /healthz thread (cpo_portal/web/gunicorn_workers.py):
# keep workers * (threads + 1) below the PostgreSQL connection budget.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
# Threads overlap each request's database round trips (the Beckn ACK waits for its
# INSERT's commit): with 8 threads the ACK path did twice the requests of sync workers
# (docs/beckn.md, Performance).
threads = _int("GUNICORN_THREADS", 4)
_worker = os.environ.get("GUNICORN_WORKER_CLASS") or ("gthread" if threads > 1 else "sync")
# gunicorn's gthread and sync workers with a deadline on the request line and headers
# (cpo_portal/web/gunicorn_workers.py); gevent's own worker reads headers under `keepalive`.
WORKER_CLASSES = {
    "gthread": "cpo_portal.web.gunicorn_workers.ThreadWorker",
    "sync": "cpo_portal.web.gunicorn_workers.SyncWorker",
    "gevent": "gevent",
}
if _worker not in WORKER_CLASSES:
    raise SystemExit(f"GUNICORN_WORKER_CLASS must be sync, gthread or gevent, not {_worker!r}")
worker_class = WORKER_CLASSES[_worker]
if _worker == "gevent":
    # The protocol pool (docs/operations.md): one greenlet per client connection, so a
    # request waiting for its commit never holds up the others and no thread competes for
    # the GIL. Greenlets share a database connection pool per worker; workers x
    # DATABASE_POOL_SIZE must fit the PostgreSQL connection budget.
    worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 100)
    os.environ.setdefault("DATABASE_POOL_SIZE", "8")  # read by the workers' settings
# Each worker its own listening socket (SO_REUSEPORT), so the kernel spreads new
# connections over the workers. Without it, whichever worker wakes first accepts: a burst
# of keep-alive connections (a proxy's pool, a BAP's client) can all land on one worker,
# which then serves them alone on one CPU. The cost: connections still waiting in a
# recycled worker's queue are reset, unless `sysctl net.ipv4.tcp_migrate_req=1` (Linux
# 5.14+) hands them to a sibling. Off by default; docs/operations.md.
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "0") == "1"

# Seconds a worker may go without a heartbeat before the arbiter kills and replaces it. A
# sync worker beats only between requests, so this bounds a sync request; a gthread
# worker's main thread and a gevent worker's hub beat while requests run, so it bounds
# neither a gthread request nor a gevent one waiting on I/O (docs/operations.md, What
# bounds a request).
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # above the proxy's idle timeout to its upstream
# Recycle workers now and then so slow leaks never matter; jitter avoids all at once. A new
# worker pays its imports and its first requests' caches again (bench/worker_boot.py), which
# the protocol pool's many small requests would pay often: it recycles 50 times less often.
_recycle_after = 100_000 if _worker == "gevent" else 2000
max_requests = _int("GUNICORN_MAX_REQUESTS", _recycle_after)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", _recycle_after // 10)

# Request line and headers. Bodies: the application reads each one whole before Django
# runs, at most REQUEST_BODY_MAX_BYTES and within REQUEST_BODY_TIMEOUT seconds (plus one per
# REQUEST_BODY_MIN_RATE bytes received), else 413 / 408 (cpo_portal/web/body_limits.py).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# A slow client holds a sync worker until that deadline (a gthread worker awaits headers
# without a thread; a slow body holds one), so the deadline must come well before
# `timeout`, when the arbiter kills a sync worker stuck on the same read (and every
# request in it). In production a buffering proxy sends gunicorn only whole
# requests (docs/operations.md, Request limits).
# The request line and headers have a deadline of their own, REQUEST_HEADER_TIMEOUT from
# the moment gunicorn accepts the connection (cpo_portal/web/gunicorn_workers.py; under gevent the
# `keepalive` seconds per request), so a client sending a header line now and then is cut.
_deadlines = {
    "REQUEST_HEADER_TIMEOUT": float(os.environ.get("REQUEST_HEADER_TIMEOUT") or 10),
    "REQUEST_BODY_TIMEOUT": float(os.environ.get("REQUEST_BODY_TIMEOUT") or 10),
}  # body_limits.DEFAULT_HEADER_TIMEOUT, DEFAULT_TIMEOUT
for _name, _seconds in _deadlines.items():
    if not 0 < _seconds <= timeout / 2:
        raise SystemExit(
            f"{_name} ({_seconds:g} s) must be above 0 and at most half of "
            f"GUNICORN_TIMEOUT ({timeout} s)"
        )
if _worker == "gevent" and keepalive <= 0:
    raise SystemExit("GUNICORN_KEEPALIVE must be above 0 with gevent: it bounds the headers")

# Only these proxy addresses may set X-Forwarded-Proto for gunicorn itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr for the process manager; %(L)s is the request time in seconds.
# The protocol pool (gevent) writes no line per request unless GUNICORN_ACCESS_LOG names
# where: an accepted message is its InboundMessage row, a refusal is logged by Django (or
# counted, for a flood of 429s and 503s: beckn/log_filters.py), and the proxy in front logs
# every request; what a line each costs the ACK is in bench/results/select.md.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "" if _worker == "gevent" else "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s" xff="%({x-forwarded-for}i)s"'

# The heartbeat file on tmpfs, so a slow disk never makes the arbiter kill healthy workers.
if Path("/dev/shm").is_dir():  # noqa: S108 (a directory choice, not a temp file)
    worker_tmp_dir = "/dev/shm"  # noqa: S108
# gunicorn >= 25 opens a control socket in $HOME by default; several instances on one host
# would share it, so it stays off unless GUNICORN_CONTROL_SOCKET names a path.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
