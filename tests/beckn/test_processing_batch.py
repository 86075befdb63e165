"""Several messages answered in one transaction (processing.process_many), as a worker
answers what a web process handed over together: each message answered once and as it
would be alone, the transaction's shared statements sent once; a refusal or a crash of one
message costs the others nothing; actions that lock more than their own order are answered
alone; and two workers' batches about the same orders, in opposite orders, do not
deadlock (PostgreSQL)."""

from __future__ import annotations

import contextlib
import json
import threading
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beckn import processing
from beckn.handlers import select as select_handler
from beckn.messages import Failure
from beckn.models import InboundMessage, InboundState, Order, Outbox
from beckn.protocol import errors
from tests.beckn import bap as msgs
from tests.beckn.conftest import callback
from tests.races import race


def accepted(client, bap, action, message, capture) -> int:
    """A new transaction's message, accepted by intake; its id."""
    bap.transaction_id = str(uuid.uuid4())
    body = bap.body(action, message)
    with capture(execute=True):
        assert bap.post(client, action, body).status_code == 200
    return InboundMessage.objects.get(message_id=body["context"]["message_id"]).pk


def selects(client, bap, network, capture, n: int) -> list[int]:
    message = msgs.select(network.op_a.code, network.charger_a.code)
    return [accepted(client, bap, "select", message, capture) for _ in range(n)]


def answers() -> dict[int, dict]:
    return {row.inbound_id: callback(row) for row in Outbox.objects.all()}


@pytest.mark.django_db
def test_a_batch_answers_each_once_as_alone_and_shares_its_statements(
    client, network, bap, fake, our_key, no_queue, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    batch = selects(client, bap, network, capture, 3)
    (alone,) = selects(client, bap, network, capture, 1)
    with capture(execute=True):
        processing.process(alone)
    with CaptureQueriesContext(connection) as seen, capture(execute=True):
        processing.process_many(batch)
    with capture(execute=True):
        processing.process_many(batch)  # again: already answered

    bodies = answers()
    assert sorted(bodies) == sorted([*batch, alone])  # one callback each, no more
    quote = bodies[alone]["message"]["order"]["quote"]
    for pk in batch:
        assert "error" not in bodies[pk]
        assert bodies[pk]["message"]["order"]["quote"] == quote
    inbound = InboundMessage.objects.filter(pk__in=batch)
    assert {(m.state, m.attempts) for m in inbound} == {(InboundState.DONE, 1)}
    assert Order.objects.count() == 4

    sql = [q["sql"] for q in seen.captured_queries]
    assert sum(s.startswith('INSERT INTO "beckn_outbox"') for s in sql) == 1
    assert sum(s.startswith('UPDATE "beckn_inboundmessage"') for s in sql) == 1
    assert sum('FROM "beckn_inboundmessage"' in s for s in sql) == 1  # one lock of all
    assert sum('"cpo_portal_networkversion"' in s for s in sql) == 1  # stamps read once


@pytest.mark.django_db
def test_a_refusal_in_a_batch_undoes_only_its_own_writes(
    client, network, bap, fake, our_key, no_queue, monkeypatch, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    ids = selects(client, bap, network, capture, 3)
    refused = InboundMessage.objects.get(pk=ids[1])

    def handler(req):
        if req.inbound.pk == refused.pk:
            Order.objects.create(
                operator=network.op_a, bap_id=req.bap_id, transaction_id="t", order_id="o"
            )
            raise Failure(errors.BUSINESS_ERROR, "no such offer")
        return select_handler.handle(req)

    monkeypatch.setattr(processing, "handler_for", lambda action: handler)
    with capture(execute=True):
        processing.process_many(ids)

    bodies = answers()
    assert sorted(bodies) == sorted(ids)
    assert bodies[refused.pk]["error"] == {
        "code": errors.BUSINESS_ERROR.code,
        "message": "no such offer",
    }
    assert not Order.objects.filter(transaction_id="t").exists()  # the refused write is gone
    others = [pk for pk in ids if pk != refused.pk]
    assert all("quote" in bodies[pk]["message"]["order"] for pk in others)
    assert Order.objects.count() == 2
    assert set(InboundMessage.objects.values_list("state", "attempts")) == {(InboundState.DONE, 1)}


@pytest.mark.django_db
def test_a_crash_in_a_batch_is_counted_alone_and_the_others_are_answered(
    client, network, bap, fake, our_key, no_queue, monkeypatch, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    ids = selects(client, bap, network, capture, 3)
    crashing = ids[0]

    def handler(req):
        if req.inbound.pk == crashing:
            raise RuntimeError("pricing database on fire")
        return select_handler.handle(req)

    monkeypatch.setattr(processing, "handler_for", lambda action: handler)
    with capture(execute=True):
        processing.process_many(ids)

    assert sorted(answers()) == sorted(ids[1:])
    crashed = InboundMessage.objects.get(pk=crashing)
    assert crashed.state == InboundState.RECEIVED and crashed.attempts == 1
    assert "pricing database on fire" in crashed.error
    assert Order.objects.count() == 2


@pytest.mark.django_db
def test_actions_that_lock_more_than_their_order_are_answered_alone(
    client, network, bap, fake, our_key, no_queue, monkeypatch, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    op, charger = network.op_a.code, network.charger_a.code
    select = accepted(client, bap, "select", msgs.select(op, charger), capture)
    init = accepted(client, bap, "init", msgs.init(op, charger), capture)
    alone: list[int] = []
    real = processing.process_safely
    monkeypatch.setattr(
        processing, "process_safely", lambda pk, now=None: alone.append(pk) or real(pk, now)
    )
    with capture(execute=True):
        processing.process_many([select, init])
    assert alone == [init]
    assert {"search", "select", "status"} <= processing.SHARED and "init" not in processing.SHARED
    assert {pk: "error" in body for pk, body in answers().items()} == {select: False, init: False}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_batches_of_the_same_orders_in_opposite_orders_do_not_deadlock(
    client, network, bap, fake, our_key, no_queue, monkeypatch, django_capture_on_commit_callbacks
):
    """Worker A has the selects of orders 1 then 2, worker B those of 2 then 1 (by id). Each
    handler waits after its first message for the other worker to be inside its own
    first, so, were they answered in id order, each would hold one order's lock and wait
    for the other's: a deadlock, and both batches answered alone. Answered in the order of
    their transactions, B waits for A's first order instead, and both batches go through."""
    capture = django_capture_on_commit_callbacks
    message = msgs.select(network.op_a.code, network.charger_a.code)
    first, second = (accepted(client, bap, "select", message, capture) for _ in range(2))
    with capture(execute=True):
        processing.process_many([first, second])  # the two orders exist: selects lock them
    txn = dict(InboundMessage.objects.values_list("pk", "transaction_id"))

    def again(transaction_id: str) -> int:
        bap.transaction_id = transaction_id
        body = bap.body("select", message)
        with capture(execute=True):
            assert bap.post(client, "select", body).status_code == 200
        return InboundMessage.objects.get(message_id=body["context"]["message_id"]).pk

    a1, a2 = again(txn[first]), again(txn[second])
    b2, b1 = again(txn[second]), again(txn[first])
    met = threading.Barrier(2, timeout=1.5)
    firsts: set[int] = set()

    def handler(req):
        reply = select_handler.handle(req)
        if req.inbound.pk in (a1, a2, b1, b2) and not firsts & {threading.get_ident()}:
            firsts.add(threading.get_ident())
            with contextlib.suppress(threading.BrokenBarrierError):
                met.wait()  # broken: the other worker is waiting for this one's lock
        return reply

    alone: list[int] = []
    real = processing.process_safely
    monkeypatch.setattr(processing, "handler_for", lambda action: handler)
    monkeypatch.setattr(
        processing, "process_safely", lambda pk, now=None: alone.append(pk) or real(pk, now)
    )
    results = race([lambda: processing.process_many([a1, a2]),
                    lambda: processing.process_many([b2, b1])])  # fmt: skip
    assert results == [None, None]
    assert alone == []  # no batch fell back to answering one by one
    done = InboundMessage.objects.filter(pk__in=[a1, a2, b1, b2], state=InboundState.DONE)
    assert done.count() == 4
    rows = Outbox.objects.filter(inbound__in=[a1, a2, b1, b2])
    assert rows.count() == 4
    assert all("error" not in json.loads(row.payload) for row in rows)


@pytest.mark.django_db
def test_callback_bodies_go_into_one_insert_byte_for_byte_without_unnest(
    client, network, bap, fake, our_key, no_queue, django_capture_on_commit_callbacks
):
    """Several bodies in one INSERT, each as one placeholder (PayloadField): not as an
    UNNEST array, whose elements psycopg escapes quote by quote; and stored exactly."""
    from beckn.services import outbox

    capture = django_capture_on_commit_callbacks
    ids = selects(client, bap, network, capture, 2)
    inbound = list(InboundMessage.objects.filter(pk__in=ids).order_by("pk"))
    odd = {"quote": 'a "quoted" \\ back\\slash, {braces}, NULL, ₹ and \u2003 spaces'}
    with CaptureQueriesContext(connection) as seen, capture(execute=True):
        rows = outbox.add_many([(m, odd, None, None) for m in inbound], timezone.now())
    inserts = [q["sql"] for q in seen.captured_queries if 'INSERT INTO "beckn_outbox"' in q["sql"]]
    assert len(inserts) == 1 and "UNNEST" not in inserts[0].upper()
    for row in rows:
        stored = Outbox.objects.get(pk=row.pk).payload
        assert stored == row.payload and json.loads(stored)["message"] == odd
