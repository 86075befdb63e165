"""OCPI 2.2.1 tariffs: parse and write Tariff objects, price sessions, map to our Tariff.

Pure Python like the rest of pricing.engine: no Django, no I/O.
"""

from pricing.engine.ocpi.calculate import calculate
from pricing.engine.ocpi.convert import OcpiExportError, from_ocpi, to_ocpi
from pricing.engine.ocpi.cost import CostKind, CostLine, OcpiCost, PricedPeriod
from pricing.engine.ocpi.model import parse_tariff
from pricing.engine.ocpi.objects import (
    DayOfWeek,
    DisplayText,
    OcpiPrice,
    OcpiTariff,
    OcpiTariffError,
    PriceComponent,
    ReservationRestrictionType,
    TariffDimensionType,
    TariffElement,
    TariffRestrictions,
    TariffType,
)
from pricing.engine.ocpi.session import (
    ChargingPeriod,
    OcpiSession,
    OcpiSessionError,
    Reservation,
    constant_power_session,
)
from pricing.engine.ocpi.writer import tariff_to_json

__all__ = [
    "ChargingPeriod",
    "CostKind",
    "CostLine",
    "DayOfWeek",
    "DisplayText",
    "OcpiCost",
    "OcpiExportError",
    "OcpiPrice",
    "OcpiSession",
    "OcpiSessionError",
    "OcpiTariff",
    "OcpiTariffError",
    "PriceComponent",
    "PricedPeriod",
    "Reservation",
    "ReservationRestrictionType",
    "TariffDimensionType",
    "TariffElement",
    "TariffRestrictions",
    "TariffType",
    "calculate",
    "constant_power_session",
    "from_ocpi",
    "parse_tariff",
    "tariff_to_json",
    "to_ocpi",
]
