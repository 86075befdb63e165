"""Group commit on the ACK path: rows that arrive while a statement is in flight share the
next one, each request still gets its own answer, and a bad row fails only itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import DataError, connection, transaction
from django.utils import timezone

from beckn.models import InboundMessage
from beckn.services import group_insert, inbound_store, intake
from tests.beckn import bap as msgs
from tests.races import race

WAIT = 10.0


class Gate:
    """An insert_many that records its calls and holds the first one until released."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.calls: list[list[str]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail = fail or set()

    def __call__(self, rows: Sequence[dict[str, Any]]) -> list[int | None]:
        keys = [r["message_id"] for r in rows]
        self.calls.append(keys)
        if len(self.calls) == 1:
            self.entered.set()
            assert self.release.wait(WAIT)
        if self.fail & set(keys):
            raise DataError(f"bad row among {keys}")
        seen: set[str] = set()
        out: list[int | None] = []
        for key in keys:
            out.append(None if key in seen or key == "taken" else int(key.removeprefix("m")))
            seen.add(key)
        return out


def _queued(group: group_insert.GroupInsert, n: int) -> None:
    deadline = time.monotonic() + WAIT
    while len(group._queue) < n:
        assert time.monotonic() < deadline, "rows never queued"
        time.sleep(0.001)


def _run(group: group_insert.GroupInsert, keys: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}

    def one(key: str) -> None:
        try:
            results[key] = group.insert({"message_id": key})
        except Exception as exc:
            results[key] = exc

    lead = threading.Thread(target=one, args=(keys[0],))
    lead.start()
    assert group.insert_many.entered.wait(WAIT)  # type: ignore[attr-defined]
    rest = [threading.Thread(target=one, args=(k,)) for k in keys[1:]]
    for t in rest:
        t.start()
    _queued(group, len(rest))
    group.insert_many.release.set()  # type: ignore[attr-defined]
    for t in [lead, *rest]:
        t.join(WAIT)
        assert not t.is_alive()
    return results


def test_rows_that_arrive_during_a_statement_share_the_next_one():
    gate = Gate()
    group = group_insert.GroupInsert(gate, max_rows=8)
    results = _run(group, ["m1", "m2", "m3", "m4", "m5"])
    assert gate.calls[0] == ["m1"]
    assert sorted(gate.calls[1]) == ["m2", "m3", "m4", "m5"] and len(gate.calls) == 2
    assert results == {"m1": 1, "m2": 2, "m3": 3, "m4": 4, "m5": 5}
    assert group.insert({"message_id": "m9"}) == 9  # idle again: the next row leads at once
    assert gate.calls[-1] == ["m9"]


def test_a_taken_key_is_none_for_its_own_request_only():
    gate = Gate()
    results = _run(group_insert.GroupInsert(gate), ["m1", "m2", "taken", "m4"])
    assert results == {"m1": 1, "m2": 2, "taken": None, "m4": 4}


def test_a_failing_statement_is_retried_row_by_row_and_fails_only_the_bad_row():
    gate = Gate(fail={"m3"})
    results = _run(group_insert.GroupInsert(gate, max_rows=8), ["m1", "m2", "m3", "m4"])
    assert isinstance(results["m3"], DataError)
    assert {k: v for k, v in results.items() if k != "m3"} == {"m1": 1, "m2": 2, "m4": 4}
    assert sorted(gate.calls[1]) == ["m2", "m3", "m4"]  # the shared statement failed,
    assert sorted(map(tuple, gate.calls[2:])) == [("m2",), ("m3",), ("m4",)]  # then alone


def test_a_batch_larger_than_the_cap_is_sent_in_turns():
    gate = Gate()
    group = group_insert.GroupInsert(gate, max_rows=2)
    results = _run(group, ["m1", "m2", "m3", "m4", "m5"])
    assert results == {f"m{i}": i for i in range(1, 6)}
    assert [len(c) for c in gate.calls] == [1, 2, 2]


def test_an_unexpected_error_reaches_every_waiting_request_and_nobody_hangs():
    class Boom(Gate):
        def __call__(self, rows):
            if len(self.calls) == 1:
                self.calls.append([r["message_id"] for r in rows])
                raise RuntimeError("boom")
            return super().__call__(rows)

    gate = Boom()
    results = _run(group_insert.GroupInsert(gate), ["m1", "m2", "m3"])
    assert results["m1"] == 1
    assert all(isinstance(results[k], RuntimeError) for k in ("m2", "m3"))


# The real statement: several rows, RETURNING mapped back by key.


def _row(message_id: str, bap_id: str = "bap.one") -> dict[str, Any]:
    now = timezone.now()
    return {
        "bap_id": bap_id, "message_id": message_id, "action": "select",
        "transaction_id": "t-1", "body": {"context": {"message_id": message_id}},
        "body_digest": "d", "key_id": "k", "received_at": now, "expires_at": now,
    }  # fmt: skip


@pytest.mark.django_db
def test_insert_many_answers_each_row_in_order():
    first = inbound_store.insert(_row("a"))
    ids = inbound_store.insert_many(
        [_row("b"), _row("a"), _row("c"), _row("b"), _row("a", bap_id="bap.two")]
    )
    assert ids[1] is None and ids[3] is None  # stored before; given twice in one statement
    assert None not in (ids[0], ids[2], ids[4]) and len({first, ids[0], ids[2], ids[4]}) == 4
    stored = dict(InboundMessage.objects.values_list("id", "message_id"))
    assert (stored[ids[0]], stored[ids[2]], stored[ids[4]]) == ("b", "c", "a")
    assert InboundMessage.objects.count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_acks_through_the_group_store_every_message_once(
    bap, network, no_queue, monkeypatch, settings
):
    """40 signed selects and 10 exact replays at once through the real intake: every one
    is ACKed, each message is stored once, and the rows really shared statements."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    settings.BECKN_GROUP_INSERT = True
    group_insert._groups.clear()
    sizes: list[int] = []
    real = inbound_store.insert_many

    def counted(rows):
        sizes.append(len(rows))
        time.sleep(0.02)  # a slow round trip, so that rows queue behind it
        return real(rows)

    monkeypatch.setattr(inbound_store, "insert_many", counted)
    message = msgs.select(network.op_a.code, network.charger_a.code)
    signed = [bap.signed("select", message) for _ in range(40)]
    works = [
        lambda raw=raw, headers=headers: intake.accept(
            "select", raw, headers, lambda pk, bap: None, timezone.now()
        )
        for raw, headers in signed + signed[:10]
    ]
    answers = race(works)
    assert [a.status for a in answers] == [200] * 50, answers
    assert InboundMessage.objects.count() == 40
    new = [a.inbound_id for a in answers if a.inbound_id is not None]
    assert len(new) == 40 == len(set(new))  # each new message got its own row id once
    assert sum(sizes) >= 50 and max(sizes) > 1, sizes  # statements really were shared


@pytest.mark.django_db
def test_insert_many_keeps_the_stored_values_and_the_defaults():
    row = _row("v", bap_id="bap.values") | {"body": {"context": {"n": [1, "é", None]}}}
    (new_id,) = inbound_store.insert_many([row])
    stored = InboundMessage.objects.get(pk=new_id)
    assert stored.body == {"context": {"n": [1, "é", None]}}
    assert (stored.received_at, stored.key_id, stored.action) == (row["received_at"], "k", "select")
    assert (stored.state, stored.attempts, stored.error, stored.processed_at) == (
        "received", 0, "", None,
    )  # fmt: skip


@pytest.mark.django_db
def test_an_execute_wrapper_sees_the_insert():
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert inbound_store.insert(_row("w")) is not None
    assert len(seen) == 1 and seen[0].startswith("INSERT INTO")


@pytest.mark.django_db
def test_a_failed_insert_raises_djangos_error_and_undoes_its_atomic_block():
    """On PostgreSQL the statement bypasses Django's cursor: its errors must still be
    Django's, and the surrounding atomic() must still roll back."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce max_length")
    with pytest.raises(DataError), transaction.atomic():
        InboundMessage.objects.create(**_row("kept-only-if-committed"))
        inbound_store.insert(_row("long", bap_id="b" * 300))  # over max_length 255
    assert not InboundMessage.objects.filter(message_id="kept-only-if-committed").exists()
    assert inbound_store.insert(_row("after")) is not None  # the connection is still usable
