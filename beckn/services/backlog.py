"""How many answers each BAP is waiting for, and the limit on it (BECKN_MAX_PENDING_PER_BAP).

An ACK promises a callback. A BAP that already waits for BECKN_MAX_PENDING_PER_BAP of
them gets a NACK instead (intake: 429, code 50000, Retry-After), never an ACK whose
answer would expire unsent behind its own backlog; and since no BAP can queue more than
the limit, none can push another's messages far back in the workers' queue.

Where it is counted:

- With a Redis cache (production: CACHE_URL), one sorted set per BAP in Redis: a member
  per accepted message (its message_id), scored with the time its answer expires (the
  request's ttl). Admission is one Lua script on services.redisclient (count the
  sender's rate, drop expired members, count, add if under the limit), atomic across
  every web process. A member leaves when the callback reaches a final state
  (delivered, refused by the BAP, expired, undeliverable; the first part of a
  multi-part answer), and on its own at its expiry if that step is lost (a worker that
  died), so the count cannot drift for longer than a ttl.
- With any other cache (the embedded default's per-process memory), the count is read
  from the database: messages accepted and not yet processed plus callbacks pending or
  being sent (two partial indexes). Not atomic: requests accepted at the same moment may
  pass the limit by the number in flight.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, NamedTuple

from django.core.cache import caches
from django.utils import timezone

from beckn import conf
from beckn.models import (
    INBOUND_OPEN,
    OUTBOX_OPEN,
    InboundMessage,
    Outbox,
)
from beckn.services import ratelimit, redisclient

# KEYS: per message, its BAP's sorted set and its subscriber's rate counter for this
# minute. ARGV: now, the backlog limit (0: none), the counter's ttl, then per message its
# member (its message_id), expiry and rate limit (0: none). Answers one integer per
# message: -1 admitted (or counted already: a retry), -2 over its rate limit (counted,
# not admitted), else the number its BAP already waits for.
ADMIT = """
local now, most, ttl, out = ARGV[1], tonumber(ARGV[2]), ARGV[3], {}
for i = 1, #KEYS / 2 do
  local key, rate, member = KEYS[2 * i - 1], KEYS[2 * i], ARGV[3 * i + 1]
  local per_minute = tonumber(ARGV[3 * i + 3])
  out[i] = -1
  if per_minute > 0 then
    local requests = redis.call('INCR', rate)
    if requests == 1 then redis.call('EXPIRE', rate, ttl) end
    if requests > per_minute then out[i] = -2 end
  end
  if out[i] == -1 and most > 0 then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    if not redis.call('ZSCORE', key, member) then
      local count = redis.call('ZCARD', key)
      if count >= most then
        out[i] = count
      else
        redis.call('ZADD', key, ARGV[3 * i + 2], member)
        local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]
        redis.call('EXPIREAT', key, math.ceil(tonumber(last)) + 1)
      end
    end
  end
end
return out
"""
RATE_LIMITED: Final = -1  # admit_many's answer for a message over its sender's rate limit


class Message(NamedTuple):
    bap_id: str
    message_id: str
    expires_at: datetime
    per_minute: int = 0  # the sender's rate limit (services.ratelimit), counted here; 0: none


def limit() -> int:
    return int(conf.get("BECKN_MAX_PENDING_PER_BAP"))


def retry_after() -> int:
    return max(1, math.ceil(float(conf.get("BECKN_PENDING_RETRY_AFTER"))))


def _key(bap_id: str) -> str:
    return caches["default"].make_key(f"beckn:pending:{bap_id}")


GROUP_MOST = 16  # messages in one shared admission call at most


@dataclass(slots=True)
class _Place:
    message: Message
    done: bool = False
    answer: int | None = None
    error: BaseException | None = None


_queue_lock = threading.Lock()  # held for the queue only
_call_lock = threading.Lock()  # held through a shared call's round trip
_queued: list[_Place] = []


def admit_one(message: Message, now: datetime) -> int | None:
    """`admit_many([message], now)[0]`, except that the requests of this process that
    arrive while its admission call is in flight go together in the next one (speed only:
    bench/results/beckn_ack.md, "one admission call for the requests waiting"). Each is
    counted and answered as if alone, in the order they queued."""
    if redisclient.script(ADMIT) is None:  # counted here, in this request's transaction
        return admit_many([message], now)[0]
    place = _Place(message)
    with _queue_lock:
        _queued.append(place)
    while not place.done:  # more than GROUP_MOST queued ahead of it: the next call
        with _call_lock:
            if not place.done:
                _call_for_queued(now)
    if place.error is not None:
        raise place.error
    return place.answer


def _call_for_queued(now: datetime) -> None:
    with _queue_lock:
        group = _queued[:GROUP_MOST]
        del _queued[:GROUP_MOST]
    answers: list[int | None] = [None] * len(group)
    error: Exception | None = None
    try:
        answers = admit_many([p.message for p in group], now)
    except Exception as exc:
        error = exc
    except BaseException:  # this request is being stopped: the others are not
        error = RuntimeError("the shared admission call was interrupted; retry")
        raise
    finally:
        for place, answer in zip(group, answers, strict=True):
            place.answer, place.error, place.done = answer, error, True


def admit_many(messages: Sequence[Message], now: datetime) -> list[int | None]:
    """Each message, in order, first counted against its sender's rate limit
    (RATE_LIMITED: over it, not admitted), then admitted (None: counted until its callback
    is done) or not (the number of answers its BAP already waits for, at or over the
    limit). With Redis, one script call for all of them, in which each one admitted takes
    a place that the next one of its BAP sees."""
    most = limit()
    if most <= 0 and not any(m.per_minute > 0 for m in messages):
        return [None] * len(messages)
    backend = caches["default"]
    script = redisclient.script(ADMIT)
    if script is None:
        return [_admit_here(m, most) for m in messages]
    keys: list[str] = []
    args: list[Any] = [now.timestamp(), max(most, 0), ratelimit.WINDOW_TTL]
    for m in messages:
        keys += [_key(m.bap_id), backend.make_key(ratelimit.key(m.bap_id))]
        args += [m.message_id, m.expires_at.timestamp(), max(m.per_minute, 0)]
    found = [int(n) for n in script(keys=keys, args=args)]
    return [None if n == -1 else RATE_LIMITED if n == -2 else n for n in found]


def _admit_here(message: Message, most: int) -> int | None:
    """Without Redis: the rate counted in the cache, the backlog in the database."""
    if message.per_minute > 0 and not ratelimit.allow(message.bap_id, message.per_minute):
        return RATE_LIMITED
    if most <= 0:
        return None
    waiting = pending_in_database(message.bap_id, most)
    return waiting if waiting >= most else None


def release(pairs: Iterable[tuple[str, str]]) -> None:
    """(bap_id, message_id) whose answers are done: the BAPs may send that many more."""
    client = redisclient.client() if limit() > 0 else None
    if client is None:
        return  # counted from the database: nothing to release
    by_bap: dict[str, set[str]] = defaultdict(set)
    for bap_id, message_id in pairs:
        by_bap[bap_id].add(message_id)
    if not by_bap:
        return
    pipe = client.pipeline(transaction=False)
    for bap_id, message_ids in by_bap.items():
        pipe.zrem(_key(bap_id), *message_ids)
    pipe.execute()


def pending_in_database(bap_id: str, cap: int) -> int:
    """Messages accepted and not processed (while their answer may still go), and callbacks
    not yet done, counted up to `cap`."""
    inbound = InboundMessage.objects.filter(
        bap_id=bap_id,
        state__in=INBOUND_OPEN,
        expires_at__gt=timezone.now(),
    )[:cap].count()
    if inbound >= cap:
        return inbound
    outbox = Outbox.objects.filter(subscriber_id=bap_id, state__in=OUTBOX_OPEN)[
        : cap - inbound
    ].count()
    return inbound + outbox
