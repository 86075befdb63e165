"""What customers read about a surge is written from the rule: the DEG wording, the
operator's currency, one percentage format, a 12-hour clock; the staff's note follows and
holds no figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cpo_portal import formatting
from pricing.engine.types import ChargeForm, SurgeKind, SurgeRule, TimeWindow
from pricing.models import SurgeRule as SurgeRow
from pricing.models.surge_text import NOTE_DIGITS_ERROR, surge_text

D = Decimal
WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})


def rule(name: str, form: ChargeForm, amount: str, **kw) -> SurgeRule:
    return SurgeRule(code="c", kind=SurgeKind.PEAK, name=name, form=form, amount=D(amount), **kw)


EVENING = TimeWindow(dt.time(18), dt.time(21))


@pytest.mark.parametrize(
    ("surge", "text"),
    [
        (  # the DEG example, word for word
            rule("Congestion Fee", ChargeForm.PER_KWH, "1", window=EVENING,
                 region_codes=frozenset({"DL"}), station_codes=frozenset({"st-1"})),
            "Congestion Fee: ₹1/kWh between 6 PM - 9 PM",
        ),
        (
            rule("Weekend surcharge", ChargeForm.PERCENT, "10.000",
                 window=TimeWindow(dt.time(0), dt.time(0), WEEKEND),
                 site_kinds=frozenset({"mall", "airport"})),
            "Weekend surcharge: 10% on energy on weekends at airport and mall stations",
        ),
        (
            rule("Holiday surcharge", ChargeForm.PER_KWH, "2", holidays_only=True),
            "Holiday surcharge: ₹2/kWh on public holidays",
        ),
        (
            rule("Night service charge", ChargeForm.PER_KWH, "0.5",
                 window=TimeWindow(dt.time(23), dt.time(5)), site_kinds=frozenset({"highway"})),
            "Night service charge: ₹0.50/kWh between 11 PM - 5 AM at highway stations",
        ),
        (
            rule("Highway premium", ChargeForm.FLAT, "25.00", site_kinds=frozenset({"highway"})),
            "Highway premium: ₹25 per session at highway stations",
        ),
        (
            rule("Fast charging premium", ChargeForm.PER_KWH, "2", min_power_kw=D("50.00")),
            "Fast charging premium: ₹2/kWh on chargers of 50 kW or more",
        ),
        (
            rule("Ultra-fast premium", ChargeForm.PER_KWH, "3",
                 charging_speeds=frozenset({"ULTRA_FAST"})),
            "Ultra-fast premium: ₹3/kWh on ultra fast chargers",
        ),
        (
            rule("High demand surge", ChargeForm.PERCENT, "20", occupancy_threshold=D("0.800"),
                 cap_per_session=D("1500")),
            "High demand surge: 20% on energy, at most ₹1,500 a session "
            "when occupancy is 80% or more",
        ),
        (
            rule("Grid stress surcharge", ChargeForm.PERCENT, "12.5", on_grid_stress=True,
                 note="It helps the grid through demand response"),
            "Grid stress surcharge: 12.5% on energy while the grid is under stress. "
            "It helps the grid through demand response",
        ),
        (
            rule("Evening peak", ChargeForm.PERCENT, "5",
                 window=TimeWindow(dt.time(17, 30), dt.time(22), WEEKDAYS)),
            "Evening peak: 5% on energy between 5:30 PM - 10 PM on weekdays",
        ),
        (
            rule("Festival fee", ChargeForm.PER_KWH, "1", window=EVENING, holidays_only=True),
            "Festival fee: ₹1/kWh between 6 PM - 9 PM on public holidays",
        ),
        (
            rule("Peak", ChargeForm.PER_KWH, "0.125", currency="EUR"),
            "Peak: €0.125/kWh",
        ),
    ],
)  # fmt: skip
def test_the_text_is_written_from_the_rule(surge, text):
    assert surge_text(surge) == text


def test_a_changed_amount_changes_the_text():
    before = rule("Evening peak", ChargeForm.PERCENT, "20", window=EVENING)
    after = SurgeRule(**{**{f: getattr(before, f) for f in before.__slots__}, "amount": D("25")})
    assert "20%" in surge_text(before) and "25%" in surge_text(after)
    assert "20" not in surge_text(after)


@pytest.mark.parametrize(
    ("value", "text"),
    [("1", "₹1"), ("1500", "₹1,500"), ("0.5", "₹0.50"), ("0.125", "₹0.125"), ("2.00", "₹2")],
)
def test_price_in_a_sentence(value, text):
    assert formatting.money_in_sentence(D(value)) == text


def test_a_note_with_figures_is_refused():
    row = SurgeRow(note="Only 20% extra")
    with pytest.raises(ValidationError) as caught:
        row.clean_fields(exclude=[f.name for f in SurgeRow._meta.fields if f.name != "note"])
    assert caught.value.message_dict["note"] == [NOTE_DIGITS_ERROR]
    SurgeRow(note="Helps share chargers at busy hours").clean_fields(
        exclude=[f.name for f in SurgeRow._meta.fields if f.name != "note"]
    )
