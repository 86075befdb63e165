"""Confirm and cancel of one order racing each other through the real Beckn processing
(PostgreSQL only): the messages are accepted by intake as a BAP would send them, then
workers answer them as the Celery worker does (`processing.answer_in_turn`: each takes the
message whose turn comes first that no other worker holds), on threads with their own
connections, released together at a barrier (tests/races.py). The real pricing and offers
ledger are used, with use, per-customer and budget limits on the offer so that every
counter is checked against the ledger after every round.

The BAP names the order in its cancel by the id on_confirm gives it, so that a cancel can
race the confirm that issues it the id is fixed per round (`new_order_id` patched).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from beckn.handlers import confirm as confirm_handler
from beckn.models import InboundMessage, Order, OrderState, Outbox
from beckn.protocol.tags import tag_values
from offers.customer_keys import customer_key
from offers.models import CustomerOfferUsage, OfferUsage, Redemption
from tests.beckn import bap as msgs
from tests.beckn.conftest import callback
from tests.beckn.deg_pricing import price_as_deg
from tests.races import race
from tests.support.beckn import answer_one

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
IST = ZoneInfo("Asia/Kolkata")
ROUNDS = 30
# A cancel is answered much faster than a confirm, so released together it nearly always
# comes first. Most rounds hold it back by a share of the last confirm's processing time, so
# that it also lands just before, around and after the confirm's commit, on any machine.
CANCEL_DELAY = (0.0, 0.6, 0.9, 1.0, 1.1, 1.5)
DISCOUNT = Decimal("22.50")
SARAH = customer_key(phone=msgs.BILLING["phone"])


@pytest.fixture
def shop(network, bap, our_key, run):
    """Operator A priced as DEG (₹18/kWh, ₹10 fee, 18 % GST) with the weekend offer, limited
    (uses, per customer, budget) so that every limit's counter is in play."""
    price_as_deg(
        network.op_a,
        max_uses=1000,
        max_uses_per_customer=1000,
        budget=Decimal("100000"),
        valid_until=dt.datetime(2099, 1, 1, tzinfo=IST),
    )
    return Shop(network, bap, run)


class Shop:
    def __init__(self, network, bap, run) -> None:
        self.network = network
        self.op, self.charger = network.op_a.code, network.charger_a.code
        self.bap, self.run = bap, run

    def initialized(self) -> str:
        """A new order (its own transaction), initialized: returns its transaction id."""
        self.bap.transaction_id = str(uuid.uuid4())
        _, body = self.run(self.bap, "init", msgs.init(self.op, self.charger))
        assert "error" not in body, body
        return self.bap.transaction_id

    def confirmed(self) -> Order:
        self.initialized()
        _, body = self.run(self.bap, "confirm", self.confirm_msg())
        assert "error" not in body, body
        return self.order()

    def confirm_msg(self):
        return msgs.confirm(self.op, self.charger, total="91.45")

    def accept(self, client, action: str, message) -> int:
        """The message through intake (signature, schema, stored); not processed yet."""
        body = self.bap.body(action, message)
        response = self.bap.post(client, action, body)
        assert response.status_code == 200, response.content
        return InboundMessage.objects.get(
            bap_id=self.bap.subscriber_id, message_id=body["context"]["message_id"]
        ).pk

    def order(self) -> Order:
        return Order.objects.get(
            bap_id=self.bap.subscriber_id, transaction_id=self.bap.transaction_id
        )


def process_together(
    *inbound_ids: int, stagger: float = 0.0, took: dict[int, float] | None = None
) -> list[dict]:
    """The messages (given in turn) answered by as many workers, each on its own thread and
    connection, all released at once (the last one `stagger` seconds later: it takes the
    message left, the last in turn); returns each one's reply, checked: exactly one outbox
    row per message, valid against the core schema. `took` gets each one's seconds."""

    def work(wait: float) -> int | None:
        time.sleep(wait)
        start = time.monotonic()
        pk = answer_one()  # what a worker runs: the next message in turn
        if took is not None and pk is not None:
            took[pk] = time.monotonic() - start
        return pk

    last = len(inbound_ids) - 1
    results = race([lambda i=i: work(stagger if i == last else 0) for i in range(last + 1)])
    assert Counter(results) == Counter(inbound_ids), results  # each taken once
    replies = []
    for pk in inbound_ids:
        rows = list(Outbox.objects.filter(inbound_id=pk))
        assert len(rows) == 1, f"message {pk} got {len(rows)} replies"
        replies.append(callback(rows[0]))
    return replies


def ledger(order: Order) -> Counter:
    return Counter(
        Redemption.objects.filter(order_ref=order.reference).values_list("kind", flat=True)
    )


def assert_counters(live: int) -> None:
    """Uses, the customer's uses and the budget spent are those of the live orders only."""
    usage = OfferUsage.objects.get(offer__code="weekend-discount-25")
    assert (usage.uses, usage.budget_spent) == (live, live * DISCOUNT)
    customer = CustomerOfferUsage.objects.get(offer=usage.offer, customer_key=SARAH)
    assert customer.uses == live


def assert_reversed_once(order: Order) -> None:
    assert order.state == OrderState.CANCELLED
    assert ledger(order) == Counter({"validated": 1, "redeemed": 1, "reversed": 1})
    back = Redemption.objects.get(order_ref=order.reference, kind="reversed")
    assert back.discount == DISCOUNT and back.use_returned


def test_confirm_and_cancel_of_one_order_race(shop, client, monkeypatch):
    order_id = {"next": ""}
    monkeypatch.setattr(confirm_handler, "new_order_id", lambda: order_id["next"])
    outcomes, live, confirm_took = Counter(), 0, 0.1
    for n in range(ROUNDS):
        shop.initialized()
        order_id["next"] = f"ord-race-{n}"
        confirm = shop.accept(client, "confirm", shop.confirm_msg())
        cancel = shop.accept(client, "cancel", {"order_id": f"ord-race-{n}"})
        stagger, took = confirm_took * CANCEL_DELAY[n % len(CANCEL_DELAY)], {}
        confirmed, cancelled = process_together(confirm, cancel, stagger=stagger, took=took)
        confirm_took = took[confirm]
        # confirm never loses: a cancel cannot undo an order that has no id yet
        assert "error" not in confirmed, confirmed
        assert confirmed["message"]["order"]["id"] == f"ord-race-{n}"
        order = shop.order()
        if order.state == OrderState.CANCELLED:  # confirmed, then cancelled
            assert "error" not in cancelled, cancelled
            body = cancelled["message"]["order"]
            assert body["status"] == "CANCELLED"
            assert tag_values(body["offers"][0]["tags"], "offer-reversal") == {
                "reversed": "true",
                "amount-reversed": "22.50",
            }
            assert_reversed_once(order)
            outcomes["confirm, then cancel"] += 1
        else:  # the cancel came first: refused, the order confirmed and its offer given
            assert order.state == OrderState.CONFIRMED
            assert cancelled["error"]["code"] == "30010", cancelled
            assert "message" not in cancelled
            assert ledger(order) == Counter({"validated": 1, "redeemed": 1})
            outcomes["cancel refused, then confirm"] += 1
            live += 1
        assert_counters(live)
    assert sum(outcomes.values()) == ROUNDS
    print(f"\n{ROUNDS} confirm/cancel races: {dict(outcomes)}")


def test_two_confirms_of_one_order_redeem_once(shop, client):
    for n in range(ROUNDS // 3):
        shop.initialized()
        first, second = (shop.accept(client, "confirm", shop.confirm_msg()) for _ in range(2))
        replies = process_together(first, second)
        order = shop.order()
        assert order.state == OrderState.CONFIRMED
        for reply in replies:
            assert "error" not in reply, reply
            assert reply["message"]["order"]["id"] == order.order_id
            redemption = tag_values(
                reply["message"]["order"]["offers"][0]["tags"], "offer-redemption"
            )
            assert redemption["discount-applied"] == "22.50"
        assert ledger(order) == Counter({"validated": 1, "redeemed": 1})
        assert_counters(n + 1)


def test_one_message_processed_by_several_workers_at_once_is_handled_once(shop, client):
    """A broker may hand one message to two workers (at-least-once delivery)."""
    shop.initialized()
    confirm = shop.accept(client, "confirm", shop.confirm_msg())
    results = race([answer_one for _ in range(10)])
    assert results.count(confirm) == 1
    assert results.count(None) == 9  # the others found nothing waiting
    (row,) = Outbox.objects.filter(inbound_id=confirm)
    assert "error" not in callback(row)
    assert ledger(shop.order()) == Counter({"validated": 1, "redeemed": 1})
    assert_counters(1)


def test_two_cancels_of_one_order_reverse_once(shop, client):
    for _ in range(ROUNDS // 3):
        order = shop.confirmed()
        first, second = (
            shop.accept(client, "cancel", {"order_id": order.order_id}) for _ in range(2)
        )
        replies = process_together(first, second)
        for reply in replies:
            assert "error" not in reply, reply
            assert reply["message"]["order"]["status"] == "CANCELLED"
        assert_reversed_once(shop.order())
        assert_counters(0)


ADD_ONS = ("valet-charging", "reserved-bay")
STOCK = 100


def with_add_ons(body, n: int):
    """Both add-ons, asked for in one order by even orders and the other by odd ones."""
    ids = ADD_ONS if n % 2 == 0 else ADD_ONS[::-1]
    body["order"]["items"][0]["add_ons"] = [{"id": i} for i in ids]
    return body


def test_confirms_and_cancels_of_different_orders_share_locks_without_deadlock(shop, client):
    """Orders holding the same offer and the same limited-stock add-ons (asked for in either
    order): confirms of some and cancels of others at once all go through, with no deadlock
    between the offer's usage row and the add-ons' stock rows, and stock, bookings, uses and
    budget end as the ledger says."""
    from offers.models import AddOn, AddOnAvailability, AddOnBooking

    for code in ADD_ONS:
        add_on = AddOn.objects.create(
            operator=shop.network.op_a, code=code, name=code, price=Decimal("149"),
            tax_rate=Decimal("0.18"),
        )  # fmt: skip
        AddOnAvailability.objects.create(add_on=add_on, station=shop.network.station_a, stock=STOCK)
    half = 10
    confirmed = []  # (transaction, order id) of the orders to cancel
    for n in range(half):
        shop.bap.transaction_id = str(uuid.uuid4())
        shop.run(shop.bap, "init", with_add_ons(msgs.init(shop.op, shop.charger), n))
        _, body = shop.run(
            shop.bap, "confirm", with_add_ons(msgs.confirm(shop.op, shop.charger), n)
        )
        assert "error" not in body, body
        confirmed.append((shop.bap.transaction_id, body["message"]["order"]["id"]))
    initialized = []  # the transactions of the orders to confirm
    for n in range(half):
        shop.bap.transaction_id = str(uuid.uuid4())
        shop.run(shop.bap, "init", with_add_ons(msgs.init(shop.op, shop.charger), n + 1))
        initialized.append(shop.bap.transaction_id)
    # accepted once every run above was answered: workers answer the messages in turn
    mixed = []
    for n, (to_confirm, (to_cancel, order_id)) in enumerate(
        zip(initialized, confirmed, strict=True)
    ):
        shop.bap.transaction_id = to_confirm
        confirm = with_add_ons(msgs.confirm(shop.op, shop.charger), n + 1)
        mixed.append(shop.accept(client, "confirm", confirm))
        shop.bap.transaction_id = to_cancel
        mixed.append(shop.accept(client, "cancel", {"order_id": order_id}))
    replies = process_together(*mixed)
    assert [r["error"] for r in replies if "error" in r] == []
    assert_counters(half)  # the confirmed half live, the cancelled half given back
    stock = AddOnAvailability.objects.values_list("stock", flat=True)
    assert list(stock) == [STOCK - half] * len(ADD_ONS)
    booked = AddOnBooking.objects.values_list("state", flat=True)
    assert Counter(booked) == {"booked": half * len(ADD_ONS), "released": half * len(ADD_ONS)}
