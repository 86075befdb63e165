"""Facts the rules read, loaded with one query each: the customer, their credit, what is
left of each offer's limits (and a second for the customer's own uses, where an offer
caps them), and the codes presented."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cpo_portal.db import stamps
from cpo_portal.models import Station
from offers.models import CreditAccount, CreditKind, Customer, CustomerOfferUsage, OfferUsage
from offers.models.codes import OfferCode, normalise_code
from offers.rules.facts import CreditBalance, CustomerFacts, Limits, StationFacts

from .catalog import OfferInfo


def station_facts(station: Station, *, declared: bool = True) -> StationFacts:
    """What the offer rules read of a station: its place and its opening day; with
    `declared` (an offer to evaluate has a declared qualifier, offers.rules.qualifiers),
    also what only those read: how many chargers it has."""
    chargers = station.chargers.count() if declared else None
    return StationFacts(
        float(station.latitude), float(station.longitude), station.opened_on, chargers
    )


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


CUSTOMER_FACT_FIELDS = ("segment", "tier", "member", "referred", "joined_on", "first_session_done")


def load_customer(operator_id: int, key: str) -> CustomerFacts:
    """A customer never seen before is on their first session."""
    if not key:
        return CustomerFacts()
    row = (
        Customer.objects.filter(operator_id=operator_id, key=key)
        .values(*CUSTOMER_FACT_FIELDS)
        .first()
    )
    return customer_facts_of(key, row)


def customer_facts_of(key: str, row: dict | None) -> CustomerFacts:
    """The rules' facts of a stored customer row (None: never seen, a first session)."""
    if row is None:
        return CustomerFacts(key=key, first_session=True)
    return CustomerFacts(
        key=key,
        segment=row["segment"],
        tier=row["tier"],
        member=row["member"],
        first_session=not row["first_session_done"],
        referred=row["referred"],
        joined_on=row["joined_on"],
    )


def load_customers(operator_id: int, keys: Iterable[str]) -> dict[str, CustomerFacts]:
    """load_customer for many keys in one query (anonymous keys left out)."""
    wanted = {k for k in keys if k}
    rows = Customer.objects.filter(operator_id=operator_id, key__in=wanted).values(
        "key", *CUSTOMER_FACT_FIELDS
    )
    found = {row["key"]: row for row in rows}
    return {k: customer_facts_of(k, found.get(k)) for k in wanted}


def balance_of(account: CreditAccount, today: dt.date) -> CreditBalance:
    """A kWh package not yet refilled this month counts as refilled (the refill itself is
    written when credit is drawn)."""
    if account.kind == CreditKind.RUPEES:
        return CreditBalance(account=account.plan, amount=account.balance_amount)
    kwh = account.balance_kwh
    due = account.monthly_kwh is not None and (
        account.period_start is None or account.period_start < month_start(today)
    )
    return CreditBalance(account=account.plan, kwh=account.monthly_kwh if due else kwh)


def credit_accounts(operator_id: int, key: str, plans: Iterable[str]):
    return CreditAccount.objects.filter(
        operator_id=operator_id, members__key=key, plan__in=list(plans)
    ).order_by("plan", "pk")


def load_credits(
    operator_id: int, key: str, plans: Iterable[str], today: dt.date
) -> tuple[CreditBalance, ...]:
    """One balance per plan: the first of the customer's accounts on it (family plans
    share one account between members)."""
    plans = set(plans)
    if not key or not plans:
        return ()
    seen: dict[str, CreditBalance] = {}
    for account in credit_accounts(operator_id, key, plans):
        seen.setdefault(account.plan, balance_of(account, today))
    return tuple(seen.values())


def limits_from(info: OfferInfo, uses: int, spent: Decimal, customer_uses: int | None) -> Limits:
    return Limits(
        remaining_uses=None if info.max_uses is None else info.max_uses - uses,
        remaining_customer_uses=(
            None
            if info.max_uses_per_customer is None or customer_uses is None
            else info.max_uses_per_customer - customer_uses
        ),
        remaining_budget=None if info.budget is None else info.budget - spent,
    )


def load_limits(infos: Sequence[OfferInfo], key: str) -> dict[str, Limits]:
    """Remaining uses and budget of the limited offers among `infos`. Anonymous customers
    have no per-customer count (the customer limit is checked when the key is known)."""
    limited = {i.pk: i for i in infos if i.limited}
    if not limited:
        return {}
    capped = [pk for pk, i in limited.items() if i.max_uses_per_customer is not None]
    mine = {}
    if key and capped:  # the customer's own uses count only where the offer caps them
        mine = {
            row.offer_id: row.uses
            for row in stamps.rows_where(CustomerOfferUsage, offer_id=capped, customer_key=key)
        }
    out = {}
    for row in stamps.rows_where(OfferUsage, offer_id=list(limited)):
        info = limited[row.offer_id]
        customer_uses = mine.get(row.offer_id, 0) if key else None
        out[info.code] = limits_from(info, row.uses, row.budget_spent, customer_uses)
    return out


@dataclass(frozen=True, slots=True)
class CodeMatch:
    pk: int
    code: str
    offer_pk: int
    offer_code: str
    single_use: bool
    used: bool


def match_codes(operator_id: int, codes: Iterable[str]) -> dict[str, CodeMatch]:
    """Presented codes (normalised) that exist at the operator, by code."""
    wanted = {normalise_code(c) for c in codes if c and c.strip()}
    if not wanted:
        return {}
    rows = OfferCode.objects.filter(operator_id=operator_id, code__in=wanted).values_list(
        "pk", "code", "offer_id", "offer__code", "batch_id", "used_at"
    )
    return {
        code: CodeMatch(pk, code, offer_pk, offer_code, batch is not None, used is not None)
        for pk, code, offer_pk, offer_code, batch, used in rows
    }
