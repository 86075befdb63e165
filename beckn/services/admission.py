"""Admission: an ACK only for a message that a live worker can answer within its ttl, and
its turn among the messages waiting (services.intake asks before it stores a message).

An ACK promises a signed callback within the message's ttl. Before giving one:

- Some worker host must be alive: a consuming worker process whose heartbeat is fresher
  than BECKN_WORKER_STALE_SECONDS (services.heartbeat). With none, the answer is a 503
  NACK (code 50000) with Retry-After, unless BECKN_ADMIT_WITHOUT_WORKERS.
- The messages that will be answered before it must fit in its window at the measured
  drain rate (services.heartbeat.drain: the live processes' rates added up): its BAP's
  own waiting messages, and from every other BAP as many as its BAP has waiting, plus one
  (turns go round the BAPs, below). Beyond SHARE_OF_WINDOW of the time left to its ttl:
  a 503 NACK whose Retry-After is the time the excess takes. Before any rate is measured
  this check is off.

Its turn (`fair_at`): its arrival + its BAP's waiting messages / the drain rate. Workers
take the open message whose turn comes first (processing.waiting), so a BAP with a long
backlog has its new messages placed behind it, and a BAP with none is answered next,
whatever another one sent before: one BAP's backlog never delays another's answer.

What it reads (the live heartbeats, the open messages counted per BAP) is read at most
every MEMO_SECONDS per process, so a request costs no query; the messages this process
admits meanwhile are added to its counts.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from beckn import conf
from beckn.models import INBOUND_OPEN, InboundMessage
from beckn.services import heartbeat
from cpo_portal.models import Checked

MEMO_SECONDS = 0.5
# Of the time left to a message's ttl, what its wait may take: the other half is left for
# a worker host that dies meanwhile to be started again (and its held messages answered).
SHARE_OF_WINDOW = 0.5
UNMEASURED_RATE = 20.0  # answers per second assumed for turns before any is measured
LOG_EVERY = 10.0  # seconds: at most one log line per process for the messages declined


@dataclass
class View:
    live: bool  # a worker host is alive
    rate: float  # answers per second of the live workers (0: not measured)
    pending: dict[str, int]  # open messages per BAP


@dataclass(frozen=True)
class Decision:
    fair_at: dt.datetime
    refusal: str = ""  # why not now ("": admitted)
    retry_after: int = 0


_lock = threading.Lock()
_declined = {"count": 0, "logged_at": -math.inf}
log = logging.getLogger(__name__)


def forget() -> None:
    """The next decision reads afresh (and the next one declined is logged)."""
    _view.forget()
    with _lock:
        _declined.update(count=0, logged_at=-math.inf)


def read(now: dt.datetime) -> View:
    beats = heartbeat.live(now)
    open_messages = (
        InboundMessage.objects.filter(state__in=INBOUND_OPEN, expires_at__gt=now)
        .order_by()
        .values("bap_id")
        .annotate(n=Count("id"))
        .values_list("bap_id", "n")
    )
    return View(
        live=any(beat.consumer for beat in beats),
        rate=heartbeat.drain(beats),
        pending=dict(open_messages),
    )


# The view, read again once it is MEMO_SECONDS old, by one request at a time: the others
# decide on the view held meanwhile (Checked: all of a process's greenlets reading it at
# once cost more than their admissions).
_view: Checked[View] = Checked(lambda: read(timezone.now()))


def ahead(pending: dict[str, int], bap_id: str) -> int:
    """The open messages answered before a new one of `bap_id`, turns going round the BAPs."""
    own = pending.get(bap_id, 0)
    return own + sum(min(n, own + 1) for other, n in pending.items() if other != bap_id)


def decide(bap_id: str, expires_at: dt.datetime, now: dt.datetime) -> Decision:
    """Whether a message of `bap_id` answerable until `expires_at` may be ACKed now, and
    its turn."""
    view = _view.get(MEMO_SECONDS, time.monotonic())
    own = view.pending.get(bap_id, 0)
    fair_at = now + dt.timedelta(seconds=own / (view.rate or UNMEASURED_RATE))
    if not view.live and not conf.get("BECKN_ADMIT_WITHOUT_WORKERS"):
        retry = max(1, math.ceil(float(conf.get("BECKN_WORKER_STALE_SECONDS"))))
        return Decision(fair_at, "no worker is running to answer it", retry)
    if view.rate > 0:
        before = ahead(view.pending, bap_id)
        wait = (before + 1) / view.rate
        window = (expires_at - now).total_seconds() * SHARE_OF_WINDOW
        if wait > window:
            return Decision(
                fair_at,
                f"{before} messages would be answered before it, "
                f"{wait:.0f} s at {view.rate:.1f} answers/s, past its ttl",
                max(1, math.ceil(wait - window)),
            )
    with _lock:
        view.pending[bap_id] = own + 1
    return Decision(fair_at)


def note_declined(status: int, reason: str) -> None:
    """A Beckn message refused for now (a 429 or 503 NACK: a limit, or no worker could
    answer it in time). One WARNING per LOG_EVERY seconds per process: how many were
    declined, the last why (django.request's line for each is dropped: log_filters)."""
    with _lock:
        _declined["count"] += 1
        if time.monotonic() - _declined["logged_at"] < LOG_EVERY:
            return
        count, _declined["count"] = _declined["count"], 0
        _declined["logged_at"] = time.monotonic()
    log.warning("declined %d Beckn message(s) (the last: %d, %s)", count, status, reason)
