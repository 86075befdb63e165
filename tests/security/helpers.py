"""Run Django in a fresh interpreter under a chosen environment.

Settings are read from the environment at import time, so production behaviour (DEBUG off,
BEHIND_TLS on, toggles) can only be observed in a process that starts with that environment.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SLOW_CLIENT_TIMEOUT = 30  # seconds a slow client's socket waits for the server
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "XDG_RUNTIME_DIR")


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """What a deployment sets (docs/operations.md), on throwaway paths; nothing inherited."""
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="cpo_portal.settings",
        PYTHONPATH=str(ROOT),
        SECRET_KEY=secrets.token_urlsafe(50),
        CUSTOMER_KEY_SALT=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="cpo.example.com,127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://cpo.example.com",
        OCPI_PUBLIC_URL="https://cpo.example.com/ocpi",
        BEHIND_TLS="1",
        VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CACHE_URL="redis://127.0.0.1:6379/14",  # named, never reached by these tests
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_gunicorn(env: dict[str, str], port: int, log) -> subprocess.Popen:
    """gunicorn with the deployment config, bound to `port`, its output in `log`; returns
    once it accepts connections."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            assert process.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)


def stop_gunicorn(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's graceful stop), SIGKILL if it takes longer than 30 s."""
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def django_json(code: str, env: dict[str, str]):
    """Run `code` after django.setup(); it must assign `result`, which comes back as JSON."""
    program = (
        "import json, django\ndjango.setup()\n"
        + code
        + "\nprint('RESULT:' + json.dumps(result, default=str))\n"
    )
    done = run(["-c", program], env)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT:"))
    return json.loads(line.removeprefix("RESULT:"))


class InlineCode(HTMLParser):
    """Collects what our CSP refuses: inline scripts, event handler attributes, javascript:
    URLs, style elements and style attributes. JSON data blocks (`json_script`) are data,
    not code, and are allowed."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and "src" not in values and values.get("type") != "application/json":
            self.found.append(f"<script {values}>")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}={value}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def healthz(port: int, timeout: float) -> int:
    """The status of a GET /healthz on loopback `port` (its JSON read whole)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        json.loads(response.read())
        return response.status


def slow_post(port: int) -> socket.socket:
    """A Beckn search whose body never comes: headers, one byte of 100,000, then silence."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=SLOW_CLIENT_TIMEOUT)
    sock.sendall(
        b"POST /beckn/search HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\n"
        b"X-Forwarded-Proto: https\r\n"  # as from the TLS proxy: no redirect, the body is read
        b"Content-Type: application/json\r\n"
        b"Content-Length: 100000\r\n"
        b"\r\n{"
    )
    return sock


def answer(sock: socket.socket) -> bytes:
    """All the server sent on `sock` until it closed its side (b"": nothing)."""
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except OSError:
        pass
    return received
