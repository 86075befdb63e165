"""How many answers each BAP is waiting for, and the limit on it (BECKN_MAX_PENDING_PER_BAP).

An ACK promises a callback. A BAP that already waits for BECKN_MAX_PENDING_PER_BAP of
them gets a NACK instead (intake: 429, code 50000, Retry-After), never an ACK whose
answer would expire unsent behind its own backlog; and since no BAP can queue more than
the limit, none can push another's messages far back in the workers' queue.

Where it is counted:

- With a Redis cache (production: CACHE_URL), one sorted set per BAP in Redis: a member
  per accepted message (its message_id), scored with the time its answer expires (the
  request's ttl). Admission is one Lua script (drop expired members, count, add if under
  the limit), atomic across every web process; one call admits all the messages that
  share an INSERT (services.group_insert), each in turn. A member leaves when the callback reaches
  a final state (delivered, refused by the BAP, expired, undeliverable; the first part of
  a multi-part answer), and on its own at its expiry if that step is lost (a worker that
  died), so the count cannot drift for longer than a ttl.
- With any other cache (the embedded default's per-process memory), the count is read
  from the database: messages accepted and not yet processed plus callbacks pending or
  being sent (two partial indexes). Not atomic: requests accepted at the same moment may
  pass the limit by the number in flight.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.cache import caches

from beckn import conf
from beckn.models import InboundMessage, InboundState, Outbox, OutboxState
from beckn.services import redisclient

# KEYS: the sorted set of each message's BAP; ARGV: now, the limit, then each message's member
# (its message_id) and expiry. Answers one integer per message: -1 admitted (or counted
# already: a retry), else the number its BAP already waits for.
ADMIT = """
local now, most, out = ARGV[1], tonumber(ARGV[2]), {}
for i, key in ipairs(KEYS) do
  local member = ARGV[2 * i + 1]
  out[i] = -1
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if not redis.call('ZSCORE', key, member) then
    local count = redis.call('ZCARD', key)
    if count >= most then
      out[i] = count
    else
      redis.call('ZADD', key, ARGV[2 * i + 2], member)
      local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2]
      redis.call('EXPIREAT', key, math.ceil(tonumber(last)) + 1)
    end
  end
end
return out
"""


def limit() -> int:
    return int(conf.get("BECKN_MAX_PENDING_PER_BAP"))


def retry_after() -> int:
    return max(1, math.ceil(float(conf.get("BECKN_PENDING_RETRY_AFTER"))))


def _key(bap_id: str) -> str:
    return caches["default"].make_key(f"beckn:pending:{bap_id}")


def admit(bap_id: str, message_id: str, expires_at: datetime, now: datetime) -> int | None:
    """None: admitted (counted until its callback is done). Otherwise the number of answers
    the BAP is already waiting for, at or over the limit: refuse."""
    return admit_many([(bap_id, message_id, expires_at)], now)[0]


def admit_many(messages: Sequence[tuple[str, str, datetime]], now: datetime) -> list[int | None]:
    """`admit` for several (bap_id, message_id, expires_at), in order. With Redis, one
    script call for all of them (the messages of one group insert), in which each one
    admitted takes a place that the next one of its BAP sees."""
    most = limit()
    if most <= 0:
        return [None] * len(messages)
    script = redisclient.script(caches["default"], ADMIT)
    if script is None:
        counts = [pending_in_database(bap_id, most) for bap_id, _, _ in messages]
        return [waiting if waiting >= most else None for waiting in counts]
    args: list[Any] = [now.timestamp(), most]
    for _, message_id, expires_at in messages:
        args += [message_id, expires_at.timestamp()]
    found = script(keys=[_key(bap_id) for bap_id, _, _ in messages], args=args)
    return [None if int(n) < 0 else int(n) for n in found]


def release(pairs: Iterable[tuple[str, str]]) -> None:
    """(bap_id, message_id) whose answers are done: the BAPs may send that many more."""
    client = redisclient.client(caches["default"]) if limit() > 0 else None
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
    """Messages accepted and not processed, and callbacks not yet done, counted up to `cap`."""
    inbound = InboundMessage.objects.filter(
        bap_id=bap_id, state__in=[InboundState.RECEIVED, InboundState.PROCESSING]
    ).values("pk")[:cap]
    waiting = len(inbound)
    if waiting >= cap:
        return waiting
    outbox = Outbox.objects.filter(
        subscriber_id=bap_id, state__in=[OutboxState.PENDING, OutboxState.SENDING]
    ).values("pk")[: cap - waiting]
    return waiting + len(outbox)
