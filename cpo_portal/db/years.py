"""The moments the product takes: from 2000-01-01 to 2099-12-31 (UTC), in every message,
form, import and setting that names a date or a time. Every supported database, the quote
engine's calendar arithmetic and RFC 3339's four-digit years hold them with room to spare;
year 1 and year 9999 are where Python's own dates overflow when a zone is applied.

Plain Python, no Django: the Beckn protocol helpers, which are pure, read it too
(beckn.protocol.context), and the models' validators wrap it (cpo_portal.db.values)."""

from __future__ import annotations

import datetime as dt

FIRST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)  # the first moment past the range
SPAN = f"from {FIRST.year}-01-01 to {END.year - 1}-12-31"  # as every refusal words it


def outside(value: dt.date | dt.datetime) -> bool:
    """Whether a date or a date-time is outside the range (an aware one as the moment it
    is; a naive one, a wall clock, by its year)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        try:
            return not FIRST <= value < END
        except OverflowError:  # its zone carries it past year 1 or 9999
            return True
    return not FIRST.year <= value.year < END.year
