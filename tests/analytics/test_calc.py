"""The pure arithmetic: ROI by holdout and by baseline, surge impact, hour bands."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from analytics.calc import hour_bands, roi
from analytics.calc.surge import Slot, surge_impact
from cpo_portal import formatting


def test_roi_from_holdout_is_uplift_per_customer_times_treated():
    # 4 treated customers spent 1000 (250 each) and got 80 of discount; 2 held out spent
    # 400 (200 each): uplift 50 a customer, 200 in all; ROI (200 - 80) / 80 = 1.5.
    est = roi.from_holdout(roi.Arm(4, D("1000"), D("80")), roi.Arm(2, D("400")))
    assert (est.method, est.incremental_revenue, est.discount_cost) == (
        "holdout",
        D("200.00"),
        D("80.00"),
    )
    assert est.roi == D("1.5000")
    assert "250.00" in est.note and "200.00" in est.note


def test_roi_from_holdout_can_be_negative_and_needs_both_arms():
    worse = roi.from_holdout(roi.Arm(3, D("300"), D("60")), roi.Arm(1, D("110")))
    assert worse.incremental_revenue == D("-30.00")
    assert worse.roi == D("-1.5000")  # (-30 - 60) / 60
    missing = roi.from_holdout(roi.Arm(3, D("300"), D("60")), roi.Arm(0, D("0")))
    assert missing.roi is None and missing.incremental_revenue is None
    assert "held-out" in missing.note


def test_roi_from_baseline_compares_revenue_per_day():
    # 10 days took 5000 with the offer; the 14 days before averaged 4200/14 = 300 a day,
    # so 3000 was expected: 2000 incremental; discount 500 -> ROI 3.
    est = roi.from_baseline(roi.Period(10, D("5000")), roi.Period(14, D("4200")), D("500"))
    assert (est.incremental_revenue, est.roi) == (D("2000.00"), D("3.0000"))
    assert roi.from_baseline(roi.Period(10, D("5000")), roi.Period(0, D("0")), D("5")).roi is None
    assert roi.from_baseline(roi.Period(0, D("0")), roi.Period(5, D("9")), D("5")).roi is None


def test_no_discount_means_no_roi_and_ratios_round_half_up():
    assert roi.roi(D("100"), D("0")) is None
    assert roi.ratio(D("1"), D("3")) == D("0.3333")
    assert roi.ratio(D("0.00005"), D("1")) == D("0.0001")
    assert roi.counterfactual(D("900"), D("100"), D("250")) == D("750.00")


@given(
    st.integers(1, 500),
    st.decimals(0, 10**6, places=2),
    st.decimals("0.01", 10**5, places=2),
    st.integers(1, 500),
    st.decimals(0, 10**6, places=2),
)
def test_holdout_roi_is_consistent_with_its_parts(nt, rev_t, disc, nc, rev_c):
    est = roi.from_holdout(roi.Arm(nt, rev_t, disc), roi.Arm(nc, rev_c))
    exact = (rev_t / nt - rev_c / nc) * nt
    assert abs(est.incremental_revenue - exact) <= D("0.005")
    assert est.roi == roi.ratio(est.incremental_revenue - disc, disc)


def slot(station, hour, sessions, weekend=False, surged=0):
    return Slot(station, weekend, hour, sessions, surged, D(sessions * 10), D(surged * 2))


def test_surge_impact_against_a_hand_worked_profile():
    """Station 2 has no surge: of its 100 weekday sessions 30 start at 10:00, 40 at
    18:00 and 30 at 20:00. Station 1 has a surge window at 18:00 and sees 50, 10 and 40.
    Expected at 18:00: 40% of 100 = 40, so -75%; the other hours got 20 + 10 = 30 more
    than the profile gives them (shifted). Ten weekdays: ten surge windows compared; the
    four weekend windows count too (with their 6 sessions), but have nothing to compare
    with."""
    slots = [
        slot(2, 10, 30), slot(2, 18, 40), slot(2, 20, 30),
        slot(1, 10, 50), slot(1, 18, 10, surged=10), slot(1, 20, 40),
        slot(1, 18, 6, weekend=True, surged=6), slot(1, 11, 4, weekend=True),
    ]  # fmt: skip
    windows = {(1, False, 18), (1, True, 18)}
    impact = surge_impact(slots, {False: 10, True: 4}, windows)
    assert (impact.surge_windows, impact.sessions) == (14, 16)
    assert (impact.compared_windows, impact.compared_sessions) == (10, 10)
    assert impact.expected_sessions == D("40.0")
    assert impact.session_change == D("-0.7500") and impact.kwh_change == D("-0.7500")
    assert impact.shifted_sessions == D("30.0")
    assert (impact.sessions_per_window, impact.expected_per_window) == (D("1.1429"), D("4"))
    assert impact.compared_stations == 1  # weekends have no control station: left out
    assert impact.surge_revenue == D("32.00")  # all surge revenue counts
    at18 = impact.profile[18]
    assert (at18["with_surge"], at18["without_surge"], at18["surge_slots"]) == (
        D("0.1000"),
        D("0.4000"),
        1,
    )


def test_surge_impact_counts_hours_without_sessions():
    """A window hour with no sessions at all is a window with 0 sessions; a calm hour
    with none lowers the demand that was shifted."""
    slots = [slot(2, 9, 50), slot(2, 18, 50), slot(1, 9, 100)]
    impact = surge_impact(slots, {False: 5}, {(1, False, 18)})
    assert (impact.surge_windows, impact.sessions, impact.expected_sessions) == (5, 0, D("50.0"))
    assert impact.session_change == D("-1.0000")
    assert impact.shifted_sessions == D("50.0")
    # the profile's count of stations with a window at 18:00 counts that window too
    assert impact.profile[18]["surge_slots"] == 1


def test_surge_profile_counts_windows_without_sessions_in_a_region():
    """Cut to a region (station 1 chosen), the hourly profile still counts every window of
    the chosen stations, not only the hours in which a session started."""
    slots = [slot(2, 9, 50), slot(2, 18, 50), slot(1, 9, 100), slot(1, 19, 3), slot(3, 9, 10)]
    windows = {(1, False, 18), (1, False, 19), (3, False, 18)}
    impact = surge_impact(slots, {False: 5}, windows, chosen=lambda station: station == 1)
    assert [impact.profile[h]["surge_slots"] for h in (17, 18, 19)] == [0, 1, 1]


def test_hour_bands_cover_the_day_once():
    band_of = {hour: band.code for band in hour_bands.BANDS for hour in range(band.start, band.end)}
    assert [band_of[h] for h in (0, 5, 6, 10, 11, 16, 17, 20, 21, 23)] == [
        "night", "night", "morning", "morning", "midday", "midday", "peak", "peak",
        "evening", "evening",
    ]  # fmt: skip
    assert sum(b.end - b.start for b in hour_bands.BANDS) == 24 == len(band_of)


def test_flags_say_when_an_roi_needs_care():
    short = roi.from_baseline(roi.Period(10, D("5000")), roi.Period(3, D("900")), D("200"))
    assert short.baseline_days == 3
    assert short.flags() == [
        "Short baseline: only 3 days before the offer (fewer than 14), so this ROI is a "
        "rough guide."
    ]
    lost = roi.from_holdout(roi.Arm(4, D("800"), D("100")), roi.Arm(2, D("500")))
    assert lost.roi == D("-3.0000")
    assert lost.flags(formatting.money_text) == [
        "ROI below \u22121: revenue came out ₹200.00 lower than the held-out customers "
        "suggests, on top of ₹100.00 of discount, so the offer lost more than it cost."
    ]
    long = roi.from_baseline(roi.Period(10, D("5000")), roi.Period(14, D("4200")), D("200"))
    assert long.flags() == []
    head = roi.headline(
        [short, lost, long, roi.from_holdout(roi.Arm(0, D("0")), roi.Arm(1, D("10")))]
    )
    assert (head.offers_in, head.offers_left_out) == (3, 1)
    assert head.discount_cost == D("500.00")
    assert head.roi == roi.roi(head.incremental_revenue, head.discount_cost)
