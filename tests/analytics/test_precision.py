"""One precision rule (cpo_portal.formatting): counts whole, a change computed from the
figures as shown, the same figure printed the same by every surface; and the tables'
server-side sorting."""

from __future__ import annotations

from decimal import Decimal

from analytics.calc.surge import STATION_KEYS, Impact
from analytics.services.surge_impact import headline
from analytics.services.tables import Column, Table, sort_tables
from analytics.templatetags.analytics_tags import cell
from cpo_portal import formatting

D = Decimal


def test_each_kind_shows_its_places():
    assert formatting.shown(D("55.60"), "int") == D("56")
    assert formatting.shown(D("1.7049"), "ratio") == D("1.70")
    assert formatting.shown(D("3161.485"), "money") == D("3161.49")
    assert formatting.shown(D("-0.61349"), "percent") == D("-0.613")
    assert cell(D("55.60"), "int") == "56"  # no fractional sessions
    assert cell(D("1.7049"), "ratio") == "1.70"


def test_a_change_is_computed_from_the_figures_as_shown():
    # 1 session against 1.7049 expected: shown as 1 and 2 -> -50 %, not -41.3 % of 1.7049
    assert formatting.change(1, D("1.7049")) == D("-0.5")
    assert cell(formatting.change(1, D("1.7049")), "percent") == "\u221250%"
    # shown to two places, 1.00 against 1.70 is -41.2 %
    assert cell(formatting.change(1, D("1.7049"), "ratio"), "percent") == "\u221241.2%"
    assert formatting.change(5, D("0.4")) is None  # expected shows as 0: no change to give
    assert formatting.change(None, 3) is None


def test_the_same_value_prints_the_same_through_every_filter():
    value = D("-0.61349")
    assert cell(value, "percent") == formatting.figure(value, "percent") == "\u221261.3%"


def test_the_shifted_sessions_total_is_the_sum_of_the_stations_as_shown():
    """Three stations that each shifted 0.5 sessions show 1 each: the total reads 3, what
    their rows add up to, not 2 (1.5 rounded once)."""
    station = {**dict.fromkeys(STATION_KEYS, D(0)), "shifted": D("0.5")}
    impact = Impact(shifted_sessions=D("1.5"), stations={n: dict(station) for n in (1, 2, 3)})
    assert headline(impact)["shifted_sessions"] == 3


def _table() -> Table:
    rows = [
        {"name": "b", "roi": D("0.5")},
        {"name": "a", "roi": None},
        {"name": "c", "roi": D("2.1")},
        {"name": "d", "roi": D("-1.2")},
    ]
    cols = [Column("name", "Offer"), Column("roi", "ROI", "ratio"), Column("note", "N", "note")]
    return Table("offers", "ROI per offer", cols, rows)


def test_tables_sort_by_a_shown_column_with_missing_values_last():
    table = _table()
    sort_tables([table], "offers.-roi")
    assert [r["name"] for r in table.rows] == ["c", "b", "d", "a"]
    assert table.sorted_by == "-roi"
    sort_tables([table], "offers.roi")
    assert [r["name"] for r in table.rows] == ["d", "b", "c", "a"]
    links = {c.key: (sort, aria) for c, sort, aria in table.sort_links()}
    assert links["roi"] == ("offers.-roi", "ascending") and links["name"] == ("offers.name", "")
    assert "note" not in links  # explanations go in the row's expander, not a column
    assert not table.sort("note") and not table.sort("nope")
