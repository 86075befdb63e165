"""Bump an operator's catalog version whenever something the offer index or the
published catalog is built from changes: offers, their stations and chargers, their
codes, station or charger codes and places that offers name, and add-ons and where they
are on sale (offers.services.addons bumps it when a stock runs out or comes back)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
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


@receiver(post_save, sender=Station)
def station_changed(sender, instance, **kwargs):
    if instance.offers.exists() or instance.chargers.filter(offers__isnull=False).exists():
        bump(instance.operator_id)


@receiver(post_save, sender=Charger)
def charger_changed(sender, instance, **kwargs):
    if instance.offers.exists() or instance.station.offers.exists():
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
