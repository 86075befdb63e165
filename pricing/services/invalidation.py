"""Renew the operator's pricing stamp whenever a row that feeds its price books, or the
conditions its quotes are priced under (holidays, grid signals), changes.

Queryset .update() and .bulk_create() send no signals: code that uses them must call
Stamp.bump(Stamp.Kind.PRICING, operator_id) itself (the admin's pause/resume actions do).
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from cpo_portal.models import Holiday, Stamp
from pricing.models import GridSignal, SurgeRule, Tariff, TariffBand


def _operator_id(instance) -> int | None:
    if isinstance(instance, TariffBand):
        tariff = Tariff.objects.filter(pk=instance.tariff_id).values_list("operator_id", flat=True)
        return tariff.first()
    return instance.operator_id


@receiver([post_save, post_delete], sender=Tariff)
@receiver([post_save, post_delete], sender=TariffBand)
@receiver([post_save, post_delete], sender=SurgeRule)
@receiver([post_save, post_delete], sender=GridSignal)
@receiver([post_save, post_delete], sender=Holiday)
def _changed(sender, instance, **kwargs) -> None:
    operator_id = _operator_id(instance)
    if operator_id is not None:
        Stamp.bump(Stamp.Kind.PRICING, operator_id)


@receiver(m2m_changed, sender=SurgeRule.stations.through)
def _stations_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if reverse:  # station.surge_rules.add(...): bump each affected rule's operator
        ids = SurgeRule.objects.filter(pk__in=pk_set or ()).values_list("operator_id", flat=True)
        for operator_id in set(ids) | {instance.operator_id}:
            Stamp.bump(Stamp.Kind.PRICING, operator_id)
    else:
        Stamp.bump(Stamp.Kind.PRICING, instance.operator_id)
