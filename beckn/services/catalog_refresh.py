"""Full and incremental catalog refresh for BAPs, as ONDC 1.x defines them (the tags:
beckn.protocol.refresh_tags; docs/beckn.md, "Catalog refresh").

The change record. `record(now)` brings it up to date from the published catalog
(services.publication): each provider whose publication version (its network, pricing and
catalog stamps: the one "this changed" the product has) moved since it was last recorded,
or whose time step is over (what a search shows depends on the moment too: a surge's
notice shows from an hour before its window to its end; publication.time_step), is laid
out whole, as a search without filters shows it at `now`, and cut into pieces (the
provider's own fields, each location, fulfillment, item and offer); each piece whose
digest differs from the one recorded is written as a CatalogChange holding the piece as
it now is, and each piece gone as a removal, dated when the latest of the provider's
stamps was renewed (the writer's transaction: `changed_at`), not when it was recorded, or
`now` when only the time moved it.
An operator deleted, or left with no active station, is a provider whose pieces are all
removed. Recording is serialised across
processes and hosts by locking every CatalogRecord row first, so change ids are in commit
order (a push never skips a change committed late); a recording in the same time step
whose stamps did not move costs one statement besides the publication's own, and reads
no digests (they are read for a provider laid out again, and written again only when a
piece changed).

Answers. An incremental catalog holds, per piece changed, its last change: the piece as
it was after it (`time` `{"label": "enable", "timestamp"}` on providers, locations and
items), or `{"id", "time": {"label": "disable", "timestamp"}}` for a piece removed (a
removed fulfillment goes with its location), in the BAP's offer vocabularies and cut
into parts like a search's catalog when it is too big for one callback (`messages`).
`window(...)` answers a `catalog_inc` with a start and end time; `subscribe(...)` a mode
start or stop; `push_due(now)` (the beat) sends each subscribed BAP one unsolicited
on_search (in parts: several, on one message id) of what changed since its last push,
through the outbox like every callback (signed, retried, to the BAP's registered URL),
with the transaction id of the search that started it and a message id of its own; no
change, no push.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from beckn import conf
from beckn.models import CatalogChange, CatalogRecord, CatalogSubscription, PieceKind, Vocabulary
from beckn.protocol import json_text
from beckn.protocol.refresh_tags import INC, Refresh
from beckn.protocol.timefmt import format_timestamp
from beckn.services import order_flow, outbox, publication
from beckn.wire import catalog_parts, offer_json
from beckn.wire.request_parsing import SearchQuery
from cpo_portal.models import Stamp

PUSH_TTL = dt.timedelta(minutes=15)
LISTS = {
    "locations": PieceKind.LOCATION,
    "fulfillments": PieceKind.FULFILLMENT,
    "items": PieceKind.ITEM,
    "offers": PieceKind.OFFER,
}
TIMED = {PieceKind.PROVIDER, PieceKind.LOCATION, PieceKind.ITEM}  # enabled pieces say when
Pieces = dict[tuple[str, str], dict[str, Any]]  # (kind, id) -> the piece
MAX_DIGESTED = 50_000  # pieces whose digests are kept (by the piece object)
_digested: dict[int, tuple[dict[str, Any], str]] = {}


def laid_out(provider_id: str, now: dt.datetime) -> dict[str, Any] | None:
    """The provider whole, as a search for it alone without filters shows it."""
    query = SearchQuery(provider_id=provider_id)
    layouts, _ = publication.search(query, now, Vocabulary.BOTH, publication.WHOLE)
    return layouts[0].provider() if layouts else None


def pieces(provider: dict[str, Any] | None) -> Pieces:
    if provider is None:
        return {}
    own = {k: v for k, v in provider.items() if k not in LISTS}
    out: Pieces = {(PieceKind.PROVIDER, provider["id"]): own}
    for key, kind in LISTS.items():
        for piece in provider.get(key) or ():
            out[kind, piece["id"]] = piece
    return out


def digest(piece: dict[str, Any]) -> str:
    """The piece's digest. A piece the publication kept from one layout to the next (an
    item, a location: the same object, never changed once rendered) is digested once, so a
    recording encodes only the pieces its change rendered again."""
    kept = _digested.get(id(piece))
    if kept is not None and kept[0] is piece:  # held here: its id is not another's
        return kept[1]
    found = json_text.digest(piece)
    if len(_digested) >= MAX_DIGESTED:
        _digested.clear()
    _digested[id(piece)] = (piece, found)
    return found


def _dates(now: dt.datetime) -> dict[int, dt.datetime]:
    """When each operator's stamps were last renewed (the latest of its three)."""
    found = (
        Stamp.objects.filter(
            operator__isnull=False,
            kind__in=(Stamp.Kind.NETWORK, Stamp.Kind.PRICING, Stamp.Kind.CATALOG),
        )
        .values("operator_id")
        .annotate(at=Max("changed_at"))
    )
    return {row["operator_id"]: min(row["at"], now) for row in found if row["at"] is not None}


def record(now: dt.datetime) -> int:
    """Bring the change record up to date; how many changes it wrote."""
    written = 0
    with transaction.atomic():
        locked = CatalogRecord.objects.select_for_update().order_by("provider_id")
        kept = {r.provider_id: r for r in locked.defer("digests")}  # read where moved
        rows, providers = publication.published(None, now)
        stamps = {rows[pk].operator.code: repr(p.version) for pk, p in providers.items()}
        step = publication.time_step(now)
        dates: dict[str, dt.datetime] | None = None  # read when something moved
        for code in sorted(stamps.keys() | kept.keys()):
            before = kept.get(code)
            version = f"{stamps[code]}@{step}" if code in stamps else ""
            if before is not None and before.version == version:
                continue
            if dates is None:
                dates = {rows[pk].operator.code: at for pk, at in _dates(now).items() if pk in rows}
            edited = before is None or before.version.rsplit("@", 1)[0] != stamps.get(code, "")
            at = dates.get(code, now) if edited else now  # else the time moved it
            now_pieces = pieces(laid_out(code, now)) if code in stamps else {}
            digests = {f"{kind}:{pid}": digest(p) for (kind, pid), p in now_pieces.items()}
            old = before.digests if before is not None else {}
            changes = [
                CatalogChange(provider_id=code, kind=kind, piece_id=pid, body=p, at=at)
                for (kind, pid), p in now_pieces.items()
                if old.get(f"{kind}:{pid}") != digests[f"{kind}:{pid}"]
            ]
            for key in old.keys() - digests.keys():
                kind, pid = key.split(":", 1)
                changes.append(
                    CatalogChange(provider_id=code, kind=kind, piece_id=pid, body=None, at=at)
                )
            if before is None:
                try:
                    with transaction.atomic():  # another recorder may have made it
                        CatalogRecord.objects.create(
                            provider_id=code, version=version, digests=digests, recorded_at=now
                        )
                except IntegrityError:
                    continue  # its recording holds these changes
            else:
                before.version, before.digests, before.recorded_at = version, digests, now
                written_too = ["digests"] if digests != old else []  # else as they were
                before.save(update_fields=["version", "recorded_at", *written_too])
            CatalogChange.objects.bulk_create(changes)
            written += len(changes)
    return written


def _stamped(change: CatalogChange) -> dict[str, Any] | None:
    at = format_timestamp(change.at)
    if change.body is None:
        if change.kind == PieceKind.FULFILLMENT:
            return None
        return {"id": change.piece_id, "time": {"label": "disable", "timestamp": at}}
    if change.kind in TIMED:
        return {**change.body, "time": {"label": "enable", "timestamp": at}}
    return change.body


def catalog(
    changes: Iterable[CatalogChange], vocabularies: str = Vocabulary.BOTH
) -> dict[str, Any]:
    """The incremental catalog of `changes` (in id order): each piece's last change, its
    tags in the `vocabularies` a subscriber receives (offer_json.in_vocabulary: the
    pieces are recorded in both)."""
    last: dict[tuple[str, str, str], CatalogChange] = {}
    for change in changes:
        last[change.provider_id, change.kind, change.piece_id] = change
    providers: dict[str, dict[str, Any]] = {}
    for (code, kind, _), change in last.items():
        provider = providers.setdefault(code, {"id": code})
        piece = _stamped(change)
        if piece is None:
            continue
        tagged = kind in (PieceKind.PROVIDER, PieceKind.OFFER) and "tags" in piece
        if tagged and vocabularies != Vocabulary.BOTH:
            piece = {**piece, "tags": offer_json.in_vocabulary(piece["tags"], vocabularies)}
        if kind == PieceKind.PROVIDER:
            provider.update(piece)
        else:
            key = next(k for k, v in LISTS.items() if v == kind)
            provider.setdefault(key, []).append(piece)
    descriptor = {"name": "EV charging", "code": INC}
    return {"catalog": {"descriptor": descriptor, "providers": list(providers.values())}}


def messages(changes: Iterable[CatalogChange], bap_id: str) -> list[dict[str, Any]]:
    """The on_search messages sending `changes` to `bap_id`: the incremental catalog in
    the BAP's vocabularies, cut into parts as a search's catalog is when it is bigger than
    BECKN_CATALOG_PART_BYTES (catalog_parts.pieces_catalogs)."""
    whole = catalog(changes, order_flow.vocabularies(bap_id))
    return catalog_parts.pieces_catalogs(whole, conf.get("BECKN_CATALOG_PART_BYTES"))


def _changes(provider_id: str | None) -> Any:
    found = CatalogChange.objects.order_by("pk")
    return found.filter(provider_id=provider_id) if provider_id else found


def window(
    refresh: Refresh, bap_id: str, provider_id: str | None, now: dt.datetime
) -> list[dict[str, Any]]:
    """The messages answering a `catalog_inc` for a window (end default now)."""
    record(now)
    found = _changes(provider_id).filter(at__gte=refresh.start, at__lte=refresh.end or now)
    return messages(found, bap_id)


def subscribe(
    refresh: Refresh,
    bap_id: str,
    context: dict[str, Any],
    provider_id: str | None,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """A push started (changes since `refresh.start` are the answer; later ones are
    pushed) or stopped (an empty catalog answers): the messages answering it."""
    scope = provider_id or ""
    if refresh.mode == "stop":
        CatalogSubscription.objects.filter(bap_id=bap_id, provider_id=scope).update(
            active=False, stopped_at=now
        )
        return messages([], bap_id)
    with transaction.atomic():
        record(now)  # holds the record's lock: no change lands between the answer and cursor
        since = _changes(provider_id)
        answer = messages(since.filter(at__gte=refresh.start) if refresh.start else [], bap_id)
        cursor = CatalogChange.objects.aggregate(last=Max("pk"))["last"] or 0
        CatalogSubscription.objects.update_or_create(
            bap_id=bap_id,
            provider_id=scope,
            defaults={
                "context": context,
                "cursor": cursor,
                "active": True,
                "started_at": now,
                "stopped_at": None,
            },
        )
    return answer


def push_due(now: dt.datetime) -> int:
    """Record, then send each active subscriber the changes since its last push; how many
    on_search were queued."""
    sent = 0
    with transaction.atomic():
        record(now)
        subscriptions = CatalogSubscription.objects.select_for_update(skip_locked=True).filter(
            active=True
        )
        for sub in subscriptions:
            changes = list(_changes(sub.provider_id).filter(pk__gt=sub.cursor))
            if not changes:
                continue
            context = outbox.reply_context(sub.context, "on_search", now)
            context["message_id"] = str(uuid.uuid4())  # one for all the parts of a push
            for message in messages(changes, sub.bap_id):
                outbox.send(
                    {"context": context, "message": message}, sub.bap_id, now, now + PUSH_TTL
                )
            sub.cursor = changes[-1].pk
            sub.save(update_fields=["cursor"])
            sent += 1
    return sent
