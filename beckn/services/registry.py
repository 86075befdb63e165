"""Who is who on the network: the local registry first, then (optionally) a remote one.

The local registry is read through a per-process memo that every registry write
invalidates in all processes within BECKN_REGISTRY_CHECK_MS (see LocalMemo).

The remote registry is the Beckn registry `/lookup` API (POST {subscriber_id, ukId} ->
a list of subscriber records), called through the one guarded client
(`cpo_portal.outbound.transport`: one deadline, no redirect, a bounded answer). Its
answers, found or not, are cached so a burst of requests from one BAP costs one lookup;
a registry that is down counts as "not found" for the cache's short negative lifetime,
never as an error the caller sees.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from beckn import conf
from beckn.models import (
    Subscriber,
    SubscriberStatus,
    Vocabulary,
)
from beckn.protocol.signing import verify_request
from beckn.services import reconnect
from cpo_portal.models import Checked, Stamp
from cpo_portal.outbound import transport

log = logging.getLogger(__name__)
NEGATIVE_CACHE_SECONDS = 30
REGISTRY_MAX_BYTES = 1_000_000  # a lookup's answer: a few subscriber records


@dataclass(frozen=True, slots=True)
class Entry:
    subscriber_id: str
    key_id: str
    type: str
    url: str
    public_key: str
    vocabularies: str = Vocabulary.BOTH
    rate_limit: int | None = None


@dataclass(frozen=True, slots=True)
class _Found:
    entry: Entry | None
    valid_until: datetime | None = None


def _local(subscriber_id: str, key_id: str | None) -> _Found:
    """A subscribed row whose valid_until (if any) has not passed."""
    rows = Subscriber.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now()),
        subscriber_id=subscriber_id,
        status=SubscriberStatus.SUBSCRIBED,
    )
    if key_id is not None:
        rows = rows.filter(key_id=key_id)
    row = rows.order_by("-updated_at").first()
    if row is None:
        return _Found(None)
    entry = Entry(
        subscriber_id=row.subscriber_id,
        key_id=row.key_id,
        type=row.type,
        url=row.url,
        public_key=row.signing_public_key,
        vocabularies=row.vocabularies,
        rate_limit=row.rate_limit,
    )
    return _Found(entry, row.valid_until)


class LocalMemo:
    """One process's memo of the local registry: the ACK path then costs no registry query.

    How it is invalidated across processes: every registry write renews the registry's stamp in
    its own transaction (beckn.models.registry). Before trusting its memo a process reads
    that stamp, at most once per BECKN_REGISTRY_CHECK_MS (one primary-key SELECT) and at
    once after a stamp renewal of its own (cpo_portal.models.Checked), and drops everything
    when it moved. A change therefore takes effect in every web and worker process within
    BECKN_REGISTRY_CHECK_MS of its commit, and in the writing process at once. An entry
    is also never kept past its row's
    valid_until, nor past BECKN_REGISTRY_LOCAL_CACHE_SECONDS (the backstop for a change
    made in SQL without a bump). Each entry remembers the version it was read under, so a
    thread that read just before a change cannot put a stale entry back.
    """

    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        # (subscriber, key) -> (the version it was read under, until when, the entry)
        self._entries: dict[tuple[str, str | None], tuple[uuid.UUID | None, float, Entry | None]]
        self._entries = {}
        self._version: uuid.UUID | None = None
        # the first query of a request: on the protocol pool its connection may have died
        # with a database restart (reconnect: replaced and asked again)
        self._checked = Checked(
            lambda: reconnect.once_more_if_disconnected(lambda: Stamp.current(Stamp.Kind.REGISTRY))
        )

    def forget(self) -> None:
        self._entries.clear()
        self._checked.forget()

    def _current_version(self, now: float) -> uuid.UUID | None:
        version = self._checked.get(conf.get("BECKN_REGISTRY_CHECK_MS") / 1000, now)
        if version != self._version:
            self._entries.clear()
            self._version = version
        return self._version

    def get(self, subscriber_id: str, key_id: str | None) -> Entry | None:
        lifetime = conf.get("BECKN_REGISTRY_LOCAL_CACHE_SECONDS")
        if lifetime <= 0:
            return _local(subscriber_id, key_id).entry
        now = time.monotonic()
        version = self._current_version(now)
        key = (subscriber_id, key_id)
        hit = self._entries.get(key)
        if hit is not None and hit[0] == version and hit[1] > now:
            return hit[2]
        found = _local(subscriber_id, key_id)
        until = now + lifetime
        if found.valid_until is not None:
            left = (found.valid_until - timezone.now()).total_seconds()
            until = min(until, now + left)
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (version, until, found.entry)
        return found.entry


_memo = LocalMemo()


def forget() -> None:
    """Drop this process's memo of the local registry (a row was saved or deleted here)."""
    _memo.forget()


def find(subscriber_id: str, key_id: str | None = None, *, fresh: bool = False) -> Entry | None:
    """The subscriber (with that key, when given), from the local or the remote registry.
    `fresh`: read the local registry now, not this process's memo of it."""
    entry = _local(subscriber_id, key_id).entry if fresh else _memo.get(subscriber_id, key_id)
    if entry is None and conf.get("BECKN_REGISTRY_URL"):
        entry = _remote(subscriber_id, key_id)
    return entry


def callback_url(subscriber_id: str, *, fresh: bool = False) -> str | None:
    """The registered callback base URL: the only place callbacks may go. Delivery asks
    when it sends, so a callback goes where the subscriber is registered then (or nowhere):
    this process's memo sees a registry change within BECKN_REGISTRY_CHECK_MS."""
    entry = find(subscriber_id, fresh=fresh)
    return entry.url if entry is not None else None


def callback_target(subscriber_id: str, action: str) -> str | None:
    """Where an on_<action> callback to the subscriber goes: <registered url>/<action>."""
    base = callback_url(subscriber_id)
    return f"{base.rstrip('/')}/{action}" if base else None


def signer_of(raw: bytes, authorization: str, now: datetime) -> Entry:
    """The registry entry whose key signed `raw` (the Authorization header checked within
    BECKN_SIGNATURE_MAX_SKEW and _MAX_LIFETIME); SignatureError when none did."""
    found: list[Entry] = []

    def lookup(subscriber_id: str, key_id: str) -> str | None:
        entry = find(subscriber_id, key_id)
        if entry is not None:
            found.append(entry)
        return entry.public_key if entry is not None else None

    verify_request(
        raw,
        authorization,
        lookup=lookup,
        now=int(now.timestamp()),
        max_skew=conf.get("BECKN_SIGNATURE_MAX_SKEW"),
        max_lifetime=conf.get("BECKN_SIGNATURE_MAX_LIFETIME"),
    )
    return found[-1]


def _cache_key(subscriber_id: str, key_id: str | None) -> str:
    return f"beckn:registry:{subscriber_id}|{key_id or '*'}"


def _remote(subscriber_id: str, key_id: str | None) -> Entry | None:
    key = _cache_key(subscriber_id, key_id)
    cached = cache.get(key)
    if cached is not None:
        return cached or None  # False is a cached "not found"
    entry = _fetch(subscriber_id, key_id)
    lifetime = conf.get("BECKN_REGISTRY_CACHE_SECONDS") if entry else NEGATIVE_CACHE_SECONDS
    cache.set(key, entry or False, lifetime)
    return entry


def _fetch(subscriber_id: str, key_id: str | None) -> Entry | None:
    url = conf.get("BECKN_REGISTRY_URL").rstrip("/") + "/lookup"
    query = {"subscriber_id": subscriber_id}
    if key_id is not None:
        query["ukId"] = key_id
        query["unique_key_id"] = key_id
    timeout = conf.get("BECKN_REGISTRY_TIMEOUT")
    try:
        # the registry is ours to configure, so a private address is allowed
        response = transport.request(
            "POST",
            url,
            body=json.dumps(query).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            allow_private=True,
            deadline=timeout,
            connect_timeout=timeout,
            read_timeout=timeout,
            max_bytes=REGISTRY_MAX_BYTES,
        )
        if response.status >= 400 or not response.complete:
            raise ValueError(f"HTTP {response.status}" if response.complete else "too long")
        records = response.json_body()
        if records is None:
            raise ValueError("the answer is not JSON within the limits")
    except transport.FAILURES as exc:
        log.warning("registry lookup of %s failed: %s", subscriber_id, transport.reason(exc))
        return None
    except ValueError as exc:
        log.warning("registry lookup of %s failed: %s", subscriber_id, exc)
        return None
    return _pick(records, subscriber_id, key_id)


def _pick(records: object, subscriber_id: str, key_id: str | None) -> Entry | None:
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict) or record.get("subscriber_id") != subscriber_id:
            continue
        record_key = record.get("ukId") or record.get("unique_key_id") or record.get("key_id")
        if key_id is not None and record_key != key_id:
            continue
        status = str(record.get("status", "SUBSCRIBED")).upper()
        public_key = record.get("signing_public_key")
        url = record.get("subscriber_url")
        if status != "SUBSCRIBED" or not isinstance(public_key, str) or not isinstance(url, str):
            continue
        return Entry(
            subscriber_id=subscriber_id,
            key_id=str(record_key or ""),
            type=str(record.get("type", "")).upper(),
            url=url,
            public_key=public_key,
        )
    return None
