"""OCPI pagination (transport_and_format, "Pagination"): date_from (inclusive), date_to
(exclusive), offset and limit in; the Link, X-Total-Count and X-Limit headers out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet

from cpo_portal.db import years
from cpo_portal.formatting.number_inputs import whole_number_at_most

from .envelope import INVALID_PARAMETERS, OcpiProblem

MAX_LIMIT = 100  # X-Limit: objects per page, whatever the client asks
MAX_OFFSET = 1_000_000_000


@dataclass(frozen=True)
class PageAsk:
    offset: int
    limit: int
    date_from: dt.datetime | None
    date_to: dt.datetime | None
    filters: tuple[tuple[str, str], ...]  # date_from/date_to as sent, for the Link


def _whole(params: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    """A whole number from `low`; one above `high`, past 64 bits included, is `high` (a
    limit capped to X-Limit, an offset past the end, kept within what the query binds)."""
    raw = params.get(name, "")
    if raw == "":
        return default
    value = whole_number_at_most(raw, high)
    if value is None or value < low:
        raise OcpiProblem(INVALID_PARAMETERS, f"{name}: give a whole number from {low}")
    return value


def parse_datetime(raw: str, name: str) -> dt.datetime:
    """OCPI DateTime (RFC 3339, UTC; a value without zone is read as UTC)."""
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise OcpiProblem(
            INVALID_PARAMETERS, f"{name}: expected a date-time like 2025-01-31T12:00:00Z"
        ) from None
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    # A bound before or past any row the product holds (cpo_portal.db.years), such as
    # 1970-01-01 for "everything", is the range's own: no row is left out, and year 1 or
    # 9999 with an offset never reaches the database past what it can hold.
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError:  # year 1 or 9999 carried past what Python holds by its offset
        return years.FIRST if value.year == dt.MINYEAR else years.END
    return min(max(value, years.FIRST), years.END)


def read(params: Mapping[str, str]) -> PageAsk:
    filters = tuple((name, params[name]) for name in ("date_from", "date_to") if params.get(name))
    dates = {name: parse_datetime(raw, name) for name, raw in filters}
    return PageAsk(
        offset=_whole(params, "offset", 0, MAX_OFFSET, 0),
        limit=_whole(params, "limit", 1, MAX_LIMIT, MAX_LIMIT),
        date_from=dates.get("date_from"),
        date_to=dates.get("date_to"),
        filters=filters,
    )


def window(qs: QuerySet, ask: PageAsk, field: str) -> QuerySet:
    """Objects whose `field` (their last_updated) is in [date_from, date_to)."""
    if ask.date_from is not None:
        qs = qs.filter(**{f"{field}__gte": ask.date_from})
    if ask.date_to is not None:
        qs = qs.filter(**{f"{field}__lt": ask.date_to})
    return qs


def headers(ask: PageAsk, total: int, base_url: str) -> dict[str, str]:
    out = {"X-Total-Count": str(total), "X-Limit": str(ask.limit)}
    following = ask.offset + ask.limit
    if following < total:
        query = urlencode([("offset", following), ("limit", ask.limit), *ask.filters])
        out["Link"] = f'<{base_url}?{query}>; rel="next"'
    return out
