"""What the commerce adapter answers: small dataclasses of the Beckn layer's own, so the
shapes of pricing and offers results stay out of every handler and builder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from beckn.models.order_quote import AddOnLine, AppliedOffer
from cpo_portal.models import Charger, Connector, Operator, Station
from pricing.engine import LineKind, Quote

__all__ = ["AddOnLine", "AppliedOffer"]  # and the classes below; kept with the Order's types


class CommerceError(Exception):
    """A request pricing or offers refused (bad session, unknown offer, no tariff)."""

    def __init__(self, code: str, message: str, offer_id: str = "") -> None:
        super().__init__(message)
        self.code = code  # BECKN-005 code to answer with
        self.message = message
        self.offer_id = offer_id


@dataclass(frozen=True, slots=True)
class Recovery:
    """Offer value taken back from an order after confirmation (ONDC quote_trail)."""

    currency: str
    recovered: tuple[tuple[str, Decimal], ...] = ()  # offer id, amount


@dataclass(frozen=True, slots=True)
class RejectedOffer:
    offer_id: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class SurgeNotice:
    code: str
    name: str  # the badge: "Congestion Fee"
    explanation: str  # "Know more": "Congestion Fee: ₹1/kWh between 6 PM - 9 PM"


@dataclass(frozen=True, slots=True)
class Priced:
    """A quote with what offers did to it."""

    quote: Quote
    rate: Decimal  # the list energy rate, per kWh
    applied: tuple[AppliedOffer, ...] = ()
    rejected: tuple[RejectedOffer, ...] = ()
    notices: tuple[SurgeNotice, ...] = ()
    customer_key: str = ""
    add_ons: tuple[AddOnLine, ...] = ()  # the add-ons priced in the quote
    recovered: tuple[tuple[str, Decimal], ...] = ()  # settlement: offer id, amount reversed

    @property
    def discount(self) -> Decimal:
        return -self.quote.sum_of(LineKind.DISCOUNT)

    def rejection(self, offer_id: str) -> RejectedOffer | None:
        return next((r for r in self.rejected if r.offer_id == offer_id), None)


@dataclass(frozen=True, slots=True)
class PublishedOffer:
    """An offer as a catalog shows it (both DEG and ONDC vocabularies are built from it)."""

    offer_id: str
    title: str
    short_desc: str = ""
    type_label: str = ""  # DEG offer-type, e.g. WEEKEND_SPECIAL
    ondc_type: str = "discount"
    discount_type: str = ""  # PERCENTAGE, FIXED, RATE, FREE_KWH, ...
    discount_value: Decimal | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    min_session_value: Decimal | None = None
    max_discount: Decimal | None = None
    auto: bool = True
    additive: bool = False
    percent_off_energy: Decimal | None = None  # lets a catalog show the offered rate
    rate_override: Decimal | None = None
    fixed_price: Decimal | None = None  # FIXED energy trade: the session's energy price
    energy_trade: str = ""  # the EnergyTradeOffer object (schema v0.2) as compact JSON text
    station_codes: frozenset[str] = frozenset()
    charger_codes: frozenset[str] = frozenset()
    category_codes: frozenset[str] = frozenset()
    extra: dict[str, str] = field(default_factory=dict)
    ondc_groups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # offers.rules.ondc

    def applies_to(self, charger: Charger) -> bool:
        return self.applies_at(charger.station.code, charger.code, charger.categories)

    def applies_at(self, station_code: str, charger_code: str, categories: Iterable[str]) -> bool:
        """applies_to() from a charger's codes (a catalog checks hundreds of offers per
        charger: it reads them once)."""
        return (
            (not self.station_codes or station_code in self.station_codes)
            and (not self.charger_codes or charger_code in self.charger_codes)
            and (not self.category_codes or not self.category_codes.isdisjoint(categories))
        )


@dataclass(frozen=True, slots=True)
class Offering:
    """What one operator offers at the chargers a search found: one provider of a catalog."""

    operator: Operator
    chargers: list[Charger]
    stations: dict[int, Station]  # by pk, in the order of the chargers
    notices: dict[int, list[SurgeNotice]]  # by station pk
    offers: dict[int, list[PublishedOffer]]  # published at each station, by station pk
    rates: dict[int, tuple[Decimal, str] | None]  # list energy rate by charger pk
    add_ons: dict[int, list[AddOnLine]]  # on sale at each station, by station pk
    # The connectors a search asked for, by charger pk (None: every connector of each).
    connectors: dict[int, list[Connector]] | None = None
