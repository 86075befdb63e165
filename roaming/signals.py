"""What a change to the network or to a tariff means for OCPI: the Location's last_updated
moves, and the changed Tariffs and Locations are pushed to every registered partner.

Each save or delete adds what it changed to its transaction's collector
(roaming.push_collector), which does the work once after the commit: a change rolled
back pushes nothing, a cascade (a station deleted with its chargers) is complete when we
look, and a transaction that saves a thousand rows costs the same few queries and one
message per partner.
Queryset .update() and .bulk_create() send no signals: partners then see the change at
their next pull (date_from finds it only if the code also stamps the Location).

Received CDRs are audited in the background once stored (cdr_intake.cdrs_received).
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from cpo_portal.db.values import ocpi_id_of
from cpo_portal.models import Charger, Connector, Station
from pricing.models import Tariff, TariffBand
from roaming.push_collector import collecting
from roaming.services import published_tariffs
from roaming.services.cdr_intake import cdrs_received
from roaming.services.published_tariffs import ocpi_id
from roaming.tasks import audit_received

SCOPE_FIELDS = ("active", "code", "station_id", "charger_id")


@receiver(pre_save, sender=Station)
def _station_before(sender, instance: Station, raw: bool = False, **kwargs) -> None:
    """The station's code before this save: the OCPI id of its Location so far."""
    before = None
    if instance.pk and not raw:
        before = Station.objects.filter(pk=instance.pk).values_list("code", flat=True).first()
    # kept on the instance for this save only: _station (post_save) reads it
    instance.roaming_code_before = before  # type: ignore[attr-defined]


@receiver([post_save, post_delete], sender=Station)
def _station(sender, instance: Station, raw: bool = False, using=None, **kwargs) -> None:
    if not raw:
        before = vars(instance).pop("roaming_code_before", None) or instance.code
        with collecting(using) as changes:  # a renamed station's old id is unpublished
            changes.location(instance.operator_id, instance.pk, [instance.code, before])


@receiver([post_save, post_delete], sender=Charger)
def _charger(sender, instance: Charger, raw: bool = False, using=None, **kwargs) -> None:
    if not raw:
        with collecting(using) as changes:
            changes.inside(station_id=instance.station_id)


@receiver([post_save, post_delete], sender=Connector)
def _connector(sender, instance: Connector, raw: bool = False, using=None, **kwargs) -> None:
    if not raw:
        with collecting(using) as changes:
            changes.inside(charger_id=instance.charger_id)


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


def tariff_changed(
    instance: Tariff, before: dict | None, deleted: bool = False, using: str | None = None
) -> None:
    operator_id = instance.operator_id
    now: dict = {f: getattr(instance, f) for f in SCOPE_FIELDS}
    if deleted:
        now["active"] = False
    else:  # a tariff no longer published leaves its connectors' tariff_ids, and back
        now["published"] = published_tariffs.is_published(instance.pk)
    codes = {ocpi_id(instance)}
    if before and before["code"] != instance.code:
        codes.add(ocpi_id_of(before["code"]))
    moved = (
        before is None or deleted or any(before[f] != now[f] for f in (*SCOPE_FIELDS, "published"))
    )
    with collecting(using) as changes:
        changes.tariffs(operator_id, codes)
        if moved:  # which tariff prices these stations' connectors may have changed
            for scope in (before, now):
                if scope is not None:
                    changes.repriced(operator_id, scope["station_id"], scope["charger_id"])


@receiver(post_save, sender=Tariff)
def _tariff_saved(sender, instance: Tariff, raw: bool = False, using=None, **kwargs) -> None:
    if not raw:
        tariff_changed(instance, getattr(instance, "roaming_before", None), using=using)


@receiver(post_delete, sender=Tariff)
def _tariff_deleted(sender, instance: Tariff, using=None, **kwargs) -> None:
    before = {f: getattr(instance, f) for f in SCOPE_FIELDS}
    tariff_changed(instance, before, deleted=True, using=using)


@receiver([post_save, post_delete], sender=TariffBand)
def _band(sender, instance: TariffBand, raw: bool = False, using=None, **kwargs) -> None:
    """A band is part of its tariff: the tariff's last_updated moves, and it is pushed."""
    if raw:
        return
    now = timezone.now()
    if not Tariff.objects.filter(pk=instance.tariff_id).update(updated_at=now):
        return  # the tariff is being deleted with its bands
    with collecting(using) as changes:
        changes.bands_of(instance.tariff_id)


@receiver(cdrs_received)
def _cdrs_received(sender, operator_id: int, **kwargs) -> None:
    """A broker out of reach leaves them to the beat sweep (tasks.audit_all_received)."""
    transaction.on_commit(partial(audit_received.delay, operator_id), robust=True)
