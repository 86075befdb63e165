"""OCPI 2.2.1 Tariff objects (module `tariffs`, section "Object description" and "Data types").

Field names follow the spec so a reader can hold this file next to mod_tariffs.asciidoc.
Numbers are Decimal, times of day and dates are local wall-clock values (the Location's
time zone), `last_updated` / `start_date_time` / `end_date_time` are aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum


class TariffDimensionType(StrEnum):
    ENERGY = "ENERGY"  # per kWh, step_size unit 1 Wh
    FLAT = "FLAT"  # once per session, step_size has no unit
    PARKING_TIME = "PARKING_TIME"  # per hour not charging, step_size unit 1 s
    TIME = "TIME"  # per hour charging (or reserved), step_size unit 1 s


class DayOfWeek(StrEnum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"

    @property
    def weekday(self) -> int:
        """Python's numbering (Monday 0), the one pricing.engine.types uses."""
        return list(DayOfWeek).index(self)

    @classmethod
    def of(cls, weekday: int) -> DayOfWeek:
        return list(cls)[weekday]


class ReservationRestrictionType(StrEnum):
    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class TariffType(StrEnum):
    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


@dataclass(frozen=True, slots=True)
class OcpiPrice:
    """types.asciidoc `Price`: incl_vat is optional in 2.2.1."""

    excl_vat: Decimal
    incl_vat: Decimal | None = None


@dataclass(frozen=True, slots=True)
class DisplayText:
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class PriceComponent:
    """`price` is per unit excl. VAT; `vat` None means no VAT applies (not the same as 0 %)."""

    type: TariffDimensionType
    price: Decimal
    step_size: int
    vat: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TariffRestrictions:
    """All set fields must hold (logical AND) for the element to be active at a moment."""

    start_time: dt.time | None = None
    end_time: dt.time | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: tuple[DayOfWeek, ...] = ()
    reservation: ReservationRestrictionType | None = None

    def set_fields(self) -> tuple[str, ...]:
        """Names of the restrictions that are present, in spec order (the fields' order)."""
        names = [f.name for f in fields(self) if getattr(self, f.name) not in (None, ())]
        return tuple(names)


@dataclass(frozen=True, slots=True)
class TariffElement:
    price_components: tuple[PriceComponent, ...]
    restrictions: TariffRestrictions | None = None

    def component(self, dimension: TariffDimensionType) -> PriceComponent | None:
        return next((c for c in self.price_components if c.type is dimension), None)

    @property
    def reservation(self) -> ReservationRestrictionType | None:
        return self.restrictions.reservation if self.restrictions else None


@dataclass(frozen=True, slots=True)
class OcpiTariff:
    country_code: str
    party_id: str
    id: str
    currency: str
    elements: tuple[TariffElement, ...]
    last_updated: dt.datetime
    type: TariffType | None = None
    tariff_alt_text: tuple[DisplayText, ...] = ()
    tariff_alt_url: str | None = None
    min_price: OcpiPrice | None = None
    max_price: OcpiPrice | None = None
    start_date_time: dt.datetime | None = None
    end_date_time: dt.datetime | None = None
    energy_mix_json: str | None = None  # EnergyMix kept verbatim (canonical JSON text)


class OcpiTariffError(ValueError):
    """Bad OCPI tariff input; `path` points at the offending field, e.g. elements[1].price."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or '<tariff>'}: {message}")
        self.path = path
        self.message = message
