"""A select writes one row, its quote held for init (beckn.services.select_quotes), in a
few statements, and costs at most six on PostgreSQL from its ACK to its callback's
attempt written down; init makes the order of it; two selects of one transaction at once leave
one held quote (PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beckn import tasks
from beckn.models import (
    DeliveryAttempt,
    InboundMessage,
    InboundState,
    Order,
    OrderState,
    Outbox,
    OutboxState,
    SelectQuote,
)
from beckn.services import delivery, select_quotes
from offers.models import Redemption
from tests.beckn import bap as msgs
from tests.beckn.conftest import callback
from tests.beckn.deg_pricing import price_as_deg
from tests.races import race
from tests.support.beckn import answer_one

# The answer of a select: the message taken (leased by one UPDATE, which on PostgreSQL
# also reads the stamps every charger is published under: the quote checks its memos
# against them; a statement of their own elsewhere), the held quote read, the held quote
# written, the callback with its history record and the message marked answered (one
# statement on PostgreSQL, three elsewhere).
SELECT_STATEMENTS = 4 if connection.vendor == "postgresql" else 7
# The whole select in a draining worker (beckn.tasks: the signing key as its process
# holds it): the answer, then, after its commit, the callback POSTed (written leased to
# this worker: no claim) and its attempt written down with the row's outcome (one
# statement on PostgreSQL, two elsewhere). With the ACK's one INSERT, six on PostgreSQL.
WHOLE_SELECT = 5 if connection.vendor == "postgresql" else 9
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


@pytest.fixture
def deg(network):
    price_as_deg(network.op_a)
    return network


def accept(client, bap, action: str, message) -> int:
    body = bap.body(action, message)
    response = bap.post(client, action, body)
    assert response.status_code == 200, response.content
    return InboundMessage.objects.get(
        bap_id=bap.subscriber_id, message_id=body["context"]["message_id"]
    ).pk


# Read from this process's memos in a worker (bench/select_answer.py counts none of them),
# read again here, where every test starts with the memos forgotten.
MEMO_MISSES = ('FROM "beckn_subscriber"', '"cpo_portal_holiday"')


def statements(seen: CaptureQueriesContext) -> list[str]:
    return [
        sql
        for sql in (q["sql"] for q in seen.captured_queries)
        if not sql.startswith(TRANSACTION_CONTROL) and not any(m in sql for m in MEMO_MISSES)
    ]


def counts() -> tuple[int, ...]:
    return (
        SelectQuote.objects.count(),
        Order.objects.count(),
        Order.history.count(),
        Redemption.objects.count(),
    )


def test_a_select_writes_its_held_quote_alone_in_few_statements(
    deg, bap, run, our_key, client, django_capture_on_commit_callbacks
):
    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "select", msgs.select(op, charger))  # this process's memos warmed
    bap.transaction_id = str(uuid.uuid4())
    before = counts()
    pk = accept(client, bap, "select", msgs.select(op, charger))
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as seen,
    ):
        assert answer_one() == pk  # what a worker runs
    sent = statements(seen)
    row = Outbox.objects.get(inbound_id=pk)
    assert len(sent) <= SELECT_STATEMENTS, "\n".join(sent)
    assert counts() == (before[0] + 1, *before[1:])  # no order, history or ledger row
    body = callback(row)
    assert "error" not in body and row.order_id is None
    held = SelectQuote.objects.get(transaction_id=bap.transaction_id)
    assert held.quote == body["message"]["order"]["quote"] and held.total == Decimal("91.45")
    assert [o["id"] for o in held.applied_offers] == ["weekend-discount-25"]


@pytest.mark.django_db(transaction=True)
def test_a_whole_select_from_message_to_delivered_callback_takes_five_statements(
    deg, bap, local, client, no_queue
):
    op, charger = deg.op_a.code, deg.charger_a.code
    courier = delivery.Courier()  # a drain's
    accept(client, bap, "select", msgs.select(op, charger))
    tasks.answer_next(courier)  # this process's memos and the courier's key read
    courier.record()
    bap.transaction_id = str(uuid.uuid4())
    pk = accept(client, bap, "select", msgs.select(op, charger))
    with CaptureQueriesContext(connection) as seen:
        assert tasks.answer_next(courier) == pk
        courier.record()
    sent = statements(seen)
    assert len(sent) <= WHOLE_SELECT, "\n".join(sent)
    row = Outbox.objects.get(inbound_id=pk)
    got = local.wait_for("on_select", row.message_id)  # signed by our key, checked there
    assert got.body["message"]["order"]["quote"]["price"]["value"] == "91.45"
    assert (row.state, row.attempts, row.leased_until) == (OutboxState.DELIVERED, 1, None)
    attempt = DeliveryAttempt.objects.get(outbox=row)
    assert (attempt.number, attempt.status_code, attempt.outcome) == (1, 200, "delivered")
    assert list(Outbox.history.filter(id=row.pk).values_list("history_type", "state")) == [
        ("+", OutboxState.SENDING)  # written leased to the worker that sent it
    ]
    inbound = InboundMessage.objects.get(pk=pk)
    assert (inbound.state, inbound.attempts) == (InboundState.DONE, 1)
    assert inbound.processed_at is not None


def test_init_makes_the_order_of_the_held_quote(deg, bap, run, our_key):
    op, charger = deg.op_a.code, deg.charger_a.code
    _, first = run(bap, "select", msgs.select(op, charger, amount="80"))
    _, selected = run(bap, "select", msgs.select(op, charger))  # the held quote replaced
    held = SelectQuote.objects.get()
    assert held.total == Decimal("91.45") and held.order is None
    created = selected["message"]["order"]["created_at"]
    assert first["message"]["order"]["created_at"] == created  # the transaction's first
    _, inited = run(bap, "init", msgs.init(op, charger))
    order = Order.objects.get()
    assert order.state == OrderState.INITIALIZED and order.quote_total == Decimal("91.45")
    assert inited["message"]["order"]["created_at"] == created
    assert "quote-change" not in str(inited["message"]["order"].get("tags"))
    held.refresh_from_db()
    assert held.order == order
    assert order.history.earliest("history_id").state == "initialized"


def test_a_select_after_init_requotes_the_order(deg, bap, run, our_key):
    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "init", msgs.init(op, charger))  # no select: priced anew, the quote held too
    assert SelectQuote.objects.get().order == Order.objects.get()
    _, body = run(bap, "select", msgs.select(op, charger))
    assert "error" not in body
    assert Order.objects.get().state == OrderState.QUOTED
    _, confirmed = run(bap, "confirm", msgs.confirm(op, charger, total="91.45"))
    assert confirmed["error"]["code"] == "30010"  # send init first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_selects_of_one_transaction_at_once_hold_one_quote(
    deg, bap, our_key, client, monkeypatch
):
    op, charger = deg.op_a.code, deg.charger_a.code
    first = accept(client, bap, "select", msgs.select(op, charger))
    assert answer_one() == first  # stamps made
    bap.transaction_id = str(uuid.uuid4())
    ids = [accept(client, bap, "select", msgs.select(op, charger)) for _ in range(2)]
    both_read = threading.Barrier(2, timeout=30)
    read = select_quotes.locked

    def read_then_wait(req):
        found = read(req)
        both_read.wait()  # neither writes before both found no held quote
        return found

    monkeypatch.setattr(select_quotes, "locked", read_then_wait)
    results = race([answer_one for _ in ids])  # one worker per select
    assert set(results) == set(ids), results  # each took one of them
    for pk in ids:
        assert "error" not in callback(Outbox.objects.get(inbound_id=pk))
    assert SelectQuote.objects.filter(transaction_id=bap.transaction_id).count() == 1
