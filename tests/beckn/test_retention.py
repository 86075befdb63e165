"""Retention: requests and the finished callbacks of no order go BECKN_KEEP_MESSAGES_DAYS
after their answer window; an order's callbacks stay; a pruned message cannot come back."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beckn import tasks
from beckn.models import (
    CatalogChange,
    CatalogSubscription,
    DeliveryAttempt,
    InboundMessage,
    InboundState,
    Order,
    Outbox,
    OutboxState,
    SelectQuote,
)
from beckn.protocol import errors
from beckn.protocol.timefmt import format_timestamp
from beckn.services import intake, outbox, retention
from tests.beckn.bap import Bap

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
KEEP = 30 * DAY


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now()


def request(
    name: str,
    window_closed: dt.datetime,
    *,
    received: dt.datetime | None = None,
    state: str = InboundState.DONE,
) -> InboundMessage:
    """A request named by its transaction_id column (the ids in its context are uuids)."""
    received = received or window_closed - dt.timedelta(seconds=30)
    context = Bap().context("select")
    return InboundMessage.objects.create(
        bap_id="bap.example", message_id=context["message_id"], action="select",
        transaction_id=name, body={"context": context}, body_digest="x", received_at=received,
        expires_at=window_closed, state=state,
    )  # fmt: skip


def callback(
    inbound: InboundMessage, *, state: str = OutboxState.DELIVERED, order: Order | None = None
) -> Outbox:
    """The reply as processing writes it (with its history record), then its outcome and
    one attempt."""
    reply = ({"order": {"id": "o"}}, None, order)
    row = outbox.answer(inbound, [reply], inbound.received_at, {"state": InboundState.DONE})[0]
    Outbox.objects.filter(pk=row.pk).update(state=state, expires_at=inbound.expires_at)
    DeliveryAttempt.objects.create(
        outbox=row, number=1, started_at=inbound.received_at, target_url="https://bap.example",
        status_code=200, outcome=state,
    )  # fmt: skip
    return row


def names() -> set[str]:
    return set(InboundMessage.objects.values_list("transaction_id", flat=True))


def test_requests_go_their_keep_after_their_window_and_not_before(bpp, now):
    request("answered-long-ago", now - KEEP - DAY)
    request("never-answered", now - KEEP - DAY, state=InboundState.RECEIVED)
    request("inside-the-keep", now - KEEP + DAY)
    request("long-ttl", now + DAY, received=now - KEEP - 10 * DAY)  # window still open
    pruned = retention.prune(now, KEEP)
    assert names() == {"inside-the-keep", "long-ttl"}
    assert (pruned.requests, pruned.callbacks) == (2, 0)


def test_finished_callbacks_of_no_order_go_with_attempts_and_history(bpp, now):
    old = request("old", now - KEEP - DAY)
    gone = callback(old)
    # not final: the sweep's to settle
    waiting = callback(request("old-too", now - KEEP - DAY), state=OutboxState.PENDING)
    recent = callback(request("recent", now - DAY))
    assert Outbox.history.filter(id=gone.pk).exists()
    pruned = retention.prune(now, KEEP)
    assert set(Outbox.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    assert not Outbox.history.filter(id=gone.pk).exists()  # and no "deleted" record made
    assert not DeliveryAttempt.objects.filter(outbox_id=gone.pk).exists()
    assert DeliveryAttempt.objects.filter(outbox_id=recent.pk).exists()
    assert (pruned.requests, pruned.callbacks, pruned.attempts) == (2, 1, 1)
    assert Outbox.objects.get(pk=waiting.pk).inbound_id is None


def test_an_orders_callbacks_stay_when_their_request_goes(bpp, network, now):
    order = Order.objects.create(
        operator=network.op_a, charger=network.charger_a, charger_code="a-01",
        bap_id="bap.example", transaction_id="t-confirm", order_id="ord-1",
    )  # fmt: skip
    row = callback(request("confirm", now - KEEP - DAY), order=order)
    retention.prune(now, KEEP)
    assert names() == set()
    row.refresh_from_db()
    assert row.inbound_id is None and row.order_id == order.pk
    assert row.delivery_attempts.count() == 1
    assert Outbox.history.filter(id=row.pk).exists()


def test_a_run_stops_after_its_batches_and_the_next_goes_on(bpp, now, monkeypatch):
    monkeypatch.setattr(retention, "MAX_BATCHES", 2)
    for n in range(5):
        request(f"m-{n}", now - KEEP - DAY)
    assert retention.prune(now, KEEP, batch=2).requests == 4
    assert retention.prune(now, KEEP, batch=2).requests == 1
    assert names() == set()


def test_a_batch_stays_within_the_databases_parameter_limit(bpp, now, monkeypatch):
    monkeypatch.setattr(connection.features, "max_query_params", 4)
    for n in range(7):
        request(f"m-{n}", now - KEEP - DAY)
    with CaptureQueriesContext(connection) as queries:
        assert retention.prune(now, KEEP).requests == 7
    deletes = [q["sql"] for q in queries if q["sql"].startswith('DELETE FROM "beckn_inbound')]
    assert len(deletes) == 3  # 3 + 3 + 1 ids, never more than the limit allows


def test_nothing_goes_when_messages_are_kept_for_ever(bpp, settings, now):
    settings.BECKN_KEEP_MESSAGES_DAYS = 0
    request("old", now - 1000 * DAY)
    assert not retention.prune(now)
    assert names() == {"old"}


def test_a_pruned_message_sent_again_is_refused_as_stale(bap, select_body, now):
    """The unique key is gone, but the same message, even signed anew, is past its window."""
    select_body["context"].update(timestamp=format_timestamp(now), ttl="PT30S")
    raw = json.dumps(select_body).encode()
    first = intake.accept("select", raw, {"Authorization": bap.sign(raw)}, lambda *a: None, now)
    assert first.status == 200 and first.body["message"]["ack"]["status"] == "ACK"
    later = now + KEEP + DAY
    assert retention.prune(later, KEEP).requests == 1
    again = bap.sign(raw, created=int(later.timestamp()) - 1)
    answer = intake.accept("select", raw, {"Authorization": again}, lambda *a: None, later)
    assert answer.body["message"]["ack"]["status"] == "NACK"
    assert answer.body["error"]["code"] == errors.STALE_REQUEST.code
    assert not InboundMessage.objects.exists()


def test_the_command_prunes_to_the_end_in_one_line(bpp, now, monkeypatch, capsys):
    monkeypatch.setattr(retention, "MAX_BATCHES", 1)
    monkeypatch.setattr(retention, "PRUNE_BATCH", 2)
    for n in range(5):
        request(f"m-{n}", now - 3 * DAY)
    call_command("beckn_prune", "--days", "2")
    assert capsys.readouterr().out == (
        "Deleted 5 requests, 0 callbacks, 0 delivery attempts, 0 held quotes and 0 catalog "
        "changes "
        "(2 days after their answer window).\n"
    )
    assert names() == set()


@pytest.mark.parametrize("days", ["0", "-1", "NaN"])
def test_the_command_refuses_a_keep_of_nothing(bpp, days):
    with pytest.raises(CommandError, match="--days must be more than 0"):
        call_command("beckn_prune", "--days", days)


@pytest.mark.parametrize("days", ["1e6", "99999999999999999999999", "1e999"])
def test_a_keep_past_the_calendar_deletes_nothing(bpp, now, days, capsys, settings):
    request("old", now - KEEP - DAY)  # old enough for the default
    call_command("beckn_prune", "--days", days)
    assert (
        capsys.readouterr().out
        == f"Deleted 0: {float(days):g} days reach back before any message.\n"
    )
    settings.BECKN_KEEP_MESSAGES_DAYS = float(days)  # the setting alike: kept for ever
    assert tasks.prune_messages() == {"requests": 0, "callbacks": 0}
    assert names() == {"old"}


def test_beat_prunes_every_ten_minutes_off_the_beckn_queue(bpp, now):
    request("old", now - KEEP - DAY)
    entry = settings.CELERY_BEAT_SCHEDULE["beckn-prune-messages"]
    assert entry == {"task": tasks.prune_messages.name, "schedule": 600.0}
    assert tasks.prune_messages() == {"requests": 1, "callbacks": 0}


def test_each_batch_is_found_through_an_index_however_large_the_table(bpp, now):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan")
    callback(request("old", now - KEEP - DAY))
    new = [request(f"new-{n}", now + DAY, received=now) for n in range(3)]
    more = dict(bap_id="bap.example", action="select", transaction_id="t", body={},
                body_digest="x", received_at=now, expires_at=now + DAY)  # fmt: skip
    InboundMessage.objects.bulk_create(
        InboundMessage(message_id=f"more-{n}", **more) for n in range(3000)
    )
    rows = [outbox.build(new[n % 3], {"order": {"id": "o"}}, None, None, now) for n in range(3000)]
    for n, row in enumerate(rows):
        row.part = n // 3  # an answer of a thousand parts to each
    Outbox.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE beckn_inboundmessage")
        cursor.execute("ANALYZE beckn_outbox")
    cutoff = now - KEEP
    assert "inbound_state_idx" in retention.old_requests(cutoff).order_by()[:1000].explain()
    assert "outbox_prunable_idx" in retention.old_callbacks(cutoff).order_by()[:1000].explain()


def held_quote(name: str, last_selected: dt.datetime, order: Order | None = None) -> SelectQuote:
    return SelectQuote.objects.create(
        bap_id="bap.example", transaction_id=name, order=order, total=1, updated_at=last_selected
    )


def test_held_quotes_that_became_no_order_go_after_the_keep(now):
    held_quote("old", now - KEEP - DAY)
    held_quote("recent", now - KEEP + DAY)
    pruned = retention.prune(now, KEEP)
    assert pruned.quotes == 1
    assert set(SelectQuote.objects.values_list("transaction_id", flat=True)) == {"recent"}


def change(at: dt.datetime) -> CatalogChange:
    return CatalogChange.objects.create(
        provider_id="op.example", kind="item", piece_id="c1", body=None, at=at
    )


def test_catalog_changes_go_after_the_keep_once_every_active_push_has_sent_them(now):
    sent, unsent, recent = change(now - 40 * DAY), change(now - 35 * DAY), change(now - DAY)
    CatalogSubscription.objects.create(
        bap_id="bap.example", cursor=sent.pk, active=True, started_at=now - 50 * DAY
    )
    CatalogSubscription.objects.create(  # stopped: waits for nothing
        bap_id="other.example", cursor=0, active=False, started_at=now - 50 * DAY
    )
    assert retention.prune(now, KEEP).changes == 1
    assert set(CatalogChange.objects.values_list("pk", flat=True)) == {unsent.pk, recent.pk}
    CatalogSubscription.objects.filter(bap_id="bap.example").update(active=False)
    assert retention.prune(now, KEEP).changes == 1
    assert set(CatalogChange.objects.values_list("pk", flat=True)) == {recent.pk}
