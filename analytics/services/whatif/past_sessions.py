"""The sessions that happened, streamed in order of start: the ledger's settled orders and
the sessions without offers (analytics.models.NoOfferSession), merged.

A window holds the sessions that *settled* on its local dates (the operator's time zone),
the dashboards' own definition of a day's sessions (analytics.calc.figures.SESSIONS): a
session that starts late on the last day and ends after midnight belongs to the next day.
A settled step re-sent after the window counts there, as in the rollups.

Rows are read with iterator() in chunks, so memory stays bounded whatever the window.
Order-level figures repeat on every settled row of an order: they are read once; the
discounts are summed per offer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet

from analytics.calc import figures
from analytics.calc.periods import day_start
from analytics.models import NoOfferSession
from analytics.models.sessions import counted
from offers.models import Redemption, RedemptionKind

CHUNK = 2000
ZERO = Decimal("0")

ORDER_COLUMNS = (
    "session_start",
    "order_ref",
    "session_end",
    "energy_kwh",
    "charger_id",
    "station_id",
    "customer_key",
    "customer_segment",
    "customer_tier",
    "gross_amount",
    "surge_amount",
    "tax_amount",
    "net_amount",
    "finder_fee_amount",
    "buffer_amount",
    "occurred_at",
)


@dataclass(frozen=True, slots=True)
class PastSession:
    """One delivered session as recorded: what was charged, and the offers given."""

    start: dt.datetime
    order_ref: str
    end: dt.datetime | None
    kwh: Decimal
    charger_id: int | None
    station_id: int | None
    customer_key: str
    segment: str
    tier: str
    gross: Decimal
    surge: Decimal
    tax: Decimal
    net: Decimal  # payable, tax included, as recorded
    finder_fee: Decimal  # of the payable: paid to the BAP (a cost of the sale)
    buffer: Decimal  # of the payable: held, not revenue (a settled session has none)
    settled_at: dt.datetime
    offers: tuple[tuple[str, Decimal], ...] = ()  # (offer id, discount settled)

    @property
    def discount(self) -> Decimal:
        return sum((d for _, d in self.offers), ZERO)

    @property
    def net_revenue(self) -> Decimal:
        """Net revenue (before tax), as the dashboards define it."""
        return figures.net_revenue(self.net, self.tax, self.finder_fee, self.buffer)


FIELDS = tuple(f.name for f in dataclasses.fields(PastSession) if f.name != "offers")


@dataclass(frozen=True)
class Window:
    operator_id: int
    date_from: dt.date
    date_to: dt.date
    time_zone: str
    station_ids: tuple[int, ...] = ()
    region_codes: tuple[str, ...] = ()

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """From the first day's local midnight to the midnight after the last day."""
        after = self.date_to + dt.timedelta(days=1)
        return day_start(self.date_from, self.time_zone), day_start(after, self.time_zone)

    def day_of(self, settled_at: dt.datetime) -> dt.date:
        """The local date a session counts on: the day it settled."""
        return settled_at.astimezone(ZoneInfo(self.time_zone)).date()

    def where(self) -> Q:
        start, end = self.bounds()
        q = Q(operator_id=self.operator_id, occurred_at__gte=start, occurred_at__lt=end)
        if self.station_ids or self.region_codes:
            q &= Q(station_id__in=self.station_ids) | Q(region_code__in=self.region_codes)
        return q


def settled(window: Window) -> QuerySet:
    _, end = window.bounds()
    resent_later = Redemption.objects.filter(
        operator_id=OuterRef("operator_id"),
        order_ref=OuterRef("order_ref"),
        kind=RedemptionKind.SETTLED,
        occurred_at__gte=end,
    )
    rows = Redemption.objects.filter(window.where(), kind=RedemptionKind.SETTLED)
    return rows.exclude(Exists(resent_later))


def without_offers(window: Window) -> QuerySet:
    """The window's sessions without offers that the figures count (sessions.counted)."""
    return counted(NoOfferSession.objects.filter(window.where()))


def count(window: Window) -> int:
    orders = settled(window).values("order_ref").distinct().count()
    return orders + without_offers(window).count()


def _session(row: tuple, offers: tuple[tuple[str, Decimal], ...] = ()) -> PastSession:
    """A session from its ORDER_COLUMNS, which are PastSession's fields in order."""
    return PastSession(**dict(zip(FIELDS, row, strict=True)), offers=offers)


def _plain(window: Window) -> Iterator[PastSession]:
    rows = without_offers(window).order_by("session_start", "order_ref")
    for row in rows.values_list(*ORDER_COLUMNS).iterator(chunk_size=CHUNK):
        yield _session(row)


def _with_offers(window: Window) -> Iterator[PastSession]:
    rows = settled(window).order_by("session_start", "order_ref", "offer_code")
    current: tuple | None = None
    offers: dict[str, Decimal] = {}
    for row in rows.values_list(*ORDER_COLUMNS, "offer_code", "discount").iterator(
        chunk_size=CHUNK
    ):
        head, offer, discount = row[:-2], row[-2], row[-1]
        if current is not None and head[1] != current[1]:
            yield _session(current, tuple(offers.items()))
            offers = {}
        current = head
        offers[offer] = discount
    if current is not None:
        yield _session(current, tuple(offers.items()))


def stream(window: Window) -> Iterator[PastSession]:
    """Every session of the window, by start (then order ref)."""
    return heapq.merge(_with_offers(window), _plain(window), key=lambda s: (s.start, s.order_ref))


def chunks(sessions: Iterable[PastSession], size: int) -> Iterator[list[PastSession]]:
    batch: list[PastSession] = []
    for s in sessions:
        batch.append(s)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def seen_before(operator_id: int, keys: Iterable[str], before: dt.datetime) -> set[str]:
    """The customers among `keys` with a session starting before `before` that the figures
    count (a session without offers in another currency is not one: sessions.counted)."""
    keys = sorted({k for k in keys if k})
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        part = keys[i : i + 500]
        where = Q(operator_id=operator_id, customer_key__in=part, session_start__lt=before)
        for rows in (
            Redemption.objects.filter(where),
            counted(NoOfferSession.objects.filter(where)),
        ):
            found.update(rows.values_list("customer_key", flat=True).distinct())
    return found
