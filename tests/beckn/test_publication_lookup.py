"""The chargers orders name, found in the published catalog with the stamps they are
published under: one query (the stamps, read for every lookup, whatever
BECKN_REGISTRY_CHECK_MS allows a search), so a change made in this process or in
another is seen by the next lookup."""

from __future__ import annotations

import importlib
import uuid

import pytest
from django.db import connection

from beckn.services import publication
from cpo_portal.models import Charger, Checked, Stamp, StationStamp
from tests.factories import ChargerFactory, ConnectorFactory, OperatorFactory, StationFactory

pytestmark = pytest.mark.django_db
published = importlib.import_module("beckn.services.publication.published")  # the module


def lookup(network):
    return publication.chargers_and_stamps(network.op_a.code, network.charger_a.code)[0]


def test_a_charger_found_once_costs_one_query_its_stamps(
    network, django_assert_num_queries, settings
):
    settings.BECKN_REGISTRY_CHECK_MS = 60_000  # what a search would trust: not a lookup
    first = lookup(network)
    with django_assert_num_queries(1):  # the stamps, read for every lookup
        again = lookup(network)
        connectors = list(again[0].connectors.all())
        assert again[0].station.code == network.station_a.code
        assert again[0].operator.code == network.op_a.code
    assert [c.pk for c in first] == [c.pk for c in again] == [network.charger_a.pk]
    assert [c.connector_id for c in connectors] == ["1"]


def test_a_renewal_made_elsewhere_is_seen_by_the_next_lookup(network, settings):
    """Another process's change (here: an UPDATE of the stamp's row, as another process's
    commit looks from here: no renewal counted in this one) is quoted from its commit on,
    however long a search would trust the stamps it read."""
    settings.BECKN_REGISTRY_CHECK_MS = 60_000
    lookup(network)
    Charger.objects.filter(pk=network.charger_a.pk).update(name="Renamed elsewhere")
    StationStamp.objects.filter(station=network.station_a).update(stamp=uuid.uuid4())
    Stamp.objects.filter(kind=Stamp.Kind.NETWORK).update(stamp=uuid.uuid4())  # none counted
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


def test_a_bulk_change_is_seen_once_its_stamps_are_renewed(network):
    lookup(network)
    Charger.objects.filter(pk=network.charger_a.pk).update(name="Bulk")
    Stamp.bump(Stamp.Kind.NETWORK, network.op_a.pk)
    assert lookup(network)[0].name != "Bulk"  # its station's stamp did not move
    StationStamp.renew(station_id=network.station_a.pk)
    Stamp.bump(Stamp.Kind.NETWORK, network.op_a.pk)
    assert lookup(network)[0].name == "Bulk"


def test_a_charger_save_reads_only_its_station_again(network):
    other = StationFactory(operator=network.op_a, code="a-station-2")
    ChargerFactory(station=other, code="a-charger-02")
    rows = publication.published()[0][network.op_a.pk]
    network.charger_a.status = "Faulted"
    network.charger_a.save()
    again = publication.published()[0][network.op_a.pk]
    assert again.stations[other.pk] is rows.stations[other.pk]  # kept, not read again
    assert again.chargers[other.pk] is rows.chargers[other.pk]
    assert again.chargers[network.station_a.pk][0].status == "Faulted"
    assert again.stamps[network.station_a.pk] != rows.stamps[network.station_a.pk]


def test_a_charger_moved_to_another_station_is_published_there_only(network):
    other = StationFactory(operator=network.op_a, code="a-station-2")
    publication.published()
    network.charger_a.station = other
    network.charger_a.save()
    rows = publication.published()[0][network.op_a.pk]
    assert [c.code for c in rows.chargers[other.pk]] == ["a-charger-01"]
    assert rows.chargers[network.station_a.pk] == []
    assert [c.station_id for c in rows.codes["a-charger-01"]] == [other.pk]


def test_a_lookup_that_found_nothing_is_not_kept(network):
    assert publication.chargers_and_stamps(network.op_a.code, "new-charger")[0] == []
    ChargerFactory(station=network.station_a, code="new-charger")
    assert [
        c.code for c in publication.chargers_and_stamps(network.op_a.code, "new-charger")[0]
    ] == ["new-charger"]


def test_a_network_save_renews_its_operators_stamp_and_no_other(network):
    a, b = network.op_a.pk, network.op_b.pk
    before, other = Stamp.current(Stamp.Kind.NETWORK, a), Stamp.current(Stamp.Kind.NETWORK, b)
    charger = ChargerFactory(station=network.station_a)
    after = Stamp.current(Stamp.Kind.NETWORK, a)
    assert after != before
    charger.save()
    assert Stamp.current(Stamp.Kind.NETWORK, a) != after
    ConnectorFactory(charger=charger, connector_id="2").delete()
    network.station_a.save()
    network.op_a.save()
    assert Stamp.current(Stamp.Kind.NETWORK, b) == other


def test_a_change_at_one_operator_reads_only_its_rows_again(network):
    rows, providers = publication.published()
    network.charger_a.status = "Faulted"
    network.charger_a.save()
    again, rebuilt = publication.published()
    assert again[network.op_b.pk] is rows[network.op_b.pk]  # kept, not read again
    assert rebuilt[network.op_b.pk] is providers[network.op_b.pk]
    assert again[network.op_a.pk] is not rows[network.op_a.pk]
    assert again[network.op_a.pk].chargers[network.station_a.pk][0].status == "Faulted"


def test_a_station_moved_to_another_operator_is_published_at_that_one_only(network):
    """A move renews the new operator's network stamp only: the operator it left is read
    again because its rows held what moved."""
    publication.published()
    network.station_b.operator = network.op_a
    network.station_b.save()
    rows = publication.published()[0]
    assert network.station_b.pk in rows[network.op_a.pk].stations
    assert network.station_b.pk not in rows[network.op_b.pk].stations
    network.charger_b.operator = network.op_a
    network.charger_b.save()
    rows = publication.published()[0]
    assert [c.code for c in rows[network.op_a.pk].codes["b-charger-01"]] == ["b-charger-01"]
    assert "b-charger-01" not in rows[network.op_b.pk].codes


def test_an_operator_made_or_deleted_is_published_or_gone(network):
    publication.published()
    operator = OperatorFactory(code="cpo-new.example")
    ChargerFactory(station=StationFactory(operator=operator), code="new-01")
    found = publication.chargers_and_stamps("cpo-new.example", "new-01")[0]
    assert [c.code for c in found] == ["new-01"]
    operator.delete()
    assert operator.pk not in publication.published()[0]
    assert network.op_a.pk in publication.published()[0]


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


def taken_now() -> None:
    """As a worker's take leaves it: every operator's stamps read with the message."""
    publication.taken(Stamp.every(publication.KINDS), Checked.moment())


def test_the_stamps_a_take_read_serve_the_lookups_of_its_message(
    network, django_assert_num_queries, settings
):
    settings.BECKN_REGISTRY_CHECK_MS = 0  # nothing trusted for its age
    lookup(network)
    taken_now()
    try:
        with django_assert_num_queries(0):
            assert [c.pk for c in lookup(network)] == [network.charger_a.pk]
    finally:
        publication.answered()
    with django_assert_num_queries(1):  # the message answered: read again
        lookup(network)


def test_a_change_made_here_after_the_take_is_read_again(network, settings):
    settings.BECKN_REGISTRY_CHECK_MS = 60_000
    lookup(network)
    taken_now()
    try:
        network.charger_a.status = "Faulted"
        network.charger_a.save()
        assert lookup(network)[0].status == "Faulted"
    finally:
        publication.answered()


def test_stamps_read_before_the_take_are_read_again(network, settings):
    """A change committed elsewhere before the message was taken is quoted: stamps this
    process read before the take are not those of the take."""
    settings.BECKN_REGISTRY_CHECK_MS = 60_000
    lookup(network)
    Charger.objects.filter(pk=network.charger_a.pk).update(name="Renamed elsewhere")
    StationStamp.objects.filter(station=network.station_a).update(stamp=uuid.uuid4())
    Stamp.objects.filter(kind=Stamp.Kind.NETWORK).update(stamp=uuid.uuid4())  # none counted
    publication.taken(None, Checked.moment())  # a take that read no stamps (SQLite's)
    try:
        assert lookup(network)[0].name == "Renamed elsewhere"
    finally:
        publication.answered()


@pytest.mark.postgres
def test_the_takes_column_of_stamps_reads_what_every_reads(network):
    lookup(network)  # the stamps' rows made
    column, params = Stamp.every_column(publication.KINDS, connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column}", params)
        (value,) = cursor.fetchone()
    found = Stamp.every_from(value, publication.KINDS)
    assert found == Stamp.every(publication.KINDS)
    assert found[Stamp.Kind.NETWORK][network.op_a.pk] == Stamp.current(
        Stamp.Kind.NETWORK, network.op_a.pk
    )
