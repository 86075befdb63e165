"""Processes for the fault benches and tests (tests/support/faults/harness.py): children in their
own session, ended by their own process id, and a throwaway redis-server."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


# honcho gives each Procfile line a port 100 above the one before (`make run`'s Procfile has
# five lines); the kernel hands out ephemeral ports, client sockets' included, from 32768 up
HONCHO_STEP = 100
BELOW_EPHEMERAL = range(20000, 32000)
PROCFILE_LINES = sum(1 for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())


def free_port(lines: int = 1) -> int:
    """A port free on loopback; with `lines`, the first of `lines` ports HONCHO_STEP apart that
    are all free, taken below the ephemeral range so that no client socket of another test
    takes one of them between this check and the server's bind."""
    if lines == 1:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]
    for _ in range(200):
        base = random.randrange(BELOW_EPHEMERAL.start, BELOW_EPHEMERAL.stop - lines * HONCHO_STEP)
        if all(_bindable(base + n * HONCHO_STEP) for n in range(lines)):
            return base
    raise RuntimeError(f"no {lines} free ports {HONCHO_STEP} apart below the ephemeral range")


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_until(check: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(every)


@dataclass
class Process:
    """A child in its own session, its output in a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    ready: str = ""  # what it prints once it works
    popen: subprocess.Popen | None = None
    cwd: Path = ROOT
    killed: bool = False

    def start(self) -> Process:
        self.killed = False
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 90.0) -> Process:
        if self.ready:
            self.wait_for(self.ready, timeout)
        return self

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        def seen() -> bool:
            if text in self.output():
                return True
            if not self.alive:
                raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
            return False

        wait_until(seen, timeout, f"{text!r} from {self.name}")

    def kill(self) -> None:
        """SIGKILL to the process and its children: no cleanup, no ack, no goodbye."""
        self.killed = True
        self._signal(signal.SIGKILL)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (a warm shutdown for Celery), SIGKILL if it takes too long."""
        if not self._signal(signal.SIGTERM, wait=timeout):
            self.kill()

    def _signal(self, sig: int, wait: float = 30.0) -> bool:
        if self.popen is None or self.popen.returncode is not None:
            return True
        with contextlib.suppress(ProcessLookupError):  # the session we started: child + pool
            os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return False
        if sig == signal.SIGKILL:  # orphaned pool children of a killed prefork parent
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
        return True

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])


class RedisServer:
    """A throwaway redis-server: no RDB, no AOF, so a restart comes back empty."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not on the PATH")
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        argv = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(workdir), "--loglevel", "warning"]  # fmt: skip
        self.process = Process("redis", argv, dict(os.environ), workdir / "redis.log")

    def start(self) -> RedisServer:
        self.process.start()
        wait_until(lambda: self.ping(), 20, "redis-server to answer")
        return self

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def queued(self) -> int:
        """Celery messages waiting in the queues or delivered but not acknowledged."""
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=2)
        return client.llen("celery") + client.llen("beckn") + client.hlen("unacked")

    def crash(self) -> None:
        self.process.kill()

    def stop(self) -> None:
        self.process.kill()
