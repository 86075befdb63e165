"""Benchmark: what reading the body under cpo_portal.web.body_limits adds to a request.

    python -m bench.body_limits [--rounds 5] [--requests 20000] [--size 2000]

In process, no server: a trivial WSGI app called directly, and the same app behind
BodyLimits, each request's body (a Beckn select is about 2 KB) already waiting on a real
socket read through a buffered reader, as gunicorn's is when it arrives with the headers.
The watchdog thread runs as in production. Prints the median per-request time of each and
the difference, in microseconds.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpo_portal.settings")

from cpo_portal.web.body_limits import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MIN_RATE,
    DEFAULT_TIMEOUT,
    BodyLimits,
)


def app(environ, start_response):
    environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
    start_response("200 OK", [])
    return [b""]


def start_response(status, headers, exc_info=None):
    return None


def run(handler, requests: int, size: int) -> float:
    """Seconds per request."""
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    stream = server.makefile("rb")
    body = b"x" * size
    elapsed = 0.0
    try:
        for _ in range(requests):
            client.sendall(body)
            environ = {
                "REQUEST_METHOD": "POST",
                "CONTENT_LENGTH": str(size),
                "wsgi.input": stream,
                "gunicorn.socket": server,
            }
            started = time.perf_counter()
            handler(environ, start_response)
            elapsed += time.perf_counter() - started
    finally:
        stream.close()
        server.close()
        client.close()
    return elapsed / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=2000)
    args = parser.parse_args()
    bounded = BodyLimits(app, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, DEFAULT_MIN_RATE)
    plain, limited = [], []
    for _ in range(args.rounds):  # alternating, so machine load hits both alike
        plain.append(run(app, args.requests, args.size))
        limited.append(run(bounded, args.requests, args.size))
    a, b = statistics.median(plain), statistics.median(limited)
    print(f"body {args.size} B, {args.requests} requests x {args.rounds} rounds (medians)")
    print(f"  app alone            {a * 1e6:8.1f} us/request")
    print(f"  behind BodyLimits    {b * 1e6:8.1f} us/request")
    print(f"  added                {(b - a) * 1e6:8.1f} us/request")
    print(f"  load average         {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
