"""Bump an operator's catalog version whenever something the offer index or the
published catalog is built from changes: offers, their stations and chargers, their
codes, the codes of stations and chargers that offers name, and add-ons and where they
are on sale (offers.services.addons bumps it when a stock runs out or comes back)."""

from __future__ import annotations

import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from cpo_portal.models import Charger, Stamp, Station

from .models import AddOn, AddOnAvailability, Offer, OfferCode


def bump(operator_id: int | None) -> None:
    if operator_id is None:
        return
    Stamp.bump(Stamp.Kind.CATALOG, operator_id)
    transaction.on_commit(lambda: forget(operator_id))


def forget(operator_id: int) -> None:
    from .services.catalog import forget_catalog

    forget_catalog(operator_id)


@receiver(post_save, sender=Offer)
@receiver(post_delete, sender=Offer)
def offer_changed(sender, instance, **kwargs):
    bump(instance.operator_id)


@receiver(m2m_changed, sender=Offer.stations.through)
@receiver(m2m_changed, sender=Offer.chargers.through)
def offer_places_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump(instance.operator_id)


@receiver(post_save, sender=OfferCode)
@receiver(post_delete, sender=OfferCode)
def code_changed(sender, instance, **kwargs):
    # Codes being used (a queryset UPDATE) send no signal and change nothing cached.
    bump(instance.operator_id)


class _Codes(threading.local):
    """The code of each station or charger this thread is saving, as it was before."""

    def __init__(self) -> None:
        self.before: dict[str, str | None] = {}


_codes = _Codes()


@receiver(pre_save, sender=Station)
@receiver(pre_save, sender=Charger)
def code_before(sender, instance, raw: bool = False, **kwargs) -> None:
    """The catalog names places by code: only a new code can change it (a status, a
    name or a place's other fields are the network's, renewed by its own stamp)."""
    if instance.pk is not None:
        old = sender.objects.filter(pk=instance.pk).values_list("code", flat=True).first()
        _codes.before[f"{sender.__name__}:{instance.pk}"] = old


def _recoded(sender, instance) -> bool:
    return _codes.before.pop(f"{sender.__name__}:{instance.pk}", instance.code) != instance.code


@receiver(post_save, sender=Station)
def station_changed(sender, instance, **kwargs):
    if _recoded(sender, instance) and (
        instance.offers.exists() or instance.chargers.filter(offers__isnull=False).exists()
    ):
        bump(instance.operator_id)


@receiver(post_save, sender=Charger)
def charger_changed(sender, instance, **kwargs):
    if _recoded(sender, instance) and (
        instance.offers.exists() or instance.station.offers.exists()
    ):
        bump(instance.operator_id)


@receiver(post_save, sender=AddOn)
@receiver(post_delete, sender=AddOn)
def add_on_changed(sender, instance, **kwargs):
    bump(instance.operator_id)


@receiver(post_save, sender=AddOnAvailability)
@receiver(post_delete, sender=AddOnAvailability)
def add_on_place_changed(sender, instance, **kwargs):
    operator_id = AddOn.objects.filter(pk=instance.add_on_id).values_list("operator_id")
    bump(next(iter(operator_id), (None,))[0])
