"""The price tool, `manage.py quote --json` and Beckn on_select give the same lines and
total for sessions at a station in a zone with daylight saving, across the night the
clocks go forward and the night they go back (a band and a surge window in the skipped
or repeated hour), the start typed with its UTC offset in the price tool."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from pricing.services import clear_cache
from tests.beckn import bap as msgs
from tests.pricing.factories import BandFactory, SurgeFactory, TariffFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def berlin(network):
    station = network.station_a
    station.time_zone = "Europe/Berlin"
    station.save()
    tariff = TariffFactory(operator=network.op_a, code="t", energy_rate_per_kwh=D("18"),
                           service_fee=D("10"), tax_rate=D("0.18"))  # fmt: skip
    BandFactory(tariff=tariff, code="night", start=dt.time(1), end=dt.time(5),
                rate_per_kwh=D("7.77"))  # fmt: skip
    SurgeFactory(operator=network.op_a, code="s", amount=D("1.50"), window_start=dt.time(2),
                 window_end=dt.time(3), stations=[station])  # fmt: skip
    clear_cache()
    return network


def _tool(network, start: str, kwh: str):
    staff = Client()
    staff.force_login(network.pricing_a)
    params = {"charger": network.charger_a.pk, "start": start, "kwh": kwh}
    quote = staff.get(reverse("admin:offers_offer_simulate"), params).context["quote"]
    return [(ln["title"], ln["amount"]) for ln in quote["lines"]], quote["total"]


def _command(network, start: str, kwh: str):
    out = StringIO()
    call_command(
        "quote", "--charger", network.charger_a.code, "--operator", network.op_a.code,
        "--start", start, "--kwh", kwh, "--json", stdout=out,
    )  # fmt: skip
    document = json.loads(out.getvalue())
    return [(ln["title"], ln["amount"]) for ln in document["lines"]], document["total"]


def _on_select(network, bap, run, start: str, kwh: str):
    cache.clear()
    message = msgs.select(network.op_a.code, network.charger_a.code, offers=())
    item = message["order"]["items"][0]
    item["quantity"]["selected"]["measure"] = {"type": "CONSTANT", "value": kwh, "unit": "kWh"}
    stops = message["order"]["fulfillments"][0]["stops"]
    stops[0]["time"]["timestamp"] = start
    del stops[1]
    _, body = run(bap, "select", message)
    assert "error" not in body, body["error"]
    quote = body["message"]["order"]["quote"]
    return [(b["title"], b["price"]["value"]) for b in quote["breakup"]], quote["price"]["value"]


@pytest.mark.parametrize(
    "start,kwh,expected",
    [
        # over midnight, then the hour the clocks skip: the 02:00-03:00 surge never runs,
        # the night band's four wall-clock hours are three (90 kWh at 30 kW)
        ("2027-03-27T23:30:00+01:00", "200", "3173.37"),
        ("2027-03-28T01:45:00+01:00", "40", "378.54"),
        # the repeated hour is surged at both readings: 45 kWh, ₹67.50
        ("2027-10-31T01:30:00+02:00", "60", "641.57"),
        ("2027-10-31T02:30:00+01:00", "30", "313.41"),  # its second reading only
    ],
)
def test_the_three_surfaces_agree_across_the_clock_changes(
    berlin, bap, run, clock, start, kwh, expected
):
    clock(dt.datetime.fromisoformat(start) - dt.timedelta(days=3))
    shown = _tool(berlin, start, kwh)
    lines, total = shown
    assert sum((D(amount) for _, amount in lines), D("0")) == D(total)
    assert total == expected
    assert _command(berlin, start, kwh) == shown
    assert _on_select(berlin, bap, run, start, kwh) == shown
