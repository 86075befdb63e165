"""A date as every page writes one ("15 Jan 2024"): pure, so the offer rules' reasons use it
too (cpo_portal.formatting gives it to the pages)."""

from __future__ import annotations

import datetime as dt

DASH = "—"


def day(value: dt.date | None) -> str:
    """dt.date(2024, 1, 15) -> "15 Jan 2024"."""
    if value is None:
        return DASH
    return value.strftime("%-d %b %Y")
