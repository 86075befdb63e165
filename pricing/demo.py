"""Demo pricing: tariffs and surge rules for the demo network (after cpo_portal.demo).

cpo1.com gets the DEG figures: the flagship charger pe-charging-01 at ₹18/kWh + ₹10 fee
(₹100 buys 5 kWh), a tax-inclusive ₹16/kWh station with the "Congestion Fee: ₹1/kWh
between 6 PM - 9 PM", and one surge rule of every kind. Idempotent: rows are keyed by code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from cpo_portal.db.validation import save_valid, upsert_valid
from cpo_portal.models import Charger, Operator, Station
from pricing.models import SurgeRule, Tariff, TariffBand

IST = ZoneInfo("Asia/Kolkata")
SINCE = dt.datetime(2025, 1, 1, tzinfo=IST)
D = Decimal
WEEKEND = [5, 6]
WEEKDAYS = [0, 1, 2, 3, 4]


def add_arguments(parser) -> None:
    """No options of its own."""


@transaction.atomic  # a tariff refused by its checks leaves the one in use active
def upsert_tariff(operator: Operator, code: str, bands=(), **fields) -> Tariff:
    scope = {"station": fields.pop("station", None), "charger": fields.pop("charger", None)}
    for old in Tariff.objects.filter(operator=operator, active=True, **scope).exclude(code=code):
        old.active = False
        old.save(update_fields=["active", "updated_at"])
    tariff, _ = upsert_valid(
        Tariff, {"operator": operator, "code": code}, {**scope, "active": True, **fields}
    )
    tariff.bands.exclude(code__in=[b["code"] for b in bands]).delete()
    for band in bands:
        upsert_valid(TariffBand, {"tariff": tariff, "code": band["code"]}, band)
    return tariff


def upsert_surge(operator: Operator, code: str, stations=(), **fields) -> SurgeRule:
    fields.setdefault("effective_from", SINCE)
    rule, _ = upsert_valid(SurgeRule, {"operator": operator, "code": code}, fields)
    rule.stations.set(stations)
    return rule


def metro_station(cpo1: Operator) -> Station | None:
    """The DEG surge journey's station: in Delhi (the congestion fee applies), with no
    charger of 50 kW or more (no fast-charging premium), so its quotes are the DEG ones."""
    stations = Station.objects.filter(operator=cpo1, region_code="DL", code__startswith="cpo1-st-")
    for station in stations.exclude(site_kind__in=["highway", "mall", "airport"]).order_by("code"):
        powers = [c.power_kw for c in station.chargers.all()]
        if powers and max(powers) < 50:
            return station
    return None


def seed_cpo1(cpo1: Operator) -> int:
    upsert_tariff(
        cpo1, "cpo1-standard", name="CPO1 standard", energy_rate_per_kwh=D("18"),
        service_fee=D("10"), tax_rate=D("0.18"), prices_include_tax=False,
        idle_fee_per_minute=D("2"), idle_grace_minutes=0,
        bands=[{"code": "off-peak", "label": "off-peak", "start": dt.time(22),
                "end": dt.time(6), "days": list(range(7)), "rate_per_kwh": D("16")}],
    )  # fmt: skip
    flagship = Charger.objects.filter(operator=cpo1, code="pe-charging-01").first()
    if flagship is not None:
        upsert_tariff(
            cpo1, "cpo1-flagship", charger=flagship, name="DEG flagship charger",
            energy_rate_per_kwh=D("18"), service_fee=D("10"), tax_rate=D("0.18"),
        )  # fmt: skip
    metro = metro_station(cpo1)
    if metro is not None:
        upsert_tariff(
            cpo1, "cpo1-metro-inclusive", station=metro, name="Metro, GST included",
            energy_rate_per_kwh=D("16"), service_fee=D("0"), tax_rate=D("0.18"),
            prices_include_tax=True,
        )  # fmt: skip
    stations = Station.objects.filter(operator=cpo1)
    green = list(stations.filter(site_kind__in=["office", "rural"])[:6])
    busy = [s for s in (flagship.station if flagship else None, metro) if s is not None]
    rules = [
        upsert_surge(
            cpo1, "congestion-evening", kind="peak", name="Congestion Fee",
            form="per_kwh",
            amount=D("1"), window_start=dt.time(18), window_end=dt.time(21),
            region_codes=["DL", "HR", "UP"],
        ),
        upsert_surge(
            cpo1, "weekend-leisure", kind="weekend", name="Weekend surcharge",
            form="percent", amount=D("10"), window_days=WEEKEND, site_kinds=["mall", "airport"],
        ),
        upsert_surge(
            cpo1, "holiday", kind="holiday", name="Holiday surcharge",
            form="per_kwh",
            amount=D("2"), holidays_only=True, stackable=False, priority=10,
        ),
        upsert_surge(
            cpo1, "night-highway", kind="night", name="Night service charge",
            form="per_kwh", amount=D("0.5"), window_start=dt.time(23), window_end=dt.time(5),
            site_kinds=["highway"],
        ),
        upsert_surge(
            cpo1, "highway-premium", kind="location", name="Highway location premium",
            form="flat", amount=D("25"), site_kinds=["highway"],
        ),
        upsert_surge(
            cpo1, "fast-charging", kind="fast_charging", name="Fast charging premium",
            form="per_kwh", amount=D("2"), min_power_kw=D("50"),
        ),
        upsert_surge(
            cpo1, "renewable-premium", kind="environmental", name="Renewable energy premium",
            note="It pays for solar power at these stations",
            form="per_kwh", amount=D("0.25"), exempt_segments=["fleet"], stations=green,
        ),
        upsert_surge(
            cpo1, "high-demand", kind="demand", name="High demand surge",
            form="percent", amount=D("20"), occupancy_threshold=D("0.8"),
            cap_per_session=D("50"), exempt_tiers=["gold"], stations=busy,
        ),
        upsert_surge(
            cpo1, "grid-stress", kind="demand", name="Grid stress surcharge",
            note="It helps the grid through demand response", form="percent", amount=D("10"),
            on_grid_stress=True, region_codes=["DL"], stackable=False,
        ),
    ]  # fmt: skip
    return len(rules)


def seed_voltgrid(voltgrid: Operator) -> int:
    voltgrid.surge_notice_hours = 24
    save_valid(voltgrid)
    upsert_tariff(
        voltgrid, "vg-standard", name="VoltGrid highway", energy_rate_per_kwh=D("21"),
        service_fee=D("0"), tax_rate=D("0.18"), prices_include_tax=True, min_price=D("50"),
    )  # fmt: skip
    upsert_surge(
        voltgrid, "vg-evening", kind="peak", name="Evening peak",
        form="percent",
        amount=D("5"), window_start=dt.time(17), window_end=dt.time(22), window_days=WEEKDAYS,
    )  # fmt: skip
    upsert_surge(
        voltgrid, "vg-ultra", kind="fast_charging", name="Ultra-fast premium",
        form="per_kwh",
        amount=D("3"), charging_speeds=["ULTRA_FAST"],
    )  # fmt: skip
    return 2


@transaction.atomic
def seed(options: dict, out) -> None:
    rules = 0
    cpo1 = Operator.objects.filter(code="cpo1.com").first()
    if cpo1 is not None:
        rules += seed_cpo1(cpo1)
    voltgrid = Operator.objects.filter(code="voltgrid.in").first()
    if voltgrid is not None:
        rules += seed_voltgrid(voltgrid)
    out.write(f"Pricing: {Tariff.objects.count()} tariffs, {rules} demo surge rules.\n")
