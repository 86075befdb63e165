"""Adjustments, minimum / maximum price, GST after discounts, the exact total."""

from __future__ import annotations

import pytest

from pricing.engine import PricingSetupError, QuoteInputError, finalize
from pricing.engine.types import LineKind, PricedSession, QuoteLine, RateBand, Tariff
from tests.pricing.engine.build import NONE, D, at, book_price, session, site, tariff, window


def priced_kwh(kwh: str, tariff_: Tariff | None = None, idle: int = 0) -> PricedSession:
    tariff_ = tariff_ or tariff("18", service_fee=D("10"))
    request = session(at("2025-09-27 10:00"), site("30"), kwh=D(kwh), idle_minutes=idle)
    return book_price(request, tariff_, [], NONE)


def line(kind: LineKind, amount: str, rate: str | None = "0.18", code: str = "x") -> QuoteLine:
    tax_rate = None if rate is None else D(rate)
    return QuoteLine(kind=kind, code=code, title=code, amount=D(amount), tax_rate=tax_rate)


def shown(quote) -> list[tuple[str, str]]:
    return [(str(ln.kind), str(ln.amount)) for ln in quote.lines]


def test_tax_exclusive_quote_adds_one_gst_line():
    quote = finalize(priced_kwh("5"))
    assert shown(quote)[-1] == ("tax", "18.00")
    assert quote.lines[-1].title == "GST (18%)"
    assert (quote.total, quote.tax_included, quote.tax_inclusive) == (D("118.00"), D(0), False)
    assert (quote.tax, quote.excl_tax) == (D("18.00"), D("100.00"))


def test_deg_offer_quote_taxes_the_value_after_the_discount():
    # DEG prints GST 11.50 and total 88.50; 18 % of 77.50 is 13.95
    quote = finalize(priced_kwh("5"), [line(LineKind.DISCOUNT, "-22.50", code="offer-001")])
    assert shown(quote) == [
        ("energy", "90.00"),
        ("service_fee", "10.00"),
        ("discount", "-22.50"),
        ("tax", "13.95"),
    ]
    assert quote.total == D("91.45")
    assert ("taxable_value", "77.50") in quote.lines[-1].tags


def test_deg_settled_offer_quote():
    # DEG prints GST 11.60 and total 91.80 for 93.60 + 10 - 23.40
    quote = finalize(priced_kwh("5.2"), [line(LineKind.DISCOUNT, "-23.40")])
    assert quote.sum_of(LineKind.TAX) == D("14.44")  # 18 % of 80.20 = 14.436
    assert quote.total == D("94.64")


def test_tax_inclusive_quote_reports_the_tax_inside():
    quote = finalize(priced_kwh("5", tariff("18", service_fee=D("10"), tax_included=True)))
    assert quote.lines_of(LineKind.TAX) == ()
    assert (quote.total, quote.tax_included) == (D("100.00"), D("15.25"))  # 100 x 18/118
    assert (quote.tax, quote.excl_tax) == (D("15.25"), D("84.75"))


def test_one_tax_line_per_rate():
    addon = line(LineKind.ADDON, "40.00", rate="0.05", code="valet")
    quote = finalize(priced_kwh("5"), [addon])
    assert [(ln.title, str(ln.amount)) for ln in quote.lines_of(LineKind.TAX)] == [
        ("GST (18%)", "18.00"),
        ("GST (5%)", "2.00"),
    ]
    assert quote.total == D("160.00")


def test_lines_without_a_tax_rate_are_not_taxed():
    wheeling = line(LineKind.WHEELING, "7.00", rate=None)
    quote = finalize(priced_kwh("5"), [wheeling])
    assert quote.sum_of(LineKind.TAX) == D("18.00")
    assert quote.total == D("125.00")


def test_minimum_price_tops_up_before_tax():
    quote = finalize(priced_kwh("1", tariff("18", min_price=D("50"))))
    assert shown(quote) == [("energy", "18.00"), ("adjustment", "32.00"), ("tax", "9.00")]
    assert quote.lines[1].title == "Minimum session price"
    assert quote.total == D("59.00")


def test_minimum_price_is_compared_after_discounts():
    quote = finalize(
        priced_kwh("5", tariff("18", min_price=D("80"))), [line(LineKind.DISCOUNT, "-30")]
    )
    assert quote.sum_of(LineKind.ADJUSTMENT) == D("20.00")
    assert quote.total == D("94.40")  # 80 + 18 %


def test_maximum_price_caps_before_tax():
    quote = finalize(priced_kwh("50", tariff("18", max_price=D("500"))))
    assert shown(quote) == [("energy", "900.00"), ("adjustment", "-400.00"), ("tax", "90.00")]
    assert quote.total == D("590.00")


def test_add_ons_do_not_count_towards_the_minimum_price():
    addon = line(LineKind.ADDON, "149.00", code="valet")
    quote = finalize(priced_kwh("1", tariff("18", min_price=D("50"))), [addon])
    assert quote.sum_of(LineKind.ADJUSTMENT) == D("32.00")  # 18 of energy topped up to 50
    assert quote.total == D("234.82")  # (50 + 149) + 18 %


def test_add_ons_are_not_capped_by_the_maximum_price():
    addon = line(LineKind.ADDON, "149.00", code="valet")
    quote = finalize(priced_kwh("50", tariff("18", max_price=D("500"))), [addon])
    assert quote.sum_of(LineKind.ADJUSTMENT) == D("-400.00")  # the session alone: 900 -> 500
    assert quote.total == D("765.82")  # (500 + 149) + 18 %


def test_discount_larger_than_its_group_is_clamped_to_zero_base():
    quote = finalize(priced_kwh("5"), [line(LineKind.DISCOUNT, "-150.00", code="huge")])
    discount = quote.lines_of(LineKind.DISCOUNT)[0]
    assert discount.amount == D("-100.00")
    assert ("clamped_from", "-150.00") in discount.tags
    assert quote.total == D("0.00")


def test_minimum_price_is_taxed_on_the_net_after_a_discount_clamped_to_nothing():
    discounts = [line(LineKind.DISCOUNT, "-100.00", code="a"), line(LineKind.DISCOUNT, "-30.00")]
    quote = finalize(
        priced_kwh("5", tariff("18", service_fee=D("10"), min_price=D("50"))), discounts
    )
    assert [str(ln.amount) for ln in quote.lines_of(LineKind.DISCOUNT)] == ["-100.00", "0.00"]
    assert quote.sum_of(LineKind.ADJUSTMENT) == D("50.00")
    assert quote.lines_of(LineKind.TAX)[0].amount == D("9.00")  # 18 % of the 50.00 left
    assert quote.total == D("59.00")


def test_discount_in_a_group_with_nothing_to_discount_vanishes():
    quote = finalize(priced_kwh("5"), [line(LineKind.DISCOUNT, "-10.00", rate="0.05")])
    assert str(quote.lines_of(LineKind.DISCOUNT)[0].amount) == "0.00"
    assert quote.total == D("118.00")


def test_idle_fee_after_the_grace_period():
    quote = finalize(
        priced_kwh("5", tariff("18", idle_fee_per_minute=D("2"), idle_grace_minutes=15), idle=45)
    )
    idle = quote.lines_of(LineKind.IDLE_FEE)[0]
    assert (idle.title, idle.amount) == ("Idle fee (30 min @ ₹2.00/min)", D("60.00"))
    assert quote.total == D("177.00")


def test_multi_band_energy_lines_carry_the_charger_and_tax_rate():
    bands = (RateBand("peak", "Peak", window("10:10", "12:00"), D("20")),)
    result = priced_kwh("10", tariff("18", bands=bands))  # 30 kW: 5 kWh before 10:10, 5 after
    energy = [(ln.code, str(ln.amount), ln.item_id, ln.tax_rate) for ln in result.lines]
    assert energy == [
        ("base", "90.00", "pe-charging-01", D("0.18")),
        ("peak", "100.00", "pe-charging-01", D("0.18")),
    ]


@pytest.mark.parametrize(
    "bad",
    [
        line(LineKind.ENERGY, "5.00"),
        line(LineKind.TAX, "5.00"),
        line(LineKind.DISCOUNT, "5.00"),
        line(LineKind.ADDON, "-5.00"),
        line(LineKind.ADDON, "5.005"),
    ],
)
def test_bad_adjustments_are_refused(bad):
    with pytest.raises(QuoteInputError):
        finalize(priced_kwh("5"), [bad])


@pytest.mark.parametrize(
    "fields",
    [
        {"energy_rate_per_kwh": D("-1")},
        {"service_fee": D("-1")},
        {"min_price": D("10"), "max_price": D("5")},
        {"bands": (RateBand("base", "x", window("01:00", "02:00"), D("1")),)},
        {"bands": (RateBand("a", "x", window("01:00", "02:00"), D("1")),) * 2},
    ],
)
def test_malformed_tariffs_are_refused(fields):
    values = {"code": "T", "currency": "INR", "energy_rate_per_kwh": D("18")} | fields
    with pytest.raises(PricingSetupError):
        priced_kwh("5", Tariff(**values))
