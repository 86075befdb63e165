"""The network bench/on_search.py searches: per scenario, one city with two operators,
stations spread within 4 km of its centre (ten chargers each), tariffs at every level,
surge rules of every kind, add-ons, and active offers of mixed kinds and scopes."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from cpo_portal.models import Charger, Connector, Holiday, Operator, Station
from offers.demo.addons import ADD_ONS
from offers.demo.offers import cpo1_offers
from offers.models import AddOn, AddOnAvailability, Offer
from pricing.demo import upsert_surge, upsert_tariff
from pricing.models import GridSignal

D = Decimal
PER_STATION = 10
SITE_KINDS = ["urban", "urban", "highway", "mall", "office"]
SCOPES = ["stations", "chargers", "everywhere", "site-or-region", "circle"]


@dataclass(frozen=True)
class Scenario:
    """`chargers` and `offers` in city number `index` (cities are 1 degree apart)."""

    index: int
    chargers: int
    offers: int

    @property
    def label(self) -> str:
        return f"{self.chargers} chargers, {self.offers} offers"

    @property
    def centre(self) -> tuple[float, float]:
        return 12.9 + self.index * 1.0, 77.6

    @property
    def city_code(self) -> str:
        return f"std:8{self.index:02d}"

    def operator_codes(self) -> tuple[str, str]:
        return f"bench-{self.index}-one.example", f"bench-{self.index}-two.example"


def _stations(scenario: Scenario, ops: list[Operator], rng: random.Random) -> list[Station]:
    lat0, lon0 = scenario.centre
    count = max(1, -(-scenario.chargers // PER_STATION))
    rows = []
    today = dt.date.today()
    for i in range(count):
        # Within ~4 km of the centre: a 5 km search circle finds every one.
        dlat, dlon = rng.uniform(-0.025, 0.025), rng.uniform(-0.025, 0.025)
        rows.append(
            Station(
                operator=ops[0] if i % 5 else ops[1], code=f"b{scenario.index}-st-{i:04d}",
                name=f"Bench station {i}", address=f"{i} Bench Road", city="Bench City",
                city_code=scenario.city_code, region_code="KA",
                latitude=D(f"{lat0 + dlat:.6f}"), longitude=D(f"{lon0 + dlon:.6f}"),
                site_kind=SITE_KINDS[i % len(SITE_KINDS)],
                opened_on=today - dt.timedelta(days=10 if i % 7 == 0 else 400),
            )
        )  # fmt: skip
    return Station.objects.bulk_create(rows)


def _chargers(scenario: Scenario, stations: list[Station], rng: random.Random) -> list[Charger]:
    rows = []
    for n in range(scenario.chargers):
        station = stations[n // PER_STATION]
        fast = rng.random() < 0.4
        rows.append(
            Charger(
                operator_id=station.operator_id, station=station,
                code=f"{station.code}-c{n % PER_STATION:02d}", name=f"Charger {n}",
                power_kw=D("60") if fast else D("30"),
                power_type="DC" if fast else "AC_3_PHASE",
                charging_speed="FAST" if fast else "NORMAL",
                categories=["ev-charger", "fast"] if fast else ["ev-charger"],
            )
        )  # fmt: skip
    chargers = Charger.objects.bulk_create(rows)
    Connector.objects.bulk_create(
        Connector(
            charger=c, connector_id="1", power_type=c.power_type,
            connector_type="CCS2" if c.power_type == "DC" else "Type2",
            charging_speed=c.charging_speed, power_kw=c.power_kw,
        )
        for c in chargers
    )  # fmt: skip
    return chargers


def _pricing(op: Operator, stations: list[Station], chargers: list[Charger]) -> None:
    upsert_tariff(
        op, "standard", name="Standard", energy_rate_per_kwh=D("18"), service_fee=D("10"),
        tax_rate=D("0.18"), idle_fee_per_minute=D("2"),
        bands=[{"code": "off-peak", "label": "off-peak", "start": dt.time(22),
                "end": dt.time(6), "days": list(range(7)), "rate_per_kwh": D("16")}],
    )  # fmt: skip
    for station in stations[::10]:
        upsert_tariff(
            op, f"st-{station.code}", station=station, name="Station tariff",
            energy_rate_per_kwh=D("16"), service_fee=D("0"), tax_rate=D("0.18"),
            prices_include_tax=True,
        )  # fmt: skip
    for charger in chargers[::50]:
        upsert_tariff(
            op, f"ch-{charger.code}", charger=charger, name="Charger tariff",
            energy_rate_per_kwh=D("20"), service_fee=D("5"), tax_rate=D("0.18"),
        )  # fmt: skip
    upsert_surge(
        op, "congestion-evening", kind="peak", name="Congestion Fee",
        form="per_kwh",
        amount=D("1"), window_start=dt.time(18), window_end=dt.time(21),
    )  # fmt: skip
    upsert_surge(
        op, "holiday", kind="holiday", name="Holiday surcharge",
        form="per_kwh",
        amount=D("2"), holidays_only=True, stackable=False, priority=10,
    )  # fmt: skip
    upsert_surge(
        op, "highway-premium", kind="location", name="Highway location premium",
        form="flat", amount=D("25"), site_kinds=["highway"],
    )  # fmt: skip
    upsert_surge(
        op, "fast-charging", kind="fast_charging", name="Fast charging premium",
        form="per_kwh", amount=D("2"), min_power_kw=D("50"),
    )  # fmt: skip
    upsert_surge(
        op, "high-demand", kind="demand", name="High demand surge",
        form="percent", amount=D("20"), occupancy_threshold=D("0.8"),
        cap_per_session=D("50"), stations=stations[::4],
    )  # fmt: skip
    upsert_surge(
        op, "grid-stress", kind="demand", name="Grid stress surcharge",
        form="percent", amount=D("10"), on_grid_stress=True, stackable=False,
    )  # fmt: skip
    Holiday.objects.get_or_create(operator=op, date=dt.date.today(), defaults={"name": "Bench"})
    GridSignal.objects.create(operator=op, station=stations[0], raised_at=dt.datetime.now(dt.UTC))


def _add_ons(op: Operator, stations: list[Station]) -> None:
    for code, name, description, price, rate, stock in ADD_ONS:
        add_on = AddOn.objects.create(
            operator=op, code=code, name=name, description=description, price=price,
            tax_rate=rate,
        )  # fmt: skip
        AddOnAvailability.objects.bulk_create(
            AddOnAvailability(add_on=add_on, station=s, stock=stock) for s in stations[::2]
        )


def _offers(op: Operator, count: int, stations, chargers, centre, rng: random.Random) -> None:
    templates = [(code, fields) for code, fields in cpo1_offers()]
    for n in range(count):
        code, fields = templates[n % len(templates)]
        fields = {k: v for k, v in fields.items() if k != "word"}
        scope = SCOPES[n % len(SCOPES)]
        if scope == "site-or-region":
            fields |= {"site_kinds": ["highway", "mall"]} if n % 2 else {"region_codes": ["KA"]}
        elif scope == "circle":
            fields |= {"geo_lat": D(f"{centre[0]:.6f}"), "geo_lon": D(f"{centre[1]:.6f}"),
                       "geo_radius_km": D("2")}  # fmt: skip
        offer = Offer(operator=op, code=f"{code}-{n:03d}", status="active", **fields)
        offer.full_clean()
        offer.save()
        if scope == "stations":
            offer.stations.set(rng.sample(stations, min(3, len(stations))))
        elif scope == "chargers":
            offer.chargers.set(rng.sample(chargers, min(5, len(chargers))))


@transaction.atomic
def seed(scenario: Scenario) -> None:
    rng = random.Random(scenario.index)
    ops = [Operator.objects.create(code=code, name=f"Bench {code.split('-')[2].title()}")
           for code in scenario.operator_codes()]  # fmt: skip
    stations = _stations(scenario, ops, rng)
    chargers = _chargers(scenario, stations, rng)
    for k, op in enumerate(ops):
        mine = [s for s in stations if s.operator_id == op.pk]
        their = [c for c in chargers if c.operator_id == op.pk]
        if not mine:
            continue
        _pricing(op, mine, their)
        _add_ons(op, mine)
        share = scenario.offers - scenario.offers // 5 if k == 0 else scenario.offers // 5
        _offers(op, share, mine, their, scenario.centre, rng)
