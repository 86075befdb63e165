"""The pricing of the benches' database worlds (bench/db_quote.py, bench/whatif.py): one
standard tariff and `rules` random peak surge rules, each on `per_rule` of the stations
and lasting up to `longest_hours` hours. Call after Django is set up."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
D = Decimal


def seed_pricing(
    op, stations: Sequence, rng: random.Random, *, rules: int, per_rule: int, longest_hours: int
) -> None:
    from pricing.models import SurgeRule, Tariff

    Tariff.objects.create(
        operator=op, code="std", name="Standard", energy_rate_per_kwh=D("18"),
        service_fee=D("10"), tax_rate=D("0.18"),
    )  # fmt: skip
    for i in range(rules):
        start = rng.randrange(24)
        rule = SurgeRule.objects.create(
            operator=op, code=f"surge-{i}", kind="peak", name=f"Fee {i}", form="per_kwh",
            amount=D(rng.randrange(5, 30)) / 10, window_start=dt.time(start),
            window_end=dt.time((start + rng.randrange(1, longest_hours + 1)) % 24),
            effective_from=dt.datetime(2024, 1, 1, tzinfo=IST),
        )  # fmt: skip
        rule.stations.set(rng.sample(list(stations), per_rule))
