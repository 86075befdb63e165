"""A quote with offers: price the session (pricing.services), find candidate offers in the
operator's index, load the facts they need, let the rules choose, finalize (tax after
discounts).

Queries per quote are few and constant, whatever the number of offers: the pricing stamp,
holidays, occupancy and grid signal (pricing), the catalog stamp, the customer, one for
the limits of limited candidates, and one each only when codes are presented, when credit
offers are candidates, or when an offer is named that is not active. Pass a charger
loaded with select_related("station", "operator") to save two more.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from cpo_portal.models import Charger
from offers.rules.benefit_types import credit_account
from offers.rules.facts import CustomerFacts, OfferFacts
from offers.rules.localtime import local
from offers.rules.outcome import Applied, Reason, Rejected
from offers.rules.select import Combination, quote_offers
from offers.rules.types import BenefitKind
from pricing import services as pricing
from pricing.engine import finalize
from pricing.engine.money import ZERO
from pricing.engine.types import (
    Customer,
    LineKind,
    PricedSession,
    Quote,
    QuoteLine,
)
from pricing.surge_text import surge_text

from . import addons as addon_lines
from . import combos as combo_offers
from .catalog import OfferInfo, catalog_for, stamps_for
from .facts import CodeMatch, load_credits, load_customer, load_limits, station_facts
from .requests import Requested, resolve


@dataclass(frozen=True)
class OfferQuote:
    quote: Quote
    priced: PricedSession
    applied: tuple[Applied, ...]  # given to the customer, amounts as in the quote lines
    rejected: tuple[Rejected, ...]
    held_out: tuple[str, ...]  # offer ids withheld from this customer (control group)
    customer_key: str
    notices: tuple[str, ...] = ()
    charger: Charger | None = field(default=None, compare=False, repr=False)
    offers: Mapping[str, OfferInfo] = field(default_factory=dict, repr=False)
    codes: Mapping[str, CodeMatch] = field(default_factory=dict, repr=False)
    facts: OfferFacts = field(default_factory=OfferFacts, repr=False)
    add_ons: tuple[QuoteLine, ...] = ()  # ADDON lines of the add-ons in the order
    recovered: tuple[tuple[str, Decimal], ...] = ()  # settlement: offer id, amount reversed
    # the code each applied offer is known by: the one presented, else its multi-use code
    offer_codes: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def discount(self) -> Decimal:
        return sum((a.discount for a in self.applied), ZERO)

    def applied_ids(self) -> tuple[str, ...]:
        return tuple(a.offer_id for a in self.applied)

    def rejection(self, offer_id: str) -> Rejected | None:
        return next((r for r in self.rejected if r.offer_id == offer_id), None)

    def would_have_had(self, offer_id: str) -> Decimal:
        """The discount a held-out customer would have been given."""
        r = self.rejection(offer_id)
        return r.would_be.discount if r is not None and r.would_be is not None else ZERO


def surge_notices_of(priced: PricedSession, surges) -> tuple[str, ...]:
    explain = {rule.code: surge_text(rule) for rule in surges}
    codes = dict.fromkeys(ln.code for ln in priced.lines if ln.kind is LineKind.SURGE)
    return tuple(explain.get(code) or code for code in codes)


def granted(applied: Iterable[Applied], quote: Quote) -> tuple[Applied, ...]:
    """Applied offers with the amounts finalize really kept (it clamps a discount that
    would take its tax group below zero); an offer clamped to nothing is dropped."""
    kept = {ln.code: -ln.amount for ln in quote.lines if ln.kind is LineKind.DISCOUNT}
    out = []
    for a in applied:
        amount = kept.get(a.offer_id, ZERO)
        if amount > 0:
            out.append(a if amount == a.discount else dataclasses.replace(a, discount=amount))
    return tuple(out)


def _rewrite(
    rejected: Iterable[Rejected], req: Requested, infos: Mapping[str, OfferInfo]
) -> tuple[Rejected, ...]:
    """Messages the rules cannot word: a code already used, an opt-in offer without codes."""
    out = []
    for r in rejected:
        info = infos.get(r.offer_id)
        if r.reason is Reason.CODE_UNKNOWN and r.offer_id in req.used:
            r = Rejected(r.offer_id, r.reason, f"Code {req.used[r.offer_id]} has already been used")
        elif r.reason is Reason.CODE_REQUIRED and info is not None and not info.has_codes:
            text = f"Offer {r.offer_id} is opt-in: name it (offer id {r.offer_id}) to apply it"
            r = Rejected(r.offer_id, r.reason, text)
        out.append(r)
    return tuple(out)


def combination_of(operator) -> Combination:
    """The operator's setting (cpo_portal's plain choices carry the rules' values)."""
    return Combination(operator.offer_combination)


def quote_with_offers(
    charger: Charger,
    start: dt.datetime,
    *,
    kwh: Decimal | None = None,
    amount: Decimal | None = None,
    end: dt.datetime | None = None,
    customer_key: str = "",
    offer_ids: Iterable[str] = (),
    codes: Iterable[str] = (),
    now: dt.datetime | None = None,
    customer: CustomerFacts | None = None,
    what_if: Mapping[str, str] | None = None,
    preview: Iterable[int] = (),
    add_ons: Iterable[str] = (),
    explain: bool = True,
) -> OfferQuote:
    """Price a session at `charger` with the best allowed offers.

    `customer` replaces the customer facts from the database (the admin's simulation of
    a segment or tier); `what_if` ({"segment": ..., "tier": ...}) changes only those facts
    of the stored customer (the command's what-if); `preview` lists offer pks to evaluate
    whatever their status;
    `add_ons` are add-on ids sold with the session (ADDON lines, and combo offers);
    `explain` (the admin and the command) evaluates every offer of the place and day, and
    those only their dates keep from it, so that each one not applied has its reason;
    without it (Beckn) only the index's candidates and the offers named are: the same
    evaluator, and the quote is the same either way (offers.rules.select.quote_offers).
    Raises pricing's QuoteInputError / NoTariffError when the session cannot be priced,
    addons.AddOnUnavailable when an add-on cannot be sold here now.
    """
    now = now or timezone.now()
    operator, station = charger.operator, charger.station
    who = customer if customer is not None else load_customer(operator.pk, customer_key)
    if what_if:
        segment, tier = what_if.get("segment"), what_if.get("tier")
        who = dataclasses.replace(who, segment=segment or who.segment, tier=tier or who.tier)
    stamp, version = stamps_for(operator.pk)
    book, conditions = pricing.book_and_conditions(charger, start, stamp)
    request = pricing.session_request_for(
        charger,
        start,
        end=end,
        kwh=kwh,
        amount=amount,
        customer=Customer(key=who.key, segment=who.segment, tier=who.tier),
    )
    priced = book.price(request, conditions)
    extra_lines = addon_lines.lines_for(station, tuple(add_ons))
    catalog = catalog_for(operator, version)
    req = resolve(catalog, operator, offer_ids, codes, preview)
    facts = OfferFacts(
        customer=who,
        station=station_facts(station),
        operator_code=operator.code,
        holidays=conditions.holidays,
        codes=req.codes,
        unmatched_codes=req.unmatched,
        now=now,
    )
    found = catalog.index.for_quote(priced, facts, explain=explain)
    todo = {i.code: i for i in (catalog.offers[o.id] for o in found)}
    todo.update({i.code: i for i in req.extra})
    combos = combo_offers.combos_of(catalog)
    todo.update({i.code: i for i in combos})
    combo_ids = {i.code for i in combos} | {
        i.code for i in req.extra if combo_offers.is_combo(i.rule)
    }
    combos = tuple(i for i in todo.values() if i.code in combo_ids)
    plans = {
        credit_account(i.rule.benefit)
        for i in todo.values()
        if i.benefit_kind == BenefitKind.CREDIT_DRAWDOWN
    }
    if plans and customer is None:
        local_day = local(start, station.time_zone).date()
        credits = load_credits(operator.pk, who.key, plans, local_day)
        facts = dataclasses.replace(facts, customer=dataclasses.replace(who, credits=credits))
    facts = dataclasses.replace(facts, limits=load_limits(list(todo.values()), who.key))
    regular = {k: v for k, v in todo.items() if k not in combo_ids}
    combination = combination_of(operator)
    named = [i.rule for i in req.extra if i.code in regular]
    result = quote_offers(
        catalog.index,
        priced,
        facts,
        combination,
        named=named,
        rejections=req.rejections,
        explain=explain,
    )
    extras = combo_offers.extras_of(charger.code, extra_lines)
    result = combo_offers.with_combos(result, combos, priced, facts, extras)
    quote = finalize(priced, [*result.lines, *extra_lines])
    held = tuple(a.offer_id for a in result.applied if a.held_out)
    applied = granted((a for a in result.applied if not a.held_out), quote)
    mentioned = {a.offer_id for a in applied} | set(held)
    public = {offer_id: code for code, offer_id in catalog.multi_use_codes.items()}
    return OfferQuote(
        quote=quote,
        priced=priced,
        applied=applied,
        rejected=_rewrite(result.rejected, req, todo),
        held_out=held,
        customer_key=who.key,
        notices=surge_notices_of(priced, book.surges),
        charger=charger,
        offers={k: v for k, v in todo.items() if k in mentioned},
        codes={k: v for k, v in req.matches.items() if k in mentioned},
        facts=facts,
        add_ons=extra_lines,
        offer_codes={a.offer_id: a.code or public.get(a.offer_id, "") for a in applied},
    )
