"""The offer catalog's stamp (Stamp.Kind.CATALOG): a memo filled inside a transaction
that rolled back never serves a later catalog, since a stamp is random, never a counter
that the next change counts to again."""

from __future__ import annotations

import pytest
from django.db import transaction

from cpo_portal.models import Stamp
from offers.services import catalog_for
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


class RolledBack(Exception):
    pass


def test_a_catalog_memoised_in_a_rolled_back_transaction_is_not_served_after_it(network):
    operator = network.op_a
    with pytest.raises(RolledBack), transaction.atomic():
        OfferFactory(operator=operator, code="gone")
        assert "gone" in catalog_for(operator).offers  # memoised under the stamp seen here
        raise RolledBack
    OfferFactory(operator=operator, code="kept")  # the next change renews the stamp again
    assert set(catalog_for(operator).offers) == {"kept"}


def test_a_stamp_made_again_after_a_rollback_is_another(network):
    operator_id = network.op_a.pk
    Stamp.objects.filter(kind=Stamp.Kind.CATALOG, operator_id=operator_id).delete()
    with pytest.raises(RolledBack), transaction.atomic():
        first = Stamp.current(Stamp.Kind.CATALOG, operator_id)  # made on first read
        raise RolledBack
    assert Stamp.current(Stamp.Kind.CATALOG, operator_id) != first


def test_add_ons_and_a_stock_running_out_or_coming_back_renew_the_stamp(network):
    """What the published catalog shows of add-ons moves with the stamp: an add-on or where
    it is on sale saved, its limited stock taken to zero or given back from zero; stock
    taken or given back above zero does not (nothing shown changes)."""
    from decimal import Decimal

    from offers.models import AddOn, AddOnAvailability, AddOnBooking
    from offers.services import addons

    operator, station = network.op_a, network.station_a
    stamp = Stamp.current(Stamp.Kind.CATALOG, operator.pk)

    def moved() -> bool:
        nonlocal stamp
        now = Stamp.current(Stamp.Kind.CATALOG, operator.pk)
        changed, stamp = now != stamp, now
        return changed

    valet = AddOn.objects.create(
        operator=operator,
        code="valet",
        name="Valet",
        price=Decimal("149"),
        tax_rate=Decimal("0.18"),
    )
    assert moved()
    AddOnAvailability.objects.create(add_on=valet, station=station, stock=2)
    assert moved()
    lines = addons.lines_for(station, ["valet"])
    addons.book_add_ons("order-1", station, lines)  # 2 -> 1: still on sale
    assert not moved()
    addons.book_add_ons("order-2", station, lines)  # 1 -> 0: sold out
    assert moved()
    assert AddOnAvailability.objects.get(add_on=valet).stock == 0
    addons.release_add_ons("order-2")  # 0 -> 1: on sale again
    assert moved()
    addons.release_add_ons("order-1")  # 1 -> 2
    assert not moved()
    assert AddOnAvailability.objects.get(add_on=valet).stock == 2
    assert AddOnBooking.objects.filter(stock_taken=True).count() == 0


def test_a_recoded_place_renews_the_stamp_and_a_status_or_a_name_does_not(network):
    """The catalog names an offer's places by code (its applicability); a charger's status
    or a station's name is the network's, renewed by the network stamp alone."""
    operator, station, charger = network.op_a, network.station_a, network.charger_a
    offer = OfferFactory(operator=operator, code="here")
    offer.stations.set([station])
    offer.chargers.set([charger])
    stamp = Stamp.current(Stamp.Kind.CATALOG, operator.pk)
    charger.status = "Faulted"
    charger.save()
    station.name = "Renamed"
    station.save()
    assert Stamp.current(Stamp.Kind.CATALOG, operator.pk) == stamp
    station.code = "a-station-2"
    station.save()
    assert catalog_for(operator).offers["here"].rule.applicability.station_codes == {"a-station-2"}
    charger.code = "a-charger-02"
    charger.save()
    assert catalog_for(operator).offers["here"].rule.applicability.charger_codes == {"a-charger-02"}
