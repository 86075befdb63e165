"""Reverse redeemed offers: a cancellation takes back everything still given and returns
the use and the budget; a partial recovery takes back an amount, last-applied offer first,
never more in aggregate than was given (ONDC offer reversal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from offers.models import OfferCode, Redemption, RedemptionKind
from offers.rules.benefit_types import credit_account
from offers.rules.settle import reversal_amount
from pricing.engine.money import ZERO, kwh_floor, money

from . import limits as lim
from .ledger_rows import rule_of, write
from .order_ledger import Reversal, UnknownOrder, copy_row, order_rows

GIVEN = (RedemptionKind.REDEEMED, RedemptionKind.SETTLED, RedemptionKind.REVERSED)


def _credit_back(accounts, rule, row: Redemption, recovered: Decimal, given: Decimal, today):
    account = accounts.get(rule.benefit.account)
    if account is None or recovered <= 0:
        return
    if row.kwh_drawn:
        lim.draw_credit(account, kwh=-kwh_floor(row.kwh_drawn * recovered / given), today=today)
    else:
        lim.draw_credit(account, amount=-recovered, today=today)


def reverse(
    order_ref: str,
    *,
    amount: Decimal | None = None,
    reason: str,
    now: dt.datetime | None = None,
) -> Reversal:
    """Take back `amount` (None: all of it, a cancellation) of the order's discounts.

    The amount is capped at what is still given; a cancellation also returns each offer's
    use (once) and frees its single-use code. Budgets and credit get back what is
    recovered. Raises UnknownOrder when no offer was redeemed for the order.
    """
    if amount is not None and amount <= 0:
        raise ValueError("a partial reversal needs an amount above zero")
    now = now or timezone.now()
    with transaction.atomic():
        lim.order_lock(order_ref)
        rows = order_rows(order_ref, GIVEN)
        redeemed = [r for r in rows if r.kind == RedemptionKind.REDEEMED]
        if not redeemed:
            raise UnknownOrder(f"no offer was redeemed for order {order_ref}")
        settled = {r.offer_id: r for r in rows if r.kind == RedemptionKind.SETTLED}
        current = [settled.get(r.offer_id, r) for r in redeemed]  # in application order
        back = {r.offer_id: ZERO for r in redeemed}
        returned = {r.offer_id for r in rows if r.use_returned}
        seq = {r.offer_id: 0 for r in redeemed}
        base = {r.offer_id: r.pk for r in current}
        for r in rows:
            if r.kind == RedemptionKind.REVERSED:
                if r.pk > base[r.offer_id]:  # a settlement's own are in its amount
                    back[r.offer_id] += r.discount
                seq[r.offer_id] = max(seq[r.offer_id], r.seq)
        lim.lock_usage(r.offer_id for r in redeemed)
        rules = {r.offer_code: rule_of(r) for r in redeemed}
        plans = {
            credit_account(rules[r.offer_code].benefit)
            for r in redeemed
            if r.benefit_kind == "credit_drawdown"
        }
        accounts = lim.lock_credits(redeemed[0].operator_id, redeemed[0].customer_key, plans)
        wanted = None if amount is None else money(amount)
        out, recovered, remaining = [], [], []
        for row in reversed(current):
            given, before = row.discount, back[row.offer_id]
            left = given - before
            take = left if wanted is None else reversal_amount(given, before, min(wanted, left))
            if wanted is not None:
                wanted -= take
            give_use = amount is None and row.offer_id not in returned
            if take <= 0 and not give_use:
                remaining.append((row.offer_code, left))
                continue
            lim.count_use(row.offer_id, row.customer_key, -1 if give_use else 0, -take)
            if give_use:
                OfferCode.objects.filter(used_order=order_ref, offer_id=row.offer_id).update(
                    used_at=None, used_by="", used_order=""
                )
            if row.benefit_kind == "credit_drawdown":
                today = timezone.localdate(now)
                _credit_back(accounts, rules[row.offer_code], row, take, given, today)
            seq[row.offer_id] += 1
            out.append(
                copy_row(
                    row,
                    kind=RedemptionKind.REVERSED,
                    seq=seq[row.offer_id],
                    discount=take,
                    reason=reason[:300],
                    use_returned=give_use,
                    occurred_at=now,
                )
            )
            recovered.append((row.offer_code, take))
            remaining.append((row.offer_code, left - take))
        write(out)
        return Reversal(
            order_ref=order_ref,
            currency=redeemed[0].currency,
            recovered=tuple(reversed(recovered)),
            remaining=tuple(reversed(remaining)),
            full=amount is None,
        )
