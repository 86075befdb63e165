"""The dispatcher hands every accepted id over, in batches, from its own thread."""

from __future__ import annotations

import threading

from beckn.services.dispatch import Dispatcher


def test_every_id_is_published_once_in_batches():
    published: list[list[int]] = []
    done = threading.Event()

    def publish(ids, low=False):
        published.append(list(ids))
        if sum(map(len, published)) == 500:
            done.set()

    dispatcher = Dispatcher(publish, window=0.005)
    workers = [
        threading.Thread(target=lambda n=n: [dispatcher.submit(n * 100 + i) for i in range(100)])
        for n in range(5)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert done.wait(5)
    flat = [i for batch in published for i in batch]
    assert sorted(flat) == list(range(500))
    assert len(published) < 500  # batched, not one publish per id


def test_a_failing_publish_does_not_stop_the_thread():
    calls: list[list[int]] = []
    second = threading.Event()

    def publish(ids, low=False):
        calls.append(ids)
        if len(calls) == 1:
            raise ConnectionError("broker down")
        second.set()

    dispatcher = Dispatcher(publish, window=0.001)
    dispatcher.submit(1)
    dispatcher.flush()
    dispatcher.submit(2)
    assert second.wait(5)
    assert calls[-1] == [2]


def test_a_batch_is_one_message_and_the_worker_fans_it_out(monkeypatch):
    from beckn import tasks
    from beckn.services import dispatch

    sent: list[tuple[str, object]] = []
    monkeypatch.setattr(tasks.process_inbound, "delay", lambda pk: sent.append(("one", pk)))
    monkeypatch.setattr(
        tasks.process_inbound_batch, "delay", lambda ids: sent.append(("batch", list(ids)))
    )
    dispatch.publish([7])
    dispatch.publish(list(range(20)))
    assert sent == [("one", 7), ("batch", list(range(20)))]  # one message per batch

    processed: list[int] = []
    monkeypatch.setattr(tasks.processing, "process_many", processed.extend)
    monkeypatch.setattr(
        tasks.process_inbound_batch,
        "apply_async",
        lambda args, priority=None: sent.append(("batch", list(args[0]))),
    )
    sent.clear()
    tasks.process_inbound_batch.run(list(range(20)))  # in the worker that takes it
    assert processed == list(range(tasks.CHUNK))  # the first chunk here
    assert sent == [("batch", list(range(8, 16))), ("batch", list(range(16, 20)))]


def test_a_batch_is_answered_by_two_workers_side_by_side_from_four_ids_on():
    """A task is one transaction: its last message waits for its first. From SPLIT_FROM ids
    on, a batch goes to two tasks at least, each of at most CHUNK."""
    from beckn import tasks

    assert tasks.chunks([1]) == [[1]]
    assert tasks.chunks([1, 2, 3]) == [[1, 2, 3]]
    assert tasks.chunks([1, 2, 3, 4]) == [[1, 2], [3, 4]]
    assert tasks.chunks([1, 2, 3, 4, 5]) == [[1, 2, 3], [4, 5]]
    ids = list(range(40))
    assert [len(c) for c in tasks.chunks(ids)] == [tasks.CHUNK] * 5
    assert [i for c in tasks.chunks(ids) for i in c] == ids


def test_ids_arriving_during_a_publish_wait_for_the_next_window():
    """Under a steady trickle the thread publishes about once per window, not once per
    publish: what slips in while a batch is being sent waits for the next window."""
    import time

    published: list[list[int]] = []

    def publish(ids, low=False):
        published.append(list(ids))
        time.sleep(0.01)  # a publish takes a while; ids keep arriving meanwhile

    dispatcher = Dispatcher(publish, window=0.1)
    for n in range(400):  # about 0.5 s of one id per millisecond or so
        dispatcher.submit(n)
        time.sleep(0.001)
    dispatcher.flush()
    time.sleep(0.15)
    assert sorted(i for batch in published for i in batch) == list(range(400))
    # At most one publish per 0.1 s window (plus the last one); one per 10 ms publish
    # would be dozens.
    assert len(published) <= 12, [len(b) for b in published]


def test_a_full_batch_is_followed_at_once_by_the_rest():
    from beckn.services.dispatch import MAX_BATCH

    published: list[int] = []
    done = threading.Event()

    def publish(ids, low=False):
        published.append(len(ids))
        if sum(published) == 2 * MAX_BATCH + 50:
            done.set()

    dispatcher = Dispatcher(publish, window=0.2)
    for n in range(2 * MAX_BATCH + 50):  # all queued well inside the first window
        dispatcher.submit(n)
    assert done.wait(5)
    assert published == [MAX_BATCH, MAX_BATCH, 50]
