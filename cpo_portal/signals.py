"""Renew the network stamp (NetworkVersion) whenever an operator, station, charger or
connector is saved or deleted."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cpo_portal.models import Charger, Connector, NetworkVersion, Operator, Station


@receiver([post_save, post_delete], sender=Operator)
@receiver([post_save, post_delete], sender=Station)
@receiver([post_save, post_delete], sender=Charger)
@receiver([post_save, post_delete], sender=Connector)
def _network_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    NetworkVersion.bump()
