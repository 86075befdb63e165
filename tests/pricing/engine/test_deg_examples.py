"""The numbers of the DEG surge use case, reproduced to the paisa (errata noted)."""

from __future__ import annotations

import pytest

from pricing.engine.types import ChargeForm, LineKind, Quote
from tests.pricing.engine.build import (
    NONE,
    D,
    at,
    book_price,
    book_quote,
    rule,
    session,
    site,
    tariff,
    window,
)

CONGESTION = rule(
    "congestion",
    "1",
    name="Congestion Fee",
    window=window("18:00", "21:00"),
)
JOURNEY = tariff("16", tax_included=True)
SELECT = tariff("18", service_fee=D("10"), tax_included=True)
SURGE_20 = rule("surge", "20", ChargeForm.PERCENT, name="surge price")


def amounts(quote: Quote) -> list[tuple[LineKind, str]]:
    return [(line.kind, str(line.amount)) for line in quote.lines]


def test_receipt_5_2_kwh_with_congestion_fee():
    quote = book_quote(
        session(at("2025-09-24 18:25"), site("7.4"), kwh=D("5.2")), JOURNEY, [CONGESTION]
    )
    assert amounts(quote) == [(LineKind.ENERGY, "83.20"), (LineKind.SURGE, "5.20")]
    assert quote.total == D("88.40")
    assert quote.lines[1].title == "Congestion Fee (₹1/kWh x 5.2 kWh)"
    assert quote.lines_of(LineKind.TAX) == ()
    assert quote.tax_included == D("13.48")  # 88.40 x 18/118
    assert quote.tax_inclusive


def test_running_total_at_3_4_kwh_is_57_80_not_58_00():
    quote = book_quote(
        session(at("2025-09-24 18:25"), site("7.4"), kwh=D("3.4")), JOURNEY, [CONGESTION]
    )
    assert amounts(quote) == [(LineKind.ENERGY, "54.40"), (LineKind.SURGE, "3.40")]
    assert quote.total == D("57.80")  # the DEG page prints 58.00: a slip


def test_preview_for_5_kwh_is_85():
    quote = book_quote(
        session(at("2025-09-24 18:15"), site("7.4"), kwh=D("5")), JOURNEY, [CONGESTION]
    )
    assert quote.total == D("85.00")


def test_congestion_fee_only_on_the_energy_inside_the_window():
    # 10 kW from 20:30: 5 kWh before 21:00, 5.2 kWh after
    quote = book_quote(
        session(at("2025-09-24 20:30"), site("10"), kwh=D("10.2")), JOURNEY, [CONGESTION]
    )
    assert amounts(quote) == [(LineKind.ENERGY, "163.20"), (LineKind.SURGE, "5.00")]
    assert [
        seg.kwh
        for seg in book_price(
            session(at("2025-09-24 20:30"), site("10"), kwh=D("10.2")), JOURNEY, [CONGESTION], NONE
        ).segments
    ] == [D("5"), D("5.2")]


@pytest.mark.parametrize(
    ("rules", "expected", "total"),
    [
        ([], ["90.00", "10.00"], "100.00"),
        ([SURGE_20], ["90.00", "10.00", "18.00"], "118.00"),
    ],
)
def test_selected_100_rupees_buys_5_kwh(rules, expected, total):
    request = session(
        at("2025-09-24 10:00"), site("30"), end=at("2025-09-24 11:00"), amount=D("100")
    )
    quote = book_quote(request, SELECT, rules)
    assert quote.kwh == D("5.000")
    assert [str(line.amount) for line in quote.lines] == expected
    assert quote.total == D(total)
    assert quote.lines[0].title == "Charging session cost (5 kWh @ ₹18.00/kWh)"
    assert quote.lines[0].item_id == "pe-charging-01"
    assert quote.lines[1].title == "Service fee"
    assert quote.end == at("2025-09-24 10:10")  # 5 kWh at 30 kW, not the booked hour
    if rules:
        assert quote.lines[2].title == "surge price (20%)"
