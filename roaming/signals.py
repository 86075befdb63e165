"""What a change to the network or to a tariff means for OCPI: the Location's last_updated
moves, and the changed Tariffs and Locations are pushed to every registered partner.

Everything happens after the commit (transaction.on_commit): a change rolled back pushes
nothing, and a cascade (a station deleted with its chargers) is complete when we look.
Queryset .update() and .bulk_create() send no signals: partners then see the change at
their next pull (date_from finds it only if the code also stamps the Location).

Received CDRs are audited in the background once stored (cdr_intake.cdrs_received).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from cpo_portal.db.values import ocpi_id_of
from cpo_portal.models import Charger, Connector, Station
from pricing.models import Tariff, TariffBand
from roaming.models import LocationStamp, Module
from roaming.services import published_tariffs, pushes
from roaming.services.cdr_intake import cdrs_received
from roaming.services.published_tariffs import ocpi_id
from roaming.tasks import audit_received, send_due

SCOPE_FIELDS = ("active", "code", "station_id", "charger_id")


def _send(operator_id: int, module: str, object_ids: Iterable[str]) -> None:
    for partner_id in pushes.enqueue(operator_id, module, object_ids):
        send_due.delay(partner_id)


def stamp_locations(station_ids: Iterable[int]) -> None:
    """The stations' Locations changed now (an upsert: one statement)."""
    now = timezone.now()
    live = Station.objects.filter(pk__in=set(station_ids)).values_list("pk", flat=True)
    LocationStamp.objects.bulk_create(
        [LocationStamp(station_id=pk, last_updated=now) for pk in live],
        update_conflicts=True,
        unique_fields=["station"],
        update_fields=["last_updated"],
    )


def location_changed(operator_id: int, station_id: int, *codes: str) -> None:
    """The station's Location changed; each of `codes` names it at the partner (a renamed
    station's old code too, which then finds no station and is unpublished)."""

    def after() -> None:
        stamp_locations([station_id])
        _send(operator_id, Module.LOCATIONS, {ocpi_id_of(code) for code in codes})

    transaction.on_commit(after)


@receiver(pre_save, sender=Station)
def _station_before(sender, instance: Station, raw: bool = False, **kwargs) -> None:
    """The station's code before this save: the OCPI id of its Location so far."""
    before = None
    if instance.pk and not raw:
        before = Station.objects.filter(pk=instance.pk).values_list("code", flat=True).first()
    # kept on the instance for this save only: _station (post_save) reads it
    instance.roaming_code_before = before  # type: ignore[attr-defined]


@receiver([post_save, post_delete], sender=Station)
def _station(sender, instance: Station, raw: bool = False, **kwargs) -> None:
    if not raw:
        before = vars(instance).pop("roaming_code_before", None) or instance.code
        location_changed(instance.operator_id, instance.pk, instance.code, before)


@receiver([post_save, post_delete], sender=Charger)
def _charger(sender, instance: Charger, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    code = Station.objects.filter(pk=instance.station_id).values_list("code", flat=True).first()
    if code is not None:
        location_changed(instance.operator_id, instance.station_id, code)


@receiver([post_save, post_delete], sender=Connector)
def _connector(sender, instance: Connector, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    row = (
        Charger.objects.filter(pk=instance.charger_id)
        .values_list("operator_id", "station_id", "station__code")
        .first()
    )
    if row is not None:
        location_changed(*row)


# -- tariffs -------------------------------------------------------------------------------


@receiver(pre_save, sender=Tariff)
def _tariff_before(sender, instance: Tariff, raw: bool = False, **kwargs) -> None:
    """What the tariff was: a change of scope or of active changes which connectors
    name it (their tariff_ids), and a new code retires the old OCPI id."""
    before = None
    if instance.pk and not raw:
        rows = published_tariffs.with_published(Tariff.objects.filter(pk=instance.pk))
        before = rows.values(*SCOPE_FIELDS, "published").first()
    # kept on the instance for this save only: _tariff_saved (post_save) reads it
    instance.roaming_before = before  # type: ignore[attr-defined]


def _stations_priced_by(operator_id: int, scope: dict) -> Q:
    if scope["charger_id"]:
        return Q(chargers__pk=scope["charger_id"])
    if scope["station_id"]:
        return Q(pk=scope["station_id"])
    return Q(operator_id=operator_id)


def tariff_changed(instance: Tariff, before: dict | None, deleted: bool = False) -> None:
    operator_id = instance.operator_id
    now: dict = {f: getattr(instance, f) for f in SCOPE_FIELDS}
    if deleted:
        now["active"] = False
    else:  # a tariff no longer published leaves its connectors' tariff_ids, and back
        now["published"] = published_tariffs.is_published(instance.pk)
    codes = {ocpi_id(instance)}
    if before and before["code"] != instance.code:
        codes.add(ocpi_id_of(before["code"]))
    scopes = [s for s in (before, now) if s is not None]
    moved = (
        before is None or deleted or any(before[f] != now[f] for f in (*SCOPE_FIELDS, "published"))
    )

    def after() -> None:
        _send(operator_id, Module.TARIFFS, codes)
        if moved:  # which tariff prices these stations' connectors may have changed
            where = Q()
            for scope in scopes:
                where |= _stations_priced_by(operator_id, scope)
            rows = Station.objects.filter(where, operator_id=operator_id).distinct()
            stations = list(rows.values_list("pk", "code"))
            stamp_locations(pk for pk, _ in stations)
            _send(operator_id, Module.LOCATIONS, (ocpi_id_of(code) for _, code in stations))

    transaction.on_commit(after)


@receiver(post_save, sender=Tariff)
def _tariff_saved(sender, instance: Tariff, raw: bool = False, **kwargs) -> None:
    if not raw:
        tariff_changed(instance, getattr(instance, "roaming_before", None))


@receiver(post_delete, sender=Tariff)
def _tariff_deleted(sender, instance: Tariff, **kwargs) -> None:
    tariff_changed(instance, {f: getattr(instance, f) for f in SCOPE_FIELDS}, deleted=True)


@receiver([post_save, post_delete], sender=TariffBand)
def _band(sender, instance: TariffBand, raw: bool = False, **kwargs) -> None:
    """A band is part of its tariff: the tariff's last_updated moves, and it is pushed."""
    if raw:
        return
    now = timezone.now()
    if not Tariff.objects.filter(pk=instance.tariff_id).update(updated_at=now):
        return  # the tariff is being deleted with its bands
    tariff = Tariff.objects.filter(pk=instance.tariff_id).only("operator_id", "code").first()
    if tariff is not None:
        operator_id, code = tariff.operator_id, ocpi_id(tariff)
        transaction.on_commit(lambda: _send(operator_id, Module.TARIFFS, [code]))


@receiver(cdrs_received)
def _cdrs_received(sender, operator_id: int, **kwargs) -> None:
    """A broker out of reach leaves them to the beat sweep (tasks.audit_all_received)."""
    transaction.on_commit(partial(audit_received.delay, operator_id), robust=True)
