"""Publishing catalogs to a Catalog Discovery Service (Beckn 2.0 `/catalog/publish`).

- `catalogs_of(operator)`: the one place the published catalogs come from: the published
  catalog (services.publication, what a discover straight to us reads) rendered by the
  2.0 wire, one catalog per station.
- `publish(service, catalogs, reason)`: the catalogs whose digest differs from the copy
  the CDS holds (CatalogService.published_digests), and a withdrawal of each it holds
  that is gone, in signed `/catalog/publish` messages of at most
  BECKN_CATALOG_PART_BYTES, written to the outbox in the caller's transaction and sent
  and retried by the same delivery as every Beckn callback (services.outbox,
  services.delivery, services.sweep): the CDS's registered URL, our signing key,
  attempts, backoff, lease and sweep.
- `publish_due(now)`: what the beat runs: every active CDS whose operator's catalog
  stamps moved since its last publish, or whose time step is over (what a catalog shows
  depends on the time too: publication.time_step), or that never had one, gets the
  catalogs that changed, all of them the first time; and the catalogs of any publish that
  expired undelivered (the CDS was down) again, as they now are. `publish_now(operator)`
  (the admin's and `manage.py cds_publish`'s) sends every one.
- `withdraw_elsewhere(service)`: a CDS no longer published to (turned off, another
  chosen, or deleted: `withdrawn_on_delete`) has every catalog it holds withdrawn, since
  it keeps a catalog until told otherwise; so has the CDS of an operator deleted, by
  publishes that leave no record.

What the CDS answers on `/catalog/on_publish` is recorded by services.cds_results.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beckn import conf
from beckn.models import (
    CatalogPublish,
    CatalogService,
    Outbox,
    OutboxState,
    PublishReason,
)
from beckn.protocol import json_text
from beckn.protocol.timefmt import format_duration, format_timestamp
from beckn.services import outbox, publication, registry
from beckn.wire import catalog_parts
from beckn.wire.request_parsing import SearchQuery
from beckn.wire.v2 import catalogs as v2_catalogs
from cpo_portal.models import Operator

log = logging.getLogger(__name__)

V2 = "2.0.0"
DOMAIN = "beckn.one:deg:ev-charging:*"  # DEG's 2.0 EV-charging domain
PUBLISH = "catalog/publish"
Catalogs = list[dict[str, Any]]


def catalog_stamp(operator_id: int, now: datetime) -> str:
    """What says the operator's catalogs may have changed: its network, pricing and offer
    stamps, and the time step `now` is in (publication.time_step)."""
    from offers.services import stamps_for

    stamps = stamps_for(operator_id)
    return f"{stamps.network}:{stamps.pricing}:{stamps.catalog}:{publication.time_step(now)}"


def catalogs_of(
    operator: Operator, now: datetime | None = None, stations: Collection[int] | None = None
) -> Catalogs:
    """The operator's 2.0 catalogs as a CDS gets them, one per station (of `stations`,
    by pk; None: every one): what a discover without filters reads from the published
    catalog at its active chargers, every one of them (a discover's answer stops at
    BECKN_MAX_CATALOG_ITEMS; the CDS's copy of a catalog replaces the whole of it, so it
    is never cut), rendered by the 2.0 wire."""
    query = SearchQuery(provider_id=operator.code)
    found = publication.offerings(query, now or timezone.now(), publication.WHOLE)
    out: Catalogs = []
    for offered in found.offered:
        offering = offered.offering
        if stations is not None:
            chargers = [c for c in offering.chargers if c.station_id in stations]
            offering = replace(offering, chargers=chargers)
        out += v2_catalogs.station_catalogs(offering, bpp_id=conf.bpp_id(), bpp_uri=conf.bpp_uri())
    return out


def inputs_of(operator: Operator, now: datetime) -> dict[str, tuple[int, str]]:
    """By catalog id, its station's pk and a digest of what its catalog is rendered from
    (speed only: bench/results/on_search.md, "a CDS's catalogs rendered where they may have
    changed"): the station's network rows (with its chargers' and connectors'), and what
    every catalog of the operator depends on: the operator's row, its pricing and offer
    stamps, the time step (publication.time_step). A catalog whose inputs are as when it
    was last sent is as it was then, and is not rendered again."""
    rows, providers = publication.published(lambda _: [operator.pk], now)
    mine, provider = rows.get(operator.pk), providers.get(operator.pk)
    if mine is None or provider is None:
        return {}
    shared = repr((mine.key, provider.version[1:], publication.time_step(now)))
    return {
        v2_catalogs.station_catalog_id(operator.code, station.code): (
            pk,
            json_text.digest(f"{shared}{mine.keys.get(pk)!r}"),
        )
        for pk, station in mine.stations.items()
    }


def publish_body(catalogs: Catalogs, now: datetime) -> dict[str, Any]:
    window = timedelta(seconds=conf.get("BECKN_CDS_PUBLISH_WINDOW"))
    return {
        "context": {
            "domain": DOMAIN,
            "action": PUBLISH,
            "version": V2,
            "bppId": conf.bpp_id(),
            "bppUri": conf.bpp_uri(),
            "transactionId": str(uuid.uuid4()),
            "messageId": str(uuid.uuid4()),
            "timestamp": format_timestamp(now),
            "ttl": format_duration(window),
        },
        "message": {"catalogs": catalogs},
    }


@dataclass(frozen=True)
class _Encoded:
    catalog: dict[str, Any]
    digest: str
    size: int


def _encoded(catalog: dict[str, Any]) -> _Encoded:
    return _Encoded(catalog, json_text.digest(catalog), json_text.size(catalog))


def _parts(catalogs: list[_Encoded]) -> list[Catalogs]:
    """The catalogs in runs of at most BECKN_CATALOG_PART_BYTES each (a catalog bigger
    than that alone), one `/catalog/publish` per run."""
    bound = conf.get("BECKN_CATALOG_PART_BYTES")
    parts: list[Catalogs] = []
    used = bound
    for one in catalogs:
        if used + one.size > bound:
            parts.append([])
            used = catalog_parts.ENVELOPE_BYTES
        parts[-1].append(one.catalog)
        used += one.size + 1
    return parts


def outgoing(
    held: Mapping[str, str],
    catalogs: Catalogs,
    operator: Operator,
    *,
    whole: bool = False,
    unchanged: Mapping[str, str] | None = None,
) -> tuple[list[Catalogs], dict[str, str]]:
    """What a CDS holding the catalogs digested in `held` is sent: each of `catalogs`
    whose digest differs (`whole`: every one) and a withdrawal (`isActive` false) of each
    it holds that is gone (neither in `catalogs` nor `unchanged`, the digests of those not
    rendered again), in runs of at most BECKN_CATALOG_PART_BYTES (one `/catalog/publish`
    each); and the digests it then holds."""
    encoded = {c["id"]: _encoded(c) for c in catalogs}
    sent = [e for cid, e in encoded.items() if whole or held.get(cid) != e.digest]
    digests = {**(unchanged or {}), **{cid: e.digest for cid, e in encoded.items()}}
    for gone in sorted(held.keys() - digests.keys()):
        withdrawn = v2_catalogs.retired(
            gone, operator, bpp_id=conf.bpp_id(), bpp_uri=conf.bpp_uri()
        )
        sent.append(_encoded(withdrawn))
    return _parts(sent), digests


def publish(
    service: CatalogService,
    catalogs: Catalogs,
    reason: str,
    *,
    whole: bool = False,
    stamp: str = "",
    now: datetime | None = None,
    unchanged: Mapping[str, str] | None = None,
    inputs: Mapping[str, str] | None = None,
    to: str | None = None,
) -> list[CatalogPublish]:
    """What the CDS `to` (default: the operator's) does not hold as it is now
    (`outgoing`, against the copies of `published_digests`), queued for delivery once the
    caller's transaction commits, each `/catalog/publish` recorded as a CatalogPublish
    waiting for its `/catalog/on_publish`; `inputs`, by catalog id, the digest of what
    each was rendered from (inputs_of)."""
    now = now or timezone.now()
    to = to or service.cds_id
    held = service.published_digests or {}
    parts, digests = outgoing(held, catalogs, service.operator, whole=whole, unchanged=unchanged)
    rows = []
    with transaction.atomic():
        for part in parts:
            row = _sent(part, to, now)
            rows.append(
                CatalogPublish.objects.create(
                    operator_id=service.operator_id,
                    cds_id=to,
                    reason=reason,
                    outbox=row,
                    message_id=row.message_id,
                    transaction_id=row.transaction_id,
                    catalog_ids=[str(c.get("id", "")) for c in part],
                    stamp=stamp,
                )
            )
        CatalogService.objects.filter(pk=service.pk).update(
            published_stamp=stamp or service.published_stamp,
            published_digests=digests,
            published_inputs=dict(inputs or {}),
            published_to=to,
            last_published_at=now if rows else service.last_published_at,
        )
    return rows


def _sent(part: Catalogs, to: str, now: datetime) -> Outbox:
    """One `/catalog/publish` of `part` to the CDS `to`, queued for delivery once the
    caller's transaction commits (the outbox, as every callback)."""
    window = timedelta(seconds=conf.get("BECKN_CDS_PUBLISH_WINDOW"))
    return outbox.send(publish_body(part, now), to, now, now + window)


def withdraw_elsewhere(service: CatalogService, now: datetime) -> list[CatalogPublish]:
    """Every catalog held by a CDS that is no longer where the operator publishes
    (publishing turned off, or another CDS chosen), withdrawn from it: a CDS keeps a
    catalog until told otherwise (ours carry no validity of their own), and would go on
    showing its last prices. The service is left holding nothing, so the CDS it now
    publishes to gets every catalog."""
    held_by = service.published_to
    if not held_by or not service.published_digests:
        return []
    if service.active and held_by == service.cds_id:
        return []
    service.published_stamp = ""  # what is published next is sent whole
    rows = publish(service, [], PublishReason.WITHDRAWN, to=held_by, now=now)
    service.published_digests, service.published_inputs = {}, {}
    return rows


CatalogSource = Callable[[Operator, datetime], Catalogs]


def withdrawn_on_delete(
    sender: type[CatalogService], instance: CatalogService, origin: Any = None, **kwargs: Any
) -> None:
    """A CDS deleted (the admin, a script) has its catalogs withdrawn, as one turned off.
    So does one deleted with its operator (`origin` an Operator, or operators), by
    publishes that leave no CatalogPublish: the records would go with the operator. They
    are sent, and retried within their window, as any publish; the CDS's on_publish for
    them matches no record (a 404 NACK), and a lost one is not sent again."""
    gone_with = origin.model if hasattr(origin, "model") else type(origin)
    if not issubclass(gone_with, Operator):
        instance.active = False
        withdraw_elsewhere(instance, timezone.now())
        return
    held_by, held = instance.published_to, instance.published_digests or {}
    if not held_by or not held:
        return
    now = timezone.now()
    parts, _ = outgoing(held, [], instance.operator)
    sent = [_sent(part, held_by, now).pk for part in parts]
    log.info("%s deleted: its catalogs withdrawn from %s (outbox %s)",
             instance.operator.code, held_by, sent)  # fmt: skip


def publish_now(operator: Operator, *, source: CatalogSource | None = None) -> list[CatalogPublish]:
    """The operator's catalogs, whole, to its CDS now (the admin's action, `manage.py
    cds_publish`), after a withdrawal from the CDS that held them if that is another
    (withdraw_elsewhere). CatalogService.DoesNotExist when it has none configured;
    ValueError when publishing to it is off."""
    service = CatalogService.objects.select_related("operator").get(operator=operator)
    if not service.active:
        raise ValueError(f"publishing to {service.cds_id} is off")
    now = timezone.now()
    stamp = catalog_stamp(operator.pk, now)
    again = service.last_published_at is not None
    why = PublishReason.ON_DEMAND if again else PublishReason.FIRST
    if source is None:  # inputs first: a catalog is never older than the inputs kept for it
        inputs = inputs_of(operator, now)
        catalogs = catalogs_of(operator, now)
    else:
        catalogs, inputs = source(operator, now), {}
    with transaction.atomic():
        _lost(service, now).update(resent=True)  # every catalog goes again now
        withdraw_elsewhere(service, now)
        sent_from = {cid: fp for cid, (_, fp) in inputs.items()}
        return publish(service, catalogs, why, whole=True, stamp=stamp, now=now, inputs=sent_from)


def publish_due(now: datetime | None = None, *, source: CatalogSource | None = None) -> int:
    """Every active CDS whose operator's catalogs changed since they were last published
    (or were never published: then whole) gets the catalogs that changed; one whose CDS
    is not registered (yet) waits. A CDS no longer published to has its catalogs
    withdrawn (withdraw_elsewhere). Rows are locked and skipped if locked, so overlapping
    runs never send one change twice. Returns how many publishes were queued."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        services = (
            CatalogService.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("operator")
            .filter(Q(active=True) | ~Q(published_to=""))
        )
        for service in services:
            lost = list(_lost(service, now))
            # the CDS may not hold what a lost publish carried: sent again (or withdrawn)
            again = {cid for row in lost for cid in row.catalog_ids}
            service.published_digests = {**service.published_digests, **dict.fromkeys(again, "")}
            withdrawn = withdraw_elsewhere(service, now)
            sent += len(withdrawn)
            if withdrawn or not service.active:
                CatalogPublish.objects.filter(pk__in=[row.pk for row in lost]).update(resent=True)
                lost = []
            if not service.active or registry.callback_url(service.cds_id, fresh=True) is None:
                continue
            stamp = catalog_stamp(service.operator_id, now)
            if stamp == service.published_stamp and not lost:
                continue
            first = not service.published_digests  # the CDS holds none of them: whole
            reason = PublishReason.FIRST if first else PublishReason.CHANGED
            try:
                with transaction.atomic():  # a savepoint: a failed query spoils nothing
                    catalogs, kept, inputs = _rendered(service, now, source, again)
            except Exception:  # one operator's broken catalog never stops the others
                log.exception("catalogs of %s could not be rendered", service.operator.code)
                continue
            sent += len(
                publish(
                    service, catalogs, reason, stamp=stamp, now=now, unchanged=kept, inputs=inputs
                )
            )
            CatalogPublish.objects.filter(pk__in=[row.pk for row in lost]).update(resent=True)
    return sent


def _rendered(
    service: CatalogService, now: datetime, source: CatalogSource | None, again: set[str]
) -> tuple[Catalogs, dict[str, str], dict[str, str]]:
    """The catalogs to compare with the copies the CDS holds: from the published catalog,
    only those whose inputs (inputs_of) moved since they were sent, or in `again`; the
    digests of the others, as held; the inputs of every one."""
    if source is not None:
        return source(service.operator, now), {}, {}
    inputs = inputs_of(service.operator, now)  # first: see publish_now
    held, sent_from = service.published_digests, service.published_inputs
    kept = {
        cid: held[cid]
        for cid, (_, fp) in inputs.items()
        if held.get(cid) and cid not in again and sent_from.get(cid) == fp
    }
    stale = {pk for cid, (pk, _) in inputs.items() if cid not in kept}
    catalogs = catalogs_of(service.operator, now, stale)
    return catalogs, kept, {cid: fp for cid, (_, fp) in inputs.items()}


LOST_WITHIN = timedelta(days=1)  # a publish lost longer ago was found by an earlier beat


def _lost(service: CatalogService, now: datetime) -> Any:
    """The service's recent publishes that expired undelivered (retried for
    BECKN_CDS_PUBLISH_WINDOW while the CDS was down) and were not sent again yet. One the
    CDS refused, or that could not be addressed, is a fault to mend (the admin shows it),
    not to repeat at every beat: it goes again with the next change or on demand."""
    return CatalogPublish.objects.filter(
        operator_id=service.operator_id,
        created_at__gte=now - LOST_WITHIN,
        cds_id=service.published_to or service.cds_id,
        resent=False,
        outbox__state=OutboxState.EXPIRED,
    ).only("pk", "catalog_ids")
