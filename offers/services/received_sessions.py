"""Sessions that reached the operator by another channel than our Beckn orders (a CDR its
charging system sent, pushed or imported): announced once, with their facts, to whoever
counts sessions (offers.events.sessions_received; analytics listens)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from offers.channels import SessionChannel
from offers.events import sessions_received


@dataclass(frozen=True, slots=True)
class ReceivedSession:
    """One finished session and what it was charged (the operator's own bill, not our
    quote). `ref` is unique across every channel (the ledger's order_ref space)."""

    ref: str
    channel: SessionChannel
    operator_id: int
    station_id: int
    charger_id: int
    station_code: str
    charger_code: str
    region_code: str
    city_code: str
    site_kind: str
    currency: str
    energy_kwh: Decimal
    gross_amount: Decimal
    tax_amount: Decimal
    net_amount: Decimal
    session_start: dt.datetime
    session_end: dt.datetime
    session_start_hour: int
    occurred_at: dt.datetime
    customer_key: str = ""


def receive_sessions(sessions: Sequence[ReceivedSession]) -> None:
    """Announce received sessions, inside the caller's transaction: a listener writes its
    facts there too, so a session is recorded with its source row or not at all."""
    if sessions:
        sessions_received.send(sender=ReceivedSession, sessions=list(sessions))
