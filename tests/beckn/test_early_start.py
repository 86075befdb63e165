"""Charging that starts before the booked start is settled from when it started, if that
was at most BECKN_BOOKING_GRACE_MINUTES early, or if charging also ended before the booked
start; a start reported earlier than that, of a session that went on past its booked
start, is priced as booked, unless the energy reported could not have been delivered from
the booked start but could from when charging started. (A session started early that also
ended early was refused at settlement, "charging cannot end before the session starts",
and the order stayed charging: neither settled nor cancellable.)

Operator A is priced as DEG (₹18/kWh, ₹10 fee, 18 % GST, the weekend offer on any day:
25 % off the energy) with a flat ₹20 "early bird" surge that is on only until the booked
start: a settlement that carries it priced charging from before the booked start. The
start is now (when the BPP handles it); the end is the BAP's, sent once charging ended (the
test's clock moved on to it), at a 60 kW charger that delivers 5.2 kWh in minutes.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from beckn.models import Order, OrderState, Outbox
from beckn.protocol.timefmt import format_timestamp
from beckn.services import commerce
from offers.models import Offer, Redemption
from offers.services.catalog import forget_catalog
from offers.services.quoting import SessionAsk
from pricing.models import SurgeRule
from pricing.services import clear_cache
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2
from tests.beckn.deg_pricing import price_as_deg
from tests.support.beckn import breakup

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
EARLY_BIRD = ("Early bird", "20.00")
# 5.2 kWh: 93.60 + 10 + 20 surge - 23.40 offer = 100.20, GST 18.04 (18.036)
WITH_THE_SURGE = "118.24"
# as booked, no surge: 93.60 + 10 - 23.40 = 80.20, GST 14.44 (14.436)
AS_BOOKED = "94.64"


def booked_start(minutes: int) -> dt.datetime:
    return (timezone.now() + dt.timedelta(minutes=minutes)).replace(microsecond=0)


def price(network, start: dt.datetime) -> None:
    network.charger_a.power_kw = Decimal("60")
    network.charger_a.save(update_fields=["power_kw"])
    price_as_deg(network.op_a)
    SurgeRule.objects.create(
        operator=network.op_a, code="early-bird", kind="peak", name="Early bird", form="flat",
        amount=Decimal("20"), valid_until=start,
        effective_from=dt.datetime(2025, 1, 1, tzinfo=IST),
    )  # fmt: skip
    clear_cache()


def with_stops(message: dict, start: dt.datetime) -> dict:
    stops = message["order"]["fulfillments"][0]["stops"]
    stops[0]["time"]["timestamp"] = format_timestamp(start)
    stops[1]["time"]["timestamp"] = format_timestamp(start + dt.timedelta(hours=1))
    return message


def started(network, bap, run, start: dt.datetime) -> Order:
    """An order booked for `start`, confirmed, and charging started now."""
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "init", with_stops(msgs.init(op, charger), start))
    _, confirmed = run(bap, "confirm", with_stops(msgs.confirm(op, charger), start))
    assert "error" not in confirmed, confirmed["error"]
    order = Order.objects.get(transaction_id=bap.transaction_id)
    _, body = run(bap, "update", msgs.update_start(order.order_id))
    assert "error" not in body, body["error"]
    order.refresh_from_db()
    assert order.state == OrderState.ACTIVE and order.started_at < start
    return order


def ended(order: Order, at: dt.datetime, clock) -> dict:
    """Charging ended at `at`, 5.2 kWh delivered: sent then (the clock moved on to it)."""
    clock(at)
    return msgs.update_end(order.order_id, kwh="5.2", end=format_timestamp(at))


def stops_shown(order: dict) -> tuple[str | None, str | None]:
    """The (START, END) times of a 1.1 order's charging fulfillment."""
    stops = {
        s["type"]: s.get("time", {}).get("timestamp") for s in order["fulfillments"][0]["stops"]
    }
    return stops["START"], stops["END"]


def settled(body: dict, order: Order) -> Order:
    assert "error" not in body, body["error"]
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert body["message"]["order"]["quote"]["price"]["value"] == str(order.quote_total)
    return order


def test_a_session_started_and_ended_before_its_booked_start_is_settled_from_its_start(
    network, bap, run, our_key, clock
):
    start = booked_start(14)  # charging starts 14 minutes early: within the grace
    price(network, start)
    order = started(network, bap, run, start)
    _, body = run(bap, "update", ended(order, start - dt.timedelta(minutes=2), clock))
    order = settled(body, order)
    assert EARLY_BIRD in breakup(body)
    assert order.quote_total == Decimal(WITH_THE_SURGE)
    row = Redemption.objects.get(order_ref=order.reference, kind="settled")
    assert (row.session_start, row.session_end) == (order.started_at, order.ended_at)
    assert row.net_amount == Decimal(WITH_THE_SURGE)
    # the settlement retried (the ledger's) is the first one, on the session it priced
    delivered = SessionAsk(order.charger, order.started_at, kwh=Decimal("5.2"),
                           end=order.ended_at, customer_key=order.customer_key)  # fmt: skip
    assert commerce.settle(order.reference, delivered).quote.total == Decimal(WITH_THE_SURGE)


def test_a_session_started_a_little_early_is_priced_from_its_start(
    network, bap, run, our_key, clock
):
    """It went on past its booked start: the minutes before it are priced at their prices."""
    start = booked_start(10)
    price(network, start)
    order = started(network, bap, run, start)
    _, body = run(bap, "update", ended(order, start + dt.timedelta(minutes=50), clock))
    order = settled(body, order)
    assert EARLY_BIRD in breakup(body)
    assert order.quote_total == Decimal(WITH_THE_SURGE)


def test_a_start_earlier_than_the_grace(network, bap, run, our_key, settings, clock):
    """Reported half an hour early (the grace is a quarter of an hour): a session that ended
    before its booked start is priced from its start; one that went on past it, as booked."""
    settings.BECKN_BOOKING_GRACE_MINUTES = 15
    start = booked_start(30)
    price(network, start)
    ended_early = started(network, bap, run, start)
    bap.transaction_id = str(uuid.uuid4())
    went_on = started(network, bap, run, start)

    bap.transaction_id = ended_early.transaction_id
    _, body = run(bap, "update", ended(ended_early, start - dt.timedelta(minutes=2), clock))
    assert settled(body, ended_early).quote_total == Decimal(WITH_THE_SURGE)
    assert EARLY_BIRD in breakup(body)

    bap.transaction_id = went_on.transaction_id
    _, body = run(bap, "update", ended(went_on, start + dt.timedelta(minutes=30), clock))
    assert settled(body, went_on).quote_total == Decimal(AS_BOOKED)
    assert EARLY_BIRD not in breakup(body)


def test_a_2_0_session_started_and_ended_before_its_booked_start_is_settled(
    network, bap_v2, run_v2, our_key, clock
):
    """Without an offer (the session priced without the ledger's offers): 93.60 + 10 + 20
    surge = 123.60, GST 22.25 (22.248)."""
    start = booked_start(14)
    price(network, start)
    Offer.objects.all().delete()
    forget_catalog()
    charger = network.charger_a.code
    booking = v2.contract(
        charger, start=format_timestamp(start),
        end=format_timestamp(start + dt.timedelta(hours=1)), buyer=True,
    )  # fmt: skip
    run_v2(bap_v2, "init", booking)
    _, confirmed = run_v2(bap_v2, "confirm", booking)
    assert "error" not in confirmed, confirmed["error"]
    order = Order.objects.get()
    run_v2(bap_v2, "update", v2.session_update(order.order_id, charger, "ACTIVE"))
    stop = v2.session_update(order.order_id, charger, "COMPLETED", kwh=5.2)
    attributes = stop["contract"]["performance"][0]["performanceAttributes"]
    attributes["lastUpdated"] = format_timestamp(start - dt.timedelta(minutes=2))
    clock(start - dt.timedelta(minutes=2))  # charging ended
    _, body = run_v2(bap_v2, "update", stop)
    assert "error" not in body, body["error"]
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED and order.started_at < order.ended_at < start
    assert order.quote_total == Decimal("145.85")


def test_an_add_on_not_delivered_after_an_early_session_keeps_the_settled_start(
    network, bap, run, our_key, django_capture_on_commit_callbacks, clock
):
    """The order as it stands after the valet is taken out is priced from the start it
    was settled from (without an offer: the session as it stands priced anew)."""
    from offers.models import AddOn, AddOnAvailability
    from offers.services.addon_delivery import not_delivered

    start = booked_start(10)
    price(network, start)
    Offer.objects.all().delete()
    valet = AddOn.objects.create(
        operator=network.op_a, code="valet-charging", name="Valet charging",
        price=Decimal("149"), tax_rate=Decimal("0.18"),
    )  # fmt: skip
    AddOnAvailability.objects.create(add_on=valet, station=network.station_a, stock=3)
    forget_catalog()
    op, charger = network.op_a.code, network.charger_a.code
    booking = [
        with_stops(msgs.init(op, charger, offers=()), start),
        with_stops(msgs.confirm(op, charger, offers=()), start),
    ]
    for action, message in zip(("init", "confirm"), booking, strict=True):
        message["order"]["items"][0]["add_ons"] = [{"id": "valet-charging"}]
        _, body = run(bap, action, message)
        assert "error" not in body, body["error"]
    order = Order.objects.get()
    run(bap, "update", msgs.update_start(order.order_id))
    _, body = run(bap, "update", ended(order, start + dt.timedelta(minutes=50), clock))
    assert EARLY_BIRD in breakup(body)
    with django_capture_on_commit_callbacks(execute=True):
        not_delivered(order.reference, ["valet-charging"], reason="valet off sick")
    order.refresh_from_db()
    # 93.60 + 10 + 20 surge = 123.60, GST 22.25 (22.248): the valet gone, the surge kept
    assert order.quote_total == Decimal("145.85")
    told = json.loads(Outbox.objects.filter(action="on_update").latest("pk").payload)
    assert stops_shown(told["message"]["order"])[0] == format_timestamp(order.started_at)


def test_the_replies_after_settlement_show_the_session_as_settled(
    network, bap, run, our_key, clock
):
    """on_update at the end of charging and on_status after it show the session from the
    start it was settled from to when charging ended, not as booked."""
    start = booked_start(10)
    price(network, start)
    order = started(network, bap, run, start)
    end = start + dt.timedelta(minutes=50)
    _, body = run(bap, "update", ended(order, end, clock))
    order = settled(body, order)
    assert order.settled_start == order.started_at
    shown = (format_timestamp(order.started_at), format_timestamp(end))
    assert stops_shown(body["message"]["order"]) == shown
    _, status = run(bap, "status", {"order_id": order.order_id})
    assert stops_shown(status["message"]["order"]) == shown


def test_the_2_0_replies_after_settlement_show_the_session_as_settled(
    network, bap_v2, run_v2, our_key, clock
):
    """The contract's ChargingSession `preferences` after the end: the start it was settled
    from and when charging ended."""
    start = booked_start(10)
    price(network, start)
    charger = network.charger_a.code
    booking = v2.contract(
        charger, start=format_timestamp(start),
        end=format_timestamp(start + dt.timedelta(hours=1)), buyer=True,
    )  # fmt: skip
    run_v2(bap_v2, "init", booking)
    run_v2(bap_v2, "confirm", booking)
    order = Order.objects.get()
    run_v2(bap_v2, "update", v2.session_update(order.order_id, charger, "ACTIVE"))
    end = start + dt.timedelta(minutes=50)
    clock(end)
    stop = v2.session_update(order.order_id, charger, "COMPLETED", kwh=5.2)
    stop["contract"]["performance"][0]["performanceAttributes"]["lastUpdated"] = format_timestamp(
        end
    )
    _, body = run_v2(bap_v2, "update", stop)
    assert "error" not in body, body["error"]
    order.refresh_from_db()
    assert order.started_at < start and order.settled_start == order.started_at
    shown = {"startTime": format_timestamp(order.started_at), "endTime": format_timestamp(end)}
    assert body["message"]["contract"]["contractAttributes"]["preferences"] == shown
    _, status = run_v2(bap_v2, "status", v2.by_id(order.order_id, charger))
    assert status["message"]["contract"]["contractAttributes"]["preferences"] == shown


def ended_after_an_hour_early_start(network, bap, run, settings, clock, kwh: str):
    """A 15-minute grace; charging reported started an hour before the booked start, and
    its end 5 minutes after the booked start with `kwh` delivered (at 60 kW, at most 5 kWh
    from the booked start, 65 kWh from the reported one): (the order as started, the
    answer's row, its body)."""
    settings.BECKN_BOOKING_GRACE_MINUTES = 15
    start = booked_start(60)
    price(network, start)
    order = started(network, bap, run, start)
    clock(start + dt.timedelta(minutes=5))
    end = msgs.update_end(order.order_id, kwh=kwh, end=format_timestamp(timezone.now()))
    row, body = run(bap, "update", end)
    return order, row, body


def test_a_start_earlier_than_the_grace_is_taken_when_the_energy_says_so(
    network, bap, run, our_key, settings, clock
):
    """Charging started an hour early and ended 5 minutes after the booked start, 40 kWh
    delivered: 5 minutes at 60 kW deliver at most 5 kWh, 65 minutes 65 kWh, so charging
    did start when reported, and the session is settled from then. (It was settled from
    the booked start, and refused as undeliverable: the order stayed charging, neither
    settled nor cancellable.)"""
    order, row, body = ended_after_an_hour_early_start(network, bap, run, settings, clock, "40")
    assert row.action == "on_update"
    order = settled(body, order)
    assert order.settled_start == order.started_at
    assert EARLY_BIRD in breakup(body)
    # 40 kWh: 720 + 10 + 20 surge - 100 offer (25 %, at most 100) = 650, GST 117
    assert order.quote_total == Decimal("767.00")
    assert stops_shown(body["message"]["order"])[0] == format_timestamp(order.started_at)


def test_an_end_undeliverable_from_either_start_is_still_refused(
    network, bap, run, our_key, settings, clock
):
    """80 kWh in 65 minutes at 60 kW (at most 65 kWh): refused, the order still charging."""
    order, _, body = ended_after_an_hour_early_start(network, bap, run, settings, clock, "80")
    assert body["error"]["code"] == "30000"
    assert "80 kWh cannot be delivered" in body["error"]["message"]
    assert "at most 5 kWh" in body["error"]["message"]  # from the booked start, as before
    order.refresh_from_db()
    assert order.state == OrderState.ACTIVE
