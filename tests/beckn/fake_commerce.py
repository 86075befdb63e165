"""A stand-in for pricing.services / offers.services behind beckn.services.commerce.

Built on the real pure engines (pricing.engine, offers.rules) with the DEG pages' numbers:
₹18/kWh, ₹10 service fee, 18% GST, the weekend offer (25% off energy, minimum session
value 50, cap 100), a congestion fee of ₹1/kWh 18:00-21:00. The Beckn layer's tests use
it to pin the protocol behaviour; the real services are exercised by the flow tests in
test_commerce_real.py once they exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from beckn.commerce_types import (
    AppliedOffer,
    CommerceError,
    Priced,
    RejectedOffer,
    SurgeNotice,
)
from beckn.services import commerce, publication
from offers.rules.construct import Applicability, OfferRule, PercentOff, Qualifier
from offers.rules.facts import OfferFacts
from pricing.engine import compile_book, finalize
from pricing.engine.types import (
    ChargeForm,
    Conditions,
    SessionRequest,
    Site,
    SurgeKind,
    SurgeRule,
    Tariff,
    TimeWindow,
)
from pricing.services import surge_text
from tests.support.offers import best_offers

UTC = dt.UTC
TARIFF = Tariff(
    code="std", currency="INR", energy_rate_per_kwh=Decimal("18"), service_fee=Decimal("10")
)
CONGESTION = SurgeRule(
    code="congestion",
    kind=SurgeKind.PEAK,
    name="Congestion Fee",
    form=ChargeForm.PER_KWH,
    amount=Decimal("1"),
    window=TimeWindow(dt.time(18), dt.time(21)),
)
WEEKEND = OfferRule(
    id="weekend-discount-25",
    operator_code="",
    title="Weekend Special Offer (25% off)",
    short_desc="Get 25% off on all charging sessions this weekend",
    type_label="WEEKEND_SPECIAL",
    benefit=PercentOff(Decimal("25")),
    qualifier=Qualifier(min_session_value=Decimal("50")),
    max_discount=Decimal("100"),
    applicability=Applicability(
        valid_from=dt.datetime(2025, 1, 1, tzinfo=UTC),
        valid_until=dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC),
    ),
)
HOLIDAY = OfferRule(
    id="holiday-30",
    operator_code="",
    title="Holiday Special - 30% off",
    type_label="HOLIDAY",
    benefit=PercentOff(Decimal("30")),
    applicability=Applicability(
        valid_from=dt.datetime(2098, 12, 25, tzinfo=UTC),
        valid_until=dt.datetime(2098, 12, 31, 18, tzinfo=UTC),
    ),
)


@dataclass
class FakeCommerce:
    tariff: Tariff = TARIFF
    offers: list[OfferRule] = field(default_factory=lambda: [WEEKEND, HOLIDAY])
    surges: list[SurgeRule] = field(default_factory=lambda: [CONGESTION])
    exhausted: set[str] = field(default_factory=set)
    redeemed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reversed: dict[str, str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def site(self, charger) -> Site:
        return Site(
            station_code=charger.station.code,
            charger_code=charger.code,
            time_zone=charger.station.time_zone,
            power_kw=charger.power_kw,
        )

    def list_rate(self, charger):
        return self.tariff.energy_rate_per_kwh, self.tariff.currency

    def list_rates(self, chargers):
        return {c.pk: self.list_rate(c) for c in chargers}

    def contact_key(self, phone=None, email=None):
        return f"cust:{phone or email}" if phone or email else ""

    def quote(self, ask, *, order_ref="", stage="quoted"):
        charger, start, end, kwh, amount = ask.charger, ask.start, ask.end, ask.kwh, ask.amount
        customer, offer_ids, now, add_ons = ask.customer_key, ask.offer_ids, ask.now, ask.add_ons
        self.calls.append("quote")
        if order_ref:
            self.calls.append(stage)
        if add_ons:
            raise CommerceError("30007", f"There is no add-on {add_ons[0]}", add_ons[0])
        if kwh is not None and amount is not None:
            raise CommerceError("30000", "give kWh or an amount, not both")
        request = SessionRequest(self.site(charger), start, end, kwh=kwh, amount=amount)
        priced = compile_book(self.tariff, self.surges).price(request, Conditions())
        live = [o for o in self.offers if o.applicability.valid_from is None
                or o.applicability.valid_from <= start]  # fmt: skip
        result = best_offers(live, priced, OfferFacts(now=now))
        quote = finalize(priced, result.lines)
        titles = {ln.code: ln.title for ln in quote.lines}
        applied = tuple(
            AppliedOffer(a.offer_id, titles.get(a.offer_id, a.offer_id), a.discount)
            for a in result.applied
        )
        rejected = tuple(
            RejectedOffer(r.offer_id, str(r.reason), r.message) for r in result.rejected
        )
        known = {o.id for o in self.offers}
        rejected += tuple(
            RejectedOffer(i, "unknown", f"Offer {i} does not exist")
            for i in offer_ids
            if i not in known
        )
        return Priced(
            quote=quote,
            rate=self.tariff.energy_rate_per_kwh,
            applied=applied,
            rejected=rejected,
            customer_key=customer,
        )

    def published_offers(self, operator, station=None, at=None):
        return [commerce.publish(o) for o in self.offers]

    def placed_offers(self, operator, stations, before=None, unchanged=()):
        # as published_offers: shown whatever the time (the publication keeps no end)
        shown = {o.offer_id: o for o in self.published_offers(operator)}
        at = {s.pk: [(o, None) for o in shown.values()] for s in stations}
        return commerce.PlacedOffers(None, shown, at)

    def NoticesDuring(self, stations, first, last):
        fake = self

        class Notices:
            def at(self, pks, start, end=None):
                return {pk: fake.surge_notices(None, start, end) for pk in pks}

        return Notices()

    def __setattr__(self, name, value):
        """A test changing what the fake answers changes what is published."""
        super().__setattr__(name, value)
        publication.forget()

    def surge_notices(self, station, start, end=None):
        return [SurgeNotice(s.code, s.name, surge_text(s)) for s in self.surges]

    def surge_notices_at(self, stations, start, end=None):
        return {s.pk: self.surge_notices(s, start, end) for s in stations}

    def confirm(self, ask, order_ref, accept):
        priced = self.quote(ask)
        accept(priced)
        return self.redeem(order_ref, priced)

    def redeem(self, order_ref, priced):
        self.calls.append("redeem")
        for applied in priced.applied:
            if applied.offer_id in self.exhausted:
                raise CommerceError(
                    "30006", f"Offer {applied.offer_id} has been fully redeemed", applied.offer_id
                )
        self.redeemed[order_ref] = tuple(a.offer_id for a in priced.applied)
        return priced

    def settle(self, order_ref, ask):
        self.calls.append("settle")
        return self.order_quote(order_ref, ask)

    def order_quote(self, order_ref, ask):
        charger, start, kwh, end = ask.charger, ask.start, ask.kwh, ask.end
        kept = self.redeemed.get(order_ref, ())
        request = SessionRequest(self.site(charger), start, end, kwh=kwh)
        priced = compile_book(self.tariff, self.surges).price(request, Conditions())
        offers = [o for o in self.offers if o.id in kept]
        result = best_offers(offers, priced, OfferFacts())
        quote = finalize(priced, result.lines)
        titles = {ln.code: ln.title for ln in quote.lines}
        applied = tuple(
            AppliedOffer(a.offer_id, titles.get(a.offer_id, a.offer_id), a.discount)
            for a in result.applied
        )
        return Priced(quote=quote, rate=self.tariff.energy_rate_per_kwh, applied=applied)

    def reverse(self, order_ref, reason):
        self.calls.append("reverse")
        self.reversed[order_ref] = reason
        self.redeemed.pop(order_ref, None)
        return Decimal("0")

    def expire(self, offer_id: str) -> None:
        """Make an offer stop applying (its validity ended yesterday)."""
        ended = dt.datetime(2020, 1, 1, tzinfo=UTC)
        self.offers = [
            replace(o, applicability=replace(o.applicability, valid_until=ended))
            if o.id == offer_id
            else o
            for o in self.offers
        ]


NAMES = (
    "list_rates",
    "contact_key",
    "quote",
    "published_offers",
    "placed_offers",
    "NoticesDuring",
    "surge_notices_at",
    "confirm",
    "settle",
    "reverse",
    "order_quote",
)


def install(monkeypatch) -> FakeCommerce:
    fake = FakeCommerce()
    for name in NAMES:
        monkeypatch.setattr(commerce, name, getattr(fake, name))
    return fake
