"""The rollup against figures worked out by hand, re-runs, late rows and backfill."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from analytics.models import DailyCustomer, DailyRollup, HourlyRollup, RollupCursor
from analytics.services.rollup import date_runs, run_incremental
from offers.models import Redemption
from tests.analytics.conftest import DAY, D, at, make_offer

pytestmark = pytest.mark.django_db

ROLLUP_FIELDS = [
    "operator_id", "date", "offer_id", "offer_type", "station_id", "region_code", "hour_band",
    "sessions", "customers", "energy_kwh", "gross_revenue", "discount_cost", "surge_revenue",
    "net_revenue", "tax", "redemptions", "reversals", "recovered_discount", "held_out_sessions",
]  # fmt: skip


def snapshot():
    daily = sorted(DailyRollup.objects.values_list(*ROLLUP_FIELDS), key=str)
    hourly = sorted(HourlyRollup.objects.values_list(*_fields(HourlyRollup)), key=str)
    people = sorted(DailyCustomer.objects.values_list(*_fields(DailyCustomer)), key=str)
    return daily, hourly, people


def _fields(model):
    return [f.attname for f in model._meta.concrete_fields if f.name != "id"]


@pytest.fixture
def day_one(network, ledger_a):
    """Day one at station A, in words:
    o1: offer X redeemed at 09:00 (₹10), settled 10:30 on 10 kWh, gross 200, discount 12,
        tax 33.84, net payable 221.84; customer c1.
    o2: X and Y stacked, start 18:00: X gives 5, Y gives 8; 5 kWh, gross 100, surge 10,
        tax 15.66, payable 102.66; customer c2.
    o3: no offer, start 02:00: 20 kWh, gross 300, tax 54, payable 354; customer c1.
    o4: customer c3 held out of Y at 18:00 (would have had 9, quoted gross 150); the
        session itself, without offers: 8 kWh, gross 160, surge 10, tax 28.80.
    o5: X redeemed at 11:00 (₹7) by c4, then cancelled: reversed 7.
    """
    x = make_offer(network.op_a, "offer-x")
    y = make_offer(network.op_a, "offer-y", holdout="50", type_label="WEEKEND_SPECIAL")
    L = ledger_a
    L.row("redeemed", x, order_ref="o1", start=at(DAY, 9), discount="10", customer="c1")
    L.row("settled", x, order_ref="o1", start=at(DAY, 9), occurred=at(DAY, 10, 30),
          discount="12", energy="10", gross="200", tax="33.84", net="221.84")  # fmt: skip
    for offer, disc in ((x, "5"), (y, "8")):
        L.row("redeemed", offer, order_ref="o2", start=at(DAY, 18), discount=disc,
              customer="c2", gross="100", surge="10")  # fmt: skip
        L.row("settled", offer, order_ref="o2", start=at(DAY, 18), occurred=at(DAY, 19),
              discount=disc, customer="c2", energy="5", gross="100", surge="10",
              tax="15.66", net="102.66")  # fmt: skip
    L.plain(order_ref="o3", start=at(DAY, 2), occurred=at(DAY, 4), energy="20", gross="300",
            tax="54", net="354")  # fmt: skip
    L.row("held_out", y, order_ref="o4", start=at(DAY, 18), occurred=at(DAY, 17, 55),
          discount="9", customer="c3", gross="150")  # fmt: skip
    L.plain(order_ref="o4", start=at(DAY, 18), occurred=at(DAY, 19, 30), customer="c3",
            energy="8", gross="160", surge="10", tax="28.80", net="188.80")  # fmt: skip
    L.row("redeemed", x, order_ref="o5", start=at(DAY, 11), discount="7", customer="c4")
    L.row("reversed", x, order_ref="o5", start=at(DAY, 11), occurred=at(DAY, 11, 20),
          discount="7", customer="c4", seq=1)  # fmt: skip
    return x, y


def cell(offer, band):
    return DailyRollup.objects.get(offer=offer, hour_band=band)


def test_day_one_matches_the_hand_computed_figures(day_one, network):
    x, y = day_one
    result = run_incremental()
    assert result.rows == 11 and result.partitions == 1

    o1 = cell(x, "morning")
    assert (o1.sessions, o1.customers, o1.redemptions) == (1, 1, 1)
    assert (o1.energy_kwh, o1.gross_revenue, o1.discount_cost) == (D("10"), D("200"), D("12"))
    assert (o1.net_revenue, o1.tax) == (D("188.00"), D("33.84"))

    # o2 counts once, under Y (the larger discount); X keeps its own discount.
    y_peak, x_peak = cell(y, "peak"), cell(x, "peak")
    assert (y_peak.sessions, y_peak.energy_kwh, y_peak.gross_revenue) == (1, D("5"), D("100"))
    assert (y_peak.surge_revenue, y_peak.net_revenue) == (D("10"), D("87.00"))
    assert (y_peak.discount_cost, y_peak.redemptions, y_peak.held_out_sessions) == (D("8"), 1, 1)
    assert (x_peak.sessions, x_peak.discount_cost, x_peak.redemptions) == (0, D("5"), 1)
    assert x_peak.gross_revenue == 0

    cancelled = cell(x, "midday")
    assert (cancelled.redemptions, cancelled.reversals) == (0, 1)  # cancelled: not a use
    assert (cancelled.recovered_discount, cancelled.discount_cost) == (D("7"), D("0"))

    night, peak = cell(None, "night"), cell(None, "peak")
    assert (night.sessions, night.gross_revenue, night.net_revenue) == (1, D("300"), D("300"))
    assert (peak.sessions, peak.energy_kwh, peak.net_revenue) == (1, D("8"), D("160.00"))

    totals = DailyRollup.objects.values_list("sessions", "discount_cost", "net_revenue")
    assert sum(r[0] for r in totals) == 4
    assert sum(r[1] for r in totals) == D("25")
    assert sum(r[2] for r in totals) == D("188") + D("87") + D("300") + D("160")
    assert y_peak.offer_type == "WEEKEND_SPECIAL" and y_peak.date == DAY


def test_hourly_cells_and_surge_day(day_one):
    run_incremental()
    hours = {h.hour: h for h in HourlyRollup.objects.all()}
    assert sorted(hours) == [2, 9, 18]
    eighteen = hours[18]
    assert (eighteen.sessions, eighteen.surge_sessions) == (2, 2)
    assert (eighteen.energy_kwh, eighteen.surge_kwh) == (D("13"), D("13"))
    assert eighteen.surge_revenue == D("20")
    assert all(h.surge_day for h in hours.values())  # surge at 18:00 marks the whole day
    assert not eighteen.weekend  # 3 March 2025 is a Monday


def test_customers_are_distinct_and_holdout_arms_are_split(day_one):
    x, y = day_one
    run_incremental()
    people = DailyCustomer.objects
    assert people.values("customer_id").distinct().count() == 4  # c1..c4
    treated_y = people.get(offer=y, held_out=False)
    held_y = people.get(offer=y, held_out=True)
    assert (treated_y.revenue, treated_y.discount) == (D("100"), D("8"))
    assert (held_y.revenue, held_y.discount) == (D("150"), D("0"))
    assert people.filter(offer=x).count() == 3  # c1 (o1), c2 (o2), c4 (o5)


def test_running_twice_changes_nothing(day_one):
    run_incremental()
    first = snapshot()
    again = run_incremental()
    assert again.rows == 0 and again.partitions == 0
    assert snapshot() == first


def test_late_rows_rebuild_their_own_day(day_one, ledger_a, network):
    x, _ = day_one
    run_incremental()
    before = DailyRollup.objects.get(offer=None, hour_band="night").sessions
    ledger_a.plain(start=at(DAY, 3), occurred=at(DAY, 5), gross="50", net="50")  # late, same day
    earlier = DAY - dt.timedelta(days=2)
    ledger_a.row("settled", x, start=at(earlier, 22), discount="4", gross="80", net="76")
    result = run_incremental()
    assert result.rows == 2 and result.partitions == 2
    assert DailyRollup.objects.get(offer=None, hour_band="night").sessions == before + 1
    old = DailyRollup.objects.get(date=earlier)
    assert (old.sessions, old.discount_cost, old.hour_band) == (1, D("4"), "evening")
    cursor = RollupCursor.objects.get(name="ledger")
    assert cursor.runs == 2 and cursor.last_id == Redemption.objects.order_by("-id")[0].id


def test_ids_missing_below_the_watermark_are_watched_until_they_appear(day_one, ledger_a):
    """A transaction that commits after a later one leaves its ids below the watermark."""
    x, _ = day_one
    run_incremental()
    top = Redemption.objects.order_by("-id")[0].id
    ledger_a.row("redeemed", x, start=at(DAY, 14), discount="1", pk=top + 10)
    run_incremental()
    cursor = RollupCursor.objects.get(name="ledger")
    ours = lambda: [g[:2] for g in cursor.pending_gaps if g[0] > top]  # noqa: E731
    assert ours() == [[top + 1, top + 9]]  # (on PostgreSQL, earlier tests leave gaps too)

    late_day = DAY + dt.timedelta(days=1)  # ... now id top + 3 commits
    ledger_a.row("settled", x, start=at(late_day, 12), discount="3", gross="30", pk=top + 3)
    result = run_incremental()
    assert result.rows == 1 and result.partitions == 1
    assert DailyRollup.objects.get(date=late_day).discount_cost == D("3")
    cursor.refresh_from_db()
    assert ours() == [[top + 1, top + 2], [top + 4, top + 9]]


def test_gaps_are_forgotten_after_an_hour(network):
    run_incremental()
    cursor = RollupCursor.objects.get(name="ledger")
    cursor.pending_gaps = [[10**9, 10**9 + 5, "2020-01-01T00:00:00+00:00"]]
    cursor.save()
    run_incremental()
    cursor.refresh_from_db()
    assert cursor.pending_gaps == []


def test_backfill_rebuilds_a_deleted_range_exactly(day_one):
    run_incremental()
    expected = snapshot()
    DailyRollup.objects.all().delete()
    HourlyRollup.objects.all().delete()
    DailyCustomer.objects.all().delete()
    out = StringIO()
    call_command(
        "rollup_backfill", "--from", "2025-03-01", "--to", "2025-03-05", stdout=out, stderr=out
    )
    assert snapshot() == expected
    assert "5 days" in out.getvalue()


def test_backfill_of_one_operator_leaves_the_other_alone(day_one, ledger_b, network):
    ledger_b.plain(start=at(DAY, 12), gross="70", net="70")
    run_incremental()
    DailyRollup.objects.all().delete()
    call_command(
        "rollup_backfill", "--from", "2025-03-03", "--to", "2025-03-03",
        "--operator", network.op_b.code, "--no-progress", stdout=StringIO(),
    )  # fmt: skip
    assert set(DailyRollup.objects.values_list("operator_id", flat=True)) == {network.op_b.pk}


def test_backfill_refuses_bad_ranges_and_unknown_operators(network):
    with pytest.raises(CommandError, match="before"):
        call_command("rollup_backfill", "--from", "2025-03-05", "--to", "2025-03-01")
    with pytest.raises(CommandError, match="nope"):
        call_command(
            "rollup_backfill", "--from", "2025-03-01", "--to", "2025-03-01", "--operator", "nope"
        )


@pytest.mark.parametrize(
    ("first", "last"), [("0001-01-01", "0001-01-03"), ("9999-12-29", "9999-12-31")]
)
def test_backfill_refuses_dates_outside_the_products_range_in_one_line(network, first, last):
    """Year 1 or 9999 overflowed when the operator's zone was applied (a traceback)."""
    with pytest.raises(CommandError, match="from 2000-01-01 to 2099-12-31") as refused:
        call_command("rollup_backfill", "--from", first, "--to", last, "--no-progress")
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "argv",
    [
        ["--from", "0001-01-01", "--to", "0001-01-03"],
        ["--from", "abc", "--to", "2025-03-01"],
        ["--from", "2025-03-01", "--to", "2025-03-01", "--parts", "0"],
        ["--status", "abc"],
    ],
)
def test_backfill_options_refused_on_the_command_line_in_one_line(network, capsys, argv):
    """From manage.py, an option the command cannot read is one line and exit status 2, not
    the traceback of an error raised while the options were parsed."""
    with pytest.raises(SystemExit) as stopped:
        ManagementUtility(["manage.py", "rollup_backfill", *argv]).execute()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error: argument" in err.strip().splitlines()[-1]


def test_date_runs_split_contiguous_days_into_chunks():
    days = [dt.date(2025, 1, d) for d in (1, 2, 3, 5, 6, 9)]
    assert date_runs(days, 2) == [
        (dt.date(2025, 1, 1), dt.date(2025, 1, 2)),
        (dt.date(2025, 1, 3), dt.date(2025, 1, 3)),
        (dt.date(2025, 1, 5), dt.date(2025, 1, 6)),
        (dt.date(2025, 1, 9), dt.date(2025, 1, 9)),
    ]
