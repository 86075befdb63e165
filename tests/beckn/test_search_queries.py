"""on_search costs a fixed number of SQL queries however many chargers, stations and offers
the search circle holds (the real pricing and offers services, no fake)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beckn import processing
from beckn.models import InboundMessage
from cpo_portal.models import Holiday
from offers.services.catalog import forget_catalog
from pricing.models import Tariff
from pricing.services import clear_cache
from tests.beckn import bap as msgs
from tests.factories import ChargerFactory, ConnectorFactory, StationFactory
from tests.offers.factories import OfferFactory
from tests.pricing.factories import SurgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(network):
    clear_cache()
    forget_catalog()
    for op in (network.op_a, network.op_b):
        Tariff.objects.create(
            operator=op, code="std", name="Standard", energy_rate_per_kwh=Decimal("18"),
            service_fee=Decimal("10"), tax_rate=Decimal("0.18"),
        )  # fmt: skip
        SurgeFactory(operator=op)  # rules of both shapes on both sides of the comparison
    OfferFactory(operator=network.op_a, code="everywhere-25")
    return network


def grow(network, stations: int, chargers: int, offers: int) -> None:
    """More of everything for operator A, all at the search's GPS: stations with their own
    tariff, surge rule and holiday; chargers, one with its own tariff; offers placed on a
    station, on a charger, or everywhere."""
    op = network.op_a
    made_stations, made_chargers = [], []
    for s in range(stations):
        station = StationFactory(operator=op, region_code=f"R{s}")
        made_stations.append(station)
        Tariff.objects.create(
            operator=op, station=station, code=f"st-{station.code}", name="Station",
            energy_rate_per_kwh=Decimal("16"), service_fee=Decimal("0"),
        )  # fmt: skip
        SurgeFactory(operator=op, stations=[station], window_start=None, window_end=None)
        Holiday.objects.create(operator=op, region_code=f"R{s}", date=dt.date(2030, 9, 21))
        for _ in range(chargers):
            charger = ChargerFactory(station=station)
            ConnectorFactory(charger=charger)
            made_chargers.append(charger)
    Tariff.objects.create(
        operator=op, charger=made_chargers[0], code="one-charger", name="One charger",
        energy_rate_per_kwh=Decimal("20"), service_fee=Decimal("5"),
    )  # fmt: skip
    for n in range(offers):
        offer = OfferFactory(operator=op, percent=Decimal(5 + n % 20))
        if n % 3 == 0:
            offer.stations.set([made_stations[n % len(made_stations)]])
        elif n % 3 == 1:
            offer.chargers.set([made_chargers[n % len(made_chargers)]])


def search(bap, client, capture_on_commit) -> tuple[int, dict]:
    """(queries processing one search cost, its on_search body)."""
    body = bap.body("search", msgs.search())
    with capture_on_commit(execute=True):
        assert bap.post(client, "search", body).status_code == 200
    inbound = InboundMessage.objects.get(message_id=body["context"]["message_id"])
    with CaptureQueriesContext(connection) as queries, capture_on_commit(execute=True):
        row = processing.process(inbound.pk)
    reply = json.loads(row.payload)
    assert "error" not in reply, reply["error"]
    return len(queries.captured_queries), reply


def items(reply) -> int:
    return sum(len(p["items"]) for p in reply["message"]["catalog"]["providers"])


def test_on_search_queries_do_not_grow_with_the_catalog(
    priced, bap, client, no_queue, our_key, django_capture_on_commit_callbacks
):
    go = lambda: search(bap, client, django_capture_on_commit_callbacks)  # noqa: E731

    go()  # warm the price books and the offer catalog
    small, small_reply = go()
    clear_cache(), forget_catalog()
    small_cold, _ = go()

    grow(priced, stations=6, chargers=4, offers=12)
    go()
    big, big_reply = go()
    clear_cache(), forget_catalog()
    big_cold, _ = go()

    assert items(small_reply) == 2 and items(big_reply) == 2 + 6 * 4  # the growth is seen
    placed = [o for p in big_reply["message"]["catalog"]["providers"] for o in p.get("offers", [])]
    assert len(placed) == 1 + 12
    assert big <= small, f"warm: {small} queries for 2 chargers, {big} for 26"
    assert big_cold <= small_cold, f"cold: {small_cold} queries for 2 chargers, {big_cold} for 26"
