"""Wording of quote figures: kWh written to the watt-hour without trailing zeros."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from pricing.engine import text
from pricing.engine.amounts import WATT_HOUR


def _normalized(kwh: Decimal) -> str:
    written = f"{kwh.quantize(WATT_HOUR, ROUND_HALF_UP).normalize():f}"
    return "0" if written == "-0" else written


def test_energy_written_to_the_watt_hour_without_trailing_zeros():
    cases = {
        "12.3456": "12.346",
        "12.3455": "12.346",  # half-up
        "10": "10",
        "10.000": "10",
        "100.0004": "100",
        "7.5": "7.5",
        "0.0004": "0",
        "-0.0004": "0",
        "0": "0",
        "1000.000": "1000",
        "0.120": "0.12",
        "-2.50": "-2.5",
    }
    for given, written in cases.items():
        assert text.energy_text(Decimal(given)) == written == _normalized(Decimal(given))


def test_energy_reads_as_the_normalized_number_on_random_amounts():
    rng = random.Random(11)
    for _ in range(2000):
        kwh = Decimal(rng.randrange(0, 10**9)).scaleb(-rng.randrange(0, 13))
        assert text.energy_text(kwh) == _normalized(kwh), kwh
