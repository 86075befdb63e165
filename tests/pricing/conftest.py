"""Pricing fixtures on top of the suite's two-operator `network`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def priced(network) -> SimpleNamespace:
    """Each operator gets a default tariff (₹18/kWh + ₹10, GST 18% on top) and one evening
    surge; A's surge is the DEG congestion fee."""
    # imported here: the engine's tests run this directory without Django
    from tests.pricing.factories import SurgeFactory, TariffFactory

    ns = network
    ns.tariff_a = TariffFactory(operator=ns.op_a, code="a-default", name="A default")
    ns.tariff_b = TariffFactory(operator=ns.op_b, code="b-default", name="B default")
    ns.surge_a = SurgeFactory(operator=ns.op_a, code="a-congestion", stations=[ns.station_a])
    ns.surge_b = SurgeFactory(
        operator=ns.op_b, code="b-congestion", name="B evening fee", stations=[ns.station_b]
    )
    return ns
