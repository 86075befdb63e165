"""A search never mixes two versions of one provider: while the publication builds a
provider (from nothing, or updating the one it has), a writer commits a change to both
its offers and its tariffs, again and again; the provider every search gets holds its
offers and its rates from one and the same version (a whole older one, or a whole newer
one)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from beckn.services import commerce, publication
from cpo_portal.models import Operator
from offers.models import Offer
from pricing.models import Tariff


@pytest.fixture
def demo(demo_config_world, db):
    publication.forget()
    yield
    publication.forget()


def renew(operator: Operator, offer: Offer, n: int) -> None:
    """Version `n` of the operator's catalog, in one transaction: the offer's title and
    every tariff's energy rate say `n`."""
    with transaction.atomic():
        offer.title = f"Version {n}"
        offer.save()
        for tariff in Tariff.objects.filter(operator=operator):
            tariff.energy_rate_per_kwh = Decimal(10 + n)
            tariff.save()


def versions(provider: publication.Provider, offer_code: str) -> set[str]:
    """The versions the provider's offer title and rates say."""
    titles = {o.title for o in provider.placed.shown.values() if o.offer_id == offer_code}
    rates = {f"Version {int(rate[0]) - 10}" for rate in provider.rates.values() if rate}
    return titles | rates


@pytest.mark.parametrize("writes", [1, 3, 12])  # one build overtaken, a few, more than tried
def test_a_provider_changed_while_it_is_built_is_one_version(demo, monkeypatch, writes):
    provider = next(p for p in publication.published()[1].values() if p.placed.shown)
    operator = provider.operator
    shown = next(iter(provider.placed.shown.values()))
    offer = Offer.objects.get(operator=operator, code=shown.offer_id)
    renew(operator, offer, 0)
    publication.published()  # version 0 published
    placed_offers = commerce.placed_offers
    done = []

    def overtaken(op, *args, **kwargs):  # the offers read, then a writer commits
        placed = placed_offers(op, *args, **kwargs)
        if op.pk == operator.pk and len(done) < writes:
            done.append(len(done) + 1)
            renew(operator, offer, len(done))
        return placed

    monkeypatch.setattr(commerce, "placed_offers", overtaken)
    for cold in (True, False, True, False):  # built from nothing, or updated from the last
        if cold:
            publication.forget()
        provider = publication.published()[1][operator.pk]
        assert len(versions(provider, offer.code)) == 1, versions(provider, offer.code)
    monkeypatch.setattr(commerce, "placed_offers", placed_offers)
    provider = publication.published()[1][operator.pk]
    assert versions(provider, offer.code) == {f"Version {writes}"}  # the last, once quiet
