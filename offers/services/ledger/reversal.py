"""Reverse redeemed offers: a cancellation takes back everything still given and returns
the use and the budget; a partial recovery takes back an amount, last-applied offer first,
never more in aggregate than was given (ONDC offer reversal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from offers.models import OfferCode, Redemption, RedemptionKind
from offers.rules.benefit_types import credit_account
from offers.rules.construct import OfferRule
from offers.rules.settle import reversal_amount
from offers.services.ledger import locks
from offers.services.ledger.order import Reversal, UnknownOrder, copy_row, order_rows
from offers.services.ledger.rows import rule_of, write
from pricing.engine import ZERO, kwh_floor, money

GIVEN = (RedemptionKind.REDEEMED, RedemptionKind.SETTLED, RedemptionKind.REVERSED)


def _credit_back(accounts, rule, row: Redemption, recovered: Decimal, given: Decimal, today):
    account = accounts.get(rule.benefit.account)
    if account is None or recovered <= 0:
        return
    if row.kwh_drawn:
        locks.draw_credit(account, kwh=-kwh_floor(row.kwh_drawn * recovered / given), today=today)
    else:
        locks.draw_credit(account, amount=-recovered, today=today)


@dataclass
class _Given:
    """What the order still gives, offer by offer, before this reversal."""

    current: list[Redemption]  # each offer's redeemed or settled row, in application order
    back: dict[int, Decimal]  # taken back since that row, by offer pk
    returned: set[int]  # offers whose use already came back
    seq: dict[int, int]  # each offer's last reversal number


def _given(rows: list[Redemption], redeemed: list[Redemption]) -> _Given:
    settled = {r.offer_id: r for r in rows if r.kind == RedemptionKind.SETTLED}
    current = [settled.get(r.offer_id, r) for r in redeemed]
    back = {r.offer_id: ZERO for r in redeemed}
    seq = {r.offer_id: 0 for r in redeemed}
    base = {r.offer_id: r.pk for r in current}
    for r in rows:
        if r.kind == RedemptionKind.REVERSED:
            if r.pk > base[r.offer_id]:  # a settlement's own are in its amount
                back[r.offer_id] += r.discount
            seq[r.offer_id] = max(seq[r.offer_id], r.seq)
    returned = {r.offer_id for r in rows if r.use_returned}
    return _Given(current, back, returned, seq)


def _lock_credit(redeemed: list[Redemption], rules) -> dict:
    plans = {
        credit_account(rules[r.offer_code].benefit)
        for r in redeemed
        if r.benefit_kind == "credit_drawdown"
    }
    return locks.lock_credits(redeemed[0].operator_id, redeemed[0].customer_key, plans)


def _give_back(order_ref: str, row: Redemption, take: Decimal, give_use: bool) -> None:
    """The use (once, on a cancellation) and the budget taken back; a single-use code
    used by the order is free again."""
    locks.count_use(row.offer_id, row.customer_key, -1 if give_use else 0, -take)
    if give_use:
        OfferCode.objects.filter(used_order=order_ref, offer_id=row.offer_id).update(
            used_at=None, used_by="", used_order=""
        )


def _share(row: Redemption, given: _Given, requested: Decimal) -> Decimal:
    """What may be taken back of the row's offer now: the request, never more in
    aggregate than the discount given (the rules' reversal_amount)."""
    return reversal_amount(row.discount, given.back[row.offer_id], requested)


def _take_back(
    order_ref: str,
    row: Redemption,
    take: Decimal,
    give_use: bool,
    given: _Given,
    credit: tuple[dict, OfferRule],
    reason: str,
    now: dt.datetime,
) -> Redemption:
    """One offer's reversal: its counters (and credit, for a credit drawdown) given back,
    its reversed row."""
    _give_back(order_ref, row, take, give_use)
    if row.benefit_kind == "credit_drawdown":
        accounts, rule = credit
        _credit_back(accounts, rule, row, take, row.discount, timezone.localdate(now))
    given.seq[row.offer_id] += 1
    return copy_row(
        row,
        kind=RedemptionKind.REVERSED,
        seq=given.seq[row.offer_id],
        discount=take,
        reason=reason[:300],
        use_returned=give_use,
        occurred_at=now,
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
        rows = order_rows(order_ref, GIVEN)
        redeemed = [r for r in rows if r.kind == RedemptionKind.REDEEMED]
        if not redeemed:
            raise UnknownOrder(f"no offer was redeemed for order {order_ref}")
        given = _given(rows, redeemed)
        locks.lock_usage(r.offer_id for r in redeemed)
        rules = {r.offer_code: rule_of(r) for r in redeemed}
        accounts = _lock_credit(redeemed, rules)
        wanted = None if amount is None else money(amount)
        out, recovered, remaining = [], [], []
        for row in reversed(given.current):  # last-applied first
            left = row.discount - given.back[row.offer_id]
            take = left if wanted is None else _share(row, given, min(wanted, left))
            if wanted is not None:
                wanted -= take
            give_use = amount is None and row.offer_id not in given.returned
            remaining.append((row.offer_code, left - take))
            if take > 0 or give_use:
                rule = rules[row.offer_code]
                out.append(
                    _take_back(order_ref, row, take, give_use, given, (accounts, rule), reason, now)
                )
                recovered.append((row.offer_code, take))
        write(out)
        return Reversal(
            order_ref=order_ref,
            currency=redeemed[0].currency,
            recovered=tuple(reversed(recovered)),
            remaining=tuple(reversed(remaining)),
            full=amount is None,
        )
