"""Add-ons in quotes and orders: ADDON quote lines for the add-ons asked for (or
AddOnUnavailable, Beckn 30007), stock taken at confirm and given back on release, and the
order's booked add-ons as lines again for settlement and replays.

Stock moves only by conditional UPDATEs (stock > 0), inside the caller's transaction. The
stock rows an order touches are locked first, by id, and before any of the ledger's locks
(ledger/locks.py): book runs before redeem at confirm, release before the reversal at cancel, so
two orders sharing add-ons and offers never wait on each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cpo_portal.models import Operator, Stamp, Station
from offers.models import AddOn, AddOnAvailability, AddOnBooking, BookingState
from pricing.engine import LineKind, QuoteLine, money


class AddOnUnavailable(Exception):
    """An add-on asked for cannot be sold here now (Beckn 30007, add-on not found)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def line(code: str, name: str, price: Decimal, tax_rate: Decimal) -> QuoteLine:
    return QuoteLine(
        kind=LineKind.ADDON,
        code=code,
        title=name,
        amount=money(price),
        tax_rate=tax_rate,
        tags=(("type", "addon"),),
    )


def _open(row: AddOnAvailability) -> bool:
    return row.enabled and (row.stock is None or row.stock > 0)


def add_ons_on_sale(operator: Operator, stations: Iterable[Station]) -> dict[int, list[AddOn]]:
    """Active add-ons offered (and in stock) at each station, by station pk."""
    ids = [s.pk for s in stations]
    rows = (
        AddOnAvailability.objects.filter(
            station_id__in=ids, add_on__operator=operator, add_on__active=True, enabled=True
        )
        .filter(Q(stock__isnull=True) | Q(stock__gt=0))
        .select_related("add_on")
        .order_by("add_on__code")
    )
    out: dict[int, list[AddOn]] = {pk: [] for pk in ids}
    for row in rows:
        out[row.station_id].append(row.add_on)
    return out


def add_on_codes(operator_id: int, codes: Iterable[str]) -> set[str]:
    """Those of `codes` that name one of the operator's add-ons, in any state: withdrawn,
    not offered at a station or sold out, it is still an add-on (refused as such when
    asked for, lines_for)."""
    rows = AddOn.objects.filter(operator_id=operator_id, code__in=list(codes))
    return set(rows.values_list("code", flat=True))


def _why(code: str, add_on: AddOn | None, row: AddOnAvailability | None, station: Station) -> str:
    if add_on is None:
        return f"There is no add-on {code} at {station.operator.code}"
    if not add_on.active:
        return f"Add-on {code} is no longer offered"
    if row is None or not row.enabled:
        return f"Add-on {code} is not offered at station {station.code}"
    return f"Add-on {code} is sold out at station {station.code}"


def lines_for(station: Station, codes: Sequence[str]) -> tuple[QuoteLine, ...]:
    """One ADDON line per add-on asked for (duplicates once), in the order asked, or
    AddOnUnavailable for the first that cannot be sold at this station now."""
    wanted = list(dict.fromkeys(c for c in codes if c))
    if not wanted:
        return ()
    found = {
        a.code: a for a in AddOn.objects.filter(operator_id=station.operator_id, code__in=wanted)
    }
    rows = {
        r.add_on_id: r
        for r in AddOnAvailability.objects.filter(
            station=station, add_on_id__in=[a.pk for a in found.values()]
        )
    }
    out = []
    for code in wanted:
        add_on = found.get(code)
        row = rows.get(add_on.pk) if add_on is not None else None
        if add_on is None or not add_on.active or row is None or not _open(row):
            raise AddOnUnavailable(code, _why(code, add_on, row, station))
        out.append(line(add_on.code, add_on.name, add_on.price, add_on.tax_rate))
    return tuple(out)


def _take(add_on: AddOn, station: Station) -> bool:
    """Take one from the stock (unlimited rows need no update). False: none left."""
    rows = AddOnAvailability.objects.filter(add_on=add_on, station=station, enabled=True)
    if rows.filter(stock__isnull=True).exists():
        return True
    if rows.filter(stock__gt=1).update(stock=F("stock") - 1) == 1:
        return True
    if rows.filter(stock=1).update(stock=0) != 1:
        return False
    Stamp.bump(Stamp.Kind.CATALOG, add_on.operator_id)  # sold out: no longer published there
    return True


def _lock_stock(pairs: Iterable[tuple[int, int]]) -> None:
    """Lock the limited-stock rows of these (add_on_id, station_id) pairs, by id."""
    pairs = set(pairs)
    if not pairs:
        return
    match = Q()
    for add_on_id, station_id in pairs:
        match |= Q(add_on_id=add_on_id, station_id=station_id)
    rows = AddOnAvailability.objects.select_for_update().filter(match, stock__isnull=False)
    list(rows.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def book_add_ons(
    order_ref: str, station: Station, lines: Sequence[QuoteLine]
) -> list[AddOnBooking]:
    """Book the quoted add-ons for a confirmed order, taking stock; AddOnUnavailable if
    one ran out since the quote. Booking an order again returns its bookings. Each
    booking gets its "created" history record, as a save() would write."""
    done = list(AddOnBooking.objects.filter(order_ref=order_ref))
    if done or not lines:
        return done
    by_code = {
        a.code: a
        for a in AddOn.objects.filter(
            operator_id=station.operator_id, code__in=[ln.code for ln in lines]
        )
    }
    _lock_stock((a.pk, station.pk) for a in by_code.values())
    out = []
    for ln in lines:
        add_on = by_code.get(ln.code)
        if add_on is None or not add_on.active or not _take(add_on, station):
            raise AddOnUnavailable(ln.code, _why(ln.code, add_on, _row(add_on, station), station))
        out.append(
            AddOnBooking(
                order_ref=order_ref,
                add_on=add_on,
                station=station,
                code=ln.code,
                name=ln.title,
                price=ln.amount,
                tax_rate=ln.tax_rate or Decimal("0"),
                stock_taken=True,
            )
        )
    return bulk_create_with_history(out, AddOnBooking)


def _row(add_on: AddOn | None, station: Station) -> AddOnAvailability | None:
    if add_on is None:
        return None
    return AddOnAvailability.objects.filter(add_on=add_on, station=station).first()


def _give_back(booking: AddOnBooking) -> None:
    rows = AddOnAvailability.objects.filter(
        add_on_id=booking.add_on_id, station_id=booking.station_id, stock__isnull=False
    )
    if rows.filter(stock=0).update(stock=1):  # on sale again: published again
        Stamp.bump(Stamp.Kind.CATALOG, booking.add_on.operator_id)
    else:
        rows.update(stock=F("stock") + 1)


@transaction.atomic
def release_add_ons(
    order_ref: str,
    codes: Iterable[str] | None = None,
    *,
    state: str = BookingState.RELEASED,
    note: str = "",
) -> list[AddOnBooking]:
    """Take add-ons out of an order (all of them when `codes` is None): released
    (cancelled) or not delivered. Stock goes back once. Returns the bookings changed."""
    if state not in (BookingState.RELEASED, BookingState.NOT_DELIVERED):
        raise ValueError(f"an add-on is released or not delivered, not {state}")
    rows = AddOnBooking.objects.select_for_update().filter(
        order_ref=order_ref, state__in=[BookingState.BOOKED, BookingState.DELIVERED]
    )
    if codes is not None:
        rows = rows.filter(code__in=list(codes))
    now = timezone.now()
    changed = list(rows.order_by("pk"))
    _lock_stock((b.add_on_id, b.station_id) for b in changed if b.stock_taken)
    for booking in changed:
        if booking.stock_taken:
            _give_back(booking)
        booking.state, booking.stock_taken = state, False
        booking.changed_at, booking.note = now, note[:300]
        booking.save(update_fields=["state", "stock_taken", "changed_at", "note"])
    return changed


def booked_lines(order_ref: str) -> tuple[QuoteLine, ...]:
    """The order's add-ons still charged (booked or delivered), as sold."""
    rows = AddOnBooking.objects.filter(
        order_ref=order_ref, state__in=[BookingState.BOOKED, BookingState.DELIVERED]
    ).order_by("pk")
    return tuple(line(b.code, b.name, b.price, b.tax_rate) for b in rows)
