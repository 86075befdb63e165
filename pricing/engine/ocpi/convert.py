"""OCPI 2.2.1 Tariff <-> our pricing.engine.types.Tariff.

Ours is the narrower model: energy per kWh by time of day, a service fee, an idle fee per
minute, min/max price and one tax rate. `from_ocpi` maps what fits and warns, in plain words,
about everything that does not fit exactly; the caller then keeps the OCPI JSON and prices
with ocpi.calculate. `to_ocpi` always fits, except for what OCPI 2.2.1 cannot say (an idle
grace period; prices that include tax), which it refuses rather than export a different price.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pricing.engine.amounts import ZERO, money
from pricing.engine.ocpi import bands as b
from pricing.engine.ocpi import fields as f
from pricing.engine.ocpi.model import parse_tariff
from pricing.engine.ocpi.objects import OcpiPrice, OcpiTariff, PriceComponent, TariffElement
from pricing.engine.ocpi.objects import TariffDimensionType as D
from pricing.engine.types import RateBand, Tariff

TIME_OF_DAY = frozenset({"start_time", "end_time", "day_of_week"})
PRICE_PLACES = Decimal("0.000001")  # prices converted from tax-inclusive, and per minute


class OcpiExportError(ValueError):
    """The tariff says something OCPI 2.2.1 cannot; `problems` lists what."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def from_ocpi(ocpi: OcpiTariff) -> tuple[Tariff, list[str]]:
    """Our Tariff for `ocpi`, and a warning for each thing it does not represent exactly."""
    warn: list[str] = []
    for i, e in enumerate(ocpi.elements):
        if e.reservation is not None and any(c.price for c in e.price_components):
            warn.append(f"element {i}: reservation prices ({e.reservation}) are not represented")
    charging = [(i, e) for i, e in enumerate(ocpi.elements) if e.reservation is None]
    default, windows = _energy(charging, warn)
    flat = _unrestricted(D.FLAT, charging, warn)
    parking = _unrestricted(D.PARKING_TIME, charging, warn)
    for i, e in charging:
        time = e.component(D.TIME)
        if time is not None and time.price:
            warn.append(f"element {i}: charging time at {time.price}/h is not represented")
    used = [c for c in (default, flat, parking, *(c for _, c in windows)) if c is not None]
    rate = _tax_rate(used, default, warn)
    named, tax_name = b.read_alt_texts(ocpi.tariff_alt_text)
    windows, names = b.named_bands(windows, named)
    tariff = Tariff(
        code=ocpi.id,
        currency=ocpi.currency,
        energy_rate_per_kwh=default.price if default else ZERO,
        bands=tuple(
            RateBand(code, label, w, c.price)
            for (code, label), (w, c) in zip(names, windows, strict=True)
        ),
        service_fee=flat.price if flat else ZERO,
        idle_fee_per_minute=_per_minute(parking, warn),
        min_price=_bound("min_price", ocpi.min_price, rate, warn),
        max_price=_bound("max_price", ocpi.max_price, rate, warn),
        tax_rate=rate,
        tax_included=False,
        tax_name=tax_name or "VAT",
    )
    return tariff, warn


def to_ocpi(
    tariff: Tariff,
    *,
    id: str,
    country_code: str,
    party_id: str,
    last_updated: dt.datetime,
    convert_tax_inclusive: bool = False,
) -> dict[str, Any]:
    """A valid OCPI 2.2.1 Tariff object (JSON-ready dict) with the same prices as `tariff`.

    OCPI prices exclude VAT. A tax-inclusive tariff is refused unless `convert_tax_inclusive`,
    which divides its prices by (1 + tax_rate) to 6 decimals: close, but no longer exact.
    """
    problems = []
    if tariff.idle_grace_minutes:
        problems.append(
            f"idle_grace_minutes={tariff.idle_grace_minutes}: OCPI 2.2.1 has no parking grace "
            "period (min_duration counts from the session start, not from when charging ends)"
        )
    if tariff.tax_included and not convert_tax_inclusive:
        problems.append("prices include tax; OCPI 2.2.1 prices exclude VAT")
    if problems:
        raise OcpiExportError(problems)
    factor = 1 + tariff.tax_rate
    vat = tariff.tax_rate * 100

    def net(amount: Decimal) -> Decimal:
        return (amount / factor).quantize(PRICE_PLACES) if tariff.tax_included else amount

    def component(kind: D, price: Decimal, step: int) -> dict[str, Any]:
        path = f"{kind} price"
        return {
            "type": kind.value,
            "price": f.json_number(price, path),
            "vat": _n(vat),
            "step_size": step,
        }

    elements = [
        {"price_components": [component(D.ENERGY, net(band.rate_per_kwh), 1)], "restrictions": r}
        for band in tariff.bands
        for r in b.restrictions_for(band.window)
    ]
    default = [component(D.ENERGY, net(tariff.energy_rate_per_kwh), 1)]
    if tariff.service_fee:
        default.append(component(D.FLAT, net(tariff.service_fee), 1))
    if tariff.idle_fee_per_minute:
        default.append(component(D.PARKING_TIME, net(tariff.idle_fee_per_minute) * 60, 60))
    elements.append({"price_components": default})
    data: dict[str, Any] = {
        "country_code": country_code,
        "party_id": party_id,
        "id": id,
        "currency": tariff.currency,
        "tariff_alt_text": [
            {"language": t.language, "text": t.text}
            for t in b.alt_texts(tariff.bands, tariff.tax_name)
        ],
    }
    for key, amount in (("min_price", tariff.min_price), ("max_price", tariff.max_price)):
        if amount is not None:
            incl = amount if tariff.tax_included else money(amount * factor)
            data[key] = {"excl_vat": _n(net(amount)), "incl_vat": _n(incl)}
    data["elements"] = elements
    data["last_updated"] = f.format_datetime(last_updated)
    parse_tariff(data)  # what we send must be what we accept
    return data


def _energy(
    charging: list[tuple[int, TariffElement]], warn: list[str]
) -> tuple[PriceComponent | None, list[tuple[Any, PriceComponent]]]:
    """The unrestricted ENERGY component, and time-of-day windows before it, in order."""
    windows: list[tuple[Any, PriceComponent]] = []
    for i, e in charging:
        c = e.component(D.ENERGY)
        if c is None:
            continue
        if c.step_size > 1:
            warn.append(f"element {i}: energy billed per {c.step_size} Wh, we bill exact kWh")
        r = e.restrictions
        names = r.set_fields() if r is not None else ()
        if r is None or not names:
            return c, windows
        if not set(names) <= TIME_OF_DAY:
            extra = ", ".join(n for n in names if n not in TIME_OF_DAY)
            warn.append(f"element {i}: energy at {c.price}/kWh only under {extra}: left out")
            continue
        windows.extend((w, c) for w in b.windows_for(r))
    return None, windows


def _unrestricted(
    kind: D, charging: list[tuple[int, TariffElement]], warn: list[str]
) -> PriceComponent | None:
    for i, e in charging:
        c = e.component(kind)
        if c is None:
            continue
        if e.restrictions and e.restrictions.set_fields():
            names = ", ".join(e.restrictions.set_fields())
            warn.append(f"element {i}: {kind} at {c.price} only under {names}: left out")
            continue
        if kind is D.PARKING_TIME and c.step_size and 60 % c.step_size:
            warn.append(f"element {i}: parking billed per {c.step_size} s, we bill whole minutes")
        return c
    return None


def _per_minute(parking: PriceComponent | None, warn: list[str]) -> Decimal:
    if parking is None:
        return ZERO
    exact = parking.price / 60
    if _terminates(Fraction(parking.price) / 60):
        return exact
    rounded = exact.quantize(PRICE_PLACES)
    warn.append(f"parking {parking.price}/h is {rounded}/min only approximately")
    return rounded


def _terminates(value: Fraction) -> bool:
    """A fraction is a finite decimal when its denominator has no prime but 2 and 5."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def _tax_rate(
    used: list[PriceComponent], default: PriceComponent | None, warn: list[str]
) -> Decimal:
    rates = {c.vat for c in used}
    chosen = default.vat if default is not None else (used[0].vat if used else None)
    if len(rates) > 1:
        shown = ", ".join("none" if r is None else f"{r}%" for r in sorted(rates, key=str))
        warn.append(f"components carry different VAT ({shown}); one tax rate kept: {chosen}")
    return ZERO if chosen is None else chosen / 100


def _bound(name: str, price: OcpiPrice | None, rate: Decimal, warn: list[str]) -> Decimal | None:
    if price is None:
        return None
    expected = money(price.excl_vat * (1 + rate))
    if price.incl_vat is not None and price.incl_vat != expected:
        warn.append(f"{name}: incl_vat {price.incl_vat} is not excl_vat plus tax ({expected})")
    return price.excl_vat


def _n(value: Decimal) -> int | float:
    return f.json_number(value, "amount")
