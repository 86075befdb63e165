"""Two writes as one statement (cpo_portal.db.joint_writes): rows with their history records,
and an INSERT with an UPDATE; the same outcome as the two statements on any database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beckn.models import DeliveryAttempt, Outbox, OutboxState
from cpo_portal.db import joint_writes, stamps

pytestmark = pytest.mark.django_db
STATEMENTS = 1 if connection.vendor == "postgresql" else 2


def unsaved(n: int) -> Outbox:
    now = timezone.now()
    return Outbox(
        subscriber_id="bap.example", action="on_search", target_url="https://bap.example/x",
        payload='{"context": {}}', message_id=f"m-{n}", transaction_id="t",
        state=OutboxState.PENDING, next_attempt_at=now, expires_at=now + dt.timedelta(minutes=1),
    )  # fmt: skip


def test_rows_get_their_own_ids_and_each_its_created_record():
    with CaptureQueriesContext(connection) as seen:
        rows = joint_writes.create_with_history([unsaved(n) for n in range(3)], Outbox)
    writes = [q for q in seen.captured_queries if "INSERT" in q["sql"]]
    assert len(writes) == STATEMENTS
    for row in rows:
        assert Outbox.objects.get(pk=row.pk).message_id == row.message_id
        record = Outbox.history.get(id=row.pk)
        assert (record.history_type, record.message_id) == ("+", row.message_id)
        assert record.history_user is None and not row._state.adding


def test_an_insert_and_an_update_together():
    rows = joint_writes.create_with_history([unsaved(n) for n in range(2)], Outbox)
    attempts = [
        DeliveryAttempt(outbox=row, number=1, started_at=timezone.now(), target_url="x",
                        status_code=200, outcome=OutboxState.DELIVERED)
        for row in rows
    ]  # fmt: skip
    done = {"state": OutboxState.DELIVERED, "leased_until": None}
    pending = stamps.update_where(Outbox, done, pk=rows[0].pk, state=OutboxState.PENDING)
    with CaptureQueriesContext(connection) as seen:
        updated = joint_writes.insert_and_update(attempts, pending)
    assert updated == 1 and len(seen.captured_queries) == STATEMENTS
    assert DeliveryAttempt.objects.count() == 2
    assert dict(Outbox.objects.values_list("message_id", "state")) == {
        "m-0": OutboxState.DELIVERED, "m-1": OutboxState.PENDING,
    }  # fmt: skip
