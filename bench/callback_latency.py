"""Benchmark: request -> signed callback at the BAP, through gunicorn, the broker and the
Celery workers, with a BAP that notes when each callback arrives.

    .venv/bin/python -m bench.callback_latency [--rate 100] [--seconds 20] [--flood 0]
    .venv/bin/python -m bench.callback_latency --embedded   # SQLite + filesystem broker

PostgreSQL + Redis (default): --database-url names a database the demo has been seeded
into (`manage.py seed_demo`; created and seeded here, 6 stations, when it does not exist
or holds no station), --broker and --cache are Redis URLs (the cache holds the per-BAP
backlog, as in production). --embedded runs what `make run` runs instead: a
SQLite database and the filesystem broker in a temporary folder, seeded here.

The bench registers BAP "b" (and, with --flood, BAP "a") at a local receiver
(bench/callbacks_rig.py: ACKs every callback, notes its arrival), starts gunicorn
(gunicorn.conf.py, --web gevent processes on the protocol pool's settings, as deployed for
/beckn/: cpo_portal/settings/protocol_pool.py) and --workers `celery worker` processes
(--pool: threads, as deployed for the Beckn queue, or prefork; --concurrency threads or
children), and sends
pre-signed demo selects from BAP b at --rate per second for --seconds, paced, over
keep-alive connections. The latency of a message is its callback's arrival minus the
moment its request was sent. With --flood F, BAP a sends F times b's rate at the same
time: b's latencies show whether a's burst delays b, and a's refusals (429) show the
per-BAP limit at work. With --slow-a S as well, BAP a takes S seconds to answer each of
its callbacks (a slow BAP), holding the worker process that sends it meanwhile: b's
latencies show what that does to everyone else. Everything runs on this machine: the
sender, the receiver, web, workers, PostgreSQL and Redis share its CPUs. The database is
vacuumed before each run (`pgdb.vacuum`), so that a run does not pay for the rows the
earlier ones left on a server whose autovacuum is off. The CPU per accepted request is the
web's, the workers', PostgreSQL's and, with Redis, the Redis server's (its own INFO cpu),
and their sum: the whole cost of a request. With Redis, it also prints per accepted
request the task messages Celery published (each a wake-up of the workers), the doorbell's
rings and the admission calls, read from the Redis server's command counts over the timed
window (server-wide: run nothing else on it meanwhile)."""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench import pgdb
from bench.ack_load import free_port, start_server
from bench.ack_messages import search_body, select_body
from bench.callbacks_rig import (
    Receiver,
    Workers,
    cpu_of_command,
    cpu_seconds,
    per_request,
    redis_calls,
    redis_cpu_seconds,
)

BAPS = {"a": "bench-lat-a.example", "b": "bench-lat-b.example"}


def prepare(receiver_url: str, slow_a: bool = False) -> dict[str, str]:
    """Our key, and the bench BAPs registered at the receiver; their private keys."""
    from beckn.models import SigningKey, Subscriber
    from beckn.protocol.signing import generate_keypair
    from beckn.services import keys

    if not SigningKey.objects.filter(is_active=True).exists():
        keys.generate()
    private = {}
    for name, bap_id in BAPS.items():
        secret, public = generate_keypair()
        Subscriber.objects.update_or_create(
            subscriber_id=bap_id, key_id="bench-1",
            defaults={"type": "BAP", "signing_public_key": public,
                      "url": _slow(receiver_url) if slow_a and name == "a" else receiver_url,
                      "rate_limit": 0},
        )  # fmt: skip
        private[name] = secret
    return private


def _slow(url: str) -> str:
    """The receiver's URL under /slow/, which it answers late (callbacks_rig.Receiver)."""
    root, _, path = url.rpartition("/")
    return f"{root}/slow/{path}"


def signed(
    bap: str, private: str, count: int, action: str = "select"
) -> list[tuple[str, bytes, str]]:
    """(message_id, body, Authorization) for `count` selects of the demo's charger, or
    searches around it."""
    from beckn.protocol.signing import sign_request

    out = []
    for _ in range(count):
        message_id = str(uuid.uuid4())
        body = (search_body if action == "search" else select_body)(message_id)
        body["context"]["bap_id"] = BAPS[bap]
        raw = json.dumps(body, separators=(",", ":")).encode()
        header = sign_request(
            raw, subscriber_id=BAPS[bap], key_id="bench-1", private_key_b64=private,
            validity=dt.timedelta(minutes=15),
        )  # fmt: skip
        out.append((message_id, raw, header))
    return out


# A keep-alive connection idle this long is opened anew before the next request: gunicorn
# closes one idle for its `keepalive` (5 s), and a request sent as it does so is lost
# (status 0), which at low rates would be many of them (bench/results/select.md).
IDLE_SECONDS = 4.0


class Sender:
    """Sends its messages at `rate` per second over `connections` keep-alive connections and
    notes when each was sent and what status it got."""

    def __init__(
        self, port: int, messages: list, rate: float, connections: int, action: str = "select"
    ) -> None:
        self.port, self.messages, self.rate, self.action = port, messages, rate, action
        self.sent: dict[str, float] = {}
        self.status: dict[int, int] = {}
        self._next = 0
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(connections)]

    def start(self, began: float) -> Sender:
        self.began = began
        for thread in self.threads:
            thread.start()
        return self

    def join(self) -> None:
        for thread in self.threads:
            thread.join()

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        last = time.time()
        while True:
            with self._lock:
                n = self._next
                self._next += 1
            if n >= len(self.messages):
                return
            wait = self.began + n / self.rate - time.time()
            if wait > 0:
                time.sleep(wait)
            message_id, raw, header = self.messages[n]
            headers = {"Content-Type": "application/json", "Authorization": header}
            sent = time.time()
            if sent - last > IDLE_SECONDS:  # gunicorn has closed it (or is about to): anew
                conn.close()  # (http.client opens it again for the request)
            last = sent
            try:
                conn.request("POST", f"/beckn/{self.action}", raw, headers)
                response = conn.getresponse()
                response.read()
                code = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                code = 0
            with self._lock:
                self.status[code] = self.status.get(code, 0) + 1
                if code == 200:
                    self.sent[message_id] = sent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latencies(sender: Sender, receiver: Receiver) -> list[float]:
    return [
        (receiver.arrived[m] - t) * 1000 for m, t in sender.sent.items() if m in receiver.arrived
    ]


def summary(name: str, sender: Sender, receiver: Receiver) -> str:
    values = latencies(sender, receiver)
    if not values:
        return f"| {name} | {sender.status} | 0 | - | - | - |"
    return (
        f"| {name} | {dict(sorted(sender.status.items()))} | {len(values)}/{len(sender.sent)} | "
        f"{statistics.median(values):.0f} | {percentile(values, 0.99):.0f} | "
        f"{max(values):.0f} |"
    )


def breakdown(sender: Sender, receiver: Receiver) -> str:
    """Medians of the path's steps, from the timestamps the product writes down: the request
    sent -> accepted (InboundMessage.received_at, the ACK path) -> taken by a worker
    (processed_at: the hand-over to the broker and a worker's pick-up) -> its answer
    written (the outbox row's created_at) -> the send started (the attempt's started_at:
    the commit and the claim) -> arrived at the BAP (signing, POST)."""
    from beckn.models import DeliveryAttempt, InboundMessage, Outbox

    ids = [m for m in sender.sent if m in receiver.arrived]
    inbound = {
        m: (r.timestamp(), p.timestamp())
        for m, r, p in InboundMessage.objects.filter(message_id__in=ids).values_list(
            "message_id", "received_at", "processed_at"
        )
        if p is not None
    }
    rows = Outbox.objects.filter(message_id__in=ids)
    written = {m: c.timestamp() for m, c in rows.values_list("message_id", "created_at")}
    started: dict[str, float] = {}
    for m, t in DeliveryAttempt.objects.filter(outbox__message_id__in=ids, number=1).values_list(
        "outbox__message_id", "started_at"
    ):
        started[m] = min(started.get(m, t.timestamp()), t.timestamp())
    steps: dict[str, list[float]] = {k: [] for k in STEPS}
    for m in ids:
        if m not in inbound or m not in written or m not in started:
            continue
        points = [sender.sent[m], *inbound[m], written[m], started[m], receiver.arrived[m]]
        for name, a, b in zip(STEPS, points, points[1:], strict=False):
            steps[name].append((b - a) * 1000)
    return (
        " | ".join(f"{name} {statistics.median(v):.0f}" for name, v in steps.items() if v)
        + " (median ms)"
    )


STEPS = ("sent->accepted", "accepted->taken", "taken->written", "written->send", "send->arrived")


def _cpu(pool: Workers, server, redis_url: str | None) -> tuple[float, ...]:
    """CPU seconds so far of the web server, the workers, PostgreSQL and (with Redis) the
    Redis server behind `redis_url`, as it counts its own (INFO cpu)."""
    found = (cpu_seconds([server.pid]), cpu_seconds(pool.pids), cpu_of_command("postgres"))
    return found if redis_url is None else (*found, redis_cpu_seconds(redis_url))


def environment(args: argparse.Namespace, work: Path) -> dict[str, str]:
    extra = {
        "BECKN_ALLOW_PRIVATE_CALLBACKS": "1",
        "BECKN_SUBSCRIBER_URI": "http://127.0.0.1/beckn",
        "BECKN_BENCH_VIEWS": "0",
        # the product's knobs, as set for this run (BECKN_DISPATCH_WINDOW_MS=25 ...)
        **{k: v for k, v in os.environ.items() if k.startswith("BECKN_")},
    }
    if args.embedded:
        extra |= {"VAR_DIR": str(work), "CELERY_BROKER_URL": "filesystem://"}
        url = f"sqlite:///{work / 'db.sqlite3'}"
    else:
        extra |= {"CELERY_BROKER_URL": args.broker, "CACHE_URL": args.cache}
        url = args.database_url
    return pgdb.django_env(url, **extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100, help="BAP b's requests per second")
    parser.add_argument(
        "--action", choices=("select", "search"), default="select", help="what BAP b sends"
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--flood", type=float, default=0, help="BAP a sends this many times b")
    parser.add_argument("--slow-a", type=float, default=0, help="seconds BAP a takes per callback")
    parser.add_argument("--web", type=int, default=1, help="gunicorn processes")
    parser.add_argument(
        "--web-settings",
        default="cpo_portal.settings.protocol_pool",
        help="gunicorn's DJANGO_SETTINGS_MODULE: the protocol pool's, as deployed for /beckn/ "
        "(cpo_portal.settings: the whole web stack)",
    )
    parser.add_argument("--workers", type=int, default=1, help="celery worker processes")
    parser.add_argument(
        "--concurrency", type=int, default=4, help="threads (or prefork children) each"
    )
    parser.add_argument(
        "--pool", default="threads", choices=["threads", "prefork"], help="Celery's worker pool"
    )
    parser.add_argument("--connections", type=int, default=8, help="per sending BAP")
    parser.add_argument("--embedded", action="store_true", help="SQLite + filesystem broker")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/cpo_bench_latency",
        help="a database seeded with `manage.py seed_demo`",
    )
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    env = environment(args, work)
    os.environ.update(env)
    if not args.embedded:
        pgdb.ensure(env["DATABASE_URL"])  # a fresh machine: created, then seeded below
    pgdb.setup(env["DATABASE_URL"], migrate=True, **env)
    from cpo_portal.models import Station

    if args.embedded or not Station.objects.exists():
        from django.core.management import call_command

        call_command("seed_demo", "--no-progress", "--sessions", "0", "--stations", "6")
    receiver = Receiver(slow_seconds=args.slow_a)
    private = prepare(receiver.url, slow_a=bool(args.slow_a))
    autovacuum = pgdb.vacuum()
    count_b = int(args.rate * args.seconds)
    senders_msgs = {"b": signed("b", private["b"], count_b, args.action)}
    if args.flood:
        senders_msgs["a"] = signed("a", private["a"], int(count_b * args.flood))
    port = free_port()
    web_args = argparse.Namespace(
        workers=args.web, gthreads=4, worker_class="gevent", shared_socket=False
    )
    server = start_server({**env, "DJANGO_SETTINGS_MODULE": args.web_settings}, port, web_args)
    pool = Workers(args.workers, args.concurrency, env, work, args.pool)
    try:
        pool.wait_ready()
        warm = Sender(port, signed("b", private["b"], 20), 10, 2).start(time.time())
        warm.join()
        time.sleep(3)
        receiver.reset()
        redis_before = None if args.embedded else redis_calls(args.broker)
        redis_url = None if args.embedded else args.broker
        cpu_before = _cpu(pool, server, redis_url)
        load = os.getloadavg()[0]
        began = time.time() + 0.5
        senders = {
            name: Sender(port, msgs, args.rate * (args.flood if name == "a" else 1),
                         args.connections, args.action if name == "b" else "select").start(began)
            for name, msgs in senders_msgs.items()
        }  # fmt: skip
        for sender in senders.values():
            sender.join()
        deadline = time.time() + 60
        while time.time() < deadline:
            waiting = sum(len(s.sent) for s in senders.values()) - len(receiver.arrived)
            if waiting <= 0:
                break
            time.sleep(0.5)
        cpu = [
            after - before
            for after, before in zip(_cpu(pool, server, redis_url), cpu_before, strict=True)
        ]
        redis_after = None if args.embedded else redis_calls(args.broker)
    finally:
        pool.stop()
        server.terminate()
        server.wait(timeout=30)
        receiver.stop()
    shutil.rmtree(work, ignore_errors=True)  # the processes' logs, kept when a run fails
    mode = (
        "SQLite + filesystem broker"
        if args.embedded
        else f"PostgreSQL (vacuumed before the run, autovacuum {autovacuum}) + Redis"
    )
    print("\n=== callback latency figures ===")
    print(
        f"{mode}; web {args.web} gevent process(es), {args.workers} worker(s) x "
        f"{args.concurrency} ({args.pool}); "
        f"BAP b {args.rate:g} {args.action} requests/s for {args.seconds:g} s"
        + (f", BAP a {args.rate * args.flood:g}/s" if args.flood else "")
        + (f" taking {args.slow_a:g} s per callback" if args.slow_a else "")
        + f"; load before {load:.1f}, after {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs); "
        f"web + worker CPU {cpu[0] + cpu[1]:.1f} s"
    )
    accepted = sum(s.status.get(200, 0) for s in senders.values())
    print(
        f"CPU per accepted {args.action}: "
        + ", ".join(
            f"{name} {seconds * 1000 / max(1, accepted):.1f} ms"
            for name, seconds in zip(("web", "workers", "PostgreSQL", "Redis"), cpu, strict=False)
        )
        + f"; in all {sum(cpu) * 1000 / max(1, accepted):.1f} ms"
        + " (PostgreSQL: its processes on this machine that lived through the run; Redis: the"
        " server's own count, broker and cache together)"
    )
    if redis_before is not None and redis_after is not None:
        print(
            f"Redis calls per accepted {args.action}: "
            + per_request(redis_before, redis_after, accepted)
        )
    print("| BAP | answers (HTTP status: count) | callbacks arrived | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for name, sender in sorted(senders.items(), reverse=True):
        print(summary(name, sender, receiver))
    for name, sender in sorted(senders.items(), reverse=True):
        print(f"BAP {name}: {breakdown(sender, receiver)}")


if __name__ == "__main__":
    main()
