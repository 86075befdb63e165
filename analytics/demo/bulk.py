"""The demo's fast path: the same prices and offers as the services give, written in bulk.

The operator's real price books (pricing.services.price_book_for) and offer catalog
(offers.services.catalog.catalog_for) price each session and choose its offers with the
composition every quote goes through (offers.rules.composition); rows are built by the
ledger's own order_fields / offer_fields and bulk-inserted. What it skips is what a demo does not
need: live occupancy and grid signals, and the locks of redeem (the demo's offers have no
limits). The offers' usage counters (uses, budget spent) are moved by what each flushed
batch settled, so an offer's budget bar agrees with its settled uses and the dashboards.
demo.py sends one session in ten through the services.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db.models import F

from analytics.models import NoOfferSession
from analytics.services.sessions import session_row
from cpo_portal.models import Charger, Holiday, Operator, Station
from offers.models import Customer, OfferUsage, Redemption
from offers.rules import (
    Compete,
    CustomerFacts,
    OfferFacts,
    Reason,
    Settle,
    StationFacts,
    compose,
)
from offers.services import catalog_for, combination_of, offer_fields, order_fields, station_facts
from pricing import services as pricing
from pricing.engine import Conditions
from pricing.engine import Customer as EngineCustomer
from pricing.services import Book


class BulkLedger:
    def __init__(self, operators: list[Operator]) -> None:
        self.holidays = {
            op.pk: frozenset(Holiday.objects.filter(operator=op).values_list("date", flat=True))
            for op in operators
        }
        self.people = {
            (c.operator_id, c.key): CustomerFacts(
                key=c.key,
                segment=c.segment,
                tier=c.tier,
                member=c.member,
                referred=c.referred,
                joined_on=c.joined_on,
            )
            for c in Customer.objects.filter(operator__in=operators)
        }
        # Nothing changes prices or offers during a simulation: load each book once.
        self.catalogs = {op.pk: catalog_for(op) for op in operators}
        self.books: dict[int, Book] = {}
        self.stations: dict[int, StationFacts] = {}
        self.rows: list[Redemption] = []
        self.sessions: list[NoOfferSession] = []

    def surge(self, charger: Charger, start: dt.datetime, kwh: Decimal, key: str) -> Decimal:
        """The surge this session would pay (pure engine, no queries)."""
        who = self.people.get((charger.operator_id, key), CustomerFacts(key=key))
        priced = self.price(charger, start, kwh, who)
        return sum((ln.amount for ln in priced.lines if ln.kind == "surge"), Decimal("0"))

    def price(self, charger: Charger, start: dt.datetime, kwh: Decimal, who: CustomerFacts):
        request = pricing.session_request_for(
            charger,
            start,
            kwh=kwh,
            customer=EngineCustomer(key=who.key, segment=who.segment, tier=who.tier),
        )
        conditions = Conditions(holidays=self.holidays[charger.operator_id])
        book = self.books.get(charger.pk)
        if book is None:
            book = self.books[charger.pk] = pricing.price_book_for(charger)
        return book.price(request, conditions)

    def station(self, station: Station) -> StationFacts:
        """The offer rules' facts of a station, read once (no charger is added meanwhile)."""
        facts = self.stations.get(station.pk)
        if facts is None:
            facts = self.stations[station.pk] = station_facts(station)
        return facts

    def session(
        self, order: str, charger: Charger, start: dt.datetime, key: str, kwh: Decimal,
        delivered: Decimal, cancel: bool = False,
    ) -> bool:  # fmt: skip
        """Quote, redeem and settle one session (or record it without offers); with
        `cancel`, an order with offers is cancelled before charging instead.
        Returns whether an offer was given and kept."""
        operator, station = charger.operator, charger.station
        who = self.people.get((operator.pk, key), CustomerFacts(key=key))
        priced = self.price(charger, start, kwh, who)
        catalog = self.catalogs[operator.pk]
        facts = OfferFacts(
            customer=who,
            station=self.station(station),
            operator_code=operator.code,
            holidays=self.holidays[operator.pk],
            now=start,
        )
        # no codes presented, no offer named, no add-on bought: the index's candidates
        composed = compose(priced, Compete(catalog.index, combination_of(operator)), facts)
        quote, applied = composed.quote, composed.applied
        held = {
            r.offer_id: r.would_be.discount
            for r in composed.rejected
            if r.reason is Reason.HELD_OUT
            and r.would_be is not None
            and r.offer_id in composed.held_out
        }
        by_code = catalog.offers
        base = order_fields(priced, quote, charger, who)
        for kind, at in (("validated", start - dt.timedelta(minutes=5)),
                         ("redeemed", start - dt.timedelta(minutes=2))):  # fmt: skip
            for a in applied:
                info = by_code[a.offer_id]
                self.rows.append(self._row(order, base, info, kind, at, a.discount, a.code))
            for offer_id, would in held.items():
                info = by_code[offer_id]
                held_kind = "held_out" if kind == "redeemed" else kind
                self.rows.append(self._row(order, base, info, held_kind, at, would, "", True))
        if cancel and applied:
            for a in applied:
                row = self._row(order, base, by_code[a.offer_id], "reversed",
                                start - dt.timedelta(minutes=1), a.discount, a.code)  # fmt: skip
                row.seq, row.use_returned, row.reason = 1, True, "Cancelled by the customer"
                self.rows.append(row)
            return False
        if self.settle(order, charger, start, who, delivered, facts, applied, by_code):
            return True
        dpriced = self.price(charger, start, delivered, who)
        self.sessions.append(
            session_row(
                order, dpriced, compose(dpriced, None, facts).quote, charger, who, dpriced.end
            )
        )
        return False

    def settle(self, order, charger, start, who, delivered, facts, applied, by_code) -> bool:
        if not applied:
            return False
        dpriced = self.price(charger, start, delivered, who)
        again = Settle(tuple(by_code[a.offer_id].rule for a in applied))
        settled = compose(dpriced, again, dataclasses.replace(facts, now=None))
        dquote = settled.quote
        kept = {a.offer_id: a for a in settled.applied}
        base = order_fields(dpriced, dquote, charger, who)
        for a in applied:
            got = kept.get(a.offer_id)
            row = self._row(
                order, base, by_code[a.offer_id], "settled", dpriced.end,
                got.discount if got else Decimal("0"), a.code,
            )  # fmt: skip
            row.use_returned = got is None
            self.rows.append(row)
        return True

    @staticmethod
    def _row(order, base, info, kind, at, discount, code, held_out=False) -> Redemption:
        return Redemption(
            **base,
            **offer_fields(info.pk, info.rule, info.benefit_kind),
            order_ref=order,
            kind=kind,
            discount=discount,
            code_used=code,
            held_out=held_out,
            occurred_at=at,
        )

    def flush(self) -> None:
        counted: dict[int, tuple[int, Decimal]] = {}
        for row in self.rows:  # settled orders only: a cancelled one gave its use back
            if row.kind == "settled" and not row.held_out and row.discount > 0:
                uses, spent = counted.get(row.offer_id, (0, Decimal(0)))
                counted[row.offer_id] = (uses + 1, spent + row.discount)
        for offer_id, (uses, spent) in counted.items():
            OfferUsage.objects.get_or_create(offer_id=offer_id)
            OfferUsage.objects.filter(offer_id=offer_id).update(
                uses=F("uses") + uses, budget_spent=F("budget_spent") + spent
            )
        Redemption.objects.bulk_create(self.rows, batch_size=1000)
        NoOfferSession.objects.bulk_create(self.sessions, batch_size=1000)
        self.rows, self.sessions = [], []
