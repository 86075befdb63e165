"""Reverse redeemed offers: a cancellation takes back everything still given and returns
the use and the budget; a partial recovery takes back an amount, last-applied offer first,
never more in aggregate than was given (ONDC offer reversal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from offers.models import OfferCode, Redemption, RedemptionKind
from offers.rules.settle import reversal_amount
from offers.services.ledger import locks
from offers.services.ledger.order import (
    Reversal,
    UnknownOrder,
    holdings,
    order_rows,
    reversal_row,
)
from offers.services.ledger.rows import rule_of, write
from pricing.engine import kwh_floor, money


def _credit_back(accounts, rule, row: Redemption, recovered: Decimal, today) -> None:
    account = accounts.get(rule.benefit.account)
    if account is None or recovered <= 0:
        return
    if row.kwh_drawn:
        kwh = kwh_floor(row.kwh_drawn * recovered / row.discount)
        locks.draw_credit(account, kwh=-kwh, today=today)
    else:
        locks.draw_credit(account, amount=-recovered, today=today)


def _give_back(order_ref: str, row: Redemption, take: Decimal, give_use: bool) -> None:
    """The use (once, on a cancellation) and the budget taken back; a single-use code
    used by the order is free again."""
    locks.count_use(row.offer_id, row.customer_key, -1 if give_use else 0, -take)
    if give_use:
        OfferCode.objects.filter(used_order=order_ref, offer_id=row.offer_id).update(
            used_at=None, used_by="", used_order=""
        )


def reverse(
    order_ref: str,
    *,
    amount: Decimal | None = None,
    reason: str,
    now: dt.datetime | None = None,
) -> Reversal:
    """Take back `amount` (None: all of it, a cancellation) of the order's discounts,
    last-applied offer first.

    The amount is capped at what is still given; a cancellation also returns each offer's
    use (once) and frees its single-use code. Budgets and credit get back what is
    recovered. Raises UnknownOrder when no offer was redeemed for the order.
    """
    if amount is not None and amount <= 0:
        raise ValueError("a partial reversal needs an amount above zero")
    now = now or timezone.now()
    with transaction.atomic():
        locks.order_lock(order_ref)
        rows = order_rows(order_ref)
        redeemed = [r for r in rows if r.kind == RedemptionKind.REDEEMED]
        if not redeemed:
            raise UnknownOrder(f"no offer was redeemed for order {order_ref}")
        held = holdings(rows)
        locks.lock_usage(r.offer_id for r in redeemed)
        rules = {r.offer_code: rule_of(r) for r in redeemed}
        accounts = locks.lock_order_credits(redeemed, rules)
        wanted = None if amount is None else money(amount)
        today = timezone.localdate(now)
        out, recovered, remaining = [], [], []
        for row in reversed(redeemed):  # last-applied first
            holding = held[row.offer_id]
            base, left = holding.base, holding.held
            take = left
            if wanted is not None:  # never more in aggregate than the discount given
                take = reversal_amount(base.discount, base.discount - left, min(wanted, left))
                wanted -= take
            give_use = amount is None and not holding.use_returned
            remaining.append((row.offer_code, left - take))
            if take > 0 or give_use:
                _give_back(order_ref, base, take, give_use)
                if base.benefit_kind == "credit_drawdown":
                    _credit_back(accounts, rules[row.offer_code], base, take, today)
                out.append(reversal_row(holding, take, reason, now, give_use=give_use))
                recovered.append((row.offer_code, take))
        write(out)
        return Reversal(
            order_ref=order_ref,
            currency=redeemed[0].currency,
            recovered=tuple(reversed(recovered)),
            remaining=tuple(reversed(remaining)),
            full=amount is None,
        )
