"""An Order holds its quote typed: the session, the Beckn quote and the applied offers
round-trip through its JSON columns, and Order.hold_quote writes them."""

import datetime as dt
from decimal import Decimal as D

from beckn.models import Order
from beckn.models.order_quote import AddOnLine, AppliedOffer, HeldQuote, OrderSession

START = dt.datetime(2025, 9, 21, 4, 30, tzinfo=dt.UTC)
SESSION = OrderSession(
    start=START,
    end=START + dt.timedelta(hours=1),
    quoted_end=START + dt.timedelta(hours=1),
    kwh=D("5"),
    value="5",
    unit="kWh",
    fulfillment_id="f1",
    rate=D("18"),
    add_ons=(AddOnLine("valet-charging", "Valet charging", D("99.00"), D("0.18")),),
)
WEEKEND = AppliedOffer("weekend-discount-25", "Weekend Special", D("22.50"), code="WEEKEND25")


def test_the_session_and_the_offers_round_trip_through_json() -> None:
    assert OrderSession.from_json(SESSION.to_json()) == SESSION
    assert SESSION.to_json()["start"] == "2025-09-21T04:30:00.000Z"
    assert AppliedOffer.from_json(WEEKEND.to_json()) == WEEKEND
    gone = WEEKEND.reversed_by(D("22.50"))
    assert AppliedOffer.from_json(gone.to_json()) == gone
    assert gone.to_json()["reversed"] == "22.50" and gone.discount == 0


def test_an_empty_session_reads_as_nothing_asked() -> None:
    empty = OrderSession.from_json({})
    assert (empty.start, empty.kwh, empty.add_ons, empty.fulfillment_id) == (None, None, (), "1")


def test_hold_quote_writes_the_quote_into_the_order() -> None:
    order = Order(bap_id="bap", transaction_id="t1", customer_key="cust:1")
    quote = {"price": {"currency": "INR", "value": "94.40"}, "breakup": [], "ttl": "PT15M"}
    order.hold_quote(HeldQuote(quote, D("94.40"), "INR", (WEEKEND,), session=SESSION))
    assert order.quote == quote and order.quote_total == D("94.40")
    assert order.held_offers == (WEEKEND,) and order.held_session == SESSION
    assert order.applied_offers[0]["id"] == "weekend-discount-25"
    assert order.customer_key == "cust:1"  # kept: the quote named no customer
    order.hold_quote(HeldQuote(quote, D("100.00"), "INR", ()))
    assert order.held_session == SESSION  # no session given: the session stays
    assert order.held_offers == () and order.quote_total == D("100.00")
    assert order.held_session.without_add_ons(["valet-charging"]).add_ons == ()
