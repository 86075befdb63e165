"""After the session: settle the redeemed offers on the energy delivered, or reverse them
(cancellation, or a partial recovery), never beyond the discount given in aggregate."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from offers.events import session_settled
from offers.models import Redemption, RedemptionKind
from offers.rules.composition import Settle, compose
from offers.rules.facts import CustomerFacts, OfferFacts
from offers.services import addons
from offers.services.catalog import OfferInfo
from offers.services.facts import station_facts
from offers.services.ledger import locks, recovery
from offers.services.ledger.order import (
    UnknownOrder,
    copy_row,
    customer_of,
    holdings,
    order_rows,
    price_at,
    reversal_row,
)
from offers.services.ledger.rows import charger_of, order_fields, replay, rule_of, write
from offers.services.quoting import OfferQuote, SessionAsk, fee_terms_of, quote_without_offers
from pricing.engine import ZERO, FeeTerms


def settle(
    order_ref: str,
    delivered_kwh: Decimal,
    *,
    end: dt.datetime | None = None,
    now: dt.datetime | None = None,
    session: SessionAsk | None = None,
) -> OfferQuote:
    """Charging ended: the order's final price on the energy delivered.

    The redeemed offers are recomputed (DEG: -22.50 quoted on 5 kWh settles at -23.40 on
    5.2 kWh), on the session from the start of `session` when it is given (charging may
    have started before the start the offers were redeemed for), else from the redeemed
    start. An offer whose qualifier no longer holds gives nothing and its use and budget
    come back; budgets and credit move by the difference. Settling again returns the
    first settlement. The rows are stamped `now` (default: the clock).

    An order that redeemed no offer raises UnknownOrder, unless `session` (the session as
    delivered) is given: it is then priced without offers, with its add-ons, and announced
    once (offers.events.session_settled) for whoever counts sessions without offers.
    With `session`, the settled quote carries the buyer finder fee of its terms on the
    delivered value; the overcharge buffer is released (a settled quote has none).
    """
    fees = None if session is None else settled_fees(session)
    with transaction.atomic():
        locks.order_lock(order_ref)
        rows = order_rows(order_ref)
        redeemed = [r for r in rows if r.kind == RedemptionKind.REDEEMED]
        settled = [r for r in rows if r.kind == RedemptionKind.SETTLED]
        if redeemed and settled:
            return _as_settled(order_ref, rows, redeemed, settled, fees)
        if redeemed:
            start = None if session is None else session.start
            return _settle_redeemed(
                order_ref, rows, redeemed, delivered_kwh, end, now, fees, start=start
            )
    if session is None:
        raise UnknownOrder(f"no offer was redeemed for order {order_ref}")
    return _settle_without_offers(order_ref, session)


def settled_fees(session: SessionAsk) -> FeeTerms:
    """The fees of the session as delivered: its finder fee terms, no buffer."""
    return fee_terms_of(session.charger.operator, session.finder_fee).settled()


def _as_settled(order_ref: str, rows, redeemed, settled, fees: FeeTerms | None) -> OfferQuote:
    """The first settlement again (a retried settle changes nothing), on the session it
    priced."""
    first = redeemed[0]
    rules = {r.offer_code: rule_of(r) for r in redeemed}
    add_ons = addons.booked_lines(order_ref)
    priced, _ = price_at(settled[0], settled[0].energy_kwh, settled[0].session_end)
    quote, applied = replay(settled, priced, rules, add_ons=add_ons, fees=fees)
    return OfferQuote(
        quote, priced, applied, (), (), first.customer_key, charger=first.charger,
        offers=_infos(redeemed, rules), add_ons=add_ons,
        recovered=recovery.at_settlement(rows), fees=fees,
    )  # fmt: skip


def _settle_without_offers(order_ref: str, session: SessionAsk) -> OfferQuote:
    oq = quote_without_offers(session, addons.booked_lines(order_ref), settled=True)
    customer = CustomerFacts(key=session.customer_key)
    session_settled.send(sender=OfferQuote, order_ref=order_ref, quote=oq, customer=customer)
    return oq


def _settlement_facts(first: Redemption, redeemed, rules, held, usage, accounts, conditions, today):
    """The facts the redeemed offers are checked on again: the customer as quoted (with
    the credit this order drew given back), the station, and each offer's limits with
    what this order holds counted as free."""
    credits = tuple(_with_drawn(b, redeemed, rules) for b in locks.balances(accounts, today))
    return OfferFacts(
        customer=dataclasses.replace(customer_of(first), credits=credits),
        station=station_facts(charger_of(first).station),
        operator_code=first.operator.code,
        holidays=conditions.holidays,
        limits={
            r.offer_code: locks.limits_of(usage[r.offer_id], None, held[r.offer_id].held)
            for r in redeemed
        },
    )


def _settle_redeemed(
    order_ref: str,
    rows: Sequence[Redemption],
    redeemed: Sequence[Redemption],
    delivered_kwh: Decimal,
    end: dt.datetime | None,
    now: dt.datetime | None,
    fees: FeeTerms | None,
    *,
    start: dt.datetime | None = None,
) -> OfferQuote:
    """The redeemed offers recomputed on the energy delivered (from `start`, default the
    redeemed start), the counters moved by the difference, the settled (and recovered)
    rows written."""
    first = redeemed[0]
    rules = {r.offer_code: rule_of(r) for r in redeemed}
    add_ons = addons.booked_lines(order_ref)
    held = holdings(rows)
    priced, conditions = price_at(first, delivered_kwh, end, start)
    end_at = now or timezone.now()
    usage = locks.lock_usage(r.offer_id for r in redeemed)  # locks in the order locks.py gives
    accounts = locks.lock_order_credits(redeemed, rules)
    today = timezone.localdate()
    facts = _settlement_facts(first, redeemed, rules, held, usage, accounts, conditions, today)
    again = Settle(tuple(rules[r.offer_code] for r in redeemed))
    settled_now = compose(
        priced, again, facts, add_ons=add_ons, item_id=first.charger_code, fees=fees
    )
    given = {a.offer_id: a for a in settled_now.applied}
    why = {r.offer_id: r.message for r in settled_now.rejected}
    fields = order_fields(priced, settled_now.quote, charger_of(first), facts.customer)
    out, recovered = [], []
    for row in redeemed:
        a = given.get(row.offer_code)
        new = a.discount if a else ZERO
        holding = held[row.offer_id]
        give_use = a is None and not holding.use_returned
        locks.count_use(row.offer_id, row.customer_key, -int(give_use), new - holding.held)
        if new < holding.held:  # recovered: its own reversed row, before the settled one
            why_less = why.get(row.offer_code) or "less energy delivered than quoted"
            reason = f"{recovery.SETTLEMENT_PREFIX}{why_less}"
            out.append(reversal_row(holding, holding.held - new, reason, end_at))
            recovered.append((row.offer_code, holding.held - new))
        if row.benefit_kind == "credit_drawdown":
            _redraw(accounts, rules[row.offer_code], row, a, today)
        out.append(
            copy_row(
                row,
                **fields,
                kind=RedemptionKind.SETTLED,
                discount=new,
                kwh_drawn=a.kwh_drawn if a else None,
                wheeling_amount=a.wheeling if a else ZERO,
                reason=why.get(row.offer_code, ""),
                use_returned=give_use,
                occurred_at=end_at,
            )
        )
    write(out)
    return OfferQuote(
        settled_now.quote,
        priced,
        tuple(given.values()),
        settled_now.rejected,
        (),
        first.customer_key,
        charger=first.charger,
        offers=_infos(redeemed, rules),
        facts=facts,
        add_ons=add_ons,
        recovered=tuple(recovered),
        fees=fees,
    )


def _infos(redeemed: Sequence[Redemption], rules) -> dict[str, OfferInfo]:
    """The redeemed offers as quoting describes them (type, meta) for callers' quote lines."""
    return {
        r.offer_code: OfferInfo(
            r.offer_id,
            rules[r.offer_code],
            "",
            r.benefit_kind,
            None,
            None,
            None,
            bool(r.code_used),
            r.terms,
        )
        for r in redeemed
    }


def _redraw(accounts, rule, row: Redemption, a, today: dt.date) -> None:
    """Move the credit by the difference between settled and redeemed."""
    account = accounts.get(rule.benefit.account)
    if account is None:
        return
    if row.kwh_drawn is not None:
        drawn = (a.kwh_drawn or ZERO) if a else ZERO
        locks.draw_credit(account, kwh=drawn - row.kwh_drawn, today=today)
    else:
        new = a.discount if a else ZERO
        locks.draw_credit(account, amount=new - row.discount, today=today)


def _with_drawn(balance, redeemed, rules):
    """The balance as it was before this order drew from it."""
    for row in redeemed:
        if row.benefit_kind != "credit_drawdown":
            continue
        if rules[row.offer_code].benefit.account != balance.account:
            continue
        if balance.kwh is not None and row.kwh_drawn:
            return dataclasses.replace(balance, kwh=balance.kwh + row.kwh_drawn)
        if balance.amount is not None:
            return dataclasses.replace(balance, amount=balance.amount + row.discount)
    return balance
