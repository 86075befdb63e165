"""The rollup measures are declared once (analytics.models.measures) and every table,
statement and API field that carries one is written from that declaration."""

from __future__ import annotations

from decimal import Decimal

import pytest

from analytics.api.serializers import (
    DailyRollupSerializer,
    SeriesPointSerializer,
    SurgeImpactSerializer,
)
from analytics.models import (
    CellCustomer,
    ChannelDaily,
    DailyCustomer,
    DailyRollup,
    HourlyPeriod,
    HourlyRollup,
    OfferDaily,
    StationDaily,
    measures,
)
from analytics.models.measures import CELL, HOUR, PERIOD, Measure, kept_in, key_of, stored
from analytics.services import offer_roi, surge_impact
from analytics.services.rollup import coarse_sql
from analytics.services.rollup import sql as q
from analytics.services.tables import zeros

GRAINS = [
    (DailyRollup, (CELL,)),
    (ChannelDaily, (CELL,)),
    (OfferDaily, (CELL,)),
    (StationDaily, (CELL, HOUR)),
    (HourlyRollup, (HOUR,)),
    (HourlyPeriod, (PERIOD,)),
]


@pytest.mark.parametrize(("model", "grains"), GRAINS)
def test_every_table_has_the_field_of_each_measure_its_grains_keep(model, grains):
    for measure in kept_in(*grains):
        field = model._meta.get_field(measure.name)
        assert field.deconstruct()[1:] == measure.field().deconstruct()[1:]
    others = {m.name for m in measures.MEASURES} - set(stored(*grains))
    assert not others & {f.name for f in model._meta.get_fields()}


def test_the_grains_keep_the_measures_the_pages_read():
    assert stored(HOUR) == (
        "sessions", "surge_sessions", "energy_kwh", "surge_kwh", "surge_revenue", "net_revenue",
    )  # fmt: skip
    assert stored(PERIOD) == ("sessions", "surge_sessions", "energy_kwh", "surge_revenue")
    assert set(stored(CELL, HOUR)) == set(stored(CELL)) | {"surge_sessions", "surge_kwh"}


def test_the_keys_are_read_from_the_unique_indexes():
    assert key_of(DailyRollup) == (
        "operator_id", "date", "offer_id", "station_id", "region_code", "hour_band",
    )  # fmt: skip
    assert key_of(CellCustomer) == (*key_of(DailyRollup), "customer_id")
    assert key_of(DailyCustomer) == (
        "operator_id", "date", "station_id", "region_code", "offer_id", "held_out", "customer_id",
    )  # fmt: skip
    assert key_of(HourlyPeriod)[:3] == ("operator_id", "grain", "start")


def test_a_new_measure_reaches_every_statement_that_writes_its_grains(monkeypatch):
    extra = Measure(
        "idle_minutes", measures.count, cell="CASE WHEN pos = 1 THEN idle ELSE 0 END",
        reversed="-1", held_out="2", hour="idle",
    )  # fmt: skip
    monkeypatch.setattr(measures, "MEASURES", (*measures.MEASURES, extra))
    live, reversed_, held_out = q.cell_facts("stage", "d").split("\nUNION ALL\n")
    assert "CASE WHEN pos = 1 THEN idle ELSE 0 END AS idle_minutes FROM stage" in live
    assert "-1 AS idle_minutes FROM stage WHERE kind = 'reversed'" in reversed_
    assert "2 AS idle_minutes FROM stage WHERE kind = 'held_out'" in held_out
    assert "SUM(sign * idle) AS idle_minutes" in q.hour_sums("sign * ")
    assert "idle_minutes" in coarse_sql.station_daily_sql(q.Names(*["t"] * 13))


def test_the_api_lists_the_stored_cell_measures():
    assert set(stored(CELL)) <= set(DailyRollupSerializer.Meta.fields)


def test_the_series_api_sums_the_cell_measures_typed_as_their_columns():
    fields = SeriesPointSerializer().fields
    assert set(fields) - {"period", "operator", "group"} == set(stored(CELL)) - {
        "tax", "recovered_discount",
    }  # fmt: skip
    assert (fields["energy_kwh"].decimal_places, fields["surge_revenue"].decimal_places) == (3, 2)
    assert fields["net_revenue"].help_text.startswith("Net revenue (before tax)")


def test_the_surge_api_fields_are_the_pages_headline_figures():
    fields = SurgeImpactSerializer().fields
    keys = [c.key for c in surge_impact.FIGURES]
    assert list(fields)[4:] == keys
    assert fields["surge_revenue"].help_text == "Surge revenue."
    assert fields["session_change"].decimal_places == 6


def test_the_roi_dashboard_defines_each_summed_figure_once():
    columns = [*offer_roi.OFFER_COLUMNS, *offer_roi.STATION_COLUMNS, *offer_roi.SERIES_COLUMNS]
    for column in columns:
        same = [c for c in offer_roi.SUMMED if c.key == column.key]
        if same:
            assert column.total is same[0].total and column.kind == same[0].kind
    assert offer_roi.MEASURES["held_out"] is offer_roi.HELD_OUT.total


def test_rows_without_rollup_rows_count_zero():
    row = zeros(offer_roi.SUMMED, {"sessions": None, "net": None, "station__name": None})
    assert row == {"sessions": 0, "net": Decimal("0"), "station__name": 0}
    assert isinstance(row["net"], Decimal) and not isinstance(row["sessions"], Decimal)
