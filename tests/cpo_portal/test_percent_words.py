"""A stated percentage (a rate a person typed: a GST rate, a surge's or an offer's percent)
reads exactly as typed, and the same, on every surface that writes it: the quote's titles,
the admin's lists and change log, the offers' words and the Beckn 2.0 descriptions; a
computed percentage is rounded to the page's places and written the same way ("20%", "\u22125%")."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import admin
from hypothesis import given
from hypothesis import strategies as st

from beckn.models.order_quote import AddOnLine
from beckn.wire.v2.contract import add_on_price
from beckn.wire.v2.order_value import describe
from cpo_portal import formatting
from cpo_portal.changes.wording import value_text
from offers import models as offer_models
from offers.admin.addons import AddOnAdmin
from offers.rules.benefit_types import PercentOff
from offers.rules.describe import benefit_text
from pricing import models
from pricing.admin.tariffs import TariffAdmin
from pricing.engine import LineKind, compile_book, finalize, text
from pricing.engine.types import ChargeForm, Conditions, SessionRequest, Site, Tariff

D = Decimal
# A percentage with 0 to 4 decimals, above 0% to 100% (a GST rate of 12.25% is the ratio 0.1225).
PERCENTS = st.builds(
    lambda n, places: D(n).scaleb(-places), st.integers(0, 10**6), st.integers(0, 4)
).filter(lambda p: 0 < p <= 100)
_IN_BRACKETS = re.compile(r"\((.*)\)")


def _tax_title(ratio: Decimal) -> str:
    tariff = Tariff("t", "INR", D("18"), tax_rate=ratio)
    site = Site("st-1", "ch-1", "Asia/Kolkata", D("60"))
    request = SessionRequest(site, dt.datetime(2025, 9, 24, 10, tzinfo=dt.UTC), kwh=D("10"))
    quote = finalize(compile_book(tariff, []).price(request, Conditions()))
    (tax,) = quote.lines_of(LineKind.TAX)
    return tax.title


@given(PERCENTS)
def test_every_surface_writes_a_stated_rate_as_typed_and_alike(percent):
    ratio = percent / 100
    title = _tax_title(ratio)  # "GST (12.25%)"
    match = _IN_BRACKETS.search(title)
    assert match, title
    said = match.group(1)
    assert said == f"{percent.normalize():f}%"  # exactly as typed, no trailing zero
    tariff = models.Tariff(tax_rate=ratio, prices_include_tax=False)
    assert TariffAdmin(models.Tariff, admin.site).tax(tariff) == f"{said} on top"
    add_on = offer_models.AddOn(tax_rate=ratio)
    assert AddOnAdmin(offer_models.AddOn, admin.site).gst_percent(add_on) == said
    assert benefit_text(PercentOff(percent), "INR") == f"{said} off energy"
    assert text.surge_amount(ChargeForm.PERCENT, percent, "INR") == said
    in_the_log = value_text(models.Tariff._meta.get_field("tax_rate"), ratio, "INR", {})
    assert in_the_log == said
    assert value_text(offer_models.Offer._meta.get_field("percent"), percent, "INR", {}) == said
    component = add_on_price(AddOnLine("valet", "Valet", D("149"), ratio), "INR")["components"][0]
    assert component["description"] == f"Valet (GST {said} on top)"


@given(PERCENTS)
def test_a_beckn_description_writes_the_percentage_as_its_title_does(percent):
    surge = text.surge_amount(ChargeForm.PERCENT, percent, "INR")
    title = f"Evening surge ({surge})"
    amount = (D("1000") * percent / 100).quantize(D("0.01"), ROUND_HALF_UP)
    assert describe(title, amount, [("energy", D("1000"))], "INR") == (
        f"{title}: {surge} of energy ₹1,000.00"
    )


@given(st.integers(-1000, 1000))
def test_a_percentage_reads_alike_in_the_engine_and_on_the_pages_either_sign(tenths):
    """One decimal of the percentage, the pages' places, so rounding changes nothing:
    a negative one has the minus sign (U+2212) on both, never the hyphen."""
    percent = D(tenths).scaleb(-1)
    page = formatting.percent(percent)
    assert text.percent(percent / 100) == page
    assert formatting.stated_percent_of_ratio(percent / 100) == page


def test_a_stated_rate_is_not_rounded_to_the_pages_places():
    assert formatting.stated_percent_of_ratio(D("0.1225")) == "12.25%"
    assert formatting.percent_of_ratio(D("0.1225")) == "12.3%"  # a computed share
    assert text.percent(D("-0.05")) == "\u22125%"
