"""Priced sessions and offers built directly, as the quote engine would hand them over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

from offers.rules.construct import (
    Applicability,
    Benefit,
    Meta,
    OfferRule,
    PercentOff,
    Qualifier,
)
from offers.rules.facts import CustomerFacts, OfferFacts, StationFacts
from pricing.engine.amounts import money
from pricing.engine.types import (
    LineKind,
    PricedSession,
    QuoteLine,
    Segment,
    SessionRequest,
    Site,
    Tariff,
    TimeWindow,
)

D = Decimal
IST = ZoneInfo("Asia/Kolkata")
SUNDAY_10 = dt.datetime(2025, 9, 21, 10, 0, tzinfo=IST)  # inside the DEG weekend window
WEDNESDAY_10 = dt.datetime(2025, 9, 24, 10, 0, tzinfo=IST)
WEEKEND = TimeWindow(dt.time(0), dt.time(0), frozenset({5, 6}))


def site(**changes: object) -> Site:
    values: dict[str, object] = {
        "station_code": "ST-CP",
        "charger_code": "pe-charging-01",
        "time_zone": "Asia/Kolkata",
        "power_kw": D("30"),
        "site_kind": "urban",
        "region_code": "DL",
        "city_code": "std:011",
        "category_codes": frozenset({"weekend-special"}),
    }
    values.update(changes)
    return Site(**values)  # type: ignore[arg-type]


def tariff(rate: str = "18", fee: str = "10", currency: str = "INR") -> Tariff:
    return Tariff(code="T1", currency=currency, energy_rate_per_kwh=D(rate), service_fee=D(fee))


def priced_segments(
    segments: Sequence[tuple[dt.datetime, dt.datetime, str, str]],
    fee: str = "10",
    surges: Sequence[tuple[str, str]] = (),
    where: Site | None = None,
    currency: str = "INR",
) -> PricedSession:
    """(start, end, kWh, rate) per segment; one energy line each; surges are (code, ₹)."""
    segs = tuple(
        Segment(start=s, end=e, kwh=D(k), band_code=f"B{i}", rate_per_kwh=D(r), surge_codes=())
        for i, (s, e, k, r) in enumerate(segments)
    )
    lines = [
        QuoteLine(
            kind=LineKind.ENERGY,
            code=seg.band_code,
            title=f"Charging session cost ({seg.kwh} kWh @ ₹{seg.rate_per_kwh}/kWh)",
            amount=money(seg.kwh * seg.rate_per_kwh),
            kwh=seg.kwh,
            rate=seg.rate_per_kwh,
            tax_rate=D("0.18"),
        )
        for seg in segs
    ]
    if D(fee):
        lines.append(QuoteLine(LineKind.SERVICE_FEE, "FEE", "Service Fee", money(fee)))
    lines += [QuoteLine(LineKind.SURGE, code, code, money(amount)) for code, amount in surges]
    the_site = where or site()
    kwh = sum((seg.kwh for seg in segs), D(0))
    request = SessionRequest(site=the_site, start=segs[0].start, end=segs[-1].end, kwh=kwh)
    return PricedSession(
        request=request,
        tariff=tariff(str(segs[0].rate_per_kwh), fee, currency),
        start=segs[0].start,
        end=segs[-1].end,
        kwh=kwh,
        segments=segs,
        lines=tuple(lines),
    )


def priced_slot(
    kwh: str = "5",
    rate: str = "18",
    fee: str = "10",
    start: dt.datetime = SUNDAY_10,
    minutes: int = 60,
    surges: Sequence[tuple[str, str]] = (),
    where: Site | None = None,
    currency: str = "INR",
) -> PricedSession:
    end = start + dt.timedelta(minutes=minutes)
    return priced_segments([(start, end, kwh, rate)], fee, surges, where, currency)


def offer(
    offer_id: str = "o1",
    benefit: Benefit | None = None,
    *,
    additive: bool = False,
    auto: bool = True,
    priority: int = 0,
    title: str | None = None,
    applicability: Applicability | None = None,
    qualifier: Qualifier | None = None,
    **changes: object,
) -> OfferRule:
    values: dict[str, object] = {
        "id": offer_id,
        "operator_code": "cpo1.com",
        "title": title or f"Offer {offer_id}",
        "benefit": benefit or PercentOff(D("10")),
        "applicability": applicability or Applicability(),
        "qualifier": qualifier or Qualifier(),
        "meta": Meta(auto=auto, additive=additive, priority=priority),
    }
    values.update(changes)
    return OfferRule(**values)  # type: ignore[arg-type]


def deg_weekend_offer() -> OfferRule:
    """weekend-discount-25 as the DEG on_search publishes it."""
    return OfferRule(
        id="weekend-discount-25",
        operator_code="cpo1.com",
        title="Weekend Special Offer (25% off)",
        short_desc="Get 25% off on all charging sessions this weekend",
        type_label="WEEKEND_SPECIAL",
        benefit=PercentOff(D("25")),
        applicability=Applicability(
            category_codes=frozenset({"weekend-special"}),
            valid_from=dt.datetime(2025, 9, 21, tzinfo=dt.UTC),
            valid_until=dt.datetime(2025, 9, 22, 23, 59, 59, tzinfo=dt.UTC),
            windows=(WEEKEND,),
        ),
        qualifier=Qualifier(min_session_value=D("50")),
        max_discount=D("100"),
    )


def facts(**changes: object) -> OfferFacts:
    values: dict[str, object] = {
        "customer": CustomerFacts(key="cust-1"),
        "station": StationFacts(lat=28.6315, lon=77.2167, opened_on=dt.date(2025, 1, 1)),
        "operator_code": "cpo1.com",
    }
    values.update(changes)
    return OfferFacts(**values)  # type: ignore[arg-type]


def total_discount(result) -> Decimal:
    """The discount of the offers a result applied."""
    return sum((a.discount for a in result.applied), Decimal(0))
