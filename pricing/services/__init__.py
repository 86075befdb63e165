"""Where the ORM meets the pure quote engine.

Views, commands, offers and beckn call these; none of them builds engine dataclasses or
compiles price books by hand.
"""

from pricing.engine.schedule import LabelledWindow, first_overlap
from pricing.models.surge_text import surge_text
from pricing.services.advance import COMPARED, needs_notice, notice_error, old_values
from pricing.services.books import Book, TariffRow, compile_tariff, load_surges, resolve
from pricing.services.convert import engine_surge
from pricing.services.ocpi import export_ocpi, party_id
from pricing.services.quote_dict import quote_to_dict
from pricing.services.sites import grid_stress_at, holidays_at, station_site
from pricing.services.surge_now import surge_clock

from .books import (
    NoTariffError,
    book_and_conditions,
    clear_cache,
    price_book_for,
    price_books_for,
    tariff_for,
)
from .notices import NoticesDuring, SurgeNotice, surge_notices_at
from .quotes import SessionToQuote, quote_sessions, session_request_for
from .sites import ConditionsDuring, conditions_for, site_for

__all__ = [
    "COMPARED",
    "Book",
    "ConditionsDuring",
    "LabelledWindow",
    "NoTariffError",
    "NoticesDuring",
    "SessionToQuote",
    "SurgeNotice",
    "TariffRow",
    "book_and_conditions",
    "clear_cache",
    "compile_tariff",
    "conditions_for",
    "engine_surge",
    "export_ocpi",
    "first_overlap",
    "grid_stress_at",
    "holidays_at",
    "load_surges",
    "needs_notice",
    "notice_error",
    "old_values",
    "party_id",
    "price_book_for",
    "price_books_for",
    "quote_sessions",
    "quote_to_dict",
    "resolve",
    "session_request_for",
    "site_for",
    "station_site",
    "surge_clock",
    "surge_notices_at",
    "surge_text",
    "tariff_for",
]
