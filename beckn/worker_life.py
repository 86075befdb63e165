"""A Celery worker's life as the BPP sees it: its heartbeat (services.heartbeat) from the
moment it takes task messages to its stop, and on its start every message left waiting
answered (beckn.tasks.answer_left_waiting). Connected in every process (beckn.apps); only
a worker's signals fire.

- The consuming process (every pool) beats from `worker_ready`, as a consumer: its row
  makes its host a live worker host. Under the solo, threads and gevent pools it also
  answers the messages, and its row carries the drain rate (of all its threads or
  greenlets: the pool's concurrency).
- Each prefork pool process beats from `worker_process_init`, with its own drain rate.
"""

from __future__ import annotations

from typing import Any

from celery.signals import (
    celeryd_init,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)
from django.utils import timezone

from beckn.services import heartbeat

WIDE = ("thread", "gevent", "eventlet")  # pools answering several messages in one process
_node = {"name": ""}  # this worker's node name, set before its pool processes fork


@celeryd_init.connect(weak=False, dispatch_uid="beckn-worker-node")
def _named(sender: Any = None, **_: Any) -> None:
    _node["name"] = str(sender or "")


@worker_process_init.connect(weak=False, dispatch_uid="beckn-pool-process-beats")
def _pool_process_started(**_: Any) -> None:
    heartbeat.start(_node["name"] or "worker", "prefork", consumer=False)


@worker_ready.connect(weak=False, dispatch_uid="beckn-worker-beats")
def _ready(sender: Any = None, **_: Any) -> None:
    from beckn.tasks import answer_left_waiting

    host = str(getattr(sender, "hostname", "") or _node["name"] or "worker")
    pool = type(getattr(sender, "pool", None)).__module__.rsplit(".", 1)[-1]
    width = int(getattr(sender, "concurrency", 1) or 1) if pool in WIDE else 1
    started_at = timezone.now()
    heartbeat.start(host, pool, consumer=True, width=width)
    answer_left_waiting.delay(host, started_at.isoformat())


@worker_process_shutdown.connect(weak=False, dispatch_uid="beckn-pool-process-stops")
@worker_shutdown.connect(weak=False, dispatch_uid="beckn-worker-stops")
def _stopping(**_: Any) -> None:
    heartbeat.stop()
