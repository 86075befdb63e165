"""Limits and balances under concurrency: row locks taken in one fixed order, then
updates by F() expressions. Nothing is read into Python, changed and saved back.

Lock order, the same for redeem, settle and reverse (so two transactions never wait on
each other in a cycle): the order's advisory lock, offer usage rows by offer id, the
customer's usage rows by offer id, single-use codes by id, credit accounts by id. Add-on
stock rows, when an order has any, are locked before all of these (addons.py): a confirm
books its add-ons before it redeems, a cancel releases them before it reverses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import F
from django.db.models.functions import Round

from offers.models import (
    CreditAccount,
    CreditKind,
    Customer,
    CustomerOfferUsage,
    OfferUsage,
    Redemption,
)
from offers.models.codes import OfferCode
from offers.rules.benefit_types import credit_account
from offers.rules.construct import OfferRule
from offers.rules.facts import CreditBalance, Limits
from offers.services.facts import balance_of, credit_accounts, month_start


def order_lock(order_ref: str) -> None:
    """Serialise every ledger step of one order (PostgreSQL advisory lock, released at
    commit). SQLite runs write transactions one at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [order_ref])


def lock_usage(offer_pks: Iterable[int]) -> dict[int, OfferUsage]:
    pks = sorted(set(offer_pks))
    if not pks:
        return {}
    missing = set(pks) - set(
        OfferUsage.objects.filter(offer_id__in=pks).values_list("offer_id", flat=True)
    )
    if missing:
        OfferUsage.objects.bulk_create(
            [OfferUsage(offer_id=pk) for pk in missing], ignore_conflicts=True
        )
    rows = (
        OfferUsage.objects.select_for_update(of=("self",))
        .select_related("offer")
        .filter(offer_id__in=pks)
        .order_by("offer_id")
    )
    return {row.offer_id: row for row in rows}


def lock_customer_usage(offer_pks: Iterable[int], key: str) -> dict[int, int]:
    """The customer's uses per offer, rows created if missing and locked."""
    pks = sorted(set(offer_pks))
    if not pks or not key:
        return {}
    CustomerOfferUsage.objects.bulk_create(
        [CustomerOfferUsage(offer_id=pk, customer_key=key) for pk in pks], ignore_conflicts=True
    )
    rows = (
        CustomerOfferUsage.objects.select_for_update()
        .filter(offer_id__in=pks, customer_key=key)
        .order_by("offer_id")
        .values_list("offer_id", "uses")
    )
    return dict(rows)


def lock_codes(code_pks: Iterable[int]) -> dict[int, bool]:
    """Single-use codes locked; pk -> already used."""
    pks = sorted(set(code_pks))
    if not pks:
        return {}
    rows = OfferCode.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {pk: used is not None for pk, used in rows.values_list("pk", "used_at")}


def lock_credits(operator_id: int, key: str, plans: Iterable[str]) -> dict[str, CreditAccount]:
    plans = set(plans)
    if not key or not plans:
        return {}
    accounts = credit_accounts(operator_id, key, plans).select_for_update(of=("self",))
    out: dict[str, CreditAccount] = {}
    for account in accounts.order_by("pk"):
        out.setdefault(account.plan, account)
    return out


def lock_order_credits(
    redeemed: Sequence[Redemption], rules: Mapping[str, OfferRule]
) -> dict[str, CreditAccount]:
    """lock_credits() for the credit plans the order's redeemed offers draw on."""
    plans = (
        credit_account(rules[r.offer_code].benefit)
        for r in redeemed
        if r.benefit_kind == "credit_drawdown"
    )
    return lock_credits(redeemed[0].operator_id, redeemed[0].customer_key, plans)


def balances(accounts: dict[str, CreditAccount], today: dt.date) -> tuple[CreditBalance, ...]:
    return tuple(balance_of(a, today) for a in accounts.values())


def limits_of(
    usage: OfferUsage, customer_uses: int | None, give_back: Decimal = Decimal(0)
) -> Limits:
    """What is left, read from the locked row and the offer's current limits. `give_back`
    adds what this very order already holds of the budget (settlement re-computes it)."""
    offer = usage.offer
    per_customer = offer.max_uses_per_customer
    return Limits(
        remaining_uses=None if offer.max_uses is None else offer.max_uses - usage.uses,
        remaining_customer_uses=(
            None if per_customer is None or customer_uses is None else per_customer - customer_uses
        ),
        remaining_budget=(
            None if offer.budget is None else offer.budget - usage.budget_spent + give_back
        ),
    )


def count_use(offer_pk: int, key: str, uses: int, spent: Decimal) -> None:
    """Add `uses` (+1, 0 or -1) and `spent` to the offer's counters and the customer's.
    Sums are rounded in SQL: SQLite adds decimals as floats (13.40 - 13.40 < 0 there)."""
    if uses or spent:
        OfferUsage.objects.filter(offer_id=offer_pk).update(
            uses=F("uses") + uses, budget_spent=Round(F("budget_spent") + spent, 2)
        )
    if uses and key:
        CustomerOfferUsage.objects.filter(offer_id=offer_pk, customer_key=key).update(
            uses=F("uses") + uses
        )


def use_code(code_pk: int, key: str, order_ref: str, at: dt.datetime) -> bool:
    return bool(
        OfferCode.objects.filter(pk=code_pk, used_at__isnull=True).update(
            used_at=at, used_by=key, used_order=order_ref
        )
    )


def draw_credit(
    account: CreditAccount,
    *,
    amount: Decimal = Decimal(0),
    kwh: Decimal = Decimal(0),
    today: dt.date,
) -> None:
    """Take `amount` rupees or `kwh` (negative: give back) from a locked account; a kWh
    package is refilled first when a new month has begun."""
    rows = CreditAccount.objects.filter(pk=account.pk)
    if account.kind == CreditKind.KWH:
        first = month_start(today)
        if account.monthly_kwh is not None and (
            account.period_start is None or account.period_start < first
        ):
            rows.update(balance_kwh=account.monthly_kwh, period_start=first)
        if kwh:
            rows.update(balance_kwh=Round(F("balance_kwh") - kwh, 3))
    elif amount:
        rows.update(balance_amount=Round(F("balance_amount") - amount, 2))


def mark_first_session(operator_id: int, key: str) -> None:
    if not key:
        return
    Customer.objects.bulk_create(
        [Customer(operator_id=operator_id, key=key, first_session_done=True)],
        ignore_conflicts=True,
    )
    Customer.objects.filter(operator_id=operator_id, key=key, first_session_done=False).update(
        first_session_done=True
    )
