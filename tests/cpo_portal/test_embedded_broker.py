"""cpo_portal.background.embedded_broker: the filesystem broker of `make run`, safe for
several processes.

The race: a producer is in the middle of writing a message when a consumer polls the queue.
kombu's own transport has already created the file under its final name, empty, and the
consumer fails on it (JSONDecodeError, which kills a Celery worker) and loses the message;
the project's transport shows the consumer nothing until the message is whole. The
producer is held mid-write by a payload whose serialization waits (kombu's JSON encoder
calls an object's `__json__`), so the race is reproduced every time, not by chance.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue as queues
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from kombu import Connection, Consumer, Exchange, Producer, Queue
from kombu.transport import filesystem
from kombu.transport.virtual import BrokerState

from cpo_portal.background import embedded_broker

QUEUE = "celery"
ROOT = Path(__file__).resolve().parents[2]


def connect(folder: Path, transport) -> Connection:
    return Connection(
        "filesystem://",
        transport=transport,
        transport_options=embedded_broker.transport_options(folder, polling_interval=0.01),
    )


class HeldWrite:
    """Serialized by kombu's encoder through `__json__`, which waits until released."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __json__(self) -> str:
        self.entered.set()
        assert self.release.wait(10)
        return "the whole body"


@pytest.mark.parametrize(
    "transport",
    [
        pytest.param(
            filesystem.Transport,
            marks=pytest.mark.xfail(
                strict=True, reason="kombu's transport shows a message before it is written"
            ),
            id="kombu",
        ),
        pytest.param(embedded_broker.Transport, id="project"),
    ],
)
def test_a_message_being_written_is_not_read_until_it_is_whole(tmp_path, transport):
    held = HeldWrite()
    payload = {"body": held, "properties": {"delivery_tag": "t1", "delivery_info": {}}}
    with connect(tmp_path, transport) as connection:
        producer, consumer = connection.channel(), connection.channel()
        writer = threading.Thread(target=producer._put, args=(QUEUE, payload))
        writer.start()
        try:
            assert held.entered.wait(10)
            # The consumer polls while the producer is mid-write.
            with pytest.raises(queues.Empty):
                consumer._get(QUEUE)
        finally:
            held.release.set()
            writer.join(10)
        message = consumer._get(QUEUE)
        assert message["body"] == "the whole body"
        with pytest.raises(queues.Empty):
            consumer._get(QUEUE)


def test_a_message_file_being_written_is_invisible_to_consumers(tmp_path):
    with connect(tmp_path, embedded_broker.Transport) as connection:
        channel = connection.channel()
        part = tmp_path / "queue" / f"{embedded_broker.PART_PREFIX}1_x.{QUEUE}.msg"
        part.write_bytes(b'{"body": "half')
        with pytest.raises(queues.Empty):
            channel._get(QUEUE)
        assert part.exists()  # left to its writer


class OwnState(embedded_broker.Transport):
    """The transport with exchanges and bindings of its own: kombu's virtual transports
    keep them process-wide (`global_state`), so an exchange of the same name that an
    earlier test in the process declared with another type or binding (a fanout "celery",
    say) would route the good message elsewhere and it would never be read."""

    global_state = BrokerState()


def test_unreadable_messages_are_quarantined_and_the_next_one_is_read(tmp_path, caplog):
    exchange = Exchange(QUEUE, type="direct")
    celery_queue = Queue(QUEUE, exchange, routing_key=QUEUE)
    received: list[dict] = []
    with connect(tmp_path, OwnState) as connection:
        channel = connection.channel()
        celery_queue(channel).declare()
        # Empty, not JSON, JSON but no envelope; named to be read before the good message.
        for n, content in ((1, b""), (2, b"{not json"), (3, b'{"properties": 1}')):
            (tmp_path / "queue" / f"0_bad{n}.{QUEUE}.msg").write_bytes(content)
        Producer(channel).publish(
            {"hello": "world"}, exchange=exchange, routing_key=QUEUE, serializer="json"
        )

        def take(body, message):
            received.append(body)
            message.ack()

        with (
            caplog.at_level(logging.ERROR, logger="cpo_portal.background.embedded_broker"),
            Consumer(connection.channel(), [celery_queue], callbacks=[take], accept=["json"]),
        ):
            deadline = time.monotonic() + 30  # a loaded machine's polling is late
            while not received and time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    connection.drain_events(timeout=1)  # what a Celery worker's loop calls

    assert received == [{"hello": "world"}]
    quarantined = sorted(p.name for p in (tmp_path / "quarantine").iterdir())
    assert quarantined == [f"0_bad{n}.{QUEUE}.msg" for n in (1, 2, 3)]
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 3
    assert all("is not a readable message" in line for line in logged)
    assert not list((tmp_path / "queue").iterdir())
    assert not list((tmp_path / "claimed").iterdir())


PRODUCERS, CONSUMERS, PER_PRODUCER = 3, 2, 200


def envelope(body: str) -> dict:
    return {"body": body, "properties": {"delivery_tag": body, "delivery_info": {}}}


def produce(folder: str, number: int) -> None:
    with connect(Path(folder), embedded_broker.Transport) as connection:
        channel = connection.channel()
        for i in range(PER_PRODUCER):
            channel._put(QUEUE, envelope(f"{number}-{i}"))


def consume(folder: str, found, done) -> None:
    """Reads messages into `found` until `done` is set."""
    with connect(Path(folder), embedded_broker.Transport) as connection:
        channel = connection.channel()
        while not done.is_set():
            try:
                found.put(channel._get(QUEUE)["body"])
            except queues.Empty:
                time.sleep(0.002)


@pytest.mark.integration
def test_processes_writing_and_reading_at_once_deliver_every_message_once(tmp_path):
    context = multiprocessing.get_context("spawn")
    found, done = context.Queue(), context.Event()
    total = PRODUCERS * PER_PRODUCER
    consumers = [
        context.Process(target=consume, args=(str(tmp_path), found, done)) for _ in range(CONSUMERS)
    ]
    producers = [context.Process(target=produce, args=(str(tmp_path), n)) for n in range(PRODUCERS)]
    for process in consumers + producers:
        process.start()
    ids = [found.get(timeout=120) for _ in range(total)]
    done.set()
    for process in consumers + producers:
        process.join(30)
    assert [p.exitcode for p in consumers + producers] == [0] * (PRODUCERS + CONSUMERS)
    assert sorted(ids) == sorted(f"{n}-{i}" for n in range(PRODUCERS) for i in range(PER_PRODUCER))
    assert found.empty()  # none twice
    assert not os.listdir(tmp_path / "quarantine")


@pytest.mark.integration
def test_a_celery_worker_meeting_bad_messages_logs_them_and_goes_on(tmp_path):
    """The project's Celery worker on the embedded broker (as `make run` starts it) finds
    unreadable messages ahead of a task in its queue: it logs them, sets them aside, runs
    the task and is still running."""
    var = tmp_path / "var"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/"),
        "PYTHONPATH": str(ROOT),
        "VAR_DIR": str(var),
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
    }
    queue = var / "broker" / "queue"
    queue.mkdir(parents=True)
    envelope = b'{"body": "bm90IGpzb24=", "content-type": "application/json", "properties":'
    envelope += b' {"delivery_tag": "x", "body_encoding": "base64", "delivery_info": {}}}'
    for n, content in ((1, b""), (2, b"{not json"), (3, envelope)):
        (queue / f"0_bad{n}.{QUEUE}.msg").write_bytes(content)
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cpo_portal", "worker", "--pool", "solo",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        sent = subprocess.run(
            [sys.executable, "-c", "from cpo_portal.celery import app\n"
             "print(app.send_task('celery.backend_cleanup').id)"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
        ).stdout.strip()  # fmt: skip
        deadline = time.monotonic() + 120
        while f"[{sent}] succeeded" not in log.read_text():
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        assert worker.poll() is None  # still running
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
    output = log.read_text()
    assert "Unrecoverable error" not in output
    assert output.count("is not a readable message") == 2  # empty, and not JSON
    assert "Can't decode message body" in output  # Celery's own answer to a bad body
    assert sorted(p.name for p in (var / "broker" / "quarantine").iterdir()) == [
        f"0_bad{n}.{QUEUE}.msg" for n in (1, 2)
    ]


def test_connecting_to_the_embedded_broker_does_not_warn_of_a_missing_host(tmp_path, caplog):
    """Every process of `make run` connects to it: none of them logs kombu's "No hostname
    was supplied" warning for a broker that has no host."""
    with caplog.at_level(logging.WARNING, logger="kombu.connection"):
        connection = connect(tmp_path, embedded_broker.TRANSPORT)
        connection.info()
        connection.release()
    assert [r.getMessage() for r in caplog.records if r.name == "kombu.connection"] == []
