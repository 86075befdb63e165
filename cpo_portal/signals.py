"""Renew an operator's network stamp whenever it, or one of its stations, chargers or
connectors, is saved or deleted; a new operator's is made with it, so that every process
sees the operator appear."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cpo_portal.models import Charger, Connector, Operator, Stamp, Station


@receiver([post_save, post_delete], sender=Operator)
def _operator_changed(sender, instance: Operator, created: bool = False, **kwargs) -> None:
    if created:
        Stamp.current(Stamp.Kind.NETWORK, instance.pk)
    else:
        Stamp.bump(Stamp.Kind.NETWORK, instance.pk)


@receiver([post_save, post_delete], sender=Station)
@receiver([post_save, post_delete], sender=Charger)
def _network_changed(sender, instance: Station | Charger, **kwargs) -> None:
    Stamp.bump(Stamp.Kind.NETWORK, instance.operator_id)


@receiver([post_save, post_delete], sender=Connector)
def _connector_changed(sender, instance: Connector, **kwargs) -> None:
    try:
        operator_id = instance.charger.operator_id
    except Charger.DoesNotExist:  # deleted with its charger, whose own delete renews it
        return
    Stamp.bump(Stamp.Kind.NETWORK, operator_id)
