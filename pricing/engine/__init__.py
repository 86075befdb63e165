"""The quote engine: pure, typed functions over dataclasses. No ORM, no Django.

Callers (pricing.services, offers, beckn) load data from the database into these
dataclasses, call the engine, and persist or render the result.
"""

from pricing.engine.amounts import HUNDRED, PAISA, ZERO, as_text, kwh_floor, money, percent_of
from pricing.engine.book import PriceBook, compile_book
from pricing.engine.compiled import WHOLE_DAY, WITHIN, ValueMask, Window, compile_window
from pricing.engine.fees import BUFFER, FINDER_FEE, FeeTerms, FeeType, FinderFee, fee_of, with_fees
from pricing.engine.ocpi import (
    ChargingPeriod,
    OcpiSession,
    OcpiSessionError,
    OcpiTariff,
    OcpiTariffError,
    calculate,
    constant_power_session,
    parse_tariff,
)
from pricing.engine.ocpi.fields import format_datetime
from pricing.engine.quantity import MAX_SESSION_KWH, hours, undeliverable
from pricing.engine.refusals import PricingSetupError, QuoteInputError
from pricing.engine.text import amount_with_symbol, energy_text, plain, rate_text
from pricing.engine.totals import finalize
from pricing.engine.types import (
    ALL_DAYS,
    Conditions,
    Customer,
    LineKind,
    PricedSession,
    Quote,
    QuoteLine,
    Segment,
    SessionRequest,
    Site,
    SurgeRule,
    TimeWindow,
)
from pricing.engine.windows import station_instant

__all__ = [
    "ALL_DAYS",
    "BUFFER",
    "FINDER_FEE",
    "HUNDRED",
    "MAX_SESSION_KWH",
    "PAISA",
    "WHOLE_DAY",
    "WITHIN",
    "ZERO",
    "ChargingPeriod",
    "Conditions",
    "Customer",
    "FeeTerms",
    "FeeType",
    "FinderFee",
    "LineKind",
    "OcpiSession",
    "OcpiSessionError",
    "OcpiTariff",
    "OcpiTariffError",
    "PriceBook",
    "PricedSession",
    "PricingSetupError",
    "Quote",
    "QuoteInputError",
    "QuoteLine",
    "Segment",
    "SessionRequest",
    "Site",
    "SurgeRule",
    "TimeWindow",
    "ValueMask",
    "Window",
    "amount_with_symbol",
    "as_text",
    "calculate",
    "compile_book",
    "compile_window",
    "constant_power_session",
    "energy_text",
    "fee_of",
    "finalize",
    "format_datetime",
    "hours",
    "kwh_floor",
    "money",
    "parse_tariff",
    "percent_of",
    "plain",
    "rate_text",
    "station_instant",
    "undeliverable",
    "with_fees",
]
