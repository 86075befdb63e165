"""Engine -> offers -> finalize, on the DEG offer journey (the page's GST lines corrected)."""

import datetime as dt
from decimal import Decimal as D

from offers.rules.construct import (
    EnergyTradeTerms,
    PricingModel,
    TimeOfDayRate,
    WheelingCharges,
)
from offers.rules.settle import redeemed_on_delivery
from pricing.engine import compile_book, finalize
from pricing.engine.types import (
    Conditions,
    LineKind,
    PricedSession,
    Quote,
    RateBand,
    SessionRequest,
    Site,
    Tariff,
    TimeWindow,
)
from tests.support.offers import best_offers

from .helpers import IST, deg_weekend_offer, facts, offer

SITE = Site(
    station_code="ST-CP",
    charger_code="pe-charging-01",
    time_zone="Asia/Kolkata",
    power_kw=D("30"),
    category_codes=frozenset({"weekend-special"}),
)
TARIFF = Tariff(code="T1", currency="INR", energy_rate_per_kwh=D("18"), service_fee=D("10"))
SUNDAY = dt.datetime(2025, 9, 21, 10, 0, tzinfo=IST)


def price(**request: object) -> PricedSession:
    req = SessionRequest(site=SITE, start=SUNDAY, **request)  # type: ignore[arg-type]
    return compile_book(TARIFF, []).price(req, Conditions())


def rows(quote: Quote) -> list[tuple[LineKind, str]]:
    return [(ln.kind, str(ln.amount)) for ln in quote.lines]


def test_deg_select_100_rupees_with_the_weekend_offer() -> None:
    priced = price(end=SUNDAY + dt.timedelta(hours=1), amount=D("100"))
    assert priced.kwh == D("5.000")
    offers = best_offers([deg_weekend_offer()], priced, facts())
    quote = finalize(priced, offers.lines)
    # taxable 90 + 10 - 22.50 = 77.50; GST 18 % = 13.95 (the page prints 11.50 and 88.50)
    assert rows(quote) == [
        (LineKind.ENERGY, "90.00"),
        (LineKind.SERVICE_FEE, "10.00"),
        (LineKind.DISCOUNT, "-22.50"),
        (LineKind.TAX, "13.95"),
    ]
    assert quote.total == D("91.45")


def test_deg_settlement_on_5_2_kwh() -> None:
    delivered = price(kwh=D("5.2"))
    settled = redeemed_on_delivery([deg_weekend_offer()], delivered, facts())
    quote = finalize(delivered, settled.lines)
    # taxable 93.60 + 10 - 23.40 = 80.20; GST 14.436 -> 14.44 (the page prints 11.60, 91.80)
    assert rows(quote) == [
        (LineKind.ENERGY, "93.60"),
        (LineKind.SERVICE_FEE, "10.00"),
        (LineKind.DISCOUNT, "-23.40"),
        (LineKind.TAX, "14.44"),
    ]
    assert quote.total == D("94.64")


def test_time_of_day_trade_on_engine_segments_with_wheeling() -> None:
    evening = Tariff(
        code="T2",
        currency="INR",
        energy_rate_per_kwh=D("18"),
        bands=(RateBand("PEAK", "Peak", TimeWindow(dt.time(18), dt.time(22)), D("22")),),
    )
    start = dt.datetime(2025, 9, 21, 17, 0, tzinfo=IST)
    request = SessionRequest(site=SITE, start=start, end=start + dt.timedelta(hours=2))
    priced = compile_book(evening, []).price(request, Conditions())  # 17-18 at 18, 18-19 at 22
    assert [(s.kwh, s.rate_per_kwh) for s in priced.segments] == [
        (D("30"), D("18")),
        (D("30"), D("22")),
    ]
    terms = EnergyTradeTerms(
        PricingModel.TIME_OF_DAY,
        time_of_day_rates=(TimeOfDayRate(dt.time(17, 30), dt.time(20), D("12"), "INR"),),
        wheeling=WheelingCharges(D("25"), "INR", "Discom wheeling charge"),
    )
    result = best_offers([offer("green", terms, title="Solar hours")], priced, facts())
    # 15 kWh at 18 -> 12 (90.00) and 30 kWh at 22 -> 12 (300.00)
    quote = finalize(priced, result.lines)
    assert rows(quote) == [
        (LineKind.ENERGY, "540.00"),
        (LineKind.ENERGY, "660.00"),
        (LineKind.DISCOUNT, "-390.00"),
        (LineKind.WHEELING, "25.00"),
        (LineKind.TAX, "145.80"),  # 18 % of 810.00; the wheeling charge is not taxed
    ]
    assert quote.total == D("980.80")
