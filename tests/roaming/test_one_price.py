"""One price on both protocols: a tariff as an eMSP pulls it over OCPI, priced by an
independent OCPI calculator (tests/roaming/ocpi_reference.py), costs what the commerce
service quotes for the same session without offers, to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offers.services import SessionAsk, quote_without_offers
from pricing.engine.types import LineKind
from pricing.models import Tariff, TariffBand
from tests.factories import ChargerFactory, OperatorFactory, StationFactory
from tests.pricing.factories import SurgeFactory
from tests.roaming.conftest import registered_partner
from tests.roaming.emsp import auth
from tests.roaming.ocpi_reference import bill

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
MONDAY = dt.datetime(2025, 3, 3, tzinfo=IST)


def rates(high: int = 60) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=high, places=4)


@st.composite
def tariffs(draw) -> dict:
    clock = st.integers(0, 47).map(lambda n: dt.time(n // 2, 30 * (n % 2)))
    bands = []
    for n in range(draw(st.integers(0, 3))):
        start, end = sorted((draw(clock), draw(clock)))
        if start == end or end == dt.time(0):
            continue  # within one day: a band past midnight is two OCPI elements (docs)
        days = draw(st.sets(st.integers(0, 6), min_size=1))
        bands.append({"code": f"band-{n}", "label": f"Band {n}", "start": start, "end": end,
                      "days": sorted(days), "rate_per_kwh": draw(rates())})  # fmt: skip
    low = draw(st.none() | st.decimals(min_value=0, max_value=300, places=2))
    high = draw(st.none() | st.decimals(min_value=0, max_value=3000, places=2))
    if low is not None and high is not None and low > high:
        low, high = high, low
    return {
        "energy_rate_per_kwh": draw(rates()),
        "service_fee": draw(st.decimals(min_value=0, max_value=50, places=2)),
        "idle_fee_per_minute": draw(rates(5)),
        "tax_rate": draw(st.sampled_from([Decimal(r) for r in ("0", "0.05", "0.12", "0.18")])),
        "min_price": low,
        "max_price": high,
        "bands": bands,
    }


POWER_KW = Decimal("60")


@st.composite
def sessions(draw) -> tuple[int, int, Decimal]:
    """(minutes after Monday 00:00 local, minutes charging, kWh the charger can deliver)."""
    minutes = draw(st.integers(1, 14 * 60))
    most = (POWER_KW * minutes / 60).quantize(Decimal("0.001"))
    kwh = draw(st.decimals(min_value=Decimal("0.001"), max_value=most, places=3))
    return draw(st.integers(0, 7 * 24 * 60 - 1)), minutes, kwh


@pytest.fixture
def place(ocpi):
    operator = OperatorFactory(code="oneprice.example")
    station = StationFactory(operator=operator, time_zone="Asia/Kolkata")
    charger = ChargerFactory(station=station, code="one-price-01", power_kw=POWER_KW)
    _partner, token = registered_partner(operator)
    return charger, token


def publish(charger, drawn: dict, client, token: str) -> dict:
    """Save the drawn tariff and pull it as an eMSP does: GET /ocpi/2.2.1/tariffs."""
    Tariff.objects.filter(operator=charger.operator).delete()
    fields = {k: v for k, v in drawn.items() if k != "bands"}
    tariff = Tariff.objects.create(operator=charger.operator, code="drawn", name="Drawn",
                                   currency="INR", **fields)  # fmt: skip
    for band in drawn["bands"]:
        TariffBand.objects.create(tariff=tariff, **band)
    response = client.get("/ocpi/2.2.1/tariffs", headers=auth(token))
    [published] = response.json()["data"]
    return published


def commerce_total(charger, start, end, kwh) -> tuple[Decimal, Decimal]:
    """(total excl. tax, total) of the quote without offers."""
    ask = SessionAsk(charger=charger, start=start, kwh=kwh, end=end)
    quote = quote_without_offers(ask).quote
    excl = sum((ln.amount for ln in quote.lines if ln.kind is not LineKind.TAX), Decimal(0))
    return excl, quote.total


# One place for every example: publish() replaces the operator's tariff each time.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn=tariffs(), session=sessions())
def test_the_published_tariff_and_the_quote_cost_the_same(place, client, drawn, session):
    charger, token = place
    published = publish(charger, drawn, client, token)
    offset, minutes, kwh = session
    start = MONDAY + dt.timedelta(minutes=offset)
    end = start + dt.timedelta(minutes=minutes)
    expected = bill(published, start, end, kwh, charger.station.time_zone)
    assert commerce_total(charger, start, end, kwh) == (expected.excl_vat, expected.incl_vat)


def test_with_a_surge_active_the_published_tariff_is_the_base_price(place, client):
    """Surges are Beckn-only (docs/ocpi.md): the quote adds the surge line, OCPI does not."""
    charger, token = place
    drawn = {"energy_rate_per_kwh": Decimal("16"), "service_fee": Decimal("0"),
             "idle_fee_per_minute": Decimal("0"), "tax_rate": Decimal("0"), "min_price": None,
             "max_price": None, "bands": []}  # fmt: skip
    published = publish(charger, drawn, client, token)
    SurgeFactory(operator=charger.operator, amount=Decimal("1"))  # 18:00-21:00, every day
    start = MONDAY.replace(hour=18)
    end = start + dt.timedelta(hours=1)
    ocpi = bill(published, start, end, Decimal("5.2"), "Asia/Kolkata")
    assert ocpi.incl_vat == Decimal("83.20")  # 5.2 kWh at 16
    assert commerce_total(charger, start, end, Decimal("5.2"))[1] == Decimal("88.40")  # + 5.20
    assert client.get("/ocpi/2.2.1/tariffs", headers=auth(token)).json()["data"] == [published]
