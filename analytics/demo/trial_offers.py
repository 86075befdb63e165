"""The offers and customers the analytics demo simulates against (idempotent, by code).

Two offers run with a holdout (so ROI comes from the held-out customers) and two without
(ROI from the same stations' baseline before they started), starting on different days so
the dashboards have a before and an after.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from analytics.calc.periods import day_start
from cpo_portal.models import Operator
from offers.models import Customer, Offer
from offers.services import customer_key

D = Decimal


def offer_specs(first_day: dt.date, days: int) -> dict[str, list[dict]]:
    """operator code -> offers, each starting some way into the simulated period."""

    def day(fraction: float) -> dt.date:
        return first_day + dt.timedelta(days=int(days * fraction))

    return {
        "cpo1.com": [
            {
                "code": "night-owl-20",
                "title": "Night owl: 20% off energy 22:00-06:00",
                "type_label": "NIGHT_CHARGING",
                "benefit_kind": "percent",
                "percent": D("20"),
                "base": "energy",
                "window_start": dt.time(22),
                "window_end": dt.time(6),
                "holdout_percent": D("20"),
                "starts": day(0.15),
            },
            {
                "code": "weekday-lunch-30",
                "title": "Lunch break: ₹30 off, weekdays 12:00-15:00",
                "type_label": "HAPPY_HOUR",
                "benefit_kind": "fixed",
                "amount": D("30"),
                "base": "gross",
                "days_of_week": [0, 1, 2, 3, 4],
                "window_start": dt.time(12),
                "window_end": dt.time(15),
                "min_session_value": D("100"),
                "holdout_percent": D("25"),
                "starts": day(0.3),
            },
            {
                "code": "weekend-25",
                "title": "Weekend special: 25% off energy",
                "type_label": "WEEKEND_SPECIAL",
                "benefit_kind": "percent",
                "percent": D("25"),
                "base": "energy",
                "days_of_week": [5, 6],
                "min_session_value": D("50"),
                "max_discount": D("100"),
                "starts": day(0.45),
            },
            {
                "code": "highway-free-2kwh",
                "title": "Highway special: first 2 kWh free",
                "type_label": "HIGHWAY_SPECIAL",
                "benefit_kind": "free_kwh",
                "free_kwh": D("2"),
                "site_kinds": ["highway"],
                "starts": day(0.55),
            },
        ],
        "voltgrid.in": [
            {
                "code": "vg-early-bird-15",
                "title": "Early bird: 15% off 06:00-09:00",
                "type_label": "EARLY_BIRD",
                "benefit_kind": "percent",
                "percent": D("15"),
                "base": "energy",
                "window_start": dt.time(6),
                "window_end": dt.time(9),
                "holdout_percent": D("20"),
                "starts": day(0.25),
            },
        ],
    }


def ensure_offers(operators: dict[str, Operator], first_day: dt.date, days: int) -> list[Offer]:
    made = []
    for code, specs in offer_specs(first_day, days).items():
        operator = operators.get(code)
        if operator is None:
            continue
        for spec in specs:
            spec = dict(spec)
            starts = spec.pop("starts")
            offer = Offer.objects.filter(operator=operator, code=spec["code"]).first()
            if offer is None:
                offer = Offer(operator=operator, status="active", auto=True, **spec)
                offer.valid_from = day_start(starts, operator.time_zone)
                offer.full_clean()
                offer.save()
            made.append(offer)
    return made


TIERS = ["", "", "", "", "silver", "silver", "gold"]
SEGMENTS = ["", "", "", "", "", "fleet", "commuter"]


def ensure_customers(operator: Operator, count: int, first_day: dt.date) -> list[str]:
    """`count` customers keyed as production keys them (salted hash of a phone number)."""
    prefix = 70_000_00000 + (operator.pk % 90) * 100_000
    keys = [customer_key(phone=f"+91{prefix + i:010d}") for i in range(count)]
    rows = [
        Customer(
            operator=operator,
            key=key,
            tier=TIERS[i % len(TIERS)],
            segment=SEGMENTS[i % len(SEGMENTS)],
            member=i % 3 == 0,
            joined_on=first_day - dt.timedelta(days=30 + i % 400),
        )
        for i, key in enumerate(keys)
    ]
    for row in rows:  # the model's checks, as for any write
        row.full_clean(validate_unique=False, validate_constraints=False)
    Customer.objects.bulk_create(rows, ignore_conflicts=True)
    return keys
