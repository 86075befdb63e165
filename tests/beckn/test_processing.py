"""Processing: once per message, a reply for every action that validates against the core
schema, and a crash that keeps happening ends in an error callback, not in silence."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.utils import timezone

from beckn import handlers, processing, tasks
from beckn.models import InboundMessage, InboundState, Order, Outbox, SelectQuote
from beckn.protocol.schema import REQUEST_ACTIONS
from tests.beckn import bap as msgs
from tests.beckn.conftest import callback
from tests.support.beckn import answer, answer_one

pytestmark = pytest.mark.django_db


def accepted(client, bap, action, message, capture) -> InboundMessage:
    body = bap.body(action, message)
    with capture(execute=True):
        assert bap.post(client, action, body).status_code == 200
    return InboundMessage.objects.get(message_id=body["context"]["message_id"])


def test_every_action_has_a_schema_valid_callback(
    client, network, bap, fake, our_key, no_queue, django_capture_on_commit_callbacks, clock
):
    op, charger = network.op_a.code, network.charger_a.code
    seen = set()

    def step(action, message):
        inbound = accepted(client, bap, action, message, django_capture_on_commit_callbacks)
        row = answer(inbound.pk)
        body = callback(row)  # asserts the core schema for on_<action>
        assert "error" not in body, body["error"]
        seen.add(body["context"]["action"])
        return body

    step("search", msgs.search())
    step("select", msgs.select(op, charger))
    step("init", msgs.init(op, charger))
    order_id = step("confirm", msgs.confirm(op, charger))["message"]["order"]["id"]
    step("status", {"order_id": order_id})
    step("track", {"order_id": order_id})
    step("update", msgs.update_start(order_id))
    transaction_id, bap.transaction_id = bap.transaction_id, "5c1ab7f4-6a3e-4a57-9d7e-1b2f8e6f9a10"
    step("init", msgs.init(op, charger))
    other = step("confirm", msgs.confirm(op, charger))["message"]["order"]["id"]
    step("cancel", {"order_id": other})
    bap.transaction_id = transaction_id
    clock(msgs.SESSION_END)  # charging ended
    step("update", msgs.update_end(order_id))
    step("rating", {"ratings": [{"id": order_id, "rating_category": "Order", "value": "4"}]})
    step("support", {"support": {"ref_id": order_id}})
    assert seen == {f"on_{a}" for a in REQUEST_ACTIONS}


def test_a_message_is_processed_once(
    client, network, bap, fake, our_key, no_queue, django_capture_on_commit_callbacks
):
    message = msgs.select(network.op_a.code, network.charger_a.code)
    inbound = accepted(client, bap, "select", message, django_capture_on_commit_callbacks)
    assert answer(inbound.pk) is not None
    assert answer_one() is None  # answered: never taken again
    assert Outbox.objects.count() == 1 and SelectQuote.objects.count() == 1
    assert not Order.objects.exists()  # a select holds its quote; init makes the order
    assert InboundMessage.objects.get().state == InboundState.DONE


def test_a_crashing_handler_is_answered_with_an_error_callback_at_once(
    client, network, bap, our_key, no_queue, monkeypatch, django_capture_on_commit_callbacks
):
    def boom(req):
        raise RuntimeError("pricing database on fire")

    monkeypatch.setattr(handlers, "handler_for", lambda action: boom)
    monkeypatch.setattr(processing, "handler_for", lambda action: boom)
    inbound = accepted(client, bap, "status", {"order_id": "x"}, django_capture_on_commit_callbacks)
    tasks.process_inbound(inbound.pk)  # once: no wait for the sweep's retries
    inbound.refresh_from_db()
    assert inbound.state == InboundState.FAILED
    assert inbound.attempts == 1 and "pricing database on fire" in inbound.error
    body = json.loads(Outbox.objects.get().payload)
    assert body["error"]["code"] == "40000"
    assert body["context"]["action"] == "on_status"


def test_the_sweep_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["beckn-requeue-stuck"]
    assert entry["task"] == tasks.requeue_stuck.name == "beckn.requeue_stuck"
    # recovery well inside the shortest ttl a BAP gets (BECKN_CALLBACK_MIN_WINDOW, 10 s)
    assert entry["schedule"] + tasks.INBOUND_GRACE.total_seconds() <= 10


def test_a_refusal_undoes_the_handlers_writes_and_is_answered_once(
    client, network, bap, our_key, no_queue, monkeypatch, django_capture_on_commit_callbacks
):
    from beckn.messages import Failure
    from beckn.protocol import errors

    def refuses_after_writing(req):
        Order.objects.create(
            operator=network.op_a, bap_id=req.inbound.bap_id, transaction_id="t", order_id="o"
        )
        raise Failure(errors.BUSINESS_ERROR, "no such offer")

    monkeypatch.setattr(processing, "handler_for", lambda action: refuses_after_writing)
    inbound = accepted(client, bap, "status", {"order_id": "x"}, django_capture_on_commit_callbacks)
    row = answer(inbound.pk)
    assert row is not None and answer_one() is None  # never taken again
    assert not Order.objects.exists()  # the handler's write is gone
    body = json.loads(Outbox.objects.get().payload)
    assert body["error"] == {"code": errors.BUSINESS_ERROR.code, "message": "no such offer"}
    inbound.refresh_from_db()
    assert (inbound.state, inbound.attempts) == (InboundState.DONE, 1)


def test_a_locked_row_is_the_row_the_orm_reads(
    client, network, bap, fake, our_key, no_queue, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from cpo_portal.db.stamps import locked_row

    message = msgs.select(network.op_a.code, network.charger_a.code)
    inbound = accepted(client, bap, "select", message, django_capture_on_commit_callbacks)
    answer(inbound.pk)
    held = SelectQuote.objects.get()
    key = {"bap_id": held.bap_id, "transaction_id": held.transaction_id}
    with transaction.atomic():
        for model, row, lookup in (
            (SelectQuote, held, key),
            (InboundMessage, InboundMessage.objects.get(), {"pk": inbound.pk}),
        ):
            locked = locked_row(model, **lookup)
            assert locked is not None and not locked._state.adding
            for field in model._meta.concrete_fields:
                assert getattr(locked, field.attname) == getattr(row, field.attname), field
        assert locked_row(SelectQuote, bap_id=held.bap_id, transaction_id="no-such") is None
    assert isinstance(held.quote, dict) and held.created_at.tzinfo is not None


def test_a_taken_message_is_another_workers_only_once_the_sweep_released_its_lease(
    client, network, bap, fake, our_key, no_queue, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    inbound = accepted(client, bap, "search", msgs.search(), django_capture_on_commit_callbacks)
    taken_at = timezone.now() - processing.LEASE / 2
    taken = processing._next_waiting(taken_at)  # a worker takes it, and stops (killed)
    assert taken is not None and taken[0].state == InboundState.PROCESSING
    assert answer_one() is None  # held
    tasks.requeue_stuck()
    assert answer_one() is None  # held: its lease has not run out
    inbound.refresh_from_db()
    InboundMessage.objects.filter(pk=inbound.pk).update(processed_at=taken_at - processing.LEASE)
    tasks.requeue_stuck()  # now it has
    assert answer_one() == inbound.pk  # taken again, and answered
    inbound.refresh_from_db()
    assert (inbound.state, inbound.attempts) == (InboundState.DONE, 2)
    assert Outbox.objects.filter(inbound=inbound).count() == 1


@pytest.mark.django_db(transaction=True)  # each write commits on its own, as in a worker
def test_a_worker_whose_lease_ran_out_while_it_worked_writes_nothing(
    client, network, bap, fake, our_key, no_queue, monkeypatch, django_capture_on_commit_callbacks
):
    """The slow worker's lease runs out, a second worker takes the message and answers it;
    the slow one's answer then meets one_answer_per_message and is dropped."""
    from django.utils import timezone

    from beckn.handlers import search

    inbound = accepted(client, bap, "search", msgs.search(), django_capture_on_commit_callbacks)
    now = timezone.now()
    handle, calls, answered_meanwhile = search.handle, [], []
    later = now + processing.LEASE + dt.timedelta(seconds=1)

    def slow(req):
        calls.append(req)
        if len(calls) == 1:  # the first (slow) worker: the second answers meanwhile
            processing.release(later - processing.LEASE)  # the sweep, once its lease ran out
            answered_meanwhile.append(answer_one(later))
        return handle(req)

    monkeypatch.setattr(processing, "handler_for", lambda action: slow)
    assert answer_one(now) == inbound.pk
    assert answered_meanwhile == [inbound.pk]
    assert Outbox.objects.filter(inbound=inbound).count() == 1
    inbound.refresh_from_db()
    assert (inbound.state, inbound.attempts) == (InboundState.DONE, 2)


def test_the_database_keeps_a_message_to_one_answer(
    client, network, bap, fake, our_key, no_queue, django_capture_on_commit_callbacks
):
    from django.db import IntegrityError, transaction

    inbound = accepted(client, bap, "search", msgs.search(), django_capture_on_commit_callbacks)
    row = answer(inbound.pk)
    assert row is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Outbox.objects.create(
            inbound=inbound, part=row.part, subscriber_id=row.subscriber_id, action=row.action,
            message_id=row.message_id, transaction_id=row.transaction_id,
            expires_at=row.expires_at, payload="{}",
        )  # fmt: skip


def test_leases_taken_before_a_worker_host_started_are_released_at_once(
    client, network, bap, fake, our_key, no_queue, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    inbound = accepted(client, bap, "search", msgs.search(), django_capture_on_commit_callbacks)
    now = timezone.now()
    assert processing._next_waiting(now) is not None  # taken by a worker since killed
    assert processing.release(now - dt.timedelta(seconds=1)) == 0  # taken after: kept
    assert processing.release(now + dt.timedelta(seconds=1)) == 1
    assert answer_one(now + dt.timedelta(seconds=1)) == inbound.pk


def test_the_sweep_fails_the_messages_that_can_no_longer_be_answered(no_queue):
    """Past their ttl, or taken MAX_ATTEMPTS times, and held by no worker: failed with
    the reason, so the indexes of open messages (which every take reads, oldest turn
    first) hold only what can still be answered. A message a worker holds is its own."""
    from beckn.models import INBOUND_OPEN

    now = timezone.now()
    second = dt.timedelta(seconds=1)

    def message(name: str, **fields) -> InboundMessage:
        row = {"received_at": now - 60 * second, "expires_at": now + 30 * second, **fields}
        return InboundMessage.objects.create(
            bap_id="bap.example", message_id=name, action="select", transaction_id=name,
            body={}, body_digest="x", fair_at=row["received_at"], **row,
        )  # fmt: skip

    message("late", expires_at=now - second)
    message("spent", attempts=processing.MAX_ATTEMPTS, error="RuntimeError: boom")
    held = message("held", state=InboundState.PROCESSING, processed_at=now, expires_at=now)
    live = message("live", attempts=processing.MAX_ATTEMPTS - 1)
    assert tasks.requeue_stuck()["closed"] == 2
    closed = {m.message_id: (m.state, m.error) for m in InboundMessage.objects.all()}
    assert closed == {
        "late": (InboundState.FAILED, "its ttl ran out before it was answered"),
        "spent": (InboundState.FAILED, "not answered in 3 attempts; RuntimeError: boom"),
        "held": (InboundState.PROCESSING, ""),
        "live": (InboundState.RECEIVED, ""),
    }
    still_open = InboundMessage.objects.filter(state__in=INBOUND_OPEN)
    assert set(still_open) == {held, live} and no_queue["process"] == [live.pk]


@pytest.mark.postgres
def test_a_search_is_answered_in_two_statements_and_no_transaction(
    client, network, bap, fake, our_key, no_queue, settings, django_capture_on_commit_callbacks
):
    """The take (leased, autocommitted) and the reply written with its message marked
    answered: no BEGIN, no COMMIT, no lock held while the handler runs (the registry
    and the catalog read from this process's memos, as in a busy worker)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.BECKN_REGISTRY_LOCAL_CACHE_SECONDS = 60
    settings.BECKN_REGISTRY_CHECK_MS = 60_000  # no check falls due mid-search, however slow

    for _ in range(2):  # the second is warm
        accepted(client, bap, "search", msgs.search(), django_capture_on_commit_callbacks)
        with CaptureQueriesContext(connection) as queries:
            assert answer_one() is not None
    sql = [q["sql"].split()[0] for q in queries.captured_queries]
    assert sql == ["UPDATE", "WITH"], sql
