"""A small OCPI 2.2.1 tariff calculator, written from the spec for the tests alone (it
shares nothing with pricing.engine.ocpi): what an eMSP computes from a published Tariff.

Scope: the elements our CPO publishes (ENERGY, FLAT, PARKING_TIME and TIME components;
start_time, end_time and day_of_week restrictions; min_price and max_price) and a session
charging at constant power from `start` to `end`. Anything else raises, so the tests never
compare against a guess.

Reading of the spec (mod_tariffs, "Tariff Elements"): for each dimension the first element
in list order that has a component of that dimension and whose restrictions hold is the
one that prices it, judged at the start of each charging period; a new period starts
wherever a restriction's clock time or the local day changes. FLAT is charged once, by the
element active when the session starts. ENERGY's step_size (Wh) rounds the session's
energy up, billed by the element of the last period. The energy delivered by each period
boundary is stated to 1e-12 kWh, as a meter reading in a CDR is stated to a finite
precision. Money: each element's cost per dimension is rounded half-up to the cent;
min/max_price bound the total excl. VAT; VAT is
then taken on the total per VAT rate and rounded half-up (GST on the taxable value: the
convention our partners bill by, docs/ocpi.md).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
KNOWN_RESTRICTIONS = {"start_time", "end_time", "day_of_week"}
CENT = Decimal("0.01")
KWH_PLACES = Decimal("1e-12")  # the meter reading at each period boundary


@dataclass(frozen=True)
class Bill:
    excl_vat: Decimal
    vat: Decimal

    @property
    def incl_vat(self) -> Decimal:
        return self.excl_vat + self.vat


def _cent(value: Fraction | Decimal) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(CENT, ROUND_HALF_UP)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _holds(restrictions: dict | None, local: dt.datetime) -> bool:
    if not restrictions:
        return True
    unknown = set(restrictions) - KNOWN_RESTRICTIONS
    if unknown:
        raise NotImplementedError(f"restrictions {unknown}")
    days = restrictions.get("day_of_week")
    if days and DAYS[local.weekday()] not in days:
        return False
    now = local.hour * 60 + local.minute
    start, end = restrictions.get("start_time"), restrictions.get("end_time")
    if start is None and end is None:
        return True
    lo = _minutes(start) if start else 0
    hi = _minutes(end) if end else 24 * 60
    if lo == hi:
        return True
    if lo < hi:
        return lo <= now < hi
    return now >= lo or now < hi  # past midnight


def _cuts(tariff: dict, start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> list[dt.datetime]:
    """Every instant in (start, end) where a restriction's clock time or the day changes."""
    clock = {0}
    for element in tariff["elements"]:
        r = element.get("restrictions") or {}
        clock.update(_minutes(r[k]) for k in ("start_time", "end_time") if r.get(k))
    cuts = set()
    day = start.astimezone(zone).date() - dt.timedelta(days=1)
    while dt.datetime.combine(day, dt.time(0), zone) < end:
        for minute in clock:
            moment = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), zone)
            if start < moment < end:
                cuts.add(moment)
        day += dt.timedelta(days=1)
    return sorted(cuts)


def _active(tariff: dict, kind: str, local: dt.datetime) -> tuple[int, dict] | None:
    for i, element in enumerate(tariff["elements"]):
        for component in element["price_components"]:
            if component["type"] == kind and _holds(element.get("restrictions"), local):
                return i, component
    return None


def bill(tariff: dict, start: dt.datetime, end: dt.datetime, kwh: Decimal, time_zone: str) -> Bill:
    zone = ZoneInfo(time_zone)
    points = [start, *_cuts(tariff, start, end, zone), end]
    whole = Fraction((end - start) / dt.timedelta(microseconds=1))
    energy = Fraction(kwh)
    volumes: dict[tuple, Fraction] = {}
    prices: dict[tuple, Fraction] = {}
    vats: dict[tuple, Decimal] = {}
    last_energy = None

    def delivered(moment: dt.datetime) -> Fraction:
        """kWh delivered by `moment` at constant power, stated to 1e-12 kWh."""
        exact = energy * Fraction((moment - start) / dt.timedelta(microseconds=1)) / whole
        stated = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(KWH_PLACES)
        return Fraction(stated)

    for a, b in itertools.pairwise(points):
        local = a.astimezone(zone)
        period_kwh = delivered(b) - delivered(a) if b != end else energy - delivered(a)
        hours = Fraction((b - a) / dt.timedelta(microseconds=1)) / 3_600_000_000
        for kind, volume in (("ENERGY", period_kwh), ("TIME", hours)):
            found = _active(tariff, kind, local)
            if found is None:
                continue
            key = (found[0], kind)
            volumes[key] = volumes.get(key, Fraction(0)) + volume
            prices[key] = Fraction(str(found[1]["price"]))
            vats[key] = Decimal(str(found[1].get("vat", 0)))
            if kind == "ENERGY":
                last_energy = (key, found[1].get("step_size", 1))
    flat = _active(tariff, "FLAT", start.astimezone(zone))
    if flat is not None:
        key = (flat[0], "FLAT")
        volumes[key], prices[key] = Fraction(1), Fraction(str(flat[1]["price"]))
        vats[key] = Decimal(str(flat[1].get("vat", 0)))
    if last_energy is not None:
        (key, step) = last_energy
        wh = energy * 1000
        billed = Fraction(math.ceil(wh / step) * step)
        volumes[key] += (billed - wh) / 1000
    lines = {key: _cent(volumes[key] * prices[key]) for key in volumes}
    excl = sum(lines.values(), Decimal("0"))
    rates = set(vats.values())
    for name, wins in (("min_price", lambda t, b: t < b), ("max_price", lambda t, b: t > b)):
        bound = tariff.get(name)
        if bound is not None and wins(excl, Decimal(str(bound["excl_vat"]))):
            excl = _cent(Decimal(str(bound["excl_vat"])))
    if len(rates) > 1:
        raise NotImplementedError("one VAT rate per tariff")
    rate = rates.pop() if rates else Decimal("0")
    return Bill(excl, _cent(excl * rate / 100))
