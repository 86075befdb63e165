"""Fees in the one quote: the operator's overcharge buffer and maximum buyer finder fee,
the BAP's finder fee terms; they enter the quote, its redemption and its settlement (the
buffer released) as FEE lines that add up with the rest, and the ledger records them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from offers.customer_keys import customer_key
from offers.models import Redemption
from offers.services.ledger import record_quote, redeem, settle
from offers.services.quoting import SessionAsk, quote_with_offers
from pricing.engine import FeeType, FinderFee, LineKind
from tests.offers.conftest import SUNDAY_10, WEDNESDAY_10

pytestmark = pytest.mark.django_db
D = Decimal
SARAH = customer_key(phone="+91-9876543210")
FINDER = FinderFee(FeeType.PERCENTAGE, D("2.5"))


def _fees(deg, buffer="0.10", finder_max="0.05"):
    op = deg.charger.operator
    op.overcharge_buffer, op.max_buyer_finder_fee = D(buffer), D(finder_max)
    op.save()


def _lines(quote):
    return [(ln.kind.value, ln.title, str(ln.amount)) for ln in quote.lines]


def test_fees_in_the_quote_its_redemption_and_settlement(deg):
    _fees(deg)
    ask = SessionAsk(deg.charger, SUNDAY_10, amount=D("100"), customer_key=SARAH,
                     codes=("WEEKEND25",), finder_fee=FINDER)  # fmt: skip
    oq = quote_with_offers(ask)
    assert _lines(oq.quote) == [
        ("energy", "Charging session cost (5 kWh @ ₹18.00/kWh)", "90.00"),
        ("service_fee", "Service fee", "10.00"),
        ("discount", "Weekend Special - 25% Off", "-22.50"),
        ("tax", "GST (18%)", "13.95"),
        ("fee", "Buyer finder fee (2.5% of ₹77.50)", "1.94"),  # 1.9375 half-up
        ("fee", "Overcharge estimation buffer (10% of ₹91.45)", "9.15"),  # 9.145 half-up
    ]
    assert oq.quote.total == D("102.54") == sum(ln.amount for ln in oq.quote.lines)
    record_quote("order-fee", oq)
    done = redeem("order-fee", oq)
    assert done.quote == oq.quote  # the re-check charges the same fees
    assert redeem("order-fee", oq).quote == oq.quote  # and so does a repeated confirm
    delivered = SessionAsk(deg.charger, SUNDAY_10, kwh=D("5.2"), customer_key=SARAH,
                           finder_fee=FINDER)  # fmt: skip
    settled = settle("order-fee", D("5.2"), session=delivered)
    assert _lines(settled.quote)[-2:] == [
        ("tax", "GST (18%)", "14.44"),
        ("fee", "Buyer finder fee (2.5% of ₹80.20)", "2.01"),  # the buffer is released
    ]
    assert settled.quote.total == D("96.65") == sum(ln.amount for ln in settled.quote.lines)
    again = settle("order-fee", D("5.2"), session=delivered)
    assert again.quote == settled.quote
    rows = {r.kind: r for r in Redemption.objects.filter(order_ref="order-fee")}
    assert (rows["redeemed"].finder_fee_amount, rows["redeemed"].buffer_amount) == (
        D("1.94"), D("9.15"),
    )  # fmt: skip
    assert (rows["settled"].net_amount, rows["settled"].finder_fee_amount) == (
        D("96.65"), D("2.01"),
    )  # fmt: skip
    assert rows["settled"].buffer_amount == 0


def test_a_finder_fee_above_the_maximum_is_charged_at_it(deg):
    _fees(deg, buffer="0", finder_max="0.01")
    ask = SessionAsk(deg.charger, WEDNESDAY_10, kwh=D("5"), finder_fee=FINDER)
    fee = quote_with_offers(ask).quote.lines_of(LineKind.FEE)
    assert [(ln.title, ln.amount) for ln in fee] == [
        ("Buyer finder fee (1% of ₹100.00)", D("1.00"))
    ]


def test_default_settings_charge_no_fee(deg):
    plain = quote_with_offers(SessionAsk(deg.charger, WEDNESDAY_10, kwh=D("5")))
    asked = quote_with_offers(SessionAsk(deg.charger, WEDNESDAY_10, kwh=D("5"), finder_fee=FINDER))
    assert not plain.quote.lines_of(LineKind.FEE)
    assert asked.quote == plain.quote  # the operator allows no finder fee by default
