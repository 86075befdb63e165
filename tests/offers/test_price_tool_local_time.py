"""The price tool reads the start on the station's wall clock: a time the clocks skip
(spring forward) or read twice (fall back) is a form error saying so, never a price for
another hour; an offset given with the time picks the instant, as the command's does."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def berlin(deg):
    station = deg.charger.station
    station.time_zone = "Europe/Berlin"
    station.save()
    return deg


def _tool(client, net, start: str):
    params = {"charger": net.charger.pk, "start": start, "kwh": "10"}
    return client.get(reverse("admin:offers_offer_simulate"), params)


@pytest.mark.parametrize("role", ["admin_a", "pricing_a", "analyst_a"])
def test_a_time_the_clocks_skip_is_a_form_error(client, berlin, role):
    client.force_login(getattr(berlin, role))
    response = _tool(client, berlin, "2025-03-30T02:30")
    assert response.status_code == 200 and "quote" not in response.context
    assert response.context["form"].errors["start"] == [
        "2025-03-30 02:30 does not occur at this station (Europe/Berlin): "
        "the clocks go forward past it. Give another time."
    ]


def test_a_time_the_clocks_read_twice_asks_for_its_offset(as_pricing_a, berlin):
    response = _tool(as_pricing_a, berlin, "2025-10-26T02:30")
    assert response.status_code == 200 and "quote" not in response.context
    assert response.context["form"].errors["start"] == [
        "2025-10-26 02:30 occurs twice at this station (Europe/Berlin): the clocks go back. "
        "Add the UTC offset: 2025-10-26T02:30+02:00 (the first) or "
        "2025-10-26T02:30+01:00 (the second)."
    ]


@pytest.mark.parametrize("offset", ["+02:00", "+01:00"])
def test_the_offset_picks_the_hour_and_the_command_agrees(as_pricing_a, berlin, offset):
    start = f"2025-10-26T02:30{offset}"
    quote = _tool(as_pricing_a, berlin, start).context["quote"]
    out = StringIO()
    call_command(
        "quote", "--charger", berlin.charger.code, "--operator", berlin.op_a.code,
        "--start", start, "--kwh", "10", "--json", stdout=out,
    )  # fmt: skip
    document = json.loads(out.getvalue())
    assert quote["start"] == document["start"] == f"2025-10-26T02:30:00{offset}"
    assert quote["lines"] == document["lines"] and quote["total"] == document["total"]
    assert sum(Decimal(ln["amount"]) for ln in quote["lines"]) == Decimal(quote["total"])


def test_a_wall_clock_time_that_occurs_once_is_priced_as_before(as_pricing_a, berlin):
    quote = _tool(as_pricing_a, berlin, "2025-10-26T03:30").context["quote"]
    assert quote["start"] == "2025-10-26T03:30:00+01:00"
