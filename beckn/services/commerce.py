"""The one door from the Beckn layer into pricing and offers.

The quote, order and settlement calls beckn makes into `pricing.services` and
`offers.services` are in this module (the add-on ones in `commerce_addons.py`; `beckn/apps.py`
connects offers' add-on signal at start-up), answering in the dataclasses of
`commerce_types`, so a renamed function or a reshaped result upstream is fixed in these
places only. Imports of the service layers are lazy:
they load when a Beckn flow first needs them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beckn.commerce_types import (
    AddOnLine,
    AppliedOffer,
    CommerceError,
    Priced,
    PublishedOffer,
    RejectedOffer,
    SurgeNotice,
)
from cpo_portal.models import Charger, Operator, Station
from offers.rules import (
    Base,
    Benefit,
    BuyXGetY,
    CreditDrawdown,
    EnergyTradeTerms,
    FixedOff,
    FreeKwh,
    OfferRule,
    PercentOff,
    PricingModel,
    RateOverride,
    ServiceFeeWaiver,
    Slabs,
    declared_tags,
    energy_trade_json,
    ondc_description,
)
from pricing.engine import LineKind, PricingSetupError, Quote, QuoteInputError

if TYPE_CHECKING:
    from offers.services import OfferQuote, SessionAsk

__all__ = [
    "AppliedOffer",
    "CommerceError",
    "Priced",
    "PublishedOffer",
    "RejectedOffer",
    "SurgeNotice",
    "confirm",
    "contact_key",
    "list_rates",
    "order_quote",
    "published_offers",
    "quote",
    "reverse",
    "settle",
    "surge_notices_at",
]


def list_rates(chargers: Iterable[Charger]) -> dict[int, tuple[Decimal, str] | None]:
    """The energy rate a catalog shows for each charger, and its currency, by charger pk
    (None: no active tariff)."""
    from pricing import services as pricing

    books = pricing.price_books_for(chargers)
    return {
        pk: None if book is None else (book.tariff.energy_rate_per_kwh, book.tariff.currency)
        for pk, book in books.items()
    }


def contact_key(phone: str | None = None, email: str | None = None) -> str:
    """The salted customer key of the first contact that can be read (offers'
    customer_key); '' (anonymous) when neither can."""
    from offers.services import ContactError, customer_key

    for contact in ({"phone": phone}, {"email": email}):
        if next(iter(contact.values())):
            try:
                return customer_key(**contact)
            except ContactError:
                continue
    return ""


@contextmanager
def _priceable() -> Iterator[None]:
    """The quote's refusals as CommerceErrors (30000 a bad session, 30007 an add-on that
    cannot be sold, 40000 a charger that cannot be priced)."""
    from offers.services import AddOnUnavailable
    from pricing import services as pricing

    try:
        yield
    except AddOnUnavailable as exc:
        raise CommerceError("30007", exc.message, exc.code) from exc
    except QuoteInputError as exc:
        raise CommerceError("30000", str(exc)) from exc
    except (PricingSetupError, pricing.NoTariffError) as exc:
        raise CommerceError("40000", f"this charger cannot be priced now: {exc}") from exc


def quote(ask: SessionAsk, *, order_ref: str = "", stage: str = "quoted") -> Priced:
    """The session priced with the best offers (and those asked for) applied, and the
    add-ons asked for (CommerceError 30007 when one cannot be sold here now). With
    `order_ref`, the ledger records the step (`stage`: quoted or validated) in the same
    call."""
    from offers.services import quote_session_with_offers

    with _priceable():
        oq = quote_session_with_offers(ask, order_ref=order_ref, stage=stage)
    return _priced(oq)


def confirm(ask: SessionAsk, order_ref: str, accept: Callable[[Priced], None]) -> Priced:
    """confirm, in one call: the session quoted again and shown to `accept` (which raises
    to refuse it: nothing is taken then), then the add-ons' stock booked and the offers
    counted against their limits. CommerceError 30007 if an add-on sold out, 30006 if an
    offer is no longer there. The answer has the amounts really given."""
    from offers.services import OfferUnavailable, confirm_order

    try:
        with _priceable():
            oq = confirm_order(ask, order_ref, accept=lambda oq: accept(_priced(oq)))
    except OfferUnavailable as exc:
        raise CommerceError("30006", exc.message, exc.offer_id) from exc
    return _priced(oq)


def published_offers(
    operator: Operator,
    station: Station | None = None,
    at: dt.datetime | None = None,
    charger: Charger | None = None,
) -> list[PublishedOffer]:
    """The operator's active offers not ended at `at`, valid at the station (any of its
    chargers) or the charger when given, highest priority first."""
    from offers.services import published_offers as published

    offers = published(operator, station=station, charger=charger, at=at)
    return [publish(rule) for rule in offers]


@dataclass(frozen=True, slots=True)
class PlacedOffers:
    """Every active offer of an operator as a catalog shows it, placed at each station (by
    station pk) whether it has ended or not, with the end of its validity: a catalog at a
    moment keeps those not ended then. `read` is offers' answer, given back to place the
    offers again after a change (placed_offers' `before`)."""

    read: Any
    shown: dict[str, PublishedOffer]  # by offer id
    at: dict[int, list[tuple[PublishedOffer, dt.datetime | None]]]


def placed_offers(
    operator: Operator,
    stations: Iterable[Station],
    before: PlacedOffers | None = None,
    unchanged: Collection[int] = (),
) -> PlacedOffers:
    """offers' placed_offers, shown: with `before` (an earlier answer) and the stations
    that did not change since (`unchanged`), only new and changed offers are placed there,
    and an offer that did not change is the same object as before."""
    from offers.services import placed_offers as placed

    read = placed(operator, list(stations), before.read if before else None, unchanged)
    known = {rule.id: rule for rule, _ in before.read.ranked} if before is not None else {}
    shown = {
        rule.id: before.shown[rule.id]
        if before is not None and known.get(rule.id) == rule
        else publish(rule)
        for rule, _ in read.ranked
    }
    at = {
        # a station's placements kept as they were (the same object: offers' placed_offers
        # keeps them only when every offer is as before) keep their shown list too
        pk: before.at[pk]
        if before is not None and pairs is before.read.at.get(pk)
        else [(shown[r.id], end) for r, end in pairs]
        for pk, pairs in read.at.items()
    }
    return PlacedOffers(read, shown, at)


class NoticesDuring:
    """surge_notices_at for searches starting from `first` to `last`, with no query
    (pricing's NoticesDuring); `at` answers None for a start outside that span."""

    def __init__(self, stations: Iterable[Station], first: dt.datetime, last: dt.datetime):
        from pricing import services as pricing

        self.read = pricing.NoticesDuring(list(stations), first, last)
        self.shown = {n: _notice(n) for n in self.read.notices.values()}

    def at(
        self, pks: Iterable[int], start: dt.datetime, end: dt.datetime | None
    ) -> dict[int, list[SurgeNotice]] | None:
        if not self.read.covers(start):
            return None
        found = self.read.at(pks, start, end)
        return {pk: [self.shown[n] for n in notices] for pk, notices in found.items()}


def surge_notices_at(
    stations: Iterable[Station], start: dt.datetime, end: dt.datetime | None = None
) -> dict[int, list[SurgeNotice]]:
    """surge_notices at each station (by station pk), in a fixed number of queries."""
    from pricing import services as pricing

    found = pricing.surge_notices_at(list(stations), start, end)
    return {pk: [_notice(n) for n in notices] for pk, notices in found.items()}


def settle(order_ref: str, ask: SessionAsk) -> Priced:
    """offers' settle (the ledger's), answered as Priced: the final price on the energy
    delivered (`ask`: the session as delivered), with the redeemed offers recomputed; an
    order without offers priced without them."""
    from offers.services import settle as settle_order
    from pricing import services as pricing

    if ask.kwh is None or ask.end is None:
        raise ValueError("a settlement needs the energy delivered and the end")
    try:
        oq = settle_order(order_ref, ask.kwh, end=ask.end, session=ask)
    except QuoteInputError as exc:  # the energy or the end the BAP sent: its to mend
        raise CommerceError("30000", f"the session cannot be settled: {exc}") from exc
    except (PricingSetupError, pricing.NoTariffError) as exc:
        raise CommerceError("40000", f"the session cannot be settled: {exc}") from exc
    return _priced(oq)


def order_quote(order_ref: str, ask: SessionAsk) -> Priced:
    """offers' order_quote, answered as Priced: the order's quote as it stands after
    add-ons were taken out or offers reversed."""
    from offers.services import order_quote as quote_as_it_stands
    from pricing import services as pricing

    try:
        return _priced(quote_as_it_stands(order_ref, session=ask))
    except (QuoteInputError, PricingSetupError, pricing.NoTariffError) as exc:
        raise CommerceError("40000", f"the order cannot be priced now: {exc}") from exc


def reverse(order_ref: str, reason: str) -> None:
    """offers' reverse in full (a cancellation): the order's offer uses and budget given
    back (nothing when the ledger knows no such order)."""
    from offers.services import UnknownOrder
    from offers.services import reverse as reverse_offers

    with suppress(UnknownOrder):
        reverse_offers(order_ref, reason=reason)


# -- converting upstream shapes ----------------------------------------------------------


def _priced(oq: OfferQuote) -> Priced:
    q: Quote = oq.quote
    titles = {ln.code: ln.title for ln in q.lines if ln.kind is LineKind.DISCOUNT}
    infos = oq.offers
    applied = []
    for a in oq.applied:
        if a.held_out:
            continue
        info = infos.get(a.offer_id)
        rule = info.rule if info is not None else None
        applied.append(
            AppliedOffer(
                offer_id=a.offer_id,
                title=titles.get(a.offer_id, a.offer_id),
                discount=a.discount,
                code=oq.offer_codes.get(a.offer_id, a.code),
                ondc_type=str(rule.offer_type) if rule else "discount",
                additive=rule.meta.additive if rule else False,
                auto=rule.meta.auto if rule else True,
                energy_trade=energy_trade_text(rule.energy_trade)
                if rule is not None and rule.energy_trade is not None
                else "",
            )
        )
    rejected = tuple(RejectedOffer(r.offer_id, str(r.reason), r.message) for r in oq.rejected)
    return Priced(
        quote=q,
        rate=oq.priced.tariff.energy_rate_per_kwh,
        applied=tuple(applied),
        rejected=rejected,
        notices=tuple(_notice(n) for n in oq.notices),
        customer_key=oq.customer_key,
        add_ons=tuple(
            AddOnLine(ln.code, ln.title, ln.amount, ln.tax_rate or Decimal("0"))
            for ln in oq.add_ons
        ),
        recovered=oq.recovered,
    )


def _notice(notice: Any) -> SurgeNotice:
    if isinstance(notice, str):  # OfferQuote.notices are explanations only
        return SurgeNotice(code="", name=notice.split(":", 1)[0], explanation=notice)
    return SurgeNotice(code=str(notice.code), name=notice.name, explanation=notice.explanation)


_DISCOUNT_TYPES: dict[type, str] = {
    PercentOff: "PERCENTAGE",
    FixedOff: "FIXED",
    RateOverride: "RATE",
    FreeKwh: "FREE_KWH",
    BuyXGetY: "BUY_X_GET_Y",
    Slabs: "SLAB",
    ServiceFeeWaiver: "SERVICE_FEE_WAIVER",
    CreditDrawdown: "CREDIT",
    EnergyTradeTerms: "ENERGY_TRADE",
}


def _discount_value(benefit: Benefit) -> Decimal | None:
    match benefit:
        case PercentOff(percent=value) | ServiceFeeWaiver(percent=value):
            return value
        case FixedOff(amount=value):
            return value
        case RateOverride(rate_per_kwh=value):
            return value
        case FreeKwh(kwh=value):
            return value
    return None


def energy_trade_text(terms: EnergyTradeTerms) -> str:
    """The EnergyTradeOffer object as one tag value (Beckn 1.1 tag values are strings)."""
    return json.dumps(energy_trade_json(terms), separators=(",", ":"), ensure_ascii=False)


def publish(offer: OfferRule) -> PublishedOffer:
    """A pure offer as a catalog shows it."""
    benefit, where = offer.benefit, offer.applicability
    percent_energy = (
        benefit.percent if isinstance(benefit, PercentOff) and benefit.base is Base.ENERGY else None
    )
    extra: dict[str, str] = {}
    if isinstance(benefit, BuyXGetY):
        extra = {"buy-kwh": str(benefit.buy_kwh), "free-kwh": str(benefit.free_kwh)}
    extra.update(declared_tags(offer.qualifier.declared))  # the declared qualifiers' tags
    rate = benefit.rate_per_kwh if isinstance(benefit, RateOverride) else None
    trade, fixed_price = offer.energy_trade, None
    if trade is not None and trade.pricing_model is PricingModel.PER_KWH:
        rate = trade.rate_per_kwh
    if trade is not None and trade.pricing_model is PricingModel.FIXED:
        fixed_price = trade.fixed_price
    return PublishedOffer(
        offer_id=offer.id,
        title=offer.title,
        short_desc=offer.short_desc,
        type_label=offer.type_label,
        ondc_type=str(offer.offer_type),
        discount_type=_DISCOUNT_TYPES.get(type(benefit), "OTHER"),
        discount_value=_discount_value(benefit),
        valid_from=where.valid_from,
        valid_until=where.valid_until,
        min_session_value=offer.qualifier.min_session_value,
        max_discount=offer.max_discount,
        auto=offer.meta.auto,
        additive=offer.meta.additive,
        percent_off_energy=percent_energy,
        rate_override=rate,
        fixed_price=fixed_price,
        energy_trade=energy_trade_text(trade) if trade is not None else "",
        station_codes=frozenset(where.station_codes),
        charger_codes=frozenset(where.charger_codes),
        category_codes=frozenset(where.category_codes),
        extra=extra,
        ondc_groups=ondc_description(offer).groups,
    )
