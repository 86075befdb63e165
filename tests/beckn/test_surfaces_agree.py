"""Every surface quotes the same money: the admin Price preview, `manage.py quote --json`
and Beckn on_select (through the real handler, to the callback body) give the same lines
and total to the paisa, over drawn tariffs (time-of-day bands, OCPI min/max price with and
without VAT, tax-inclusive and exclusive), surge rules, offers and sessions."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from offers.services.catalog import forget_catalog
from pricing.services import clear_cache
from pricing.services.ocpi import import_ocpi
from tests.beckn import bap as msgs
from tests.offers.factories import OfferFactory
from tests.pricing.factories import IST, BandFactory, SurgeFactory, TariffFactory

pytestmark = pytest.mark.django_db
D = Decimal
Lines = list[tuple[str, str]]

money = st.decimals(min_value="0", max_value="30", places=2)
rate = st.decimals(min_value="1", max_value="30", places=2)
hours = st.integers(min_value=0, max_value=23)


@st.composite
def model_tariffs(draw) -> dict[str, Any]:
    low = draw(st.one_of(st.none(), st.decimals(min_value="0", max_value="200", places=2)))
    high = draw(st.one_of(st.none(), st.decimals(min_value="1", max_value="400", places=2)))
    if low is not None and high is not None and high < low:
        low, high = high, low
    return {
        "kind": "model",
        "energy": draw(rate),
        "fee": draw(money),
        "tax": draw(st.sampled_from([D("0"), D("0.05"), D("0.18")])),
        "inclusive": draw(st.booleans()),
        "min": low,
        "max": high,
        "bands": draw(st.lists(st.tuples(hours, hours, rate), max_size=1)),
    }


@st.composite
def ocpi_tariffs(draw) -> dict[str, Any]:
    bound = st.one_of(st.none(), st.decimals(min_value="1", max_value="300", places=2))
    low, high = draw(bound), draw(bound)
    if low is not None and high is not None and high < low:
        low, high = high, low
    return {
        "kind": "ocpi",
        "energy": draw(rate),
        "energy_vat": draw(st.sampled_from([0.0, 5.0, 10.0, 18.0])),
        "fee": draw(money),
        "fee_vat": draw(st.sampled_from([0.0, 18.0, 20.0])),
        "min": low,
        "max": high,
        "with_incl": draw(st.booleans()),  # the bound states incl_vat too
    }


@st.composite
def worlds(draw) -> dict[str, Any]:
    return {
        "tariff": draw(st.one_of(model_tariffs(), ocpi_tariffs())),
        "surges": draw(
            st.lists(
                st.tuples(hours, hours, st.decimals(min_value="0.5", max_value="5", places=2)),
                max_size=2,
            )
        ),
        "offers": draw(
            st.lists(
                st.tuples(
                    st.decimals(min_value="5", max_value="50", places=0),  # percent off energy
                    st.decimals(min_value="0", max_value="100", places=0),  # min session value
                    st.decimals(min_value="5", max_value="100", places=0),  # cap
                    st.booleans(),  # additive
                ),
                max_size=2,
            )
        ),
        "start": draw(
            st.datetimes(min_value=MONDAY, max_value=MONDAY + dt.timedelta(days=29))
        ).replace(second=0, microsecond=0),
        "kwh": draw(st.decimals(min_value="1", max_value="60", places=1)),
    }


# A month of sessions from a Monday the booking window takes, every weekday and hour drawn.
MONDAY = dt.datetime.combine(msgs.MONDAY, dt.time())


def _ocpi_bound(excl: Decimal, vat: float, with_incl: bool) -> dict[str, float]:
    out = {"excl_vat": float(excl)}
    if with_incl:
        out["incl_vat"] = float((excl * (1 + D(str(vat)) / 100)).quantize(D("0.01")))
    return out


def build(network, world: dict[str, Any]) -> None:
    clear_cache()
    forget_catalog()
    cache.clear()  # the inbound rate limit counts every example's request
    op, t = network.op_a, world["tariff"]
    if t["kind"] == "model":
        tariff = TariffFactory(
            operator=op, code="t", energy_rate_per_kwh=t["energy"], service_fee=t["fee"],
            tax_rate=t["tax"], prices_include_tax=t["inclusive"], min_price=t["min"],
            max_price=t["max"],
        )  # fmt: skip
        for i, (start, end, band_rate) in enumerate(t["bands"]):
            if start != end:
                BandFactory(tariff=tariff, code=f"b{i}", start=dt.time(start),
                            end=dt.time(end), rate_per_kwh=band_rate)  # fmt: skip
    else:
        data: dict[str, Any] = {
            "country_code": "IN", "party_id": "CPO", "id": "drawn", "currency": "INR",
            "last_updated": "2025-09-01T00:00:00Z",
            "elements": [{"price_components": [
                {"type": "ENERGY", "price": float(t["energy"]), "vat": t["energy_vat"],
                 "step_size": 1},
                *([{"type": "FLAT", "price": float(t["fee"]), "vat": t["fee_vat"],
                    "step_size": 1}] if t["fee"] else []),
            ]}],
        }  # fmt: skip
        vat = t["energy_vat"]
        if t["min"] is not None:
            data["min_price"] = _ocpi_bound(t["min"], vat, t["with_incl"])
        if t["max"] is not None:
            data["max_price"] = _ocpi_bound(t["max"], vat, t["with_incl"])
        import_ocpi(data, operator=op)
    for i, (start, end, amount) in enumerate(world["surges"]):
        if start != end:
            SurgeFactory(operator=op, code=f"s{i}", amount=amount, window_start=dt.time(start),
                         window_end=dt.time(end), stations=[network.station_a])  # fmt: skip
    for i, (percent, floor, cap, additive) in enumerate(world["offers"]):
        OfferFactory(operator=op, code=f"o{i}", title=f"Offer {i}", percent=percent,
                     min_session_value=floor, max_discount=cap, additive=additive,
                     valid_from=dt.datetime(2025, 1, 1, tzinfo=IST))  # fmt: skip


def preview(network, start: dt.datetime, kwh: Decimal) -> tuple[Lines, str]:
    staff = Client()
    staff.force_login(network.pricing_a)
    params = {"charger": network.charger_a.pk, "start": f"{start:%Y-%m-%dT%H:%M}", "kwh": kwh}
    response = staff.get(reverse("admin:offers_offer_simulate"), params, follow=True)
    quote = response.context["quote"]
    return [(ln["title"], ln["amount"]) for ln in quote["lines"]], quote["total"]


def command(network, start: dt.datetime, kwh: Decimal) -> tuple[Lines, str]:
    out = StringIO()
    call_command(
        "quote", "--charger", network.charger_a.code, "--operator", network.op_a.code,
        "--start", start.replace(tzinfo=IST).isoformat(), "--kwh", str(kwh), "--json",
        stdout=out,
    )  # fmt: skip
    document = json.loads(out.getvalue())
    return [(ln["title"], ln["amount"]) for ln in document["lines"]], document["total"]


def on_select(network, bap, run, start: dt.datetime, kwh: Decimal) -> tuple[Lines, str]:
    message = msgs.select(network.op_a.code, network.charger_a.code, offers=())
    item = message["order"]["items"][0]
    item["quantity"]["selected"]["measure"] = {"type": "CONSTANT", "value": str(kwh),
                                               "unit": "kWh"}  # fmt: skip
    stops = message["order"]["fulfillments"][0]["stops"]
    stops[0]["time"]["timestamp"] = start.replace(tzinfo=IST).isoformat()
    del stops[1]
    _, body = run(bap, "select", message)
    assert "error" not in body, body["error"]
    quote = body["message"]["order"]["quote"]
    return [(b["title"], b["price"]["value"]) for b in quote["breakup"]], quote["price"]["value"]


MAX_PRICE_WITH_VAT = {
    "tariff": {"kind": "ocpi", "energy": D("0.25"), "energy_vat": 10.0, "fee": D("0.50"),
               "fee_vat": 20.0, "min": None, "max": D("10"), "with_incl": True},
    "surges": [], "offers": [], "start": MONDAY + dt.timedelta(hours=10), "kwh": D("50"),
}  # fmt: skip


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@example(MAX_PRICE_WITH_VAT)
@given(worlds())
def test_preview_command_and_on_select_quote_the_same_money(network, bap, run, our_key, world):
    with transaction.atomic():
        build(network, world)
        start, kwh = world["start"], world["kwh"]
        shown = preview(network, start, kwh)
        assert command(network, start, kwh) == shown
        assert on_select(network, bap, run, start, kwh) == shown
        lines, total = shown
        assert sum((D(amount) for _, amount in lines), D("0")) == D(total)
        transaction.set_rollback(True)


def test_the_ocpi_max_price_including_vat_is_11_00_everywhere(network, bap, run, our_key):
    """OCPI 2.2.1's example: 0.50 start fee (20 % VAT) + 0.25/kWh (10 % VAT), max_price
    10.00 / 11.00, 50 kWh: 11.00 on every surface (the command and on_select said 11.05)."""
    build(network, MAX_PRICE_WITH_VAT)
    start, kwh = MAX_PRICE_WITH_VAT["start"], MAX_PRICE_WITH_VAT["kwh"]
    assert preview(network, start, kwh)[1] == "11.00"
    assert command(network, start, kwh)[1] == "11.00"
    assert on_select(network, bap, run, start, kwh)[1] == "11.00"
