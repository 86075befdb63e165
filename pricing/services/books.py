"""Tariff resolution and the per-process cache of compiled price books.

A book is compiled once per (operator, tariff) and reused until the operator's pricing
stamp (cpo_portal's Stamp of kind Stamp.Kind.PRICING) changes; the stamp is read once per lookup, so
a change saved in one process is seen by every other process on its next quote.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from cpo_portal.models import Charger, Stamp
from pricing.engine import PriceBook, compile_book
from pricing.engine import types as e
from pricing.engine.ocpi import parse_tariff
from pricing.models import SurgeRule, Tariff, TariffBand

from .convert import engine_surge, engine_tariff
from .live_conditions import conditions_now
from .ocpi_book import OcpiBook
from .sites import conditions_for

Book = PriceBook | OcpiBook


class NoTariffError(LookupError):
    """The charger has no active tariff: nothing can be quoted there."""


@dataclass(frozen=True, slots=True)
class TariffRow:
    id: int
    station_id: int | None
    charger_id: int | None


def resolve(rows: Iterable[TariffRow], charger_id: int, station_id: int) -> int | None:
    """The most specific active tariff: the charger's, the station's, the operator's."""
    best: tuple[int, int] | None = None
    for row in rows:
        if row.charger_id is not None:
            rank = 0 if row.charger_id == charger_id else None
        elif row.station_id is not None:
            rank = 1 if row.station_id == station_id else None
        else:
            rank = 2
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, row.id)
    return None if best is None else best[1]


def tariff_for(charger: Charger) -> Tariff | None:
    """The tariff that prices this charger (charger beats station beats operator)."""
    candidates = Tariff.objects.filter(operator_id=charger.operator_id, active=True).filter(
        Q(charger_id=charger.pk)
        | Q(station_id=charger.station_id, charger__isnull=True)
        | Q(station__isnull=True, charger__isnull=True)
    )
    by_id = {t.pk: t for t in candidates}
    rows = [TariffRow(t.pk, t.station_id, t.charger_id) for t in by_id.values()]
    chosen = resolve(rows, charger.pk, charger.station_id)
    return None if chosen is None else by_id[chosen]


@dataclass
class _OperatorBooks:
    stamp: uuid.UUID
    tariffs: tuple[TariffRow, ...]
    surges: tuple[e.SurgeRule, ...]
    books: dict[int, Book] = field(default_factory=dict)


_CACHE: dict[int, _OperatorBooks] = {}
_LOCK = threading.Lock()


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def load_surges(operator_id: int) -> tuple[e.SurgeRule, ...]:
    """Every unpaused rule of the operator in engine form (validity is the engine's job)."""
    rules = (
        SurgeRule.objects.filter(operator_id=operator_id, paused=False)
        .select_related("operator")
        .prefetch_related("stations")
        .order_by("-priority", "code")
    )
    return tuple(engine_surge(r, [s.code for s in r.stations.all()]) for r in rules)


def _operator_books(operator_id: int, stamp: uuid.UUID | None = None) -> _OperatorBooks:
    """The operator's cache entry for its pricing `stamp` (read here when not given)."""
    if stamp is None:
        stamp = Stamp.current(Stamp.Kind.PRICING, operator_id)  # read BEFORE the data it guards
    entry = _CACHE.get(operator_id)
    if entry is not None and entry.stamp == stamp:
        return entry
    rows = tuple(
        TariffRow(*values)
        for values in Tariff.objects.filter(operator_id=operator_id, active=True).values_list(
            "pk", "station_id", "charger_id"
        )
    )
    entry = _OperatorBooks(stamp=stamp, tariffs=rows, surges=load_surges(operator_id))
    with _LOCK:
        _CACHE[operator_id] = entry
    return entry


def compile_tariff(tariff: Tariff, surges: Sequence[e.SurgeRule]) -> Book:
    """A PriceBook; an OcpiBook when the tariff is kept as OCPI JSON."""
    mapped = engine_tariff(tariff, tariff.bands.all())
    if tariff.ocpi:
        return OcpiBook(parse_tariff(tariff.ocpi), mapped, surges)
    return compile_book(mapped, surges)


def surges_for_operator(operator_id: int) -> tuple[e.SurgeRule, ...]:
    """The operator's engine surge rules, from the same cache as its books."""
    return _operator_books(operator_id).surges


def price_book_for(charger: Charger) -> Book:
    """The compiled book that prices this charger. Raises NoTariffError."""
    return _book(charger, price_books_for([charger])[charger.pk])


def no_tariff(charger: Charger) -> NoTariffError:
    return NoTariffError(f"charger {charger.code} has no active tariff")


def _book(charger: Charger, book: Book | None) -> Book:
    if book is None:
        raise no_tariff(charger)
    return book


def book_and_conditions(
    charger: Charger,
    at: dt.datetime,
    stamp: uuid.UUID | None = None,
    network: uuid.UUID | None = None,
) -> tuple[Book, e.Conditions]:
    """price_book_for(charger) and sites.conditions_for(charger.station, at): the book from
    this process's memo, trusted after one read of the operator's pricing stamp (`stamp`:
    just read by the caller). Given the network stamp too (read with it), the conditions
    come from live_conditions' memo; otherwise holidays, grid signals and the chargers'
    statuses are read as they are now (one query)."""
    if stamp is None:
        stamp = Stamp.current(
            Stamp.Kind.PRICING, charger.operator_id
        )  # read BEFORE the data it guards
    book = _book(charger, price_books_for([charger], stamp)[charger.pk])
    if network is None:
        return book, conditions_for(charger.station, at)
    return book, conditions_now(charger.station, at, network, stamp)


def price_books_for(
    chargers: Iterable[Charger], stamp: uuid.UUID | None = None
) -> dict[int, Book | None]:
    """Each charger's compiled book by charger pk (None: no active tariff). Whatever the
    number of chargers: one stamp read per operator, one query for the books not compiled.
    `stamp`: the pricing stamp of the chargers' one operator, just read."""
    entries: dict[int, _OperatorBooks] = {}
    chosen: dict[int, tuple[_OperatorBooks, int | None]] = {}
    for charger in chargers:
        entry = entries.get(charger.operator_id)
        if entry is None:
            entry = entries[charger.operator_id] = _operator_books(charger.operator_id, stamp)
        chosen[charger.pk] = (entry, resolve(entry.tariffs, charger.pk, charger.station_id))
    missing = {t: entry for entry, t in chosen.values() if t is not None and t not in entry.books}
    if missing:
        tariffs = Tariff.objects.filter(pk__in=missing).prefetch_related(
            Prefetch("bands", queryset=TariffBand.objects.order_by("start", "code"))
        )
        for tariff in tariffs:
            entry = missing[tariff.pk]
            book = compile_tariff(tariff, entry.surges)
            with _LOCK:
                entry.books[tariff.pk] = book
    return {pk: None if t is None else entry.books.get(t) for pk, (entry, t) in chosen.items()}
