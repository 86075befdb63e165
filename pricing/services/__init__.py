"""Where the ORM meets the pure quote engine.

Views, commands, offers and beckn call these; none of them builds engine dataclasses or
compiles price books by hand.
"""

from .books import (
    NoTariffError,
    book_and_conditions,
    clear_cache,
    price_book_for,
    price_books_for,
    tariff_for,
)
from .notices import SurgeNotice, surge_notices, surge_notices_at
from .quotes import price, quote_session, session_request_for
from .sites import conditions_at, conditions_for, site_for

__all__ = [
    "NoTariffError",
    "SurgeNotice",
    "book_and_conditions",
    "clear_cache",
    "conditions_at",
    "conditions_for",
    "price",
    "price_book_for",
    "price_books_for",
    "quote_session",
    "session_request_for",
    "site_for",
    "surge_notices",
    "surge_notices_at",
    "tariff_for",
]
