"""Who is who on the network: the local registry first, then (optionally) a remote one.

The remote registry is the Beckn registry `/lookup` API (POST {subscriber_id, ukId} ->
a list of subscriber records). Its answers, found or not, are cached so a burst of
requests from one BAP costs one lookup; a registry that is down counts as "not found"
for the cache's short negative lifetime, never as an error the caller sees.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import requests
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from beckn import conf
from beckn.models import Subscriber, SubscriberStatus, Vocabulary

log = logging.getLogger(__name__)
NEGATIVE_CACHE_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Entry:
    subscriber_id: str
    key_id: str
    type: str
    url: str
    public_key: str
    vocabularies: str = Vocabulary.BOTH
    rate_limit: int | None = None
    source: str = "local"


def _local(subscriber_id: str, key_id: str | None) -> Entry | None:
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
        return None
    return Entry(
        subscriber_id=row.subscriber_id,
        key_id=row.key_id,
        type=row.type,
        url=row.url,
        public_key=row.signing_public_key,
        vocabularies=row.vocabularies,
        rate_limit=row.rate_limit,
    )


_memo: dict[tuple[str, str | None], tuple[float, Entry | None]] = {}


def forget() -> None:
    """Drop this process's memo of the local registry (a row was saved or deleted)."""
    _memo.clear()


def _local_memo(subscriber_id: str, key_id: str | None) -> Entry | None:
    """Local rows, remembered for BECKN_REGISTRY_LOCAL_CACHE_SECONDS: the ACK path then
    costs no registry query. Saving or deleting a row clears this process's memo at once;
    other processes see the change when their memo expires."""
    lifetime = conf.get("BECKN_REGISTRY_LOCAL_CACHE_SECONDS")
    if lifetime <= 0:
        return _local(subscriber_id, key_id)
    key = (subscriber_id, key_id)
    now = time.monotonic()
    hit = _memo.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    entry = _local(subscriber_id, key_id)
    if len(_memo) > 10_000:
        _memo.clear()
    _memo[key] = (now + lifetime, entry)
    return entry


def find(subscriber_id: str, key_id: str | None = None) -> Entry | None:
    """The subscriber (with that key, when given), from the local or the remote registry."""
    entry = _local_memo(subscriber_id, key_id)
    if entry is None and conf.get("BECKN_REGISTRY_URL"):
        entry = _remote(subscriber_id, key_id)
    return entry


def lookup_key(subscriber_id: str, key_id: str) -> str | None:
    """The signature verifier's key lookup."""
    entry = find(subscriber_id, key_id)
    return entry.public_key if entry is not None else None


def callback_url(subscriber_id: str) -> str | None:
    """The registered callback base URL: the only place callbacks may go."""
    entry = find(subscriber_id)
    return entry.url if entry is not None else None


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
    try:
        response = requests.post(
            url, json=query, timeout=conf.get("BECKN_REGISTRY_TIMEOUT"), allow_redirects=False
        )
        response.raise_for_status()
        records = response.json()
    except (requests.RequestException, ValueError) as exc:
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
            type=str(record.get("type", "")),
            url=url,
            public_key=public_key,
            source="remote",
        )
    return None
