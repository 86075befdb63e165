"""Worker heartbeats and the drain meter: what services.admission reads to know that a
worker is alive and how fast the workers answer.

Every worker process that answers messages writes its row (models.WorkerHeartbeat) every
BECKN_HEARTBEAT_EVERY seconds from a thread of its own (beckn.worker_life starts it: in
the process that consumes task messages once it is ready, and in each prefork pool
process; under gevent the thread is a greenlet). The row carries the process's drain
rate: messages answered per second while it was answering, an average that follows the
recent answers (DECAY), so that the rates of a host's processes add up to what the host
answers while all of them are busy. Under the threads or gevent pool the answers are timed
per thread (or greenlet), `width` of them at once, so the row carries that many times the
rate of one. A callback's POST to a slow BAP (services.slow_baps)
is not timed: it holds one process (or thread), not the pace of each answer. A process that stops
cleanly deletes its row; one that is killed leaves it to go stale
(BECKN_WORKER_STALE_SECONDS). Once its first row is written, the process holds leases
under its name (cpo_portal.background.lease_holder); the sweep releases the leases of
every name not among `live_holders`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import DatabaseError, IntegrityError, close_old_connections, connection
from django.utils import timezone

from beckn import conf
from beckn.models import WorkerHeartbeat
from cpo_portal.background import lease_holder

log = logging.getLogger(__name__)

DECAY = 0.1  # the weight of each new answer in the average time an answer takes
# A process's first answers are not timed: they load what the process keeps (the signing
# key, the registry memo, connections), and a second for them would read as a slow host.
WARM_UP = 3
FORGET_AFTER = dt.timedelta(hours=1)  # rows of processes dead this long are deleted
FORGET_EVERY = 60  # beats between two such deletions


@dataclass
class _Meter:
    answered: int = 0
    seconds_per_answer: float = 0.0  # 0: nothing timed yet
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, count: int, seconds: float) -> None:
        if count <= 0:
            return
        each = max(seconds, 0.0) / count
        with self.lock:
            self.answered += count
            if self.answered <= WARM_UP:
                return
            if self.seconds_per_answer == 0.0:
                self.seconds_per_answer = each
            else:
                weight = 1.0 - (1.0 - DECAY) ** count
                self.seconds_per_answer += weight * (each - self.seconds_per_answer)

    def rate(self) -> float:
        with self.lock:
            per = self.seconds_per_answer
        return 1.0 / per if per > 0 else 0.0


_meter = _Meter()


def note_answered(count: int, seconds: float) -> None:
    """`count` messages answered (with their callbacks sent) in `seconds` of this process."""
    _meter.note(count, seconds)


def drain_rate() -> float:
    """This process's answers per second while answering, recently (0: none yet)."""
    return _meter.rate()


@dataclass(frozen=True)
class Identity:
    host: str
    pool: str
    consumer: bool
    width: int = 1  # answers in flight at once: the threads or greenlets of the pool
    pid: int = field(default_factory=os.getpid)


def beat(identity: Identity, now: dt.datetime | None = None) -> None:
    """Write this process's heartbeat now."""
    now = now or timezone.now()
    values = {
        "pool": identity.pool,
        "consumer": identity.consumer,
        "beat_at": now,
        "answered": _meter.answered,
        "drain_rate": drain_rate() * identity.width,
    }
    rows = WorkerHeartbeat.objects.filter(host=identity.host, pid=identity.pid)
    if not rows.update(**values):
        try:
            WorkerHeartbeat.objects.create(host=identity.host, pid=identity.pid, **values)
        except IntegrityError:  # written meanwhile (a beat that timed out and went on)
            rows.update(**values)


class _Beating:
    """The thread of one process: beats until stopped."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="beckn-heartbeat", daemon=True)

    def one_beat(self, beats: int) -> None:
        """The `beats`-th beat of this process's thread (0: its first)."""
        beat(self.identity)
        if not lease_holder.current():  # its row written: it can be found dead
            lease_holder.become(self.identity.host)
        if self.identity.consumer and beats % FORGET_EVERY == 0:
            gone = timezone.now() - FORGET_AFTER
            WorkerHeartbeat.objects.filter(beat_at__lt=gone).delete()

    def _run(self) -> None:
        every = float(conf.get("BECKN_HEARTBEAT_EVERY"))
        beats = 0
        while not self.stopped.is_set():
            with _not_across_a_fork():
                close_old_connections()
                try:
                    self.one_beat(beats)
                except DatabaseError:
                    log.warning("could not write the worker heartbeat", exc_info=True)
                    connection.close()
            beats += 1
            self.stopped.wait(every)
        connection.close()


# A process forked while its parent has an SQLite database open inherits SQLite's record
# of that open file but not its locks, and cannot use the database ("disk I/O error"): the
# pool processes a prefork worker starts again (after one died, or in its warm shutdown)
# failed every beat.
# So a fork waits for a beat under way, and under SQLite the beat closes its connection.
_between_forks = threading.Lock()


@contextlib.contextmanager
def _not_across_a_fork() -> Iterator[None]:
    with _between_forks:
        try:
            yield
        finally:
            if connection.vendor == "sqlite":
                connection.close()


os.register_at_fork(
    before=_between_forks.acquire,
    after_in_parent=_between_forks.release,
    after_in_child=_between_forks.release,
)


_beating: _Beating | None = None
_lock = threading.Lock()


def start(host: str, pool: str, consumer: bool, width: int = 1) -> None:
    """Beat from now on in this process (a forked process starts its own)."""
    global _beating, _meter
    with _lock:
        if _beating is not None and _beating.identity.pid == os.getpid():
            return
        if _beating is not None:  # inherited through fork: not this process's
            _meter = _Meter()
        _beating = _Beating(Identity(host, pool, consumer, width))
        _beating.thread.start()


def stop() -> None:
    """Stop beating and delete this process's row: no longer a live worker."""
    global _beating
    with _lock:
        beating, _beating = _beating, None
    if beating is None or beating.identity.pid != os.getpid():
        return
    beating.stopped.set()
    beating.thread.join(5)
    lease_holder.become("")
    try:
        identity = beating.identity
        with _not_across_a_fork():
            WorkerHeartbeat.objects.filter(host=identity.host, pid=identity.pid).delete()
    except DatabaseError:
        log.warning("could not delete the worker heartbeat", exc_info=True)


class Beat(NamedTuple):
    host: str
    consumer: bool
    pool: str
    drain_rate: float

    @property
    def answers(self) -> bool:
        """Whether this process answers messages (a prefork consumer hands them out)."""
        return not (self.consumer and self.pool == "prefork")


def live_holders(now: dt.datetime) -> set[str]:
    """The lease holder names (cpo_portal.background.lease_holder) of every process whose
    heartbeat is fresh beside the others': a lease held under any other name is a dead
    process's. Fresh is within BECKN_WORKER_STALE_SECONDS of the newest heartbeat (or of
    `now`, if that is sooner), not of `now` alone: when no heartbeat could be written for
    a while (the database stalled, or was away), every process is as late as the others
    and none is taken for dead, so nothing is sent twice for it; a process killed falls
    behind the live ones. With no heartbeat at all, nobody is known alive."""
    rows = list(WorkerHeartbeat.objects.values_list("host", "pid", "beat_at"))
    if not rows:
        return set()
    newest = min(now, max(beat_at for _, _, beat_at in rows))
    since = newest - conf.seconds("BECKN_WORKER_STALE_SECONDS")
    return {lease_holder.of(host, pid) for host, pid, beat_at in rows if beat_at >= since}


def live(now: dt.datetime) -> list[Beat]:
    """Every process whose heartbeat is fresh."""
    since = now - conf.seconds("BECKN_WORKER_STALE_SECONDS")
    rows = WorkerHeartbeat.objects.filter(beat_at__gte=since)
    return [Beat(*row) for row in rows.values_list("host", "consumer", "pool", "drain_rate")]


def drain(beats: list[Beat]) -> float:
    """Answers per second of these processes when all are busy (0: none measured yet): a
    process not measured yet is taken to answer as fast as the measured ones do."""
    answering = [b.drain_rate for b in beats if b.answers]
    measured = [rate for rate in answering if rate > 0]
    return sum(measured) / len(measured) * len(answering) if measured else 0.0
