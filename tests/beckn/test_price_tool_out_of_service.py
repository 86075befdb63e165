"""A charger no driver can start a session at now (faulted, unavailable, or at a station
not active) is still priced by the price tool, for planning, and the page says it is out
of service in the very sentence a Beckn select for it is refused with."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.beckn import bap as msgs
from tests.pricing.factories import TariffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(network):
    TariffFactory(operator=network.op_a, code="t", energy_rate_per_kwh=Decimal("20"))
    return network


def tool(client, network):
    params = {"charger": network.charger_a.pk, "start": f"{msgs.MONDAY}T10:00", "kwh": "10"}
    response = client.get(reverse("admin:offers_offer_simulate"), params)
    assert response.status_code == 200
    return response


def refusal(network, bap, run) -> str:
    _, body = run(bap, "select", msgs.select(network.op_a.code, network.charger_a.code))
    assert body["error"]["code"] == "40002"
    return body["error"]["message"]


@pytest.mark.parametrize(
    ("charger_status", "station_status", "why"),
    [
        ("Faulted", "active", "Faulted"),
        ("Unavailable", "active", "Unavailable"),
        ("Available", "maintenance", "station under maintenance"),
        ("Available", "closed", "station closed"),
    ],
)
def test_the_price_tool_prices_it_and_says_drivers_cannot_charge_there_now(
    as_pricing_a, world, bap, run, our_key, charger_status, station_status, why
):
    world.charger_a.status = charger_status
    world.charger_a.save()
    world.station_a.status = station_status
    world.station_a.save()
    response = tool(as_pricing_a, world)
    assert response.context["quote"]["total"]  # still priced, for planning
    sentence = (
        f"Charger {world.charger_a.code} is out of service ({why}): "
        "drivers cannot start a session there now."
    )
    assert response.context["out_of_service"] == sentence
    assert sentence in response.content.decode()
    assert refusal(world, bap, run) == sentence


@pytest.mark.parametrize("charger_status", ["Available", "Occupied", "Reserved"])
def test_a_charger_drivers_can_book_has_no_such_note(as_pricing_a, world, charger_status):
    world.charger_a.status = charger_status
    world.charger_a.save()
    response = tool(as_pricing_a, world)
    assert response.context["quote"]["total"]
    assert response.context["out_of_service"] is None
    assert "out of service" not in response.content.decode()
