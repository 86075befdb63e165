"""A flood from one BAP through the whole product, with a quiet second BAP beside it, while
the broker may be flushed and the one worker host may be killed (tests/beckn/test_flood.py,
bench/flood.py).

Around the fault rig (tests/support/faults/harness.Rig: a private Redis, a receiver playing both
BAPs' callback endpoint, Celery worker and beat processes on the deployed settings) this
starts the web server (gunicorn with gunicorn.conf.py, one gthread worker) and sends
signed requests over HTTP: the flooding BAP from several threads as fast as the server
answers (status and support in turn), the quiet BAP one select a second. One worker host
(one process, `concurrency` threads, as deployed) answers them. With `flush`, a third of the way in,
the broker's Redis database is flushed (every queued task message is lost); with `kill`,
half way, the worker host is SIGKILLed (the task it held is lost with it) and started
again at once, as a process supervisor would, or `restart_after` seconds later (a host
slow to come back: no worker is alive meanwhile). Then it waits until every ACKed message's
callback has arrived or the last ttl has run out.

Each message's deadline is its own timestamp plus its ttl, as its BAP sees it. The
outcome lists what every ACKed message got, and how long each waited for its callback;
the caller asserts.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.faults.harness import Bap, Rig, Tally, count_arrivals
from tests.support.procs import ROOT, Process, free_port, wait_until

TTL = dt.timedelta(seconds=30)
PENDING = 40


@dataclass
class Sent:
    message_id: str
    status: int
    deadline: dt.datetime
    sent_at: dt.datetime | None = None


@dataclass
class FloodOutcome:
    flood: list[Sent] = field(default_factory=list)
    quiet: list[Sent] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)
    tally: Tally | None = None
    arrivals: list = field(default_factory=list)

    def acked(self) -> dict[str, dt.datetime]:
        return {s.message_id: s.deadline for s in [*self.flood, *self.quiet] if s.status == 200}

    def waits(self, sent: list[Sent]) -> list[float]:
        """Seconds from each ACKed message's sending to its callback's first arrival."""
        first: dict[str, dt.datetime] = {}
        for arrival in self.arrivals:
            first.setdefault(arrival.message_id, arrival.at)
        return sorted(
            (first[s.message_id] - s.sent_at).total_seconds()
            for s in sent
            if s.status == 200 and s.sent_at is not None and s.message_id in first
        )

    def overtaken(self) -> list[float]:
        """For each ACKed quiet message, the share of the flood's ACKed messages waiting when
        it was sent (sent before it, answered after) whose callbacks came after its own: 1.0
        when it went ahead of the whole backlog, 0.0 when it waited behind all of it."""
        first: dict[str, dt.datetime] = {}
        for arrival in self.arrivals:
            first.setdefault(arrival.message_id, arrival.at)
        flood = [
            (s.sent_at, first[s.message_id])
            for s in self.flood
            if s.status == 200 and s.sent_at is not None and s.message_id in first
        ]
        shares = []
        for quiet in self.quiet:
            if quiet.status != 200 or quiet.sent_at is None or quiet.message_id not in first:
                continue
            waiting = [at for sent, at in flood if sent < quiet.sent_at < at]
            if waiting:
                answered = first[quiet.message_id]
                shares.append(sum(at > answered for at in waiting) / len(waiting))
        return shares

    def answered_in_time(self, sent: list[Sent]) -> tuple[int, int]:
        """(ACKed, whose callback arrived before its deadline)."""
        first: dict[str, dt.datetime] = {}
        for arrival in self.arrivals:
            first.setdefault(arrival.message_id, arrival.at)
        acked = [s for s in sent if s.status == 200]
        return len(acked), sum(s.message_id in first and first[s.message_id] <= s.deadline
                               for s in acked)  # fmt: skip

    def report(self) -> str:
        def count(sent: list[Sent]) -> str:
            statuses: dict[int, int] = {}
            for s in sent:
                statuses[s.status] = statuses.get(s.status, 0) + 1
            return ", ".join(f"{n} x {status}" for status, n in sorted(statuses.items()))

        facts = ", ".join(f"{k} {v}" for k, v in self.facts.items())
        for name, sent in (("flood", self.flood), ("quiet", self.quiet)):
            waits = self.waits(sent)
            if waits:
                facts += f", {name} wait p50 {median(waits):.2f} s p99 {p99(waits):.2f} s"
        tally = self.tally.line() if self.tally else "no tally"
        return f"flood: {count(self.flood)}; quiet: {count(self.quiet)}; {tally}; {facts}"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("nan")


def _select(bpp_id: str, bap: Bap, ttl: str = "PT30S") -> tuple[str, bytes]:
    """A select for a charger this BPP does not have: answered with an error callback."""
    from django.utils import timezone

    from beckn.protocol.timefmt import format_timestamp

    message_id = str(uuid.uuid4())
    context = {
        "domain": "deg:ev-charging", "action": "select", "version": "1.1.0",
        "location": {"country": {"code": "IND"}, "city": {"code": "std:011"}},
        "bap_id": bap.subscriber_id, "bap_uri": "https://bap.flood.example/beckn",
        "bpp_id": bpp_id, "bpp_uri": "https://bpp.flood.example/beckn",
        "transaction_id": str(uuid.uuid4()), "message_id": message_id,
        "timestamp": format_timestamp(timezone.now()), "ttl": ttl,
    }  # fmt: skip
    message = {"order": {"provider": {"id": "no-such-cpo"}, "items": [{"id": "no-such-charger"}]}}
    return message_id, json.dumps({"context": context, "message": message}).encode()


class Sender:
    """Signed POSTs to the web server over one keep-alive connection."""

    def __init__(self, port: int, bap: Bap, ttl: dt.timedelta = TTL) -> None:
        self.port, self.bap, self.ttl = port, bap, ttl
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)

    def post(self, action: str, message_id: str, raw: bytes) -> Sent:
        from beckn.protocol.signing import sign_request

        auth = sign_request(
            raw, subscriber_id=self.bap.subscriber_id, key_id=self.bap.key_id,
            private_key_b64=self.bap.private,
        )  # fmt: skip
        headers = {"Content-Type": "application/json", "Authorization": auth}
        sent_at = dt.datetime.now(dt.UTC)
        try:
            self.connection.request("POST", f"/beckn/{action}", raw, headers)
            response = self.connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
            status = 0
        return Sent(message_id, status, sent_at + self.ttl, sent_at)


def web(rig: Rig) -> tuple[Process, int]:
    port = free_port()
    env = {
        **rig.env(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "8",
        "GUNICORN_WORKER_CLASS": "gthread",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    argv = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    process = Process("web", argv, env, rig.workdir / "web.log", cwd=rig.root)
    rig.processes.append(process.start())
    return process, port


def _up(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/healthz")
        return connection.getresponse().status < 500
    except OSError:
        return False


def _where(message_ids: list[str]) -> dict[str, tuple]:
    """For each message: its inbound row's state and attempts, its callback's state,
    attempts and last error (None: no such row)."""
    from beckn.models import InboundMessage, Outbox

    inbound = dict(
        (m, (state, attempts))
        for m, state, attempts in InboundMessage.objects.filter(
            message_id__in=message_ids
        ).values_list("message_id", "state", "attempts")
    )
    sent = dict(
        (m, (state, attempts, error[:120]))
        for m, state, attempts, error in Outbox.objects.filter(
            message_id__in=message_ids
        ).values_list("message_id", "state", "attempts", "last_error")
    )
    return {m: (inbound.get(m), sent.get(m)) for m in message_ids}


def run(
    bpp_id: str,
    seconds: float = 12,
    threads: int = 4,
    *,
    flush: bool = True,
    kill: bool = True,
    concurrency: int = 4,
    ttl: dt.timedelta = TTL,
    root: Path = ROOT,
    pending: int = PENDING,
    callback_seconds: float = 0.0,
    per_minute: int | None = None,
    restart_after: float = 0.0,
) -> FloodOutcome:
    """The flood, its faults and the wait; every process is ended before this returns."""
    import redis

    rig = Rig(bpp_id, root=root)
    # the web and the workers share the cache, where the per-BAP backlog is counted
    rig.settings_env["CACHE_URL"] = rig.redis.url.rsplit("/", 1)[0] + "/1"
    # A BAP may have no more answers waiting than the workers answer well inside a ttl: two
    # worker processes on a busy two-CPU machine answer a few a second, not the 200 a
    # production pool is sized for (BECKN_MAX_PENDING_PER_BAP).
    rig.settings_env["BECKN_MAX_PENDING_PER_BAP"] = str(pending)
    rig.receiver.delay = callback_seconds  # how long the BAPs take to answer a callback
    if per_minute is not None:  # the flooding BAP's rate limit (None: the default)
        from beckn.models import Subscriber

        Subscriber.objects.filter(subscriber_id=rig.bap.subscriber_id).update(rate_limit=per_minute)
    rig.settings_env["BECKN_ADMIT_WITHOUT_WORKERS"] = "0"  # admission as deployed
    iso_ttl = f"PT{int(ttl.total_seconds())}S"
    outcome = FloodOutcome()
    try:
        quiet_bap = Bap(bpp_id)
        quiet_bap.register(rig.receiver.address)
        rig.receiver.start()
        _, port = web(rig)
        rig.beat()
        host = rig.worker("host", concurrency=concurrency)
        rig.wait_ready()
        wait_until(lambda: _up(port), 60, "the web server")
        wait_until(lambda: _admitting(port, quiet_bap, bpp_id), 60, "a live worker host")
        started = time.monotonic()
        stop = threading.Event()
        lock = threading.Lock()

        def flood() -> None:
            sender = Sender(port, rig.bap, ttl)
            number = 0
            while not stop.is_set():
                action, message_id, raw = rig.bap.request(number, iso_ttl)
                sent = sender.post(action, message_id, raw)
                number += 1
                with lock:
                    outcome.flood.append(sent)
                if sent.status != 200:
                    time.sleep(0.05)  # refused: a real client backs off a little

        def quiet() -> None:
            sender = Sender(port, quiet_bap, ttl)
            tick = time.monotonic()
            while not stop.is_set():
                message_id, raw = _select(bpp_id, quiet_bap, iso_ttl)
                sent = sender.post("select", message_id, raw)
                with lock:
                    outcome.quiet.append(sent)
                tick += 1.0
                time.sleep(max(0.0, tick - time.monotonic()))

        workers = [threading.Thread(target=flood) for _ in range(threads)]
        workers.append(threading.Thread(target=quiet))
        for thread in workers:
            thread.start()
        broker = redis.Redis.from_url(rig.redis.url, socket_timeout=5)
        time.sleep(seconds / 3)
        if flush:
            outcome.facts["queued when flushed"] = rig.redis.queued()
            broker.flushdb()
        time.sleep(max(0.0, started + seconds / 2 - time.monotonic()))
        if kill:
            host.kill()
            outcome.facts["worker killed at"] = f"{time.monotonic() - started:.1f} s"
            time.sleep(restart_after)  # 0: at once, as a supervisor would
            host.start()
            outcome.facts["worker started again at"] = f"{time.monotonic() - started:.1f} s"
        time.sleep(max(0.0, started + seconds - time.monotonic()))
        stop.set()
        for thread in workers:
            thread.join(30)
        acked = outcome.acked()
        last = max(acked.values(), default=dt.datetime.now(dt.UTC))

        def answered() -> bool:
            arrived = {a.message_id for a in rig.receiver.snapshot()}
            return set(acked) <= arrived or dt.datetime.now(dt.UTC) > last

        wait_until(answered, ttl.total_seconds() + 30, "the callbacks", every=0.5)
        signer = rig.signer
        outcome.arrivals = rig.receiver.snapshot()
        outcome.tally = count_arrivals(acked, outcome.arrivals, signer)
        outcome.facts["took"] = f"{time.monotonic() - started:.0f} s"
        outcome.facts["where the lost ones are"] = _where(outcome.tally.lost)
        return outcome
    finally:
        rig.close()


def _admitting(port: int, bap: Bap, bpp_id: str) -> bool:
    """The web server ACKs (a live worker host), or the code before admission existed."""
    _, raw = _select(bpp_id, bap)
    return Sender(port, bap).post("select", "", raw).status == 200
