"""What bench/callbacks.py and bench/callback_latency.py run around the product: a local
BAP that ACKs every callback and notes when each message arrived, the Celery worker
processes, and what a run cost: the processes' CPU, the Redis server's, and the Redis
commands that say what the run did."""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import redis

from tests.support.procs import Process

MESSAGE_ID = re.compile(rb'"message_id":"([^"]+)"')
ACK = json.dumps({"message": {"ack": {"status": "ACK"}}}).encode()


class NoQueue:
    """A task publisher (beckn.services.jobs) that queues nothing: the bench's own
    process runs what would have been queued."""

    def deliver(self, outbox_id: int) -> None:
        pass

    def process(self, inbound_id: int) -> None:
        pass


class Receiver:
    """The BAP's callback endpoint: ACK everything, remember when each message came."""

    def __init__(self, slow_seconds: float = 0) -> None:
        """`slow_seconds`: a POST under /slow/ (a slow BAP's URL) is answered that late."""
        self.arrived: dict[str, float] = {}
        self.posts = 0
        self.slow_seconds = slow_seconds
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real BAP's server would
            # TCP_NODELAY, as web servers set it: with Nagle on, the body (a write of its
            # own after the headers) waits for the client's delayed ACK, 40 ms a POST.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.time()
                found = MESSAGE_ID.search(raw)
                with receiver._lock:
                    receiver.posts += 1
                    if found:
                        receiver.arrived.setdefault(found.group(1).decode(), now)
                if self.path.startswith("/slow/") and receiver.slow_seconds:
                    time.sleep(receiver.slow_seconds)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(ACK)))
                self.end_headers()
                self.wfile.write(ACK)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/beckn"

    def reset(self) -> None:
        with self._lock:
            self.arrived.clear()
            self.posts = 0

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- worker processes ----------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(_children(current))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """user + system CPU of these processes and their live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for root in pids:
        for pid in _tree(root):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def cpu_of_command(name: str) -> float:
    """user + system CPU of the live processes whose command is `name` ("postgres": the
    server's backends and its own processes, on this machine)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1 : text.rindex(")")] == name:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def redis_cpu_seconds(url: str) -> float:
    """user + system CPU of the Redis server behind `url`, as it counts its own (INFO cpu)."""
    used = redis.Redis.from_url(url).info("cpu")
    return float(used["used_cpu_user"]) + float(used["used_cpu_sys"])


# Redis commands of the run that say what it did: the task messages Celery publishes (a
# wake-up of the workers each, beckn.services.doorbell), the bell's rings and holds (a
# SET each), the drains that held it and waited (BLPOP), the rings that found it ringing
# (RPUSH, in the ring's script) and the scripts (an admission and a ring each).
REDIS_COMMANDS = {
    "lpush": "task messages",
    "set": "rings and holds",
    "blpop": "waits",
    "rpush": "rings finding it rung",
    "evalsha": "scripts",
}


def redis_calls(url: str) -> dict[str, int]:
    """The calls of REDIS_COMMANDS the Redis server behind `url` has served so far (all
    its databases: the broker's and the cache's share this bench's server)."""
    stats = redis.Redis.from_url(url).info("commandstats")
    return {name: int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in REDIS_COMMANDS}


def per_request(before: dict[str, int], after: dict[str, int], accepted: int) -> str:
    """Each of REDIS_COMMANDS per accepted request between two readings of redis_calls."""
    return ", ".join(
        f"{label} {(after[name] - before[name]) / max(1, accepted):.2f}"
        for name, label in REDIS_COMMANDS.items()
    )


class Workers:
    """`count` Celery workers of `pool` (threads, as deployed for the Beckn queue, or prefork), each
    `concurrency` wide (tests/support/procs.py: each in a session of its own, stopped warm,
    SIGKILLed if that takes too long)."""

    def __init__(
        self, count: int, concurrency: int, env: dict[str, str], logs: Path, pool: str = "threads"
    ) -> None:
        self.procs = []
        for n in range(count):
            argv = [
                sys.executable, "-m", "celery", "-A", "cpo_portal", "worker", "--pool",
                pool, "--concurrency", str(concurrency), "--hostname",
                f"bench{n}-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "--loglevel", "INFO",
            ]  # fmt: skip
            log = logs / f"worker-{n}-{uuid.uuid4().hex[:6]}.log"
            self.procs.append(Process(f"worker {n}", argv, env, log, ready=" ready.").start())

    def wait_ready(self, timeout: float = 120) -> None:
        for proc in self.procs:
            proc.wait_ready(timeout)

    @property
    def pids(self) -> list[int]:
        return [p.popen.pid for p in self.procs if p.popen is not None]

    def stop(self) -> None:
        for proc in self.procs:
            proc.stop(timeout=20)
            proc.log.unlink(missing_ok=True)
