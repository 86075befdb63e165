"""The quote engine: pure, typed functions over dataclasses. No ORM, no Django.

Callers (pricing.services, offers, beckn) load data from the database into these
dataclasses, call the engine, and persist or render the result.
"""

from pricing.engine.book import PriceBook, compile_book
from pricing.engine.errors import PricingSetupError, QuoteInputError
from pricing.engine.finalize import finalize
from pricing.engine.session import price_session

__all__ = [
    "PriceBook",
    "PricingSetupError",
    "QuoteInputError",
    "compile_book",
    "finalize",
    "price_session",
]
