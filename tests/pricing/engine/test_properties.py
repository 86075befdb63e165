"""Invariants that hold for every session, tariff and rule set."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import assume, given
from hypothesis import strategies as st

from pricing.engine import QuoteInputError, finalize
from pricing.engine.amounts import money
from pricing.engine.types import ChargeForm, LineKind, QuoteLine, SurgeKind, SurgeRule
from tests.pricing.engine.build import book_price as reference
from tests.pricing.engine.strategies import scenarios, windows

D = Decimal


def priced_or_skipped(*args):
    """The compiled book; a refused request (a budget no band ever spends) is skipped."""
    try:
        return reference(*args)
    except QuoteInputError:
        assume(False)
        raise


@st.composite
def adjustments(draw: st.DrawFn) -> list[QuoteLine]:
    lines = []
    for i in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from([LineKind.DISCOUNT, LineKind.ADDON, LineKind.WHEELING]))
        paise = draw(st.integers(0, 30_000))
        amount = D(-paise if kind is LineKind.DISCOUNT else paise).scaleb(-2)
        rate = draw(st.sampled_from([D("0.18"), D("0.18"), D("0.05"), None]))
        lines.append(
            QuoteLine(kind=kind, code=f"adj{i}", title="adj", amount=amount, tax_rate=rate)
        )
    return lines


def may_be_negative(line: QuoteLine) -> bool:
    return line.kind is LineKind.DISCOUNT or (
        line.kind is LineKind.ADJUSTMENT and line.code == "max_price"
    )


@given(scenarios(), adjustments())
def test_quote_invariants(scenario, extra):
    request, tariff, rules, conditions = scenario
    priced = priced_or_skipped(request, tariff, rules, conditions)
    quote = finalize(priced, extra)
    assert quote.total == sum((ln.amount for ln in quote.lines), D(0))
    assert quote.total >= 0
    for line in quote.lines:
        assert line.amount == money(line.amount)
        assert line.amount.as_tuple().exponent == -2
        assert line.amount >= 0 or may_be_negative(line)
    for line in priced.lines:
        assert line.amount > 0 or line.kind is LineKind.ENERGY
    if tariff.tax_included:
        assert quote.lines_of(LineKind.TAX) == ()
        assert quote.tax_included >= 0
    else:
        taxable = sum((ln.amount for ln in quote.lines if ln.tax_rate), D(0))
        assert quote.sum_of(LineKind.TAX) <= money(taxable * D("0.18")) + D("0.01")


@given(scenarios())
def test_segments_cover_the_session_and_its_energy(scenario):
    request, tariff, rules, conditions = scenario
    priced = priced_or_skipped(request, tariff, rules, conditions)
    segments = priced.segments
    assert sum((seg.kwh for seg in segments), D(0)) == priced.kwh
    assert segments[0].start == priced.start and segments[-1].end == priced.end
    assert all(a.end == b.start for a, b in pairwise(segments))
    assert all(seg.start < seg.end and seg.kwh >= 0 for seg in segments)
    assert {seg.start.tzinfo for seg in segments} == {dt.UTC}
    energy = [ln for ln in priced.lines if ln.kind is LineKind.ENERGY]
    assert sum((ln.kwh or D(0) for ln in energy), D(0)) == priced.kwh
    for line in energy:
        assert line.amount == money((line.kwh or D(0)) * (line.rate or D(0)))


def _splitters(draw_windows: list) -> list[SurgeRule]:
    """Rules that cost nothing but force extra segment boundaries."""
    return [
        SurgeRule(
            code=f"zz{i}",
            kind=SurgeKind.PEAK,
            name="split",
            form=ChargeForm.PER_KWH,
            amount=D(0),
            window=w,
        )
        for i, w in enumerate(draw_windows)
    ]


@given(scenarios(), st.lists(windows, min_size=1, max_size=4))
def test_more_segments_never_move_the_energy_cost(scenario, extra_windows):
    request, tariff, rules, conditions = scenario
    plain = priced_or_skipped(request, tariff, rules, conditions)
    split = priced_or_skipped(request, tariff, [*rules, *_splitters(extra_windows)], conditions)
    assert len(split.segments) >= len(plain.segments)
    energy = [ln for ln in plain.lines if ln.kind is LineKind.ENERGY]
    tolerance = D("0.01") * len(energy)
    assert abs(split.energy_cost - plain.energy_cost) <= tolerance
    # in fact the cut points cancel out exactly: every line is unchanged
    assert split.lines == plain.lines


@given(scenarios())
def test_pricing_is_independent_of_the_zone_the_start_is_written_in(scenario):
    request, tariff, rules, conditions = scenario
    shifted = dataclasses.replace(
        request, start=request.start.astimezone(ZoneInfo("America/Los_Angeles"))
    )
    assert (
        priced_or_skipped(shifted, tariff, rules, conditions).lines
        == priced_or_skipped(request, tariff, rules, conditions).lines
    )
