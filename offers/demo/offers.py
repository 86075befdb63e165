"""The demo offers themselves: one per DEG offer type (see offers.demo)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
SINCE = dt.datetime(2025, 9, 1, tzinfo=IST)
D = Decimal
WEEKEND, WEEKDAYS = [5, 6], [0, 1, 2, 3, 4]
NO_LIMITS = {"min_session_value": None, "max_discount": None}


def percent_off(value: str, base: str = "energy") -> dict:
    return {"benefit_kind": "percent", "percent": D(value), "base": base}


def cpo1_offers() -> list[tuple[str, dict]]:
    return [
        ("weekend-discount-25", {
            "title": "Weekend Special - 25% Off",
            "short_desc": "Get 25% off on all charging sessions this weekend",
            "type_label": "WEEKEND_SPECIAL", **percent_off("25"), "min_session_value": D("50"),
            "max_discount": D("100"), "days_of_week": WEEKEND, "valid_from": SINCE,
            "word": "WEEKEND25", "priority": 5,
        }),
        ("happy-hour-20", {
            "title": "Happy Hour - 20% Off", "short_desc": "Weekdays 2-5 PM, off-peak",
            "type_label": "HAPPY_HOUR", **percent_off("20"), "days_of_week": WEEKDAYS,
            "window_start": dt.time(14), "window_end": dt.time(17), "max_discount": D("80"),
        }),
        ("night-owl-12", {
            "title": "Night Owl - ₹12/kWh", "short_desc": "11 PM to 6 AM, every night",
            "type_label": "NIGHT_CHARGING", "benefit_kind": "rate_override",
            "rate_per_kwh": D("12"), "window_start": dt.time(23), "window_end": dt.time(6),
        }),
        ("early-bird-15", {
            "title": "Early Bird - ₹15 Off", "short_desc": "Sessions starting 6-9 AM",
            "type_label": "EARLY_BIRD", "benefit_kind": "fixed", "amount": D("15"),
            "base": "gross", "min_session_value": D("60"), "window_start": dt.time(6),
            "window_end": dt.time(9),
        }),
        ("new-station-launch-30", {
            "title": "New Station Launch - 30% Off", "type_label": "NEW_STATION_LAUNCH",
            "short_desc": "At stations in their first 30 days", **percent_off("30"),
            "launch_days": 30, "max_discount": D("150"),
        }),
        ("highway-special-15", {
            "title": "Highway Special - 15% Off", "type_label": "HIGHWAY_SPECIAL",
            "short_desc": "On highway stations", **percent_off("15"), "site_kinds": ["highway"],
            "additive": True,
        }),
        ("members-gold-14", {
            "title": "Gold & Platinum members - ₹14/kWh", "type_label": "TIER_PRICING",
            "benefit_kind": "rate_override", "rate_per_kwh": D("14"), "members_only": True,
            "tiers": ["gold", "platinum"], "priority": 3,
        }),
        ("referral-3kwh", {
            "title": "Referral Bonus - 3 kWh Free", "type_label": "REFERRAL_BONUS",
            "short_desc": "Your first session, when a friend referred you",
            "benefit_kind": "free_kwh", "free_kwh": D("3"), "referred_only": True,
            "first_session_only": True,
        }),
        ("anniversary-50", {
            "title": "Anniversary Reward - 50% Off", "type_label": "ANNIVERSARY_REWARD",
            "short_desc": "Within a week of the day you joined", **percent_off("50"),
            "anniversary_days": 7, "max_discount": D("200"),
        }),
        ("monthly-package-100", {
            "title": "Monthly Package - 100 kWh", "type_label": "MONTHLY_PACKAGE",
            "benefit_kind": "credit_drawdown", "credit_plan": "pkg-100", "additive": True,
            "priority": 10,
        }),
        ("prepaid-wallet", {
            "title": "Prepaid Credit", "type_label": "PREPAID_CREDIT",
            "benefit_kind": "credit_drawdown", "credit_plan": "prepaid", "base": "gross",
            "additive": True, "priority": 9,
        }),
        ("family-plan", {
            "title": "Family Plan Credit", "type_label": "FAMILY_PLAN",
            "benefit_kind": "credit_drawdown", "credit_plan": "family", "base": "gross",
            "additive": True, "priority": 8,
        }),
        ("bulk-charging-slabs", {
            "title": "Bulk Charging - up to 15% Off", "type_label": "BULK_CHARGING",
            "short_desc": "10% from 20 kWh, 15% from 50 kWh", "benefit_kind": "slabs",
            "slabs": [{"from_kwh": "20", "to_kwh": "50", "percent": "10"},
                      {"from_kwh": "50", "to_kwh": None, "percent": "15"}],
            "slab_mode": "whole", "min_kwh": D("20"), "max_discount": D("300"),
        }),
        ("buy10-get2", {
            "title": "Buy 10 kWh, Get 2 kWh Free", "type_label": "BUY_X_GET_Y",
            "benefit_kind": "buy_x_get_y", "buy_kwh": D("10"), "get_kwh": D("2"),
            "auto": False, "word": "BUY10GET2",
        }),
        ("delhi-weekday-10", {
            "title": "Delhi Weekdays - 10% Off", "type_label": "REGIONAL_PROMOTION",
            "short_desc": "Weekdays in Delhi (10% holdout measures the uplift)",
            **percent_off("10"), "region_codes": ["DL"], "days_of_week": WEEKDAYS,
            "holdout_percent": D("10"), "budget": D("50000"), "budget_policy": "cut",
        }),
        ("solar-noon-trade", {
            "title": "Solar Noon Energy - ₹11/kWh", "type_label": "ENERGY_TRADE",
            "short_desc": "Rooftop solar 10 AM-4 PM, wheeled over the DISCOM grid",
            "benefit_kind": "energy_trade", "pricing_model": "TIME_OF_DAY",
            "tod_rates": [{"timeRange": {"start": "10:00", "end": "16:00"}, "rate": 11,
                           "currency": "INR"}],
            "wheeling_amount": D("2.50"), "wheeling_currency": "INR",
            "wheeling_description": "DISCOM grid wheeling charge", "min_quantity": D("2"),
            "max_quantity": D("60"), "settlement_type": "DAILY", "auto": False,
        }),
        ("welcome-100", {
            "title": "Welcome - ₹100 Off Your First Session", "type_label": "OTHER",
            "benefit_kind": "fixed", "amount": D("100"), "base": "gross",
            "first_session_only": True, "auto": False, "max_uses": 50,
        }),
    ]  # fmt: skip


def voltgrid_offers() -> list[tuple[str, dict]]:
    return [
        ("vg-highway-10", {
            "title": "VoltGrid Highway - 10% Off", "type_label": "HIGHWAY_SPECIAL",
            **percent_off("10"), "site_kinds": ["highway"],
        }),
        ("vg-weekend-20", {
            "title": "VoltGrid Weekend - 20% Off", "type_label": "WEEKEND_SPECIAL",
            **percent_off("20"), "days_of_week": WEEKEND, "min_session_value": D("100"),
            "max_discount": D("60"), "word": "VGWEEKEND",
        }),
    ]  # fmt: skip
