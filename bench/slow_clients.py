"""Benchmark: does /healthz still answer while slow clients hold gunicorn?

    python bench/slow_clients.py [--seconds 40] [--clients 12] [--only ATTACK]
        [--variant VARIANT ...] [--before CHECKOUT]

gunicorn from gunicorn.conf.py, 1 worker x 4 threads (gevent: 1 worker, 100 connections),
production settings on a throwaway SQLite file, reached directly (no proxy). Three
attacks, each for `--seconds`, with a /healthz probe every 5 s (5 s to answer):
  - headers: `--clients` sockets each sending one header line every 4 s, never the blank
    line; a socket the server closes is not reopened;
  - reconnecting headers: `--clients` sockets each sending its request line and headers one
    byte every 0.5 s, never the blank line; a client that is cut off reconnects at once;
  - bodies: `--clients` POSTs declaring 100,000 bytes and sending one byte every 4 s; a
    client that is cut off (408) reconnects at once.
Variants, in turn for each attack: gunicorn's own gthread worker (`--worker-class gthread`
on the command line overrides the config file), the project's gthread worker
(cpo_portal/web/gunicorn_workers.py) and gevent; `--variant` keeps some. `--before CHECKOUT` adds
the project's gthread worker of another checkout (e.g. a worktree of main), run the same
way from there. Prints the probes answered of those sent.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from tests.support.procs import free_port, wait_until  # noqa: E402

VARIANTS = {  # --variant name: (label, environment, command line)
    "stock": ("gunicorn's gthread", {"GUNICORN_THREADS": "4"}, ["--worker-class", "gthread"]),
    "gthread": ("project's gthread", {"GUNICORN_THREADS": "4"}, []),
    "gevent": ("gevent", {"GUNICORN_WORKER_CLASS": "gevent"}, []),
}
EVERY = 4.0  # seconds between a slow client's sends
BYTE_EVERY = 0.5  # seconds between a reconnecting slow-header client's bytes
PROBE_EVERY = 5.0


def start(workdir: Path, env_extra: dict[str, str], args: list[str], port: int, root: Path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/"),
        "DJANGO_SETTINGS_MODULE": "cpo_portal.settings",
        "PYTHONPATH": str(root),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CUSTOMER_KEY_SALT": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS": "1",
        "VAR_DIR": str(workdir / "var"),
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_MAX_REQUESTS": "0",
        **env_extra,
    }
    log = (workdir / "gunicorn.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *args],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    wait_until(lambda: probe(port, 10), 120, "gunicorn")
    return process


def probe(port: int, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as r:
            r.read()
            return r.status == 200
    except OSError:
        return False


def slow_headers(port: int, stop: threading.Event) -> None:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        number = 0
        while not stop.wait(EVERY):
            number += 1
            sock.sendall(f"X-Slow-{number}: 1\r\n".encode())


def slow_headers_reconnecting(port: int, stop: threading.Event) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 1000
    while not stop.is_set():
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)) as sock:
            for byte in head:
                if stop.wait(BYTE_EVERY):
                    break
                sock.sendall(bytes([byte]))
                sock.setblocking(False)
                try:
                    sock.recv(1)  # the server closed it (or answered): reconnect
                    break
                except BlockingIOError:
                    pass
                finally:
                    sock.setblocking(True)


def slow_body(port: int, stop: threading.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(
                b"POST /beckn/search HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
            )
            while not stop.wait(EVERY):
                sock.sendall(b" ")
        stop.wait(0.1)


def attack(port: int, client, clients: int, seconds: float) -> tuple[int, int]:
    stop = threading.Event()
    threads = [
        threading.Thread(target=client, args=(port, stop), daemon=True) for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    time.sleep(1)
    answered = sent = 0
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        started = time.monotonic()
        sent += 1
        answered += probe(port, PROBE_EVERY)
        time.sleep(max(0.0, PROBE_EVERY - (time.monotonic() - started)))
    stop.set()
    return answered, sent


ATTACKS = {  # --only name: (label, client)
    "headers": ("headers", slow_headers),
    "reconnecting-headers": ("headers, reconnecting", slow_headers_reconnecting),
    "bodies": ("bodies, reconnecting", slow_body),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--only", choices=sorted(ATTACKS), help="one attack")
    parser.add_argument(
        "--variant", choices=sorted(VARIANTS), action="append", help="these workers only"
    )
    parser.add_argument("--before", type=Path, help="also the project's gthread of CHECKOUT")
    options = parser.parse_args()
    attacks = [ATTACKS[options.only]] if options.only else list(ATTACKS.values())
    variants = [
        (*VARIANTS[name], ROOT) for name in VARIANTS if name in (options.variant or VARIANTS)
    ]
    if options.before:
        label, env_extra, args = VARIANTS["gthread"]
        variants.append((f"{label} in {options.before}", env_extra, args, options.before.resolve()))
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for name, client in attacks:
        for variant, env_extra, args, root in variants:
            with tempfile.TemporaryDirectory(prefix="slow-") as workdir:
                port = free_port()
                process = start(Path(workdir), env_extra, args, port, root)
                try:
                    answered, sent = attack(port, client, options.clients, options.seconds)
                finally:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(30)
            print(
                f"slow {name}, {options.clients} clients, {options.seconds:g} s, {variant}: "
                f"{answered} of {sent} /healthz probes answered; "
                f"load {os.getloadavg()[0]:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
