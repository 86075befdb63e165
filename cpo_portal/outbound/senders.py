"""What one kind of outgoing message plugs into the courier (`Sender`: its table, where a
row goes now (`target`), the request (signing, auth headers), how an answer is judged, and
what happens when a row is done), and what the two hand each other: the options, a
request, an attempt's outcome, a row's result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from cpo_portal.models.sending import Attempt, Outgoing
from cpo_portal.outbound import transport


class NotReady(Exception):
    """The request cannot be made now (no signing key, a token that cannot be read): the
    attempt is written down with this reason and retried."""


@dataclass(frozen=True, slots=True)
class Options:
    lease: float  # seconds a claim holds a row
    deadline: float  # seconds for one whole POST
    connect_timeout: float
    read_timeout: float
    max_bytes: int  # of an answer, read at most
    allow_private: bool
    backoff_base: float  # seconds before the second attempt; doubling, jittered
    backoff_cap: float


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    body: bytes | None
    headers: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)  # the sender's own attempt fields


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int | None
    error: str
    excerpt: str
    state: str
    method: str = "POST"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    state: str
    next_attempt_at: datetime | None = None


class Sender:
    """What one kind of outgoing message plugs in. A Courier holds one instance, so an
    instance may keep what it read for a run (a signing key)."""

    model: ClassVar[type[Outgoing]]
    attempt_model: ClassVar[type[Attempt]]
    row_field: ClassVar[str]  # the attempt's foreign key to its row
    max_attempts: ClassVar[int | None] = None
    final_try: ClassVar[timedelta] = timedelta(seconds=3)  # the last retry, before expiry
    key_fields: ClassVar[tuple[str, ...]] = ()  # what `finished` reads of a row

    def options(self) -> Options:
        raise NotImplementedError

    def target(self, row: Any) -> str | None:
        """Where the row goes now; None: nowhere (undeliverable, `unregistered` says why)."""
        raise NotImplementedError

    def unregistered(self, row: Any) -> str:
        return "not sent: the recipient has no registered URL now"

    def wait(self, row: Any, now: datetime) -> tuple[timedelta, str] | None:
        """(how long, why) when the row must wait before it is sent; its try not counted."""
        return None

    def request(self, row: Any) -> Request:
        """The request for the row (raise NotReady when it cannot be made now)."""
        raise NotImplementedError

    def judge(self, row: Any, response: transport.Response) -> tuple[str, str]:
        """(state, error) after the row's answer."""
        raise NotImplementedError

    def answer_fields(self, response: transport.Response) -> dict[str, Any]:
        """The sender's own fields of the attempt, read from the answer."""
        return {}

    def took(self, row: Any, seconds: float) -> None:
        """One POST of the row took `seconds`."""

    def finished(self, rows: Iterable[Any]) -> None:
        """The rows are done (delivered, refused or given up on)."""
