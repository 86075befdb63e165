"""The chargers orders name, found in the published catalog: one stamp read per lookup,
and every change to the network seen by the next lookup."""

from __future__ import annotations

import pytest

from beckn.services import publication
from cpo_portal.models import Charger, NetworkVersion
from tests.factories import ChargerFactory, ConnectorFactory

pytestmark = pytest.mark.django_db


def lookup(network):
    return publication.chargers(network.op_a.code, network.charger_a.code)


def test_a_charger_found_once_costs_only_the_stamp_read_after(network, django_assert_num_queries):
    first = lookup(network)
    with django_assert_num_queries(1):  # the stamps
        again = lookup(network)
        connectors = list(again[0].connectors.all())
        assert again[0].station.code == network.station_a.code
        assert again[0].operator.code == network.op_a.code
    assert [c.pk for c in first] == [c.pk for c in again] == [network.charger_a.pk]
    assert [c.connector_id for c in connectors] == ["1"]


def test_a_saved_change_is_seen_by_the_next_lookup(network):
    lookup(network)
    network.charger_a.status = "Faulted"
    network.charger_a.save()
    assert lookup(network)[0].status == "Faulted"
    network.station_a.status = "maintenance"
    network.station_a.save()
    assert lookup(network)[0].station.status == "maintenance"
    ConnectorFactory(charger=network.charger_a, connector_id="2")
    assert [c.connector_id for c in lookup(network)[0].connectors.all()] == ["1", "2"]
    network.op_a.name = "Renamed"
    network.op_a.save()
    assert lookup(network)[0].operator.name == "Renamed"
    network.charger_a.delete()
    assert lookup(network) == []


def test_a_bulk_change_is_seen_once_the_stamp_is_bumped(network):
    lookup(network)
    Charger.objects.filter(pk=network.charger_a.pk).update(name="Bulk")
    NetworkVersion.bump()
    assert lookup(network)[0].name == "Bulk"


def test_a_lookup_that_found_nothing_is_not_kept(network):
    assert publication.chargers(network.op_a.code, "new-charger") == []
    ChargerFactory(station=network.station_a, code="new-charger")
    assert [c.code for c in publication.chargers(network.op_a.code, "new-charger")] == [
        "new-charger"
    ]


def test_the_stamp_is_renewed_by_every_network_save():
    before = NetworkVersion.current()
    assert NetworkVersion.current() == before
    charger = ChargerFactory()
    after = NetworkVersion.current()
    assert after != before
    charger.save()
    assert NetworkVersion.current() != after


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_connection_is_seen_by_the_next_search(network):
    """Freshness: what another process (here a thread with its own connection) commits is
    in the very next search of this one: the stamps are read before every search."""
    import datetime as dt
    import threading

    from django.db import connection

    from beckn.wire.request_parsing import SearchQuery

    def names() -> list[str]:
        found = publication.search(SearchQuery(), dt.datetime.now(dt.UTC), "both")
        return [c.name for layout in found.layouts for c in layout.offering.chargers]

    assert network.charger_a.name in names()

    def rename() -> None:
        try:
            charger = Charger.objects.get(pk=network.charger_a.pk)
            charger.name = "Renamed elsewhere"
            charger.save()
        finally:
            connection.close()

    elsewhere = threading.Thread(target=rename)
    elsewhere.start()
    elsewhere.join()
    assert "Renamed elsewhere" in names()
