"""The three delivery faults, each run end to end on a Rig (tests/support/faults/harness):
a BAP that is down for a while, a worker killed mid-POST, and a broker restarted empty.

Each returns an Outcome: the tally of what arrived plus the facts that show the fault
really happened (attempts that failed while the BAP was down, rows in flight when the
worker died, rows whose queued task vanished with the broker). The caller asserts or
prints; nothing here decides pass or fail.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field

from tests.support.faults.harness import UTC, Rig, Tally, tally, wait_until

SWEEP = {"BECKN_REQUEUE_EVERY": "2"}  # beat runs beckn.requeue_stuck every 2 s


@dataclass
class Outcome:
    name: str
    tally: Tally
    recovered_at: dt.datetime
    facts: dict[str, object] = field(default_factory=dict)

    @property
    def drain_seconds(self) -> float | None:
        last = self.tally.last_arrival
        return None if last is None else max(0.0, (last - self.recovered_at).total_seconds())

    def report(self) -> str:
        facts = ", ".join(f"{k} {v}" for k, v in self.facts.items())
        drain = self.drain_seconds
        drained = "n/a" if drain is None else f"{drain:.1f} s"
        return f"{self.name}: {self.tally.line()}; drained {drained} after recovery; {facts}"


def _now() -> dt.datetime:
    return dt.datetime.now(UTC)


def _ttl(seconds: float) -> str:
    return f"PT{math.ceil(seconds)}S"


def bap_down(
    bpp_id: str, count: int, down_seconds: float, concurrency: int = 1, ttl_after: float = 120
) -> Outcome:
    """The BAP's endpoint refuses connections for `down_seconds` while its callbacks are
    produced; then it comes back on the same port. Production backoff (0.5 s doubling to
    30 s); the requests' ttl ends `ttl_after` seconds after the outage."""
    from beckn.models import DeliveryAttempt

    rig = Rig(bpp_id, settings_env=dict(SWEEP))
    try:
        rig.beat()
        rig.worker("worker", concurrency)
        rig.wait_ready()
        down_since = time.monotonic()  # the receiver has not been started: refused
        ids = rig.feed(count, ttl=_ttl(down_seconds + ttl_after))
        tried = DeliveryAttempt.objects.filter(outbox__subscriber_id=rig.bap.subscriber_id)
        wait_until(
            lambda: tried.values("outbox").distinct().count() == count,
            timeout=down_seconds + 60, what="a failed attempt for every callback",
        )  # fmt: skip
        time.sleep(max(0.0, down_since + down_seconds - time.monotonic()))
        failed_while_down = tried.count()
        rig.receiver.start()
        up_at, down_for = _now(), time.monotonic() - down_since
        rig.wait_settled(ids, timeout=down_seconds + ttl_after + 30)
        return Outcome(
            "BAP down", tally(rig), up_at,
            {"down for": f"{down_for:.0f} s", "failed attempts while down": failed_while_down},
        )  # fmt: skip
    finally:
        rig.close()


def worker_killed(
    bpp_id: str, count: int, lease: float = 8, concurrency: int = 1, sibling: bool = False
) -> Outcome:
    """The receiver holds the first POSTs open (one per thread or process); the worker is
    SIGKILLed while they are in flight; a replacement starts. The held callbacks can only
    come back through the sweep (beat's beckn.requeue_stuck: the broker keeps the killed
    task unacknowledged for its hour-long visibility timeout): once their lease runs out,
    or once the killed process's heartbeat is stale (its leases name it). With `sibling`,
    another worker host lives throughout (taking no Beckn work), so the replacement does
    not start alone, and releases nothing for that alone."""
    from beckn.models import OutboxState

    rig = Rig(bpp_id, settings_env={**SWEEP, "BECKN_CALLBACK_LEASE": str(lease)})
    try:
        rig.receiver.hold_next = concurrency
        rig.receiver.start()
        rig.beat()
        if sibling:
            rig.worker("sibling", queues="rollups")
        victim = rig.worker("victim", concurrency)
        rig.wait_ready()
        ids = rig.feed(count, ttl="PT5M")
        wait_until(lambda: rig.receiver.count() >= concurrency, 60, "the held POSTs")
        victim.kill()
        killed_at = _now()
        held = {a.message_id for a in rig.receiver.snapshot()[:concurrency]}
        in_flight = rig.rows().filter(state=OutboxState.SENDING).count()
        rig.receiver.release()
        rig.worker("replacement", concurrency)  # starts while the lease runs out
        rig.wait_settled(ids, timeout=lease + 120)
        result = tally(rig)
        resent = rig.rows().filter(message_id__in=held, attempts__gte=2).count()
        again = [a.at for a in rig.receiver.snapshot()[concurrency:] if a.message_id in held]
        resent_after = (max(again) - killed_at).total_seconds() if again else None
        return Outcome(
            "worker killed", result, killed_at,
            {"held when killed": len(held), "rows sending when killed": in_flight,
             "held rows sent again": resent, "seconds from the kill to the last": resent_after},
        )  # fmt: skip
    finally:
        rig.close()


def broker_restart(
    bpp_id: str, count: int, delay: float = 0.2, concurrency: int = 1, after: int = 3
) -> Outcome:
    """Requests come faster than a slow BAP (`delay` s per answer) takes their callbacks
    (sent by the worker that processes each), so processing tasks queue up in Redis; after
    `after` arrivals Redis is killed and restarted empty (no persistence). The database is
    the truth: beckn.requeue_stuck re-queues the processing of inbound messages whose task
    was lost, and callbacks whose retry was lost."""
    from beckn.models import InboundMessage, InboundState, OutboxState

    rig = Rig(bpp_id, settings_env=dict(SWEEP))
    try:
        rig.receiver.delay = delay
        rig.receiver.start()
        rig.beat()
        rig.worker("worker", concurrency)
        rig.wait_ready()
        ids = rig.feed(count, ttl="PT5M")
        wait_until(lambda: rig.receiver.count() >= after, 60, f"{after} arrivals")
        tasks_lost = rig.redis.queued()
        rig.redis.crash()
        waiting = rig.rows().filter(state=OutboxState.PENDING).count()
        unprocessed = InboundMessage.objects.filter(
            bap_id=rig.bap.subscriber_id, state=InboundState.RECEIVED
        ).count()
        time.sleep(1)
        rig.redis.start()
        restarted_at = _now()
        rig.wait_settled(ids, timeout=150)
        return Outcome(
            "broker restart", tally(rig), restarted_at,
            {"callbacks pending at the crash": waiting,
             "requests unprocessed at the crash": unprocessed,
             "Celery messages lost with Redis": tasks_lost},
        )  # fmt: skip
    finally:
        rig.close()
