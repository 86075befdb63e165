"""gunicorn settings for deployments: `gunicorn -c gunicorn.conf.py` (docs/operations.md).

Everything tunable comes from the environment, like the Django settings. gunicorn sits
behind a TLS-terminating proxy that sets X-Forwarded-Proto (and X-Forwarded-For, see
TRUSTED_PROXY_COUNT in the settings).
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


wsgi_app = "cpo_portal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"

# Processes x threads bounds concurrent requests, and every one may hold a database
# connection: keep workers * threads below the PostgreSQL connection budget.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
# Threads overlap each request's database round trips (the Beckn ACK waits for its
# INSERT's commit): with 8 threads the ACK path did twice the requests of sync workers
# (docs/beckn.md, Performance).
threads = _int("GUNICORN_THREADS", 4)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or ("gthread" if threads > 1 else "sync")
if worker_class not in ("sync", "gthread", "gevent"):
    raise SystemExit(f"GUNICORN_WORKER_CLASS must be sync, gthread or gevent, not {worker_class!r}")
if worker_class == "gevent":
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

# A request may not take longer than this (the Beckn ACK path takes milliseconds; the
# slowest admin pages and exports take seconds). A stuck worker is killed and replaced.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # above the proxy's idle timeout to its upstream
# Recycle workers now and then so slow leaks never matter; jitter avoids all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Request line and headers. Bodies: the application reads each one whole before Django
# runs, at most REQUEST_BODY_MAX_BYTES and within REQUEST_BODY_TIMEOUT seconds (plus one per
# REQUEST_BODY_MIN_RATE bytes received), else 413 / 408 (cpo_portal/body_limits.py).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# A slow client holds a gthread or sync thread until that deadline, so the deadline must
# come well before `timeout`, when the arbiter kills a sync worker stuck on the same read
# (and every request in it). In production a buffering proxy sends gunicorn only whole
# requests (docs/operations.md, Request limits).
_body_timeout = float(os.environ.get("REQUEST_BODY_TIMEOUT") or 10)  # body_limits.DEFAULT_TIMEOUT
if not 0 < _body_timeout <= timeout / 2:
    raise SystemExit(
        f"REQUEST_BODY_TIMEOUT ({_body_timeout:g} s) must be above 0 and at most half of "
        f"GUNICORN_TIMEOUT ({timeout} s)"
    )

# Only these proxy addresses may set X-Forwarded-Proto for gunicorn itself.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr for the process manager; %(L)s is the request time in seconds.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
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
