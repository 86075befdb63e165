"""Renew an operator's network stamp whenever it, or one of its stations, chargers or
connectors, is saved or deleted, and the stamp of the station a save touches; a new
operator's network stamp, and a new station's stamp, are made with it, so that every
process sees it appear."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cpo_portal.models import Charger, Connector, Operator, Stamp, Station, StationStamp


@receiver([post_save, post_delete], sender=Operator)
def _operator_changed(sender, instance: Operator, created: bool = False, **kwargs) -> None:
    if created:
        Stamp.current(Stamp.Kind.NETWORK, instance.pk)
    else:
        Stamp.bump(Stamp.Kind.NETWORK, instance.pk)


@receiver(post_save, sender=Station)
def _station_saved(sender, instance: Station, created: bool = False, **kwargs) -> None:
    if created:
        StationStamp.objects.create(station=instance)
    else:
        StationStamp.renew(station_id=instance.pk)
    Stamp.bump(Stamp.Kind.NETWORK, instance.operator_id)


@receiver(post_delete, sender=Station)
def _station_deleted(sender, instance: Station, **kwargs) -> None:
    Stamp.bump(Stamp.Kind.NETWORK, instance.operator_id)  # its own stamp went with it


@receiver([post_save, post_delete], sender=Charger)
def _charger_changed(sender, instance: Charger, **kwargs) -> None:
    StationStamp.renew(station_id=instance.station_id)
    Stamp.bump(Stamp.Kind.NETWORK, instance.operator_id)


@receiver([post_save, post_delete], sender=Connector)
def _connector_changed(sender, instance: Connector, **kwargs) -> None:
    try:
        charger = instance.charger
    except Charger.DoesNotExist:  # deleted with its charger, whose own delete renews it
        return
    StationStamp.renew(station_id=charger.station_id)
    Stamp.bump(Stamp.Kind.NETWORK, charger.operator_id)
