"""A cold publication (a process's first search) is built in a fixed number of queries:
as many for a network of a few stations as for one with more stations, chargers and
connectors (every row kind is read in one statement, never one per station or charger)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beckn.services import publication
from cpo_portal.models import Operator
from offers.services.catalog import forget_catalog
from pricing.services.books import clear_cache
from tests.factories import ChargerFactory, ConnectorFactory, StationFactory


@pytest.fixture
def demo(demo_config_world, db):
    publication.forget()
    yield
    publication.forget()


def cold_build() -> tuple[int, int]:
    """The queries of building every provider from nothing, and the chargers published."""
    publication.forget()
    clear_cache()
    forget_catalog()
    with CaptureQueriesContext(connection) as queries:
        _, providers = publication.published()
    return len(queries), sum(
        len(here) for p in providers.values() for here in p.rows.chargers.values()
    )


def grow(operator: Operator, stations: int, chargers: int) -> None:
    for n in range(stations):
        station = StationFactory(
            operator=operator,
            latitude=Decimal("28.34") + Decimal(n) / 1000,
            site_kind="highway" if n % 2 else "urban",
        )
        for k in range(chargers):
            charger = ChargerFactory(station=station, categories=["ev-charger", f"bay-{k}"])
            ConnectorFactory(charger=charger, connector_id="1")
            ConnectorFactory(charger=charger, connector_id="2", connector_type="TYPE2")


def test_a_cold_build_takes_as_many_queries_at_any_size(demo):
    publication.published()  # the stamps' rows exist from the first build on
    small, published_small = cold_build()
    for operator in Operator.objects.order_by("pk"):
        grow(operator, stations=6, chargers=4)
    large, published_large = cold_build()
    operators = Operator.objects.count()
    assert published_large == published_small + operators * 6 * 4
    assert large == small
