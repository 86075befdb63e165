"""Benchmark: the CPU of answering one demo select (the worker's part), and of its ACK.

    .venv/bin/python -m bench.select_answer [--selects 300] [--profile] [--top 30]

PostgreSQL and Redis: a database of its own (`<DATABASE_URL's name>_bench_select`, dropped
and created afresh; --database names another), seeded with the demo (`seed_demo
--sessions 0 --stations 6`, as bench/callback_latency.py), our signing key and a
registered BAP; the cache in Redis (--cache, default CACHE_URL or Redis database 12), where
the per-BAP backlog is counted, as in production. Then, in this one process, as
production runs them:

- the ACK: --selects signed demo selects (bench/beckn_ack.py's body, for a session starting
  at 10:00 India time next Saturday, so every run quotes the same offers; pre-signed) POSTed
  to /beckn/select through Django's test client (the whole request path: middleware,
  signature, schema, context rules, the INSERT); nothing is queued (a publisher that
  drops the task), so the messages stay for the next step;
- the answer: what a worker runs for each message (`beckn.processing.answer_in_turn`: the
  message whose turn comes first, each in a transaction of its own; timed --batch at a
  time): the select handler, the quote and its loads, the order row, the on_select JSON,
  its schema check and the outbox row. The delivery it would queue is dropped; CPU and
  queries are per select. With --deliver, a draining worker's whole path instead
  (`beckn.tasks.answer_next` with one courier, its attempts written down after each, as
  `beckn.tasks` drains): the answer, the callback written leased to this worker, signed
  and handed to the guarded client, whose POST is answered at once by a stub (an ACK, no
  network), the attempt and the row's outcome written down, in turn, not --batch at a time.

The server's CPU for the timed answers (its process's user + system time, from /proc:
PostgreSQL on this machine) is printed per select beside them.

The first --warm messages of each kind warm the caches (connections, memos, compiled
validators); the next 10 count the queries each sends (through Django's query log, whose
own CPU is left out of the timing); the next --selects are timed by this thread's CPU
clock (time.thread_time), nothing logged. With --profile, a further --selects are
answered under cProfile (process CPU, the profiler's overhead included) and its top
entries by cumulative and by own time are printed; --queries prints one answer's
statements, each with its median time over 20 answers.

--left-over N: N messages of an earlier overload (their ttl ran out unanswered) lie among
the open ones; --swept: beat's sweep failed them first (`processing.close_overdue`).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import statistics
import time
import uuid

from bench import pgdb
from bench.callbacks_rig import NoQueue

BAP_ID = "bench-select.example"
BAP_URL = "https://bench-select.example/beckn"
DEFAULT_CACHE = "redis://127.0.0.1:6379/12"  # as bench/beckn_ack.py
COUNTED = 10  # messages whose queries are counted (Django's query log), not timed


def _database_url(name: str) -> str:
    if name:
        return pgdb.url_for(name)
    base = os.environ.get("DATABASE_URL", "")
    stem = base.rsplit("/", 1)[-1] if base.startswith("postgres") else "cpo"
    return pgdb.url_for(f"{stem}_bench_select")


def prepare() -> str:
    """The demo, our key and the bench BAP; the BAP's private key."""
    from django.core.management import call_command

    from beckn.models import SigningKey, Subscriber
    from beckn.protocol.signing import generate_keypair
    from beckn.services import jobs, keys

    call_command("seed_demo", "--no-progress", "--sessions", "0", "--stations", "6")
    if not SigningKey.objects.filter(is_active=True).exists():
        keys.generate()
    private, public = generate_keypair()
    Subscriber.objects.update_or_create(
        subscriber_id=BAP_ID, key_id="bench-1",
        defaults={"type": "BAP", "url": BAP_URL, "signing_public_key": public, "rate_limit": 0},
    )  # fmt: skip
    jobs.register(NoQueue())
    return private


def next_saturday_morning() -> dt.datetime:
    """10:00 in India on the coming Saturday: every run quotes the same session (the demo's
    offers depend on the day and hour; a session starting "now" would not)."""
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(ZoneInfo("Asia/Kolkata"))
    day = now.date() + dt.timedelta(days=(5 - now.weekday()) % 7 or 7)
    return dt.datetime.combine(day, dt.time(10), tzinfo=now.tzinfo)


def signed(private: str, count: int) -> list[tuple[str, bytes, str]]:
    """(message_id, body, Authorization) for `count` demo selects of the bench BAP."""
    from beckn.protocol.signing import sign_request
    from beckn.protocol.timefmt import format_timestamp
    from bench.ack_messages import select_body

    start = format_timestamp(next_saturday_morning())
    out = []
    for _ in range(count):
        message_id = str(uuid.uuid4())
        body = select_body(message_id)
        body["context"]["bap_id"] = BAP_ID
        body["context"]["bap_uri"] = BAP_URL
        body["message"]["order"]["fulfillments"][0]["stops"][0]["time"]["timestamp"] = start
        raw = json.dumps(body, separators=(",", ":")).encode()
        header = sign_request(
            raw, subscriber_id=BAP_ID, key_id="bench-1", private_key_b64=private,
            validity=dt.timedelta(minutes=15),
        )  # fmt: skip
        out.append((message_id, raw, header))
    return out


def _counting(count: bool):
    """The queries sent in the block when `count` (Django's query log, which costs CPU of
    its own: timed runs do not count), else nothing is recorded."""
    from contextlib import nullcontext

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    return CaptureQueriesContext(connection) if count else nullcontext(None)


def ack_all(client, messages, count: bool) -> tuple[list[float], list[int]]:
    """POST each; (CPU ms each, queries each when `count`)."""
    cpu, queries = [], []
    for _message_id, raw, header in messages:
        with _counting(count) as seen:
            t0 = time.thread_time()
            response = client.post(
                "/beckn/select", raw, content_type="application/json",
                HTTP_AUTHORIZATION=header,
            )  # fmt: skip
            cpu.append((time.thread_time() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"select refused: {response.status_code} {response.content!r}")
        if seen is not None:
            queries.append(len(seen.captured_queries))
    return cpu, queries


def _inbound_ids(messages) -> list[int]:
    from beckn.models import InboundMessage

    rows = InboundMessage.objects.filter(bap_id=BAP_ID, message_id__in=[m[0] for m in messages])
    ids = dict(rows.values_list("message_id", "pk"))
    return [ids[m[0]] for m in messages]


BATCH = 5  # --batch
DELIVER = False  # --deliver
_COURIER: list = []  # --deliver: the drain's one courier


def answer(ids: list[int]) -> None:
    """As a worker answers the messages in turn, one for each id (the ids are the next in
    turn: answer_all checks each got its on_select); --deliver: as a draining worker
    answers them and sends their callbacks."""
    from beckn import processing, tasks
    from beckn.services import delivery

    if not DELIVER:
        for _ in ids:
            processing.answer_in_turn()
        return
    if not _COURIER:
        _COURIER.append(delivery.Courier())
    for _ in ids:
        tasks.answer_next(_COURIER[0])
        _COURIER[0].record()


def stub_the_network() -> None:
    """--deliver: every POST through the guarded client is answered at once with an ACK."""
    from cpo_portal.outbound import transport

    ack = json.dumps({"message": {"ack": {"status": "ACK"}}}).encode()

    def answered(method, url, **kwargs):
        return transport.Response(200, {"Content-Type": "application/json"}, ack, True)

    transport.request = answered


def answer_all(ids: list[int], count: bool) -> tuple[list[float], list[float]]:
    """Answer them BATCH at a time; (CPU ms per select, queries per select when `count`),
    one figure per batch."""
    from beckn.models import Outbox

    cpu: list[float] = []
    queries: list[float] = []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with _counting(count) as seen:
            t0 = time.thread_time()
            answer(chunk)
            cpu.append((time.thread_time() - t0) * 1000 / len(chunk))
        if seen is not None:
            queries.append(round(len(seen.captured_queries) / len(chunk), 1))
        rows = Outbox.objects.filter(inbound__in=chunk, action="on_select")
        if DELIVER:
            rows = rows.filter(state="delivered")
        done = rows.count()
        if done != len(chunk):
            raise SystemExit(f"{len(chunk) - done} of messages {chunk} got no on_select")
    return cpu, queries


def check_answer(outbox_id: int) -> None:
    """The last answer is a quote, not an error (the bench must time the real path)."""
    from beckn.models import Outbox

    body = json.loads(Outbox.objects.get(pk=outbox_id).payload)
    if "error" in body or "quote" not in body["message"]["order"]:
        raise SystemExit(f"the demo select was not quoted: {body}")


def line(label: str, cpu: list[float], queries: list[float] | list[int]) -> str:
    cpu_sorted = sorted(cpu)
    p95 = cpu_sorted[int(len(cpu_sorted) * 0.95) - 1]
    return (
        f"{label}: CPU per select median {statistics.median(cpu):.2f} ms, mean "
        f"{statistics.fmean(cpu):.2f} ms, p95 {p95:.2f} ms; queries per select "
        f"{statistics.median(queries):g} (min {min(queries)}, max {max(queries)})"
    )


def profile(ids: list[int], top: int) -> None:
    profiler = cProfile.Profile(time.process_time)
    cpu0 = time.process_time()
    profiler.enable()
    for start in range(0, len(ids), BATCH):
        answer(ids[start : start + BATCH])
    profiler.disable()
    cpu = (time.process_time() - cpu0) * 1000 / len(ids)
    print(f"\n=== cProfile of {len(ids)} answers: {cpu:.2f} ms process CPU each "
          "(profiler overhead included) ===")  # fmt: skip
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print(out.getvalue())


def show_queries(ids: list[int]) -> None:
    """Each answer's statements, timed one by one at the driver (perf_counter around each
    execute: the round trip and the server's work), the median per statement printed."""
    from django.db import connection

    runs: list[list[tuple[str, float]]] = []

    def timed(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            runs[-1].append((sql, (time.perf_counter() - t0) * 1000))

    for inbound_id in ids:
        runs.append([])
        with connection.execute_wrapper(timed):
            answer([inbound_id])
    shape = [sql for sql, _ in runs[0]]
    alike = [run for run in runs if [sql for sql, _ in run] == shape]
    print(f"\n=== the {len(shape)} statements of one answer, median wall time of each over "
          f"{len(alike)} answers (ms, at the driver) ===")  # fmt: skip
    for n, sql in enumerate(shape):
        ms = statistics.median(run[n][1] for run in alike)
        print(f"{n + 1:2}. {ms:6.3f} ms  {sql[:160]}")
    print(f"    {sum(statistics.median(r[n][1] for r in alike) for n in range(len(shape))):.3f}"
          " ms in all")  # fmt: skip


def main() -> None:
    global BATCH, DELIVER
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--selects", type=int, default=300)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--batch", type=int, default=BATCH, help="messages answered together")
    parser.add_argument(
        "--queries", action="store_true", help="print one answer's statements, each timed"
    )
    parser.add_argument("--deliver", action="store_true", help="the callbacks sent too")
    parser.add_argument("--database", default="", help="default: <DATABASE_URL's>_bench_select")
    parser.add_argument("--cache", default=os.environ.get("CACHE_URL", DEFAULT_CACHE))
    parser.add_argument("--left-over", type=int, default=0, help="expired open messages")
    parser.add_argument("--swept", action="store_true", help="--left-over failed by the sweep")
    args = parser.parse_args()
    BATCH = max(1, args.batch)
    DELIVER = args.deliver
    url = _database_url(args.database)
    pgdb.recreate(url)
    # The per-BAP backlog is counted in Redis, as deployed; every message is ACKed before
    # any is answered, so its limit is set out of reach (the admission still runs).
    # This process answers the messages itself: no worker beats, and admission must not
    # refuse the ACKs for want of one.
    pgdb.setup(url, CACHE_URL=args.cache, BECKN_MAX_PENDING_PER_BAP="1000000000",
               BECKN_ADMIT_WITHOUT_WORKERS="1")  # fmt: skip
    _forget_backlog()
    from django.db import connection
    from django.test import Client

    private = prepare()
    if DELIVER:
        stub_the_network()
    client = Client()
    # warm (not counted), counted (queries logged, CPU not kept), timed, then the ones
    # whose SQL is printed and the profiled ones: in the order they are answered (in turn)
    shown_count = 20 if args.queries else 0
    spans = [args.warm, COUNTED * BATCH, args.selects, shown_count,
             args.selects if args.profile else 0]  # fmt: skip
    messages = signed(private, sum(spans))
    parts, start = [], 0
    for size in spans:
        parts.append(slice(start, start + size))
        start += size
    warm, counted, timed, shown, profiled = parts
    ack_all(client, messages[warm], count=False)
    _, ack_queries = ack_all(client, messages[counted], count=True)
    ack_cpu, _ = ack_all(client, messages[timed], count=False)
    ack_all(client, messages[timed.stop :], count=False)
    ids = _inbound_ids(messages)
    leave_over(args.left_over, args.swept)
    answer_all(ids[warm], count=False)
    _, queries = answer_all(ids[counted], count=True)
    server_before = pgdb.backend_cpu()
    cpu, _ = answer_all(ids[timed], count=False)
    server_after = pgdb.backend_cpu()
    check_answer(_last_outbox())
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    left = f"; {args.left_over} left over ({'swept' if args.swept else 'open'})"
    print(
        f"PostgreSQL {version}, {os.cpu_count()} CPUs, load average {pgdb.load_average()}; "
        f"demo selects, {args.selects} timed after {args.warm} warm{left * bool(args.left_over)}"
    )
    print(line("ACK (POST /beckn/select, test client)", ack_cpu, ack_queries))
    how = "tasks.answer_next, the callback sent" if DELIVER else "processing.answer_in_turn"
    print(line(f"answer ({how})", cpu, queries))
    if server_before is not None and server_after is not None:
        server_ms = (server_after - server_before) * 1000 / max(1, args.selects)
        print(f"answer: PostgreSQL server CPU per select {server_ms:.2f} ms (mean, /proc)")
    if args.queries:
        show_queries(ids[shown])
    if args.profile:
        profile(ids[profiled], args.top)
    _forget_backlog()


def leave_over(count: int, swept: bool) -> None:
    """`count` messages whose ttl ran out unanswered an hour ago: open, or failed."""
    from django.utils import timezone

    from beckn import processing
    from beckn.models import InboundMessage

    at = timezone.now() - dt.timedelta(hours=1)
    row = dict(bap_id="left.example", action="select", body={}, received_at=at, fair_at=at)
    InboundMessage.objects.bulk_create(
        InboundMessage(message_id=f"x{n}", transaction_id=f"x{n}", expires_at=at, **row)
        for n in range(count)
    )
    if swept:
        processing.close_overdue(timezone.now())


def _forget_backlog() -> None:
    """The bench BAP's backlog count in the cache (its messages are all answered)."""
    from django.core.cache import caches

    caches["default"].delete(f"beckn:pending:{BAP_ID}")


def _last_outbox() -> int:
    from beckn.models import Outbox

    return Outbox.objects.filter(action="on_select").latest("pk").pk


if __name__ == "__main__":
    main()
