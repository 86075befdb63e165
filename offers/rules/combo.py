"""ONDC combo offers: a discount for the primary item (the charging session) bought with
one or more secondary items or add-ons (ONDC qualifier `item_id`).

Value: the session's pre-tax value left after the offers before it, plus the prices of
the qualifying add-ons in the order; a percent (capped by the offer's value cap) or a
fixed amount comes off it. The discount is one quote line, a price reduction of the
primary item: it sits in the session's tax group, so every add-on keeps its own rate and
taxable value, and it never exceeds what is left of the session's value.

Combination (docs/offers.md): combos are worked out after the regular selection
(offers.rules.choose). An exclusive combo (additive no) competes with that selection as a
whole; additive combos stack on a selection made only of additive offers, because ONDC
never combines an exclusive offer with another (when the regular selection is exclusive,
the additive combos compete with it on their own). The customer gets the larger saving.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from offers.rules.bases import SessionView
from offers.rules.benefits import limit
from offers.rules.construct import Base, FixedOff, OfferRule, OndcOfferType, PercentOff
from offers.rules.evaluate import EVERY, code_used, context_of, prepare, rejection
from offers.rules.facts import OfferFacts
from offers.rules.holdout import is_held_out
from offers.rules.outcome import (
    Applied,
    Eligible,
    OfferResult,
    Reason,
    Rejected,
    outranked,
)
from offers.rules.stacking import by_priority
from pricing.engine import ZERO, LineKind, QuoteLine, percent_of


@dataclass(frozen=True, slots=True)
class OrderExtras:
    """What the order holds besides the session's energy: its item ids (the charger) and
    its add-ons, as ADDON quote lines (code = the add-on id)."""

    item_ids: frozenset[str] = frozenset()
    add_ons: tuple[QuoteLine, ...] = ()

    @classmethod
    def of(cls, item_id: str, add_ons: Sequence[QuoteLine]) -> OrderExtras:
        """An order of one item (the charger) and its add-ons."""
        return cls(item_ids=frozenset({item_id}), add_ons=tuple(add_ons))

    def holds(self) -> frozenset[str]:
        return self.item_ids | {ln.code for ln in self.add_ons}

    def value_of(self, ids: Iterable[str]) -> Decimal:
        wanted = set(ids)
        return sum((ln.amount for ln in self.add_ons if ln.code in wanted), ZERO)

    @property
    def add_on_value(self) -> Decimal:
        return sum((ln.amount for ln in self.add_ons), ZERO)


def is_combo(offer: OfferRule) -> bool:
    return offer.combo is not None or offer.ondc_type is OndcOfferType.COMBO


def combo_problems(offer: OfferRule) -> list[str]:
    """What makes a combo unpriceable (validate_offer adds these)."""
    if not is_combo(offer):
        return []
    problems = []
    if offer.combo is None or not offer.combo.secondary_ids:
        problems.append("combo needs at least one secondary item or add-on (item_id)")
    if not isinstance(offer.benefit, PercentOff | FixedOff):
        problems.append(f"combo benefit must be a percent or an amount, not {offer.benefit.kind}")
    return problems


def matched(offer: OfferRule, extras: OrderExtras) -> tuple[str, ...]:
    """The offer's secondary items the order holds, sorted."""
    wanted = offer.combo.secondary_ids if offer.combo is not None else frozenset()
    return tuple(sorted(wanted & extras.holds()))


def _rejection(
    offer: OfferRule, view: SessionView, facts: OfferFacts, extras: OrderExtras, redeemed: bool
) -> Rejected | None:
    """The evaluator's checks, in its order; the minimum value is read on the cart
    (session and add-ons, before tax), as ONDC's qualifier defines it."""
    ctx = context_of(view, facts, redeemed=redeemed).with_gross(view.gross + extras.add_on_value)
    limits = facts.limits_for(offer.id)
    rejected = rejection(prepare(offer), ctx, limits, EVERY, redeemed=redeemed)
    if rejected is None and not matched(offer, extras):
        wanted = ", ".join(sorted(offer.combo.secondary_ids)) if offer.combo else "(none)"
        message = f"Offer {offer.id} needs the charging session with one of: {wanted}"
        rejected = Rejected(offer.id, Reason.COMBO_INCOMPLETE, message)
    return rejected


def worth(offer: OfferRule, session_left: Decimal, extras: OrderExtras) -> Decimal:
    """Unrounded, before cap and budget, never above what is left of the session."""
    value = max(session_left, ZERO) + extras.value_of(matched(offer, extras))
    benefit = offer.benefit
    if isinstance(benefit, PercentOff):
        amount = percent_of(value, benefit.percent)
    elif isinstance(benefit, FixedOff):
        amount = benefit.amount
    else:  # refused when the offer is validated (combo_problems)
        raise TypeError(f"A combo gives a percent or an amount off, not {benefit.kind}")
    return max(min(amount, value, max(session_left, ZERO)), ZERO)


def evaluate_combo(
    offer: OfferRule,
    view: SessionView,
    facts: OfferFacts,
    extras: OrderExtras,
    *,
    taken: Decimal = ZERO,
    redeemed: bool = False,
) -> Eligible | Rejected:
    """The combo on its own (or after `taken` came off the session): eligible with its
    discount, or rejected with the first reason found."""
    rejected = _rejection(offer, view, facts, extras, redeemed)
    if rejected is not None:
        return rejected
    raw = worth(offer, view.gross - taken, extras)
    amount = limit(offer, raw, facts.limits_for(offer.id), view.priced.tariff.currency)
    if isinstance(amount, tuple):
        return Rejected(offer.id, *amount)
    if amount <= 0:
        return Rejected(offer.id, Reason.NO_BENEFIT, f"Offer {offer.id} saves nothing here")
    eligible = Eligible(
        offer=offer, discount=amount, base=Base.GROSS, code=code_used(offer.id, facts.codes)
    )
    if not redeemed and is_held_out(offer.holdout, facts.customer.key, offer.id):
        why = f"Offer {offer.id} is withheld from this customer (holdout group)"
        return Rejected(offer.id, Reason.HELD_OUT, why, would_be=eligible)
    return eligible


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def combo_line(offer: OfferRule, amount: Decimal, tax_rate: Decimal | None) -> QuoteLine:
    return QuoteLine(
        kind=LineKind.DISCOUNT,
        code=offer.id,
        title=offer.title,
        amount=-amount,
        tax_rate=tax_rate,
        tags=(
            ("type", "combo"),
            ("additive", _yes(offer.meta.additive)),
            ("auto", _yes(offer.meta.auto)),
        ),
    )


def _taken(lines: Iterable[QuoteLine]) -> Decimal:
    return -sum((ln.amount for ln in lines if ln.kind is LineKind.DISCOUNT), ZERO)


def _net(lines: Iterable[QuoteLine]) -> Decimal:
    return -sum((ln.amount for ln in lines), ZERO)


def _exclusive_in(lines: Iterable[QuoteLine]) -> bool:
    return any(
        ln.kind is LineKind.DISCOUNT and dict(ln.tags).get("additive") == "no" for ln in lines
    )


@dataclass(frozen=True, slots=True)
class _Option:
    lines: tuple[QuoteLine, ...]
    applied: tuple[Applied, ...]
    dropped: tuple[Rejected, ...]
    chosen: frozenset[str]
    order: int  # ties: the regular selection (0) before an exclusive combo (1)

    @property
    def rank(self) -> tuple[Decimal, int, tuple[str, ...]]:
        return (-_net(self.lines), self.order, tuple(sorted(self.chosen)))


def _stack(
    additive: Sequence[Eligible],
    regular: OfferResult,
    view: SessionView,
    facts: OfferFacts,
    extras: OrderExtras,
) -> _Option:
    lines, applied, dropped = list(regular.lines), list(regular.applied), []
    rate = view.priced.tariff.tax_rate
    for e in additive:
        outcome = evaluate_combo(e.offer, view, facts, extras, taken=_taken(lines), redeemed=True)
        if isinstance(outcome, Rejected):
            message = f"Offer {e.offer.id} has nothing left to discount after the offers before it"
            dropped.append(Rejected(e.offer.id, Reason.NO_BENEFIT, message))
            continue
        lines.append(combo_line(e.offer, outcome.discount, rate))
        applied.append(Applied(e.offer.id, outcome.discount, Base.GROSS, e.code))
    chosen = {a.offer_id for a in applied} | {r.offer_id for r in dropped}
    return _Option(tuple(lines), tuple(applied), tuple(dropped), frozenset(chosen), 0)


def _alone(e: Eligible, rate: Decimal | None) -> _Option:
    applied = (Applied(e.offer.id, e.discount, Base.GROSS, e.code),)
    line = combo_line(e.offer, e.discount, rate)
    return _Option((line,), applied, (), frozenset({e.offer.id}), 1)


NOTHING = OfferResult((), (), ())


def combine(
    regular: OfferResult,
    outcomes: Sequence[Eligible | Rejected],
    view: SessionView,
    facts: OfferFacts,
    extras: OrderExtras,
) -> OfferResult:
    """The regular selection with the combos' outcomes: the best allowed combination."""
    eligible = [o for o in outcomes if isinstance(o, Eligible)]
    rejected = [o for o in outcomes if isinstance(o, Rejected)]
    if not eligible and not any(r.reason is Reason.HELD_OUT for r in rejected):
        return OfferResult(regular.lines, regular.applied, (*regular.rejected, *rejected))
    rate = view.priced.tariff.tax_rate
    additive = by_priority(e for e in eligible if e.offer.meta.additive)
    exclusive = _exclusive_in(regular.lines)
    options = [_stack([] if exclusive else additive, regular, view, facts, extras)]
    if exclusive and additive:  # the additive combos without the exclusive offer
        options.append(replace(_stack(additive, NOTHING, view, facts, extras), order=1))
    options += [_alone(e, rate) for e in eligible if not e.offer.meta.additive]
    best = min(options, key=lambda o: o.rank)
    given = _net(best.lines)
    losers = [a.offer_id for a in regular.applied if a.offer_id not in best.chosen]
    losers += [e.offer.id for e in eligible if e.offer.id not in best.chosen]
    currency = view.priced.tariff.currency
    left_out = [
        outranked(offer_id, given, currency)
        for offer_id in dict.fromkeys(losers)
        if offer_id not in {a.offer_id for a in regular.applied if a.held_out}
    ]
    held = _held_out(rejected, best, view)
    return OfferResult(
        lines=best.lines,
        applied=(*best.applied, *held),
        stated=(*regular.rejected, *rejected, *best.dropped, *left_out),
    )


def _held_out(rejected: Sequence[Rejected], best: _Option, view: SessionView) -> list[Applied]:
    """A withheld combo that would have been given: listed (discount 0) for the ROI
    control group, as select() lists withheld regular offers."""
    out = []
    for r in rejected:
        e = r.would_be
        if r.reason is not Reason.HELD_OUT or e is None:
            continue
        stacks = e.offer.meta.additive and not _exclusive_in(best.lines)
        if stacks or e.discount > _net(best.lines):
            out.append(Applied(e.offer.id, ZERO, Base.GROSS, e.code, held_out=True))
    return out


def settle_combos(
    redeemed: Sequence[OfferRule],
    view: SessionView,
    facts: OfferFacts,
    extras: OrderExtras,
    regular: OfferResult,
) -> OfferResult:
    """The redeemed combos on the delivered session and the add-ons really delivered,
    after the regular offers' settled lines; no new competition. A combo whose qualifier
    no longer holds (its add-on was not delivered, the session fell below its minimum)
    gives nothing here, and the caller reverses it."""
    lines, applied, rejected = list(regular.lines), list(regular.applied), list(regular.rejected)
    rate = view.priced.tariff.tax_rate
    for offer in redeemed:
        outcome = evaluate_combo(offer, view, facts, extras, taken=_taken(lines), redeemed=True)
        if isinstance(outcome, Rejected):
            rejected.append(outcome)
            continue
        lines.append(combo_line(offer, outcome.discount, rate))
        applied.append(Applied(offer.id, outcome.discount, Base.GROSS, outcome.code))
    return OfferResult(tuple(lines), tuple(applied), tuple(rejected))
