"""The redemption ledger: the whole life of an order's offers. Record quotes, redeem
(limits consumed atomically, here), settle on the energy delivered (settlement.py),
reverse (reversal.py: a cancellation or a partial recovery), reverse what a changed order
no longer qualifies for and read the order as it stands (recovery.py), on rows read and
written by order.py and rows.py, under the locks of locks.py. Every step of an order is
idempotent: a retried confirm or settlement returns what was recorded the first time and
consumes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import transaction
from django.utils import timezone

from cpo_portal.db import stamps
from cpo_portal.models import Charger
from offers.models import OfferStatus, Redemption, RedemptionKind
from offers.rules.benefit_types import credit_account
from offers.rules.composition import Composed, Recheck, Refused, compose
from offers.rules.outcome import Reason, Rejected
from offers.services.ledger import locks
from offers.services.ledger.order import Reversal, UnknownOrder
from offers.services.ledger.recovery import order_quote, recheck_combos
from offers.services.ledger.reversal import reverse
from offers.services.ledger.rows import offer_fields, order_fields, replay, write
from offers.services.ledger.settlement import settle
from offers.services.quoting import OfferQuote
from pricing.engine import ZERO

__all__ = [
    "OfferUnavailable",
    "Reversal",
    "UnknownOrder",
    "order_quote",
    "recheck_combos",
    "record_quote",
    "redeem",
    "reverse",
    "settle",
]

STATUS = {
    OfferStatus.PAUSED: (Reason.NOT_VALID_NOW, "Offer {id} has been paused"),
    OfferStatus.ENDED: (Reason.EXPIRED, "Offer {id} has ended"),
    OfferStatus.DRAFT: (Reason.NOT_VALID_NOW, "Offer {id} is not published"),
}


class OfferUnavailable(Exception):
    """An offer in the quote can no longer be given; nothing was consumed or recorded.

    `reason` is the rules' Reason (expired, below_min_value, limit_reached,
    customer_limit_reached, budget_exhausted, code_unknown, not_valid_here, ...), so the
    Beckn layer can answer 30006 with a message a person can read.
    """

    def __init__(self, offer_id: str, reason: Reason, message: str) -> None:
        self.offer_id = offer_id
        self.reason = reason
        self.message = message
        super().__init__(message)

    @classmethod
    def of(cls, rejected: Rejected) -> OfferUnavailable:
        return cls(rejected.offer_id, rejected.reason, rejected.message)


def _charger(oq: OfferQuote) -> Charger:
    """The charger of a quote the ledger records (quote_with_offers always sets it)."""
    if oq.charger is None:
        raise ValueError("The ledger records only quotes made at a charger")
    return oq.charger


def _next_seq(order_ref: str, kind: str) -> dict[int, int]:
    rows = stamps.rows_of(Redemption, ("offer_id", "seq"), order_ref=order_ref, kind=kind)
    out: dict[int, int] = {}
    for offer_id, seq in rows:
        out[offer_id] = max(out.get(offer_id, 0), seq + 1)
    return out


def _snapshot(info, oq: OfferQuote) -> dict:
    """Redeemed rows keep the terms and the customer facts, for settlement."""
    who = oq.facts.customer
    return {
        "terms": info.terms,
        "customer_facts": {
            "member": who.member,
            "referred": who.referred,
            "first_session": who.first_session,
            "joined_on": who.joined_on.isoformat() if who.joined_on else None,
        },
    }


def _rows(order_ref: str, oq: OfferQuote, kind: str, seqs: dict[int, int], **extra):
    base = order_fields(oq.priced, oq.quote, _charger(oq), oq.facts.customer)

    def row(offer_id: str, **fields) -> Redemption:
        info = oq.offers[offer_id]
        return Redemption(
            **base,
            **offer_fields(info.pk, info.rule, info.benefit_kind),
            order_ref=order_ref,
            seq=seqs.get(info.pk, 0),
            **fields,
            **extra,
        )

    for a in oq.applied:
        snapshot = _snapshot(oq.offers[a.offer_id], oq) if kind == RedemptionKind.REDEEMED else {}
        yield row(
            a.offer_id,
            kind=kind,
            code_used=a.code,
            discount=a.discount,
            wheeling_amount=a.wheeling,
            kwh_drawn=a.kwh_drawn,
            **snapshot,
        )
    for offer_id in oq.held_out:
        held_kind = RedemptionKind.HELD_OUT if kind == RedemptionKind.REDEEMED else kind
        yield row(offer_id, kind=held_kind, discount=oq.would_have_had(offer_id), held_out=True)


@transaction.atomic(savepoint=False)
def record_quote(
    order_ref: str,
    oq: OfferQuote,
    kind: str = RedemptionKind.QUOTED,
    *,
    now: dt.datetime | None = None,
) -> int:
    """Record a quote (select) or a validation (init): one row per offer given or held
    out, stamped `now` (default: the clock). Consumes nothing. Returns the number of rows
    written. Inside a caller's transaction it sets no savepoint of its own: a failure here
    undoes the caller's."""
    if kind not in (RedemptionKind.QUOTED, RedemptionKind.VALIDATED):
        raise ValueError(f"record_quote records quoted or validated steps, not {kind}")
    locks.order_lock(order_ref)
    seqs = _next_seq(order_ref, kind)
    return len(write(_rows(order_ref, oq, kind, seqs, occurred_at=now or timezone.now())))


def _recheck(
    oq: OfferQuote, usage, now: dt.datetime, order_ref: str
) -> tuple[Composed, dict, dict, dt.date]:
    """Every applied offer checked again on locked counters (the composition's Recheck);
    raises OfferUnavailable."""
    key = oq.customer_key
    for a in oq.applied:
        offer = usage[oq.offers[a.offer_id].pk].offer  # as it is now, not as quoted
        if offer.status != OfferStatus.ACTIVE:
            reason, text = STATUS[offer.status]
            raise OfferUnavailable(a.offer_id, reason, text.format(id=a.offer_id))
        if offer.valid_until is not None and now > offer.valid_until:
            ended = f"Offer {a.offer_id} ended {offer.valid_until.isoformat()}"
            raise OfferUnavailable(a.offer_id, Reason.EXPIRED, ended)
    per_customer = [u.offer_id for u in usage.values() if u.offer.max_uses_per_customer]
    customer_uses = locks.lock_customer_usage(per_customer, key)
    codes = {a.offer_id: oq.codes[a.offer_id] for a in oq.applied if a.offer_id in oq.codes}
    used = locks.lock_codes(c.pk for c in codes.values() if c.single_use)
    for offer_id, code in codes.items():
        if used.get(code.pk):
            raise OfferUnavailable(
                offer_id, Reason.CODE_UNKNOWN, f"Code {code.code} has already been used"
            )
    plans = {
        credit_account(oq.offers[a.offer_id].rule.benefit)
        for a in oq.applied
        if oq.offers[a.offer_id].benefit_kind == "credit_drawdown"
    }
    accounts = locks.lock_credits(_charger(oq).operator_id, key, plans)
    today = timezone.localdate(now)
    facts = dataclasses.replace(
        oq.facts,
        now=now,
        customer=dataclasses.replace(oq.facts.customer, credits=locks.balances(accounts, today)),
        limits={
            code: locks.limits_of(usage[info.pk], customer_uses.get(info.pk) if key else None)
            for code, info in oq.offers.items()
        },
    )
    again = Recheck(tuple(oq.offers[a.offer_id].rule for a in oq.applied))
    try:
        composed = compose(
            oq.priced, again, facts, add_ons=oq.add_ons, item_id=_charger(oq).code, fees=oq.fees
        )
    except Refused as exc:
        raise OfferUnavailable.of(exc.rejected) from exc
    return composed, codes, accounts, today


def redeem(order_ref: str, oq: OfferQuote, *, now: dt.datetime | None = None) -> OfferQuote:
    """Confirm the quote's offers for `order_ref`: uses, budgets, single-use codes and
    credit are consumed in one transaction, or nothing is and OfferUnavailable says why.

    Budgets apply as each offer's policy says: a discount the remaining budget cannot
    cover is cut to it (CUT) or refused (REFUSE). The returned quote has the amounts
    actually given. Redeeming an order again returns the first redemption unchanged.
    """
    now = now or timezone.now()
    held = [oq.offers[i].pk for i in oq.held_out]
    with transaction.atomic():
        locks.order_lock(order_ref)
        usage = locks.lock_usage([oq.offers[a.offer_id].pk for a in oq.applied] + held)
        done = list(
            Redemption.objects.filter(order_ref=order_ref, kind=RedemptionKind.REDEEMED)
            .select_related("operator")
            .order_by("pk")
        )
        if (
            done
            or Redemption.objects.filter(order_ref=order_ref, kind=RedemptionKind.HELD_OUT).exists()
        ):
            rules = {code: info.rule for code, info in oq.offers.items()}
            bases = {a.offer_id: a.base for a in oq.applied}
            quote, applied = replay(done, oq.priced, rules, bases, oq.add_ons, oq.fees)
            return dataclasses.replace(oq, quote=quote, applied=applied)
        composed, codes, accounts, today = _recheck(oq, usage, now, order_ref)
        quote, applied = composed.quote, composed.applied
        key = oq.customer_key
        for a in applied:
            info = oq.offers[a.offer_id]
            locks.count_use(info.pk, key, 1, a.discount)
            code = codes.get(a.offer_id)
            if (
                code is not None
                and code.single_use
                and not locks.use_code(code.pk, key, order_ref, now)
            ):
                raise OfferUnavailable(
                    a.offer_id, Reason.CODE_UNKNOWN, f"Code {code.code} has already been used"
                )
            if info.benefit_kind == "credit_drawdown":
                account = accounts.get(credit_account(info.rule.benefit))
                if account is not None:
                    kwh = a.kwh_drawn or ZERO
                    amount = ZERO if kwh else a.discount
                    locks.draw_credit(account, amount=amount, kwh=kwh, today=today)
        if applied:
            locks.mark_first_session(_charger(oq).operator_id, key)
        out = dataclasses.replace(oq, quote=quote, applied=applied)
        write(_rows(order_ref, out, RedemptionKind.REDEEMED, {}, occurred_at=now))
        return out
