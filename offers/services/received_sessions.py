"""Sessions that reached the operator by another channel than our Beckn orders (a CDR its
charging system sent, pushed or imported): announced once, with their facts, to whoever
counts sessions (offers.events.sessions_received; analytics listens).

A received session may be one of our own orders coming back: an order we started on the
operator's charging system, whose CDR names it in `authorization_reference`. Such a
session is that order's (its_orders): it is announced under the order's ledger key, with
the order's channel and customer, so it is counted once, with the order, whichever of the
order's settlement and the CDR arrives first."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from offers.channels import SessionChannel
from offers.events import orders_named, sessions_received


@dataclass(frozen=True, slots=True)
class ReceivedSession:
    """One finished session and what it was charged (the operator's own bill, not our
    quote). `ref` is unique across every channel (the ledger's order_ref space);
    `authorization_reference` is what the session names as its authorization (OCPI's
    field), empty when nothing."""

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
    authorization_reference: str = ""


@dataclass(frozen=True, slots=True)
class KnownOrder:
    """An order of ours that a received session names: the ledger's key for it, the
    channel it came by and its customer."""

    ref: str
    channel: SessionChannel
    customer_key: str = ""


def its_orders(sessions: Sequence[ReceivedSession]) -> list[ReceivedSession]:
    """The sessions, each that names an order of ours (offers.events.orders_named, asked
    once per operator, of the order's own operator only) as that order's session."""
    named: dict[int, set[str]] = defaultdict(set)
    for s in sessions:
        if s.authorization_reference:
            named[s.operator_id].add(s.authorization_reference)
    known: dict[tuple[int, str], KnownOrder] = {}
    for operator_id, references in named.items():
        answers = orders_named.send(
            sender=KnownOrder, operator_id=operator_id, references=sorted(references)
        )
        for _, orders in answers:
            if isinstance(orders, dict):
                known.update({(operator_id, r): order for r, order in orders.items()})
    out = []
    for s in sessions:
        order = known.get((s.operator_id, s.authorization_reference))
        if order is not None:
            s = dataclasses.replace(
                s,
                ref=order.ref,
                channel=order.channel,
                customer_key=order.customer_key or s.customer_key,
            )
        out.append(s)
    return out


def receive_sessions(sessions: Sequence[ReceivedSession]) -> list[ReceivedSession]:
    """Announce received sessions, inside the caller's transaction: a listener writes its
    facts there too, so a session is recorded with its source row or not at all. Returns
    them as announced (its_orders), in order."""
    announced = its_orders(sessions)
    if announced:
        sessions_received.send(sender=ReceivedSession, sessions=announced)
    return announced
