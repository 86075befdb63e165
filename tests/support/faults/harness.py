"""Fault injection for Beckn callback delivery, shared by tests/beckn/test_faults.py and
bench/faults.py: a BAP receiver that can go down and come back on the same port or hold a
request open, Celery worker and beat processes that can be killed, a private Redis without
persistence that can be crashed and restarted empty (tests/support/procs.py), a
signed-message feeder going through the product's intake, and the tally of what arrived.

Needs Django set up against PostgreSQL (the worker processes share the database) and
`redis-server` on the PATH. Every process here is started by this module and ended by its
own process id (each runs in its own session, so a prefork worker dies with its children).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.procs import ROOT, Process, RedisServer, free_port, wait_until

UTC = dt.UTC


def database_url() -> str:
    """The URL of Django's default database (under pytest: the test database)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


# -- the BAP's receiving end ---------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    message_id: str
    raw: bytes
    signer: str | None
    error: str
    at: dt.datetime


def receiver_class():
    from beckn.protocol.errors import ack
    from beckn.simulator.loopback import Reply
    from beckn.simulator.receiver import CallbackReceiver

    @dataclass
    class FaultyReceiver(CallbackReceiver):
        """CallbackReceiver that keeps every arrival with its time, can hold the next few
        requests open until released, can answer slowly, and comes back on the same port."""

        arrivals: list[Arrival] = field(default_factory=list)
        hold_next: int = 0
        delay: float = 0.0
        _release: threading.Event = field(default_factory=threading.Event)

        @property
        def address(self) -> str:
            return f"http://{self.host}:{self.port}"

        def start(self) -> FaultyReceiver:
            self._release.clear()
            super().start()
            server = self.http
            if server is None:
                raise RuntimeError("the receiver did not start")
            self.port = server.server_address[1]
            # A held POST whose worker was killed cannot be answered: that is the point, so
            # this server instance reports no such error (an instance patch on purpose).
            server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
            return self

        def stop(self) -> None:
            self._release.set()
            super().stop()

        def release(self) -> None:
            self._release.set()

        def answer(self, path: str, raw: bytes, headers: dict[str, str]) -> Reply:
            signer, error = self._verify(raw, headers)
            try:
                message_id = str(json.loads(raw)["context"]["message_id"])
            except (ValueError, KeyError, TypeError):
                message_id, error = "", error or "no context.message_id"
            with self.changed:
                self.arrivals.append(Arrival(message_id, raw, signer, error, dt.datetime.now(UTC)))
                hold = self.hold_next > 0
                self.hold_next -= 1 if hold else 0
                self.changed.notify_all()
            if hold:
                self._release.wait(120)
            elif self.delay:
                time.sleep(self.delay)
            if error:
                return Reply(401, {"error": {"code": "30016", "message": error}})
            return Reply(200, ack())

        def count(self) -> int:
            with self.changed:
                return len(self.arrivals)

        def snapshot(self) -> list[Arrival]:
            with self.changed:
                return list(self.arrivals)

    return FaultyReceiver


# -- the BAP's sending end: signed requests through the product's intake ------------------------


@dataclass
class Bap:
    bpp_id: str
    subscriber_id: str = field(default_factory=lambda: f"faults-{uuid.uuid4().hex[:10]}.bap")
    key_id: str = "bap-key-1"
    private: str = ""
    public: str = ""

    def __post_init__(self) -> None:
        from beckn.protocol.signing import generate_keypair

        self.private, self.public = generate_keypair()

    def register(self, callback_base: str) -> None:
        from beckn.models import Subscriber

        Subscriber.objects.create(
            subscriber_id=self.subscriber_id, type="BAP", url=callback_base + "/beckn",
            key_id=self.key_id, signing_public_key=self.public,
        )  # fmt: skip

    def request(self, number: int, ttl: str) -> tuple[str, str, bytes]:
        """(action, message_id, raw): status and support in turn (on_status carries an
        error for an order that does not exist, on_support a message)."""
        from django.utils import timezone

        from beckn.protocol.timefmt import format_timestamp

        action = "status" if number % 2 else "support"
        order_id = f"ord-faults-{number}"
        message = (
            {"order_id": order_id} if action == "status" else {"support": {"ref_id": order_id}}
        )
        message_id = str(uuid.uuid4())
        context = {
            "domain": "deg:ev-charging", "action": action, "version": "1.1.0",
            "location": {"country": {"code": "IND"}, "city": {"code": "std:011"}},
            "bap_id": self.subscriber_id, "bap_uri": "https://bap.faults.example/beckn",
            "bpp_id": self.bpp_id, "bpp_uri": "https://bpp.faults.example/beckn",
            "transaction_id": str(uuid.uuid4()), "message_id": message_id,
            "timestamp": format_timestamp(timezone.now()), "ttl": ttl,
        }  # fmt: skip
        raw = json.dumps({"context": context, "message": message}).encode()
        return action, message_id, raw

    def feed(self, count: int, ttl: str, broker_url: str) -> list[str]:
        """`count` signed requests accepted by the product's intake; each accepted message
        is queued for processing on `broker_url` (processing writes the outbox row, which
        queues the delivery). Returns the message ids."""
        from django.test import override_settings
        from django.utils import timezone
        from kombu import Connection

        from beckn.protocol.signing import sign_request
        from beckn.services import intake
        from beckn.tasks import process_inbound

        ids = []
        # the faults are about delivery: the feed is not held to the per-BAP backlog limit
        no_limit = override_settings(BECKN_MAX_PENDING_PER_BAP=0)
        with Connection(broker_url) as connection, no_limit:

            def enqueue(inbound_id: int) -> None:
                process_inbound.apply_async((inbound_id,), connection=connection)

            for number in range(count):
                action, message_id, raw = self.request(number, ttl)
                auth = sign_request(
                    raw, subscriber_id=self.subscriber_id, key_id=self.key_id,
                    private_key_b64=self.private,
                )  # fmt: skip
                answer = intake.accept(
                    action, raw, {"Authorization": auth}, enqueue, timezone.now()
                )
                if answer.status != 200:
                    raise RuntimeError(f"intake refused {action}: {answer.body}")
                ids.append(message_id)
        return ids


# -- the whole rig -----------------------------------------------------------------------------


@dataclass
class Rig:
    """A private Redis, a receiver, and the worker and beat processes around one BAP."""

    bpp_id: str
    settings_env: dict[str, str] = field(default_factory=dict)  # BECKN_CALLBACK_LEASE, ...
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="faults-")))
    processes: list[Process] = field(default_factory=list)
    root: Path = ROOT  # the checkout whose code the processes run (a bench's "before")

    def __post_init__(self) -> None:
        from beckn.services import keys

        self.redis = RedisServer(self.workdir).start()
        key = keys.active_key()
        public = {(self.bpp_id, key.key_id): key.public_key}  # no database from server threads
        self.signer = f"{self.bpp_id}|{key.key_id}"
        self.receiver = receiver_class()(lookup=lambda s, k: public.get((s, k)), port=free_port())
        self.bap = Bap(self.bpp_id)
        self.bap.register(self.receiver.address)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "BECKN_SUBSCRIBER_ID": self.bpp_id,
            "BECKN_ALLOW_PRIVATE_CALLBACKS": "1",
            "DEBUG": "1",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(self.root),
            **self.settings_env,
        }

    def worker(self, name: str, concurrency: int = 1, queues: str = "celery,beckn") -> Process:
        """Started, not yet ready: `wait_ready()` it (processes start faster side by side).
        A Beckn worker as deployed (docs/operations.md): `concurrency` threads of one
        process (one: the solo pool), taking the task messages of `queues`."""
        pool = "solo" if concurrency == 1 else "threads"
        pool_args = ["--pool", pool, "--concurrency", str(concurrency)]
        argv = [sys.executable, "-m", "celery", "-A", "cpo_portal", "worker", *pool_args,
                "-Q", queues, "--loglevel", "INFO", "--without-gossip",
                "--without-mingle", "--hostname", f"faults-{name}-{os.getpid()}@%h"]  # fmt: skip
        return self._start(Process(name, argv, self.env(), self.workdir / f"{name}.log", "ready."))

    def beat(self) -> Process:
        """Ready once it has sent beckn.requeue_stuck for the first time."""
        argv = [sys.executable, "-m", "celery", "-A", "cpo_portal", "beat", "--pidfile=",
                "--loglevel", "INFO", "-s", str(self.workdir / "beat-schedule")]  # fmt: skip
        ready = "Sending due task beckn-requeue-stuck"
        return self._start(Process("beat", argv, self.env(), self.workdir / "beat.log", ready))

    def _start(self, process: Process) -> Process:
        process.cwd = self.root
        self.processes.append(process.start())
        return process

    def wait_ready(self) -> None:
        for process in self.processes:
            if not process.killed:
                process.wait_ready()

    def feed(self, count: int, ttl: str) -> list[str]:
        return self.bap.feed(count, ttl, self.redis.url)

    def rows(self):
        from beckn.models import Outbox

        return Outbox.objects.filter(subscriber_id=self.bap.subscriber_id)

    def settled(self, message_ids: Iterable[str]) -> bool:
        """Every message has its outbox row, no row is still pending or sending, and every
        delivered one has arrived (a row that expired instead is for the tally to show)."""
        from beckn.models import OutboxState
        from beckn.models.outbox import FINAL_STATES

        states = dict(self.rows().values_list("message_id", "state"))
        if set(states) != set(message_ids) or not set(states.values()) <= FINAL_STATES:
            return False
        delivered = {m for m, state in states.items() if state == OutboxState.DELIVERED}
        return delivered <= {a.message_id for a in self.receiver.snapshot()}

    def wait_settled(self, message_ids: list[str], timeout: float) -> None:
        try:
            wait_until(lambda: self.settled(message_ids), timeout, "every callback", every=0.5)
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{self.diagnosis()}") from None

    def diagnosis(self) -> str:
        from django.db.models import Count

        states = dict(self.rows().values_list("state").annotate(n=Count("id")))
        logs = "\n".join(f"--- {p.name} ---\n{p.tail(25)}" for p in self.processes)
        return f"outbox states: {states}; arrivals: {self.receiver.count()}\n{logs}"

    def close(self) -> None:
        for process in reversed(self.processes):
            process.kill()
        self.receiver.stop()
        self.redis.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


# -- what arrived ------------------------------------------------------------------------------


@dataclass
class Tally:
    sent: int  # outbox rows
    received: int  # distinct message ids that arrived
    lost: list[str]  # outbox message ids that never arrived
    exact_duplicates: int  # repeats byte-identical to the first copy
    mixed_duplicates: list[str]  # message ids that arrived with different bodies
    bad_signatures: list[str]  # not signed by our key (or not verifiable)
    late: list[str]  # first arrival after the row's expires_at
    strangers: int  # arrivals with a message id we never sent
    last_arrival: dt.datetime | None

    def clean(self) -> bool:
        return not (self.lost or self.mixed_duplicates or self.bad_signatures or self.late)

    def line(self) -> str:
        return (
            f"sent {self.sent}, received {self.received}, lost {len(self.lost)}, "
            f"exact duplicates {self.exact_duplicates}, "
            f"non-identical duplicates {len(self.mixed_duplicates)}, "
            f"bad signatures {len(self.bad_signatures)}, late {len(self.late)}"
        )


def tally(rig: Rig) -> Tally:
    expires = dict(rig.rows().values_list("message_id", "expires_at"))
    return count_arrivals(expires, rig.receiver.snapshot(), rig.signer)


def count_arrivals(expires: dict[str, dt.datetime], arrivals: list[Arrival], signer: str) -> Tally:
    """`expires`: every outbox message id with its row's expires_at; `arrivals` in order."""
    groups: dict[str, list[Arrival]] = {}
    for arrival in arrivals:
        groups.setdefault(arrival.message_id, []).append(arrival)
    ours = {m: g for m, g in groups.items() if m in expires}
    return Tally(
        sent=len(expires),
        received=len(ours),
        lost=sorted(set(expires) - set(ours)),
        exact_duplicates=sum(sum(a.raw == g[0].raw for a in g[1:]) for g in ours.values()),
        mixed_duplicates=sorted(m for m, g in ours.items() if len({a.raw for a in g}) > 1),
        bad_signatures=sorted(
            {a.message_id for g in groups.values() for a in g if a.signer != signer or a.error}
        ),
        late=sorted(m for m, g in ours.items() if g[0].at > expires[m]),
        strangers=sum(len(g) for m, g in groups.items() if m not in expires),
        last_arrival=max((g[0].at for g in ours.values()), default=None),
    )
