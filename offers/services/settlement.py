"""After the session: settle the redeemed offers on the energy delivered, or reverse them
(cancellation, or a partial recovery), never beyond the discount given in aggregate."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from offers.models import Redemption, RedemptionKind
from offers.rules.benefit_types import credit_account
from offers.rules.compose import Settle, compose
from offers.rules.facts import OfferFacts
from pricing.engine.money import ZERO

from . import addons, recovery
from . import limits as lim
from .catalog import OfferInfo
from .facts import station_facts
from .ledger_rows import charger_of, order_fields, replay, rule_of, write
from .order_ledger import (
    GIVEN_KINDS,
    UnknownOrder,
    copy_row,
    customer_of,
    order_rows,
    price_at,
)
from .quoting import OfferQuote


def settle(
    order_ref: str,
    delivered_kwh: Decimal,
    *,
    end: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> OfferQuote:
    """The redeemed offers recomputed on the energy delivered (DEG: -22.50 quoted on 5 kWh
    settles at -23.40 on 5.2 kWh). An offer whose qualifier no longer holds gives nothing
    and its use and budget come back. Budgets and credit move by the difference. Settling
    again returns the first settlement. The rows are stamped `now` (default: the clock)."""
    with transaction.atomic():
        lim.order_lock(order_ref)
        rows = order_rows(order_ref, (*GIVEN_KINDS, RedemptionKind.REVERSED))
        redeemed = [r for r in rows if r.kind == RedemptionKind.REDEEMED]
        settled = [r for r in rows if r.kind == RedemptionKind.SETTLED]
        if not redeemed:
            raise UnknownOrder(f"no offer was redeemed for order {order_ref}")
        first = redeemed[0]
        rules = {r.offer_code: rule_of(r) for r in redeemed}
        add_ons = addons.booked_lines(order_ref)
        if settled:
            priced, _ = price_at(first, settled[0].energy_kwh, settled[0].session_end)
            quote, applied = replay(settled, priced, rules, add_ons=add_ons)
            return OfferQuote(
                quote, priced, applied, (), (), first.customer_key, charger=first.charger,
                offers=_infos(redeemed, rules), add_ons=add_ons,
                recovered=recovery.at_settlement(rows),
            )  # fmt: skip
        held = recovery.holdings(rows)
        priced, conditions = price_at(first, delivered_kwh, end)
        end_at = now or timezone.now()
        usage = lim.lock_usage(r.offer_id for r in redeemed)
        plans = {
            credit_account(rules[r.offer_code].benefit)
            for r in redeemed
            if r.benefit_kind == "credit_drawdown"
        }
        accounts = lim.lock_credits(first.operator_id, first.customer_key, plans)
        today = timezone.localdate()
        credits = tuple(_with_drawn(b, redeemed, rules) for b in lim.balances(accounts, today))
        station = charger_of(first).station
        facts = OfferFacts(
            customer=dataclasses.replace(customer_of(first), credits=credits),
            station=station_facts(station),
            operator_code=first.operator.code,
            holidays=conditions.holidays,
            limits={
                r.offer_code: lim.limits_of(usage[r.offer_id], None, held[r.offer_id].held)
                for r in redeemed
            },
        )
        again = Settle(tuple(rules[r.offer_code] for r in redeemed))
        settled_now = compose(priced, again, facts, add_ons=add_ons, item_id=first.charger_code)
        quote = settled_now.quote
        given = {a.offer_id: a for a in settled_now.applied}
        why = {r.offer_id: r.message for r in settled_now.rejected}
        out, recovered = [], []
        for row in redeemed:
            a = given.get(row.offer_code)
            new = a.discount if a else ZERO
            holding = held[row.offer_id]
            give_use = a is None and not holding.use_returned
            lim.count_use(row.offer_id, row.customer_key, -int(give_use), new - holding.held)
            if new < holding.held:  # recovered: its own reversed row, before the settled one
                why_less = why.get(row.offer_code) or "less energy delivered than quoted"
                reason = f"{recovery.SETTLEMENT_PREFIX}{why_less}"
                out.append(recovery.reversal_row(holding, holding.held - new, reason, end_at))
                recovered.append((row.offer_code, holding.held - new))
            if row.benefit_kind == "credit_drawdown":
                _redraw(accounts, rules[row.offer_code], row, a, today)
            out.append(
                copy_row(
                    row,
                    **order_fields(priced, quote, charger_of(first), facts.customer),
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
            quote,
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
        lim.draw_credit(account, kwh=drawn - row.kwh_drawn, today=today)
    else:
        new = a.discount if a else ZERO
        lim.draw_credit(account, amount=new - row.discount, today=today)


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
