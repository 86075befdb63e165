"""The quote engine's data: what goes in (tariff, surge rules, session) and what comes out.

Every type is a frozen dataclass. Datetimes are timezone-aware; local wall-clock rules
(rate bands, surge windows, days of week, holidays) are read in the station's time zone.
Amounts are Decimal rupees (or the tariff currency); energy is Decimal kWh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

# Day-of-week numbers follow Python: Monday is 0, Sunday is 6.
ALL_DAYS: frozenset[int] = frozenset(range(7))


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A recurring local-time window: [start, end) on the given days.

    `end <= start` wraps past midnight (22:00-06:00); the day a wrapping window belongs
    to is the day it starts. `start == end` means the whole day.
    """

    start: dt.time
    end: dt.time
    days: frozenset[int] = ALL_DAYS


@dataclass(frozen=True, slots=True)
class RateBand:
    """A time-of-day energy rate that replaces the tariff's default rate inside its window."""

    code: str
    label: str
    window: TimeWindow
    rate_per_kwh: Decimal


@dataclass(frozen=True, slots=True)
class Tariff:
    code: str
    currency: str
    energy_rate_per_kwh: Decimal
    bands: tuple[RateBand, ...] = ()
    service_fee: Decimal = Decimal("0")
    idle_fee_per_minute: Decimal = Decimal("0")
    idle_grace_minutes: int = 0
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    tax_rate: Decimal = Decimal("0.18")
    tax_included: bool = False
    tax_name: str = "GST"


class SurgeKind(StrEnum):
    PEAK = "peak"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    NIGHT = "night"
    LOCATION = "location"
    FAST_CHARGING = "fast_charging"
    ENVIRONMENTAL = "environmental"
    DEMAND = "demand"


class ChargeForm(StrEnum):
    PER_KWH = "per_kwh"  # rupees per kWh delivered inside the window
    PERCENT = "percent"  # percent of the energy cost inside the window
    FLAT = "flat"  # a flat fee once per session that touches the window


@dataclass(frozen=True, slots=True)
class SurgeRule:
    """One surge charge. Conditions are ANDed; an empty condition set means 'any'.

    What customers read about it is written from these fields (pricing.models.surge_text)."""

    code: str
    kind: SurgeKind
    name: str  # customer-facing: "Congestion Fee"
    form: ChargeForm
    amount: Decimal  # ₹/kWh, percent (20 = 20 %), or ₹ flat
    window: TimeWindow | None = None  # local recurring window; None = all day
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    holidays_only: bool = False  # applies only on the operator's holidays
    station_codes: frozenset[str] = frozenset()
    site_kinds: frozenset[str] = frozenset()
    region_codes: frozenset[str] = frozenset()
    min_power_kw: Decimal | None = None
    charging_speeds: frozenset[str] = frozenset()
    occupancy_threshold: Decimal | None = None  # fraction 0..1; DEMAND rules
    on_grid_stress: bool = False  # DEMAND rules raised by a grid-stress signal
    stackable: bool = True
    priority: int = 0  # higher wins among non-stackable rules
    cap_per_session: Decimal | None = None
    exempt_segments: frozenset[str] = frozenset()
    exempt_tiers: frozenset[str] = frozenset()
    currency: str = "INR"  # the operator's: what `amount` and `cap_per_session` are in
    note: str = ""  # staff's words shown after the text written from the rule (no figures)


@dataclass(frozen=True, slots=True)
class Site:
    """Where the session happens: the station and charger attributes rules look at."""

    station_code: str
    charger_code: str
    time_zone: str  # IANA name, e.g. "Asia/Kolkata"
    power_kw: Decimal
    site_kind: str = ""
    region_code: str = ""
    city_code: str = ""
    charging_speed: str = ""
    category_codes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Customer:
    key: str = ""  # salted hash; empty for anonymous
    segment: str = ""
    tier: str = ""


@dataclass(frozen=True, slots=True)
class Conditions:
    """Facts at quote time that are not part of the session itself."""

    holidays: frozenset[dt.date] = frozenset()  # local dates
    occupancy: Decimal = Decimal("0")  # station occupancy, fraction 0..1
    grid_stress: bool = False


@dataclass(frozen=True, slots=True)
class SessionRequest:
    """What is being priced. Exactly one of kwh / amount may be given; with neither,
    the energy is power x (end - start). `start` is aware; `end` is optional."""

    site: Site
    start: dt.datetime
    end: dt.datetime | None = None
    kwh: Decimal | None = None
    amount: Decimal | None = None  # a rupee budget, as DEG sends (measure unit INR)
    idle_minutes: int = 0
    customer: Customer = field(default_factory=Customer)


class LineKind(StrEnum):
    ENERGY = "energy"
    SERVICE_FEE = "service_fee"
    IDLE_FEE = "idle_fee"
    SURGE = "surge"
    ADDON = "addon"
    WHEELING = "wheeling"
    DISCOUNT = "discount"
    ADJUSTMENT = "adjustment"  # minimum / maximum session price
    TAX = "tax"
    FEE = "fee"  # on top of the quote: buyer finder fee, overcharge buffer (engine/fees.py)


@dataclass(frozen=True, slots=True)
class QuoteLine:
    kind: LineKind
    code: str  # band code, surge code, offer id, tax name ...
    title: str
    amount: Decimal  # signed, already rounded to the paisa
    kwh: Decimal | None = None
    rate: Decimal | None = None
    tax_rate: Decimal | None = None  # rate this line is taxed at; None for tax lines
    item_id: str = ""  # Beckn item the line belongs to (breakup.item.id)
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Segment:
    """A slice of the session with one price: constant power, one band, one surge set."""

    start: dt.datetime
    end: dt.datetime
    kwh: Decimal  # unrounded
    band_code: str
    rate_per_kwh: Decimal
    surge_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PricedSession:
    """Stage one: the session priced before offers and tax. Offers read this."""

    request: SessionRequest
    tariff: Tariff
    start: dt.datetime
    end: dt.datetime
    kwh: Decimal
    segments: tuple[Segment, ...]
    lines: tuple[QuoteLine, ...]  # energy bands, service fee, idle fee, surges

    @property
    def energy_cost(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.kind is LineKind.ENERGY), Decimal("0"))

    @property
    def gross(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal("0"))


@dataclass(frozen=True, slots=True)
class Quote:
    """Stage two: the priced session with adjustments (offers, add-ons) and tax.

    `total` is exactly the sum of `lines`. When the tariff is tax-inclusive there is no
    tax line and `tax_included` is the tax contained in the total.
    """

    currency: str
    start: dt.datetime
    end: dt.datetime
    kwh: Decimal
    lines: tuple[QuoteLine, ...]
    total: Decimal
    tax_included: Decimal
    tax_inclusive: bool

    def lines_of(self, kind: LineKind) -> tuple[QuoteLine, ...]:
        return tuple(ln for ln in self.lines if ln.kind is kind)

    def sum_of(self, kind: LineKind) -> Decimal:
        return sum((ln.amount for ln in self.lines_of(kind)), Decimal("0"))

    @property
    def tax(self) -> Decimal:
        """The tax in the quote: its tax lines, or the tax contained in a tax-inclusive
        total (what the ledger records as the order's tax)."""
        return self.tax_included if self.tax_inclusive else self.sum_of(LineKind.TAX)

    @property
    def excl_tax(self) -> Decimal:
        """The total without its tax (OCPI's `excl_vat`; the base of a finder fee)."""
        return self.total - self.tax
