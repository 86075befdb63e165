"""Demo network: the DEG examples' CPO and a realistic network around it.

Idempotent: every row is keyed by its published code, so running it again updates in place.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from tqdm import tqdm

from cpo_portal.db.validation import upsert_valid
from cpo_portal.formatting.number_inputs import whole_number_option

from .models import Charger, Connector, Holiday, Operator, Role, StaffMembership, Station


@dataclass(frozen=True)
class City:
    name: str
    city_code: str
    region: str
    lat: float
    lon: float


CITIES = [
    City("New Delhi", "std:011", "DL", 28.6139, 77.2090),
    City("Gurugram", "std:0124", "HR", 28.4595, 77.0266),
    City("Noida", "std:0120", "UP", 28.5355, 77.3910),
    City("Mumbai", "std:022", "MH", 19.0760, 72.8777),
    City("Pune", "std:020", "MH", 18.5204, 73.8567),
    City("Bengaluru", "std:080", "KA", 12.9716, 77.5946),
    City("Chennai", "std:044", "TN", 13.0827, 80.2707),
    City("Hyderabad", "std:040", "TG", 17.3850, 78.4867),
    City("Jaipur", "std:0141", "RJ", 26.9124, 75.7873),
]
HIGHWAYS = [
    ("NH48 Delhi-Jaipur", CITIES[0], 27.9, 76.6),
    ("Mumbai-Pune Expressway", CITIES[3], 18.75, 73.4),
    ("Bengaluru-Mysuru Expressway", CITIES[5], 12.6, 76.9),
    ("Yamuna Expressway", CITIES[2], 27.9, 77.7),
]
SITE_WEIGHTS = [
    ("urban", 5),
    ("highway", 2),
    ("mall", 2),
    ("rural", 1),
    ("airport", 1),
    ("office", 1),
]
CHARGER_KINDS = [
    # name, kW, power type, speed, connector
    ("AC Fast Charger", Decimal("30"), "AC_3_PHASE", "FAST", "CCS2"),
    ("AC Charger", Decimal("7.4"), "AC_1_PHASE", "NORMAL", "Type2"),
    ("DC Fast Charger", Decimal("60"), "DC", "FAST", "CCS2"),
    ("DC Ultra Fast Charger", Decimal("150"), "DC", "ULTRA_FAST", "CCS2"),
    ("DC Charger (CHAdeMO)", Decimal("50"), "DC", "FAST", "CHADEMO"),
    ("Bharat DC-001", Decimal("15"), "DC", "NORMAL", "BHARAT_DC001"),
]
NATIONAL_HOLIDAYS = [
    ((1, 26), "Republic Day"),
    ((8, 15), "Independence Day"),
    ((10, 2), "Gandhi Jayanti"),
    ((12, 25), "Christmas"),
]


def upsert_operator(code: str, **fields) -> Operator:
    operator, _ = upsert_valid(Operator, {"code": code}, fields)
    return operator


def upsert_station(operator: Operator, code: str, **fields) -> Station:
    station, _ = upsert_valid(Station, {"operator": operator, "code": code}, fields)
    return station


def upsert_charger(station: Station, code: str, kind: tuple, number: int) -> Charger:
    name, kw, power_type, speed, connector_type = kind
    charger, _ = upsert_valid(
        Charger,
        {"operator": station.operator, "code": code},
        {
            "station": station,
            "name": f"EV Charger #{number} ({name})",
            "power_kw": kw,
            "power_type": power_type,
            "charging_speed": speed,
            "categories": ["ev-charger", speed.lower()],
        },
    )
    upsert_valid(
        Connector,
        {"charger": charger, "connector_id": "1"},
        {
            "power_type": power_type,
            "connector_type": connector_type,
            "connector_format": "SOCKET",
            "charging_speed": speed,
            "power_kw": kw,
        },
    )
    return charger


def seed_operator_network(
    operator: Operator, prefix: str, count: int, rng: random.Random, progress: bool
) -> int:
    kinds = [k for k, w in SITE_WEIGHTS for _ in range(w)]
    today = dt.date.today()
    made = 0
    for index in tqdm(
        range(count), desc=f"stations {operator.code}", disable=not progress, unit="station"
    ):
        if index % 6 == 5:
            label, city, lat, lon = HIGHWAYS[index // 6 % len(HIGHWAYS)]
            site_kind, area = "highway", label
        else:
            city = CITIES[index % len(CITIES)]
            site_kind, area = kinds[rng.randrange(len(kinds))], f"Sector {index + 1}"
            if site_kind == "highway":
                site_kind = "urban"
            lat, lon = city.lat, city.lon
        station = upsert_station(
            operator,
            f"{prefix}-st-{index + 1:04d}",
            name=f"{operator.name.split()[0]} {city.name} {area}",
            address=f"{area}, {city.name}",
            city=city.name,
            city_code=city.city_code,
            region_code=city.region,
            latitude=Decimal(str(round(lat + rng.uniform(-0.08, 0.08), 6))),
            longitude=Decimal(str(round(lon + rng.uniform(-0.08, 0.08), 6))),
            site_kind=site_kind,
            opened_on=today - dt.timedelta(days=rng.choice([10, 20, 90, 400, 900])),
        )
        for number in range(1, rng.randint(2, 4) + 1):
            kind = CHARGER_KINDS[rng.randrange(len(CHARGER_KINDS))]
            upsert_charger(station, f"{station.code}-c{number}", kind, number)
        made += 1
    return made


def seed_holidays(operator: Operator) -> None:
    year = dt.date.today().year
    for y in (year - 1, year, year + 1):
        for (month, day), name in NATIONAL_HOLIDAYS:
            upsert_valid(
                Holiday,
                {"operator": operator, "date": dt.date(y, month, day), "region_code": ""},
                {"name": name},
            )


def seed_users(operators: list[Operator], password: str) -> list[str]:
    """Create the demo superuser and one user per role per operator; return new names.
    They share one password, so it is hashed once (the hasher is slow by design)."""
    User = get_user_model()
    hashed = make_password(password)
    created = []
    if not User.objects.filter(username="admin").exists():
        User.objects.create(
            username="admin", email="admin@example.com", password=hashed,
            is_staff=True, is_superuser=True,
        )  # fmt: skip
        created.append("admin (superuser)")
    for operator in operators:
        short = operator.code.split(".")[0]
        for role in Role:
            username = f"{short}-{role.value.split('_')[0]}"
            user, new = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@example.com", "is_staff": True, "password": hashed},
            )
            if new:
                created.append(f"{username} ({role.label} at {operator.code})")
            StaffMembership.objects.update_or_create(
                user=user, operator=operator, defaults={"role": role}
            )
    return created


MAX_STATIONS = 10_000  # a demo network, not a load test: seeding is linear in it
# --stations, read before anything is seeded (also what `call_command` passes)
stations = whole_number_option(1, MAX_STATIONS, "stations")


def add_arguments(parser) -> None:
    parser.add_argument(
        "--stations",
        type=stations,
        default=36,
        help=f"Stations for the main demo operator (default 36; 1 to {MAX_STATIONS}).",
    )
    parser.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")


@transaction.atomic
def seed(options: dict, out) -> None:
    rng = random.Random(options["seed"])
    progress = options.get("progress", True)
    cpo1 = upsert_operator(
        "cpo1.com",
        name="CPO1 EV charging Company",
        short_desc="CPO1 provides EV charging facility across India",
        logo_url="https://cpo1.com/images/logo.png",
        currency="INR",
        time_zone="Asia/Kolkata",
        gstin="07ABCDE1234F1Z5",
        prices_include_tax=False,
        surge_notice_hours=0,
    )
    cpo2 = upsert_operator(
        "voltgrid.in",
        name="VoltGrid Charging",
        short_desc="Highway fast charging",
        logo_url="https://voltgrid.in/logo.png",
        currency="INR",
        time_zone="Asia/Kolkata",
    )
    flagship = upsert_station(
        cpo1,
        "bluecharge-connaught-place",
        name="BlueCharge Connaught Place Station",
        address="Connaught Place, New Delhi",
        city="New Delhi",
        city_code="std:011",
        region_code="DL",
        latitude=Decimal("28.345345"),
        longitude=Decimal("77.389754"),
        site_kind="urban",
        opened_on=dt.date(2024, 1, 15),
        instructions="Ground floor, Pillar Number 4",
    )
    upsert_charger(flagship, "pe-charging-01", CHARGER_KINDS[0], 1)
    made = seed_operator_network(cpo1, "cpo1", max(options["stations"] - 1, 0), rng, progress)
    made += seed_operator_network(cpo2, "vg", max(options["stations"] // 4, 3), rng, progress)
    for operator in (cpo1, cpo2):
        seed_holidays(operator)
    password = secrets.token_urlsafe(12)
    created = seed_users([cpo1, cpo2], password)
    out.write(f"Network: {made + 1} stations, {Charger.objects.count()} chargers in all.\n")
    if created:
        out.write(f"Demo users created, password for all of them: {password}\n")
        for name in created:
            out.write(f"  {name}\n")
        out.write("This password is printed once; reset it with `manage.py changepassword`.\n")
