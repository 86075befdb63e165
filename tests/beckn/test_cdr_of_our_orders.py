"""A Beckn order's session that the operator's charging system also reports as a CDR (its
authorization_reference is our order id) is one session: counted once, under the order,
whichever of the two arrives first; a CDR that names no order of this operator is a
session of its own. Driven through the Beckn endpoints and `manage.py import_cdrs`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from analytics.models import NoOfferSession
from analytics.services.rollup import run_incremental
from beckn.models import Order
from offers.models import Redemption
from pricing.models import Tariff
from pricing.services import clear_cache
from roaming.models import ReceivedCdr
from tests.beckn import bap as msgs
from tests.roaming.cdr_data import cdr, dumps

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


@pytest.fixture(autouse=True)
def cdrs_arrive_after_the_sessions(monkeypatch):
    """This world's orders are charged on the test world's Saturday, ahead of today: their
    CDRs come a day later (a CDR of a session that has not happened yet is refused)."""
    from roaming.services import cdr_schema

    after = dt.datetime.combine(msgs.SATURDAY + dt.timedelta(days=1), dt.time(), dt.UTC)
    monkeypatch.setattr(cdr_schema, "now", lambda: after)


@pytest.fixture
def tariff(network):
    Tariff.objects.create(
        operator=network.op_a, code="std", name="Standard", energy_rate_per_kwh=Decimal("18"),
        service_fee=Decimal("10"), tax_rate=Decimal("0.18"), active=True,
    )  # fmt: skip
    clear_cache()
    return network


def confirmed(network, bap, run, offers=()) -> Order:
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "init", msgs.init(op, charger, offers=offers))
    run(bap, "confirm", msgs.confirm(op, charger, offers=offers))
    order = Order.objects.get()
    run(bap, "update", msgs.update_start(order.order_id))
    return order


def ended(bap, run, order: Order, clock) -> None:
    clock(msgs.SESSION_END)  # charging ended
    _, body = run(bap, "update", msgs.update_end(order.order_id, kwh="5.2"))
    assert "error" not in body, body["error"]


def import_cdr(tmp_path, network, order: Order, cdr_id: str, reference: str | None) -> None:
    """The charging system's CDR of the order's session, billed 110.00 + GST."""
    session = order.held_session
    assert session.start is not None
    data = cdr(
        cdr_id, network.charger_a.station.code, network.charger_a.code,
        start=session.start, minutes=60, kwh="5.2", excl="110.00", incl="129.80",
        token=("IN", "CPO", "APP_USER"),
    )  # fmt: skip
    if reference is not None:
        data["authorization_reference"] = reference
    path = tmp_path / f"{cdr_id}.jsonl"
    path.write_text(dumps(data) + "\n")
    call_command("import_cdrs", str(path), operator=network.op_a.code)


def counted(client, network, order: Order) -> tuple[int, str]:
    """(sessions, gross revenue) on the session's day and today's (a settlement counts on
    the day it is recorded), as the analytics API gives them."""
    run_incremental()
    client.force_login(network.analyst_a)
    assert order.held_session.start is not None
    days = {order.held_session.start.astimezone(IST).date(), dt.datetime.now(IST).date()}
    points = []
    for day in days:
        span = f"date_from={day}&date_to={day}&granularity=day"
        points += client.get(f"/api/analytics/series/?{span}").json()["results"]
    return sum(p["sessions"] for p in points), str(sum(Decimal(p["gross_revenue"]) for p in points))


def test_a_cdr_of_a_settled_order_adds_no_session(
    tariff, bap, run, our_key, client, tmp_path, clock
):
    order = confirmed(tariff, bap, run)
    ended(bap, run, order, clock)
    import_cdr(tmp_path, tariff, order, "C1", order.order_id)
    (cdr_row,) = ReceivedCdr.objects.all()  # kept for the price audit
    assert cdr_row.channel == "beckn"  # counted as the order's, not the token's own app
    (session,) = NoOfferSession.objects.all()
    assert (session.order_ref, session.channel) == (order.reference, "beckn")
    assert session.gross_amount == Decimal("103.60")  # our settlement: 5.2 x 18 + 10
    assert counted(client, tariff, order) == (1, "103.60")


def test_a_cdr_before_the_settlement_is_the_orders_session(
    tariff, bap, run, our_key, client, tmp_path, clock
):
    order = confirmed(tariff, bap, run)
    import_cdr(tmp_path, tariff, order, "C1", order.order_id)
    (session,) = NoOfferSession.objects.all()
    assert (session.order_ref, session.channel) == (order.reference, "beckn")
    assert session.customer_key == order.customer_key != ""
    ended(bap, run, order, clock)  # the settlement finds the session recorded
    assert NoOfferSession.objects.count() == 1
    assert counted(client, tariff, order) == (1, "110.00")  # as the charging system billed


@pytest.mark.parametrize("cdr_first", [False, True], ids=["settled first", "CDR first"])
def test_a_cdr_of_an_order_with_an_offer_adds_no_session(
    deg,
    bap,
    run,
    our_key,
    client,
    tmp_path,
    cdr_first,
    clock,
):
    order = confirmed(deg, bap, run, offers=("weekend-discount-25",))
    if cdr_first:
        import_cdr(tmp_path, deg, order, "C1", order.order_id)
    ended(bap, run, order, clock)
    assert Redemption.objects.filter(order_ref=order.reference, kind="settled").exists()
    if not cdr_first:
        import_cdr(tmp_path, deg, order, "C1", order.order_id)
    # the redemption's row counts: 5.2 x 18 + 10, before the discount
    assert counted(client, deg, order) == (1, "103.60")


def test_a_cdr_naming_no_order_of_ours_is_a_session_of_its_own(
    tariff, bap, run, our_key, client, tmp_path, clock
):
    order = confirmed(tariff, bap, run)
    ended(bap, run, order, clock)
    other = Order.objects.create(
        operator=tariff.op_b, charger_code="x", bap_id="b", transaction_id="t",
        order_id="ord-of-operator-b",
    )  # fmt: skip
    import_cdr(tmp_path, tariff, order, "C1", other.order_id)  # another operator's order
    import_cdr(tmp_path, tariff, order, "C2", "EMSP-AUTH-1")  # an eMSP's authorization
    import_cdr(tmp_path, tariff, order, "C3", None)
    channels = set(ReceivedCdr.objects.values_list("channel", flat=True))
    assert channels == {"own_app"}  # as their token says
    refs = set(NoOfferSession.objects.values_list("order_ref", flat=True))
    assert refs == {order.reference} | {
        f"cdr:{tariff.op_a.pk}:IN*CPO:{c}" for c in ("C1", "C2", "C3")
    }
    assert counted(client, tariff, order) == (4, "433.60")  # 103.60 + 3 x 110.00
