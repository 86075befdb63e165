"""A search world for the Beckn catalog tests: both operators with a standard tariff and a
surge rule, an offer everywhere for A (the `search_world` fixture, tests/beckn/conftest.py),
and `grow` to add stations, chargers and offers at the search's GPS."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cpo_portal.models import Holiday
from offers.services.catalog import forget_catalog
from pricing.models import Tariff
from pricing.services import clear_cache
from tests.factories import ChargerFactory, ConnectorFactory, StationFactory
from tests.offers.factories import OfferFactory
from tests.pricing.factories import SurgeFactory


def build_search_world(network):
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
