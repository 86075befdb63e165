"""The chargers orders name, found in the published catalog: no query while the stamps
read are trusted (BECKN_REGISTRY_CHECK_MS), a change made in this process seen by the
next lookup, one made elsewhere within that interval."""

from __future__ import annotations

import importlib
import uuid
from types import SimpleNamespace

import pytest

from beckn.services import publication
from cpo_portal.models import Charger, NetworkVersion
from tests.factories import ChargerFactory, ConnectorFactory

pytestmark = pytest.mark.django_db
published = importlib.import_module("beckn.services.publication.published")  # the module


def lookup(network):
    return publication.chargers(network.op_a.code, network.charger_a.code)


def test_a_charger_found_once_costs_no_query_while_the_stamps_are_trusted(
    network, django_assert_num_queries, settings
):
    first = lookup(network)
    with django_assert_num_queries(0):  # the stamps read just now are trusted
        again = lookup(network)
        connectors = list(again[0].connectors.all())
        assert again[0].station.code == network.station_a.code
        assert again[0].operator.code == network.op_a.code
    assert [c.pk for c in first] == [c.pk for c in again] == [network.charger_a.pk]
    assert [c.connector_id for c in connectors] == ["1"]
    settings.BECKN_REGISTRY_CHECK_MS = 0
    with django_assert_num_queries(1):  # the stamps, read before every lookup
        lookup(network)


def test_a_renewal_made_elsewhere_is_seen_once_the_stamps_read_are_too_old(network, monkeypatch):
    """Another process's change reaches this one within BECKN_REGISTRY_CHECK_MS (250 ms):
    a renewal this process did not make (here: an UPDATE of the stamp's row, as another
    process's commit looks from here) is not seen before, and is seen after."""
    clock = [1000.0]
    monkeypatch.setattr(published, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    lookup(network)
    Charger.objects.filter(pk=network.charger_a.pk).update(name="Renamed elsewhere")
    NetworkVersion.objects.update(stamp=uuid.uuid4())  # no renewal counted here
    clock[0] += 0.2
    assert lookup(network)[0].name != "Renamed elsewhere"
    clock[0] += 0.1
    assert lookup(network)[0].name == "Renamed elsewhere"


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
    """Freshness: what another thread of this process commits, with its own connection,
    is in the very next search: a renewal made in this process is read at once."""
    import datetime as dt
    import threading

    from django.db import connection

    from beckn.wire.request_parsing import SearchQuery

    def names() -> list[str]:
        found = publication.offerings(SearchQuery(), dt.datetime.now(dt.UTC))
        return [c.name for offered in found.offered for c in offered.offering.chargers]

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
