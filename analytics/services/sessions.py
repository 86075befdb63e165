"""Recording delivered sessions that carried no offer (see models.NoOfferSession).

Call `record_session` for every delivered session, after the offers ledger has settled
its offers (offers.services.ledger.settle): if the ledger holds a settled row for the
order it has the session already and nothing is written; otherwise one row is, once per
order (a retry returns the first row).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from analytics.models import NoOfferSession
from cpo_portal.models import Charger
from offers.models import Redemption, RedemptionKind
from offers.rules import CustomerFacts
from offers.services import ReceivedSession, order_fields
from pricing.engine import PricedSession, Quote

FIELDS = {f.attname for f in NoOfferSession._meta.concrete_fields} - {"id"}


def session_row(
    order_ref: str,
    priced: PricedSession,
    quote: Quote,
    charger: Charger,
    customer: CustomerFacts,
    occurred_at: dt.datetime,
) -> NoOfferSession:
    """The row, unsaved: the same copied fields the ledger's rows carry."""
    values = order_fields(priced, quote, charger, customer)
    values = {k: v for k, v in values.items() if k in FIELDS}
    return NoOfferSession(order_ref=order_ref, occurred_at=occurred_at, **values)


def record_session(
    order_ref: str,
    priced: PricedSession,
    quote: Quote,
    charger: Charger,
    customer: CustomerFacts | None = None,
    *,
    occurred_at: dt.datetime | None = None,
) -> NoOfferSession | None:
    """Record the delivered session unless the ledger already settled offers for it."""
    if Redemption.objects.filter(order_ref=order_ref, kind=RedemptionKind.SETTLED).exists():
        return None
    existing = NoOfferSession.objects.filter(order_ref=order_ref).first()
    if existing is not None:
        return existing
    row = session_row(
        order_ref,
        priced,
        quote,
        charger,
        customer or CustomerFacts(key=priced.request.customer.key),
        occurred_at or timezone.now(),
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent retry won
        return NoOfferSession.objects.get(order_ref=order_ref)
    return row


def record_settled_session(sender, *, order_ref: str, quote, customer, **kwargs) -> None:
    """Receiver of offers.events.session_settled: a session without offers, recorded."""
    record_session(order_ref, quote.priced, quote.quote, quote.charger, customer)


def record_received_sessions(sender, *, sessions: list[ReceivedSession], **kwargs) -> None:
    """Receiver of offers.events.sessions_received: sessions from another channel, written
    in the sender's transaction in one statement; one already recorded stays as it was."""
    rows = [
        NoOfferSession(
            order_ref=s.ref,
            **{f.name: getattr(s, f.name) for f in dataclasses.fields(s) if f.name in FIELDS},
        )
        for s in sessions
    ]
    NoOfferSession.objects.bulk_create(rows, ignore_conflicts=True)
