"""Money reads the same in the quote engine's words (pricing.engine.text: quote line titles,
offer reasons, Beckn descriptions) as on the pages (cpo_portal.formatting): the same
symbol or code and its place, minus sign and grouping. The engine differs only in the
decimals of what it states: a rate keeps every decimal it has ("₹0.125/kWh"), a surge's
amount drops whole paise ("₹1/kWh"), as money in a page's sentence does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pycountry
from django.contrib import admin
from hypothesis import given
from hypothesis import strategies as st

from beckn.protocol.tags import tag_values
from beckn.wire.order_json import offer_summary_tags as order_summary_tags
from beckn.wire.v2.order_value import describe
from cpo_portal import formatting
from offers.rules import benefit_types as b
from offers.rules import describe as offer_words
from offers.rules.outcome import outranked
from pricing import models
from pricing.admin.tariffs import TariffAdmin
from pricing.engine import (
    FeeTerms,
    FeeType,
    FinderFee,
    LineKind,
    compile_book,
    finalize,
    text,
    with_fees,
)
from pricing.engine.amounts import money
from pricing.engine.types import ChargeForm, Conditions, SessionRequest, Site, Tariff

D = Decimal
CURRENCIES = st.sampled_from([c.alpha_3 for c in pycountry.currencies] + ["ZZZ"])
# Paise, rates to the fourth decimal (a tariff's), and lakhs and crores, of either sign.
AMOUNTS = st.builds(
    lambda n, places: D(n).scaleb(-places), st.integers(-(10**12), 10**12), st.integers(0, 4)
)


@given(AMOUNTS, CURRENCIES)
def test_the_engine_writes_money_as_the_pages_do(amount, currency):
    in_sentence = formatting.money_in_sentence(amount, currency)
    assert text.surge_amount(ChargeForm.FLAT, amount, currency) == in_sentence
    assert text.surge_amount(ChargeForm.PER_KWH, amount, currency) == f"{in_sentence}/kWh"
    # a rate to the paisa reads as the pages' money; one with more decimals keeps them all
    to_the_paisa = amount == money(amount)
    page = formatting.money_text(amount, currency) if to_the_paisa else in_sentence
    assert text.rate(amount, currency) == f"{page}/kWh" == formatting.rate(amount, currency)


@given(AMOUNTS, CURRENCIES)
def test_amounts_in_titles_and_reasons_read_as_the_pages_money(amount, currency):
    page = formatting.money_text(amount, currency)
    assert outranked("x", amount, currency).message.endswith(f"which save {page}")
    assert text.amount_with_symbol(currency, amount) == page


def test_a_code_stands_before_the_amount_and_a_minus_is_a_minus():
    """CLDR's en_IN pattern puts the currency before the digits (¤#,##,##0.00) and its
    currency spacing sets a no-break space between a code and a digit."""
    assert text.surge_amount(ChargeForm.PER_KWH, D("1"), "CHF") == "CHF\u00a01/kWh"
    assert text.surge_amount(ChargeForm.FLAT, D("-10.5"), "INR") == "\u2212₹10.50"
    assert text.rate(D("1500"), "INR") == "₹1,500.00/kWh"
    assert text.rate(D("0.125"), "AED", "h") == "AED\u00a00.125/h"
    assert formatting.money_text(D("-10"), "CHF") == "\u2212CHF\u00a010.00"


def _quote(currency: str, kwh: str):
    tariff = Tariff("t", currency, D("100"), tax_rate=D("0"))
    site = Site("st-1", "ch-1", "Asia/Kolkata", D("60"))
    request = SessionRequest(site, dt.datetime(2025, 9, 24, 10, tzinfo=dt.UTC), kwh=D(kwh))
    return finalize(compile_book(tariff, []).price(request, Conditions()))


def test_fee_titles_write_their_base_as_the_pages_do():
    percent = FeeTerms(D("1"), FinderFee(FeeType.PERCENTAGE, D("2.5")), D("5"))
    titles = [ln.title for ln in with_fees(_quote("INR", "15"), percent).lines_of(LineKind.FEE)]
    assert titles == [
        "Buyer finder fee (2.5% of ₹1,500.00)",
        "Overcharge estimation buffer (1% of ₹1,500.00)",
    ]
    amount = FeeTerms(finder_fee=FinderFee(FeeType.AMOUNT, D("4")), finder_fee_max_percent=D("3"))
    line = with_fees(_quote("CHF", "15"), amount).lines[-1]
    assert line.title == "Buyer finder fee (CHF\u00a04.00 on CHF\u00a01,500.00)"


def test_a_beckn_description_names_its_base_as_the_pages_do():
    said = describe("Surge (20%)", D("300"), [("energy", D("1500"))], "USD")
    assert said == "Surge (20%): 20% of energy $1,500.00"


def test_a_settled_orders_savings_tag_is_written_in_its_currency():
    tags = order_summary_tags(D("1234.5"), "USD", [], None, "Asia/Kolkata")
    assert tag_values([tags], "offer-summary")["total-savings"] == "$1,234.50"


def test_the_tariff_list_writes_a_rate_as_its_quote_lines_do():
    """Staff read the rate the driver pays, not a rate rounded to the paisa (₹0.13)."""
    listed = TariffAdmin(models.Tariff, admin.site).energy_rate
    assert listed(models.Tariff(currency="INR", energy_rate_per_kwh=D("0.1250"))) == "₹0.125/kWh"
    assert listed(models.Tariff(currency="INR", energy_rate_per_kwh=D("18.0000"))) == "₹18.00/kWh"


@given(AMOUNTS.filter(lambda a: a >= 0), CURRENCIES)
def test_a_rate_per_kwh_reads_one_way_on_every_surface(amount, currency):
    """The tariff's page, an offer's rate, slab and time-of-day rate (the offers list, the
    change log) and the quote line's title write a rate alike: "₹14.00/kWh", never "₹14/kWh"."""
    page = formatting.rate(amount, currency)
    assert offer_words.benefit_text(b.RateOverride(amount), currency) == f"energy at {page}"
    slab = b.Slab(D("20"), None, rate_per_kwh=amount)
    assert offer_words.slab_text(slab, currency) == f"from 20 kWh: energy at {page}"
    tod = b.TimeOfDayRate(dt.time(9), dt.time(17), amount, currency)
    assert offer_words.tod_rate_text(tod) == f"09:00\u201317:00: energy at {page}"
    assert text.rate(amount, currency) == page


def test_a_quote_line_writes_its_rate_as_the_tariff_page_does():
    tariff = Tariff("t", "INR", D("14"), tax_rate=D("0"))
    site = Site("st-1", "ch-1", "Asia/Kolkata", D("60"))
    request = SessionRequest(site, dt.datetime(2025, 9, 24, 10, tzinfo=dt.UTC), kwh=D("5"))
    quote = finalize(compile_book(tariff, []).price(request, Conditions()))
    (energy,) = quote.lines_of(LineKind.ENERGY)
    assert energy.title == f"Charging session cost (5 kWh @ {formatting.rate(D('14'), 'INR')})"
    assert energy.title == "Charging session cost (5 kWh @ ₹14.00/kWh)"
