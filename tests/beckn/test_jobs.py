"""Services queue work through the publisher registered at start-up (beckn.services.jobs),
never through beckn.tasks: an accepted message and its callback both go out through it."""

from __future__ import annotations

import pytest

from beckn.models import InboundMessage, Outbox
from beckn.services import jobs
from beckn.tasks import CeleryPublisher
from tests.beckn import bap as msgs
from tests.support.beckn import answer

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []

    def deliver(self, outbox_id: int) -> None:
        self.sent.append(("deliver", outbox_id))

    def process(self, inbound_id: int) -> None:
        self.sent.append(("process", inbound_id))


@pytest.fixture
def recorder():
    registered = jobs.publisher()
    recorder = Recorder()
    jobs.register(recorder)
    yield recorder
    jobs.register(registered)


def test_start_up_registers_the_celery_tasks_as_the_publisher():
    assert isinstance(jobs.publisher(), CeleryPublisher)


def test_the_message_and_its_callback_are_queued_through_the_registered_publisher(
    client, network, bap, fake, our_key, recorder, django_capture_on_commit_callbacks
):
    body = bap.body("select", msgs.select(network.op_a.code, network.charger_a.code))
    with django_capture_on_commit_callbacks(execute=True):
        assert bap.post(client, "select", body).status_code == 200
    inbound = InboundMessage.objects.get()
    assert recorder.sent == [("process", inbound.pk)]

    with django_capture_on_commit_callbacks(execute=True):
        row = answer(inbound.pk)
    assert row is not None and Outbox.objects.get() == row
    assert recorder.sent == [("process", inbound.pk), ("deliver", row.pk)]
