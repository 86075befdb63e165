"""What a flow handler gets and gives back: Request, Reply, Failure.

They sit below the handlers and the services, so processing, parsing and the order
services use them without importing any handler.

A handler runs inside the processing transaction (and its own savepoint), reads the
inbound message, changes state, and returns the `message` of its on_<action> reply. A
request it cannot serve raises Failure: the savepoint is rolled back, and the reply
carries the Beckn error instead (plus whatever message the failure wants to show).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from beckn.protocol import errors

if TYPE_CHECKING:
    from beckn.models import InboundMessage, Order


@dataclass
class Reply:
    message: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    order: Order | None = None
    # Further messages answering the same request, each its own callback on the same
    # transaction and message id (an on_search catalog sent in parts).
    more: list[dict[str, Any]] = field(default_factory=list)
    # What a search found (beckn.commerce_types.Offering), for the 2.0 on_discover, which
    # renders the same offerings as 2.0 catalogs (beckn.wire.v2.catalogs).
    offerings: list[Any] = field(default_factory=list)


class Failure(Exception):
    def __init__(
        self,
        error: errors.BecknError,
        text: str,
        paths: str | None = None,
        *,
        order: Order | None = None,
        message: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(text)
        self.error = error
        self.text = text
        self.paths = paths
        self.order = order
        self.message = message

    def reply(self) -> Reply:
        body: dict[str, Any] = {"code": self.error.code, "message": self.text}
        if self.paths:
            body["paths"] = self.paths
        return Reply(message=self.message, error=body, order=self.order)


@dataclass(frozen=True, slots=True)
class Request:
    """The inbound message as a handler sees it."""

    inbound: InboundMessage
    now: dt.datetime
    # The message as the handlers read it when it is not the one stored: a Beckn 2.0
    # request, read into 1.1's message by beckn.wire.v2.reading.
    read_as: dict[str, Any] | None = None

    @property
    def context(self) -> dict[str, Any]:
        return self.inbound.context

    @property
    def message(self) -> dict[str, Any]:
        return self.inbound.message if self.read_as is None else self.read_as

    @property
    def bap_id(self) -> str:
        return self.inbound.bap_id


Handler = Callable[[Request], Reply]
