"""Offer reversal after confirmation, when an order's qualifier stops holding: an add-on
is not delivered or is cancelled (a combo loses its secondary item), or the session
delivers less than the offer needs (settlement). ONDC: the offer is reversed in part or
in full, never beyond the discount given in aggregate.

What an order holds of each offer is read from the ledger: the latest redeemed or
settled row, less the reversals written after it. Every reversal is its own `reversed`
row (its amount, its reason) and gives the budget back; a reversal to nothing also gives
the use back. The callers tell the buyer (Beckn: the quote_trail).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from offers.models import Redemption, RedemptionKind
from offers.rules.bases import SessionView
from offers.rules.combo import OrderExtras, combo_line, evaluate_combo, is_combo
from offers.rules.composition import Recorded, compose
from offers.rules.construct import Base
from offers.rules.energy_trade import wheeling_line
from offers.rules.facts import OfferFacts
from offers.rules.outcome import Applied, Eligible
from offers.rules.stacking import discount_line
from offers.services.addons import booked_lines
from offers.services.facts import station_facts
from offers.services.ledger import locks
from offers.services.ledger.order import (
    Holding,
    Reversal,
    UnknownOrder,
    customer_of,
    holdings,
    order_rows,
    price_at,
    reversal_row,
)
from offers.services.ledger.rows import charger_of, rule_of, write
from offers.services.quoting import OfferQuote, SessionAsk, fee_terms_of, quote_without_offers
from pricing.engine import ZERO

SETTLEMENT_PREFIX = "settlement: "


def at_settlement(rows: Iterable[Redemption]) -> tuple[tuple[str, Decimal], ...]:
    """What a settlement recovered, offer by offer (its reversal rows)."""
    return tuple(
        (r.offer_code, r.discount)
        for r in rows
        if r.kind == RedemptionKind.REVERSED and r.reason.startswith(SETTLEMENT_PREFIX)
    )


def _write(
    order_ref: str, takes: Sequence[tuple[Holding, Decimal]], reason: str, now: dt.datetime
) -> Reversal:
    """Reversal rows, counters and the announcement; inside the caller's transaction."""
    locks.lock_usage(h.base.offer_id for h, _ in takes)
    out, recovered, remaining = [], [], []
    for holding, take in takes:
        left = holding.held - take
        if take <= 0:
            remaining.append((holding.base.offer_code, holding.held))
            continue
        give_use = left <= 0 and not holding.use_returned
        locks.count_use(holding.base.offer_id, holding.base.customer_key, -int(give_use), -take)
        out.append(reversal_row(holding, take, reason, now, give_use=give_use))
        recovered.append((holding.base.offer_code, take))
        remaining.append((holding.base.offer_code, left))
    write(out)
    currency = takes[0][0].base.currency if takes else "INR"
    return Reversal(order_ref, currency, tuple(recovered), tuple(remaining), full=False)


def recheck_combos(order_ref: str, *, reason: str, now: dt.datetime | None = None) -> Reversal:
    """The order's combos again, on the add-ons it still has (one was not delivered or
    was cancelled): each combo is worked out anew on the session as redeemed (or as
    settled) and reversed down to its new value; a reversal never gives more."""
    now = now or timezone.now()
    with transaction.atomic():
        locks.order_lock(order_ref)
        rows = order_rows(order_ref)
        redeemed = [r for r in rows if r.kind == RedemptionKind.REDEEMED]
        if not redeemed:
            raise UnknownOrder(f"no offer was redeemed for order {order_ref}")
        held = holdings(rows)
        rules = {r.offer_code: rule_of(r) for r in redeemed}
        combos = [r for r in redeemed if is_combo(rules[r.offer_code])]
        if not combos:
            return Reversal(order_ref, redeemed[0].currency, (), (), full=False)
        base = held[redeemed[0].offer_id].base
        priced, conditions = price_at(base, base.energy_kwh, base.session_end)
        view = SessionView.of(priced)
        station = charger_of(base).station
        facts = OfferFacts(
            customer=customer_of(base),
            station=station_facts(station),
            operator_code=base.operator.code,
            holidays=conditions.holidays,
        )
        extras = OrderExtras.of(base.charger_code, booked_lines(order_ref))
        taken = sum(
            (held[r.offer_id].held for r in redeemed if r not in combos), ZERO
        )  # the regular offers come first
        takes = []
        for row in combos:
            holding = held[row.offer_id]
            outcome = evaluate_combo(
                rules[row.offer_code], view, facts, extras, taken=taken, redeemed=True
            )
            new = min(outcome.discount, holding.held) if isinstance(outcome, Eligible) else ZERO
            takes.append((holding, holding.held - new))
            taken += new
        return _write(order_ref, takes, reason, now)


def order_quote(order_ref: str, *, session: SessionAsk | None = None) -> OfferQuote:
    """The order's quote as it stands: the session as redeemed (or as settled), each
    offer at what the order still holds of it, and the add-ons still charged.

    An order that redeemed no offer raises UnknownOrder, unless `session` (the order's
    session) is given: it is then priced without offers, with the add-ons still booked.
    With `session`, its fees are charged (the buffer only until the order is settled)."""
    rows = order_rows(order_ref)
    redeemed = [r for r in rows if r.kind == RedemptionKind.REDEEMED]
    settled = any(r.kind == RedemptionKind.SETTLED for r in rows)
    if not redeemed and session is not None:
        return quote_without_offers(session, booked_lines(order_ref), settled=settled)
    if not redeemed:
        raise UnknownOrder(f"no offer was redeemed for order {order_ref}")
    held = holdings(rows)
    base = held[redeemed[0].offer_id].base
    priced, _ = price_at(base, base.energy_kwh, base.session_end)
    lines = []
    for row in redeemed:
        amount = held[row.offer_id].held
        if amount <= 0:
            continue
        rule = rule_of(row)
        if is_combo(rule):
            lines.append(combo_line(rule, amount, priced.tariff.tax_rate))
        else:
            lines.append(discount_line(rule, amount, priced))
        wheeling = wheeling_line(rule)
        if wheeling is not None and row.wheeling_amount:
            lines.append(wheeling)
    add_ons = booked_lines(order_ref)
    recorded = Recorded(tuple(lines), tuple(_applied(redeemed, held)))
    fees = None
    if session is not None:
        fees = fee_terms_of(session.charger.operator, session.finder_fee)
        fees = fees.settled() if settled else fees
    composed = compose(priced, recorded, OfferFacts(), add_ons=add_ons, fees=fees)
    return OfferQuote.of(
        composed, base.customer_key, charger=base.charger, add_ons=add_ons, fees=fees
    )


def _applied(redeemed: Sequence[Redemption], held: dict[int, Holding]) -> Iterator[Applied]:
    for row in redeemed:
        yield Applied(row.offer_code, held[row.offer_id].held, Base.GROSS, row.code_used)
