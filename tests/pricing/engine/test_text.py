"""Wording of quote figures: kWh written to the watt-hour without trailing zeros; a surge's
amount with every decimal it has, money to the paisa unless whole."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from pricing.engine import text
from pricing.engine.amounts import WATT_HOUR
from pricing.engine.types import ChargeForm


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


@pytest.mark.parametrize(
    ("form", "amount", "written"),
    [
        (ChargeForm.PER_KWH, "1.0000", "₹1/kWh"),
        (ChargeForm.PER_KWH, "0.5", "₹0.50/kWh"),
        (ChargeForm.PER_KWH, "0.125", "₹0.125/kWh"),
        (ChargeForm.PER_KWH, "1.2346", "₹1.2346/kWh"),
        (ChargeForm.PER_KWH, "10000", "₹10,000/kWh"),
        (ChargeForm.PERCENT, "12.3500", "12.35%"),
        (ChargeForm.PERCENT, "20", "20%"),
        (ChargeForm.PERCENT, "100", "100%"),
        (ChargeForm.FLAT, "10.5", "₹10.50"),
        (ChargeForm.FLAT, "1500.00", "₹1,500"),
        (ChargeForm.FLAT, "10000000", "₹1,00,00,000"),
        ("percent", "7.25", "7.25%"),  # the model's form, a string
    ],
)
def test_a_surge_amount_is_written_with_every_decimal_it_has(form, amount, written):
    assert text.surge_amount(form, Decimal(amount), "INR") == written
