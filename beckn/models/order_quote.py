"""What an Order keeps of its quote, typed: the session asked for (OrderSession, with its
AddOnLines), the offers in the quote (AppliedOffer) and the Beckn quote sent (BecknQuote).
Each round-trips through its JSON column (to_json / from_json); a quote is written into an
order by Order.hold_quote(HeldQuote), and the offers a cancellation reverses are added by
Order.hold_offers. The commerce door answers in the same types
(beckn.commerce_types re-exports them). The quote sent and the offers applied also read
in words (`quote_text`, `AppliedOffer.text`), as the order's change log shows them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from beckn.protocol.timefmt import format_timestamp, parse_timestamp
from pricing.engine import FeeType, FinderFee


class BecknQuote(TypedDict, total=False):
    """The Beckn quote object as sent (price, breakup, ttl)."""

    price: dict[str, Any]
    breakup: list[dict[str, Any]]
    ttl: str


Money = Callable[[Decimal], str]


def quote_text(quote: Any, money: Money) -> str | None:
    """A Beckn quote's lines as the customer reads them, each with its title and amount
    ("Service fee ₹10.00; GST (18%) ₹1.80"); None for anything not shaped as one."""
    breakup = quote.get("breakup") if isinstance(quote, dict) else None
    if not isinstance(breakup, list):
        return None
    lines = []
    for line in breakup:
        price = line.get("price") if isinstance(line, dict) else None
        try:
            amount = Decimal(str(price["value"])) if isinstance(price, dict) else None
        except (KeyError, InvalidOperation):
            amount = None
        if amount is None or not amount.is_finite():
            return None
        lines.append(f"{line.get('title') or '?'} {money(amount)}")
    return "; ".join(lines)


def _time(value: Any) -> dt.datetime | None:
    try:
        return parse_timestamp(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _stamp(value: dt.datetime | None) -> str | None:
    return format_timestamp(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class AddOnLine:
    """An add-on as catalogs, quotes and orders show it."""

    add_on_id: str
    name: str
    price: Decimal
    tax_rate: Decimal
    description: str = ""

    def to_json(self) -> dict[str, str]:
        return {"id": self.add_on_id, "name": self.name, "price": str(self.price),
                "tax_rate": str(self.tax_rate)}  # fmt: skip

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> AddOnLine:
        return cls(
            add_on_id=str(raw["id"]),
            name=str(raw.get("name") or raw["id"]),
            price=Decimal(str(raw.get("price") or "0")),
            tax_rate=Decimal(str(raw.get("tax_rate") or "0")),
        )


@dataclass(frozen=True, slots=True)
class OrderSession:
    """The session the order asked for and was quoted."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None  # as asked (None: by quantity)
    quoted_end: dt.datetime | None = None
    kwh: Decimal | None = None  # quoted
    value: str = ""  # the quantity asked, as sent
    unit: str = ""
    fulfillment_id: str = "1"
    rate: Decimal | None = None  # the list energy rate
    add_ons: tuple[AddOnLine, ...] = ()
    finder_fee: FinderFee | None = None  # the BAP's terms, charged again at settlement

    @property
    def add_on_ids(self) -> list[str]:
        return [a.add_on_id for a in self.add_ons]

    def without_add_ons(self, ids: list[str]) -> OrderSession:
        return replace(self, add_ons=tuple(a for a in self.add_ons if a.add_on_id not in ids))

    def to_json(self) -> dict[str, Any]:
        return {
            "start": _stamp(self.start),
            "end": _stamp(self.end),
            "quoted_end": _stamp(self.quoted_end),
            "kwh": str(self.kwh) if self.kwh is not None else None,
            "value": self.value,
            "unit": self.unit,
            "fulfillment_id": self.fulfillment_id,
            "rate": str(self.rate) if self.rate is not None else None,
            "add_ons": [a.to_json() for a in self.add_ons],
            "finder_fee": (
                None
                if self.finder_fee is None
                else {"type": self.finder_fee.fee_type.value, "value": str(self.finder_fee.value)}
            ),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> OrderSession:
        raw = raw or {}
        kwh, rate, fee = raw.get("kwh"), raw.get("rate"), raw.get("finder_fee")
        return cls(
            start=_time(raw.get("start")),
            end=_time(raw.get("end")),
            quoted_end=_time(raw.get("quoted_end")),
            kwh=Decimal(str(kwh)) if kwh else None,
            value=str(raw.get("value") or ""),
            unit=str(raw.get("unit") or ""),
            fulfillment_id=str(raw.get("fulfillment_id") or "1"),
            rate=Decimal(str(rate)) if rate else None,
            add_ons=tuple(
                AddOnLine.from_json(a) for a in raw.get("add_ons") or () if isinstance(a, dict)
            ),
            finder_fee=(
                FinderFee(FeeType(fee["type"]), Decimal(fee["value"]))
                if isinstance(fee, dict)
                else None
            ),
        )


@dataclass(frozen=True, slots=True)
class AppliedOffer:
    """An offer in a quote: what it gave, and once reversed (an order cancelled), what
    came back."""

    offer_id: str
    title: str
    discount: Decimal  # positive
    code: str = ""
    ondc_type: str = "discount"
    additive: bool = False
    auto: bool = True
    energy_trade: str = ""  # the EnergyTradeOffer object as compact JSON text, if a trade
    reversed: Decimal | None = None

    def text(self, money: Money) -> str:
        """'Weekend 25% off (code SAVE25): -₹50.00' (a true minus sign), once reversed
        'Weekend 25% off (code SAVE25): ₹50.00 recovered'."""
        name = f"{self.title} (code {self.code})" if self.code else self.title
        if self.reversed is not None:
            return f"{name}: {money(self.reversed)} recovered"
        return f"{name}: {money(-self.discount)}"

    def reversed_by(self, amount: Decimal) -> AppliedOffer:
        """The offer as the order keeps it once reversed: nothing given, `amount` back."""
        return replace(self, discount=Decimal("0.00"), reversed=amount)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.offer_id,
            "title": self.title,
            "discount": str(self.discount),
            "code": self.code,
            "ondc_type": self.ondc_type,
            "additive": self.additive,
            "auto": self.auto,
        }
        if self.energy_trade:
            out["energy_trade"] = self.energy_trade
        if self.reversed is not None:
            out["reversed"] = str(self.reversed)
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> AppliedOffer:
        back = raw.get("reversed")
        return cls(
            offer_id=str(raw["id"]),
            title=str(raw.get("title") or raw["id"]),
            discount=Decimal(str(raw.get("discount") or "0")),
            code=str(raw.get("code") or ""),
            ondc_type=str(raw.get("ondc_type") or "discount"),
            additive=bool(raw.get("additive", False)),
            auto=bool(raw.get("auto", True)),
            energy_trade=str(raw.get("energy_trade") or ""),
            reversed=Decimal(str(back)) if back is not None else None,
        )


@dataclass(frozen=True, slots=True)
class HeldQuote:
    """A priced quote as an order holds it. `session` None: the session stays as it was."""

    quote: BecknQuote
    total: Decimal
    currency: str
    offers: tuple[AppliedOffer, ...]
    session: OrderSession | None = None
    customer_key: str = ""
