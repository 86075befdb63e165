"""The simulator's push journey tells a pushed on_search from the answer to its own
search by message id, whatever order they arrive in (a push can beat the answer, or come
before the journey looks)."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest

from beckn.simulator.receiver import CallbackReceiver, Received
from beckn.simulator.refresh import Refreshing


class Network:
    """Answers each search at once; on the push's start, `push_first` decides whether
    the push reaches the receiver before the answer does."""

    def __init__(self, receiver: CallbackReceiver, push_first: bool) -> None:
        self.receiver = receiver
        self.push_first = push_first

    def send(self, action: str, message: dict[str, Any]) -> str:
        message_id = str(uuid.uuid4())
        arrivals = [self.callback(message_id, {"catalog": {"providers": []}})]
        if "start" in str(message):
            push = self.callback(str(uuid.uuid4()), {"catalog": {"providers": [{"id": "cpo"}]}})
            arrivals.insert(0 if self.push_first else 1, push)
        self.receiver.received.extend(arrivals)
        return message_id

    @staticmethod
    def callback(message_id: str, message: dict[str, Any]) -> Received:
        body = {"context": {"message_id": message_id}, "message": message}
        return Received("on_search", body, b"{}", {}, "bpp|k1")


@pytest.mark.parametrize("push_first", [True, False])
def test_a_push_arriving_with_the_answer_is_seen(push_first):
    receiver = CallbackReceiver()
    out = io.StringIO()
    journey = Refreshing(Network(receiver, push_first), receiver, out)  # type: ignore[arg-type]  # a stand-in for BapClient's send

    assert journey.push(wait=0.5) == 1
    assert "<- on_search pushed, signed by bpp|k1\n   cpo: its own fields" in out.getvalue()
