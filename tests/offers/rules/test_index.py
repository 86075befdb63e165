"""The candidate index: what it keeps, what it drops, and geo boxes that never lose."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from offers.rules.construct import Applicability, GeoCircle
from offers.rules.facts import StationFacts
from offers.rules.geo import _Box, in_circle
from offers.rules.index import OfferIndex
from pricing.engine.types import TimeWindow

from .helpers import IST, SUNDAY_10, facts, offer, priced_slot, site

UTC = dt.UTC


def ids(
    index: OfferIndex,
    *,
    at: dt.datetime = SUNDAY_10,
    time_zone: str = "Asia/Kolkata",
    station_code: str = "",
    region: str = "",
    site_kind: str = "",
    category_codes: Iterable[str] = (),
    operator_code: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> list[str]:
    """The offers of a place on the day of `at` (its weekday read in the site's zone), as
    an explained quote there evaluates them: whoever the customer, whatever the hour."""
    where = site(
        station_code=station_code,
        charger_code="",
        region_code=region,
        city_code="",
        site_kind=site_kind,
        category_codes=frozenset(category_codes),
        time_zone=time_zone,
    )
    opened = dt.date(2025, 1, 1)
    asked = facts(operator_code=operator_code, station=StationFacts(lat, lon, opened))
    return [o.id for o in index.for_quote(priced_slot(start=at, where=where), asked, explain=True)]


def test_attributes_intersect_and_any_buckets_always_come_back() -> None:
    index = OfferIndex(
        [
            offer("any"),
            offer("st1", applicability=Applicability(station_codes=frozenset({"S1", "S2"}))),
            offer("ka", applicability=Applicability(region_codes=frozenset({"KA"}))),
            offer(
                "st1-hw",
                applicability=Applicability(
                    station_codes=frozenset({"S1"}), site_kinds=frozenset({"highway"})
                ),
            ),
            offer("fleet", applicability=Applicability(category_codes=frozenset({"fleet"}))),
        ]
    )
    assert len(index) == 5
    assert ids(index, station_code="S1", region="KA", site_kind="highway") == [
        "any",
        "st1",
        "ka",
        "st1-hw",
    ]
    assert ids(index, station_code="S2", region="DL", site_kind="highway") == ["any", "st1"]
    assert ids(index, station_code="S9", category_codes={"fleet", "x"}) == ["any", "fleet"]


def test_other_operators_offers_are_dropped() -> None:
    index = OfferIndex([offer("mine"), offer("theirs", operator_code="cpo2.com")])
    assert ids(index, operator_code="cpo1.com") == ["mine"]
    assert ids(index) == ["mine", "theirs"]  # no operator given: no filter


def test_validity_windows_by_bisection() -> None:
    day = dt.timedelta(days=1)
    index = OfferIndex(
        [
            offer("past", applicability=Applicability(valid_until=SUNDAY_10 - day)),
            offer("now", applicability=Applicability(valid_from=SUNDAY_10, valid_until=SUNDAY_10)),
            offer("later", applicability=Applicability(valid_from=SUNDAY_10 + day)),
            offer("open"),
        ]
    )
    assert ids(index) == ["now", "open"]
    assert ids(index, at=SUNDAY_10 + 2 * day) == ["later", "open"]
    assert ids(index, at=SUNDAY_10 - 2 * day) == ["past", "open"]


def test_weekdays_include_the_morning_after_a_wrapping_window() -> None:
    friday_night = TimeWindow(dt.time(22), dt.time(6), frozenset({4}))
    index = OfferIndex([offer("fri-night", applicability=Applicability(windows=(friday_night,)))])
    saturday_1am = dt.datetime(2025, 9, 20, 1, 0, tzinfo=IST)
    assert ids(index, at=saturday_1am, time_zone="Asia/Kolkata") == ["fri-night"]
    # 19:30 UTC on Friday is already 01:00 Saturday in India; 05:00 UTC Sunday is Sunday
    assert ids(index, at=saturday_1am.astimezone(UTC), time_zone="Asia/Kolkata") == ["fri-night"]
    assert ids(index, at=SUNDAY_10, time_zone="Asia/Kolkata") == []


def test_geo_offers_need_a_point_inside_their_box() -> None:
    delhi = GeoCircle(28.6315, 77.2167, 5.0)
    index = OfferIndex([offer("cp", applicability=Applicability(circles=(delhi,)))])
    assert ids(index, lat=28.66, lon=77.23) == ["cp"]  # about 3.4 km away
    assert ids(index, lat=28.9, lon=77.2) == []
    assert ids(index) == []  # no coordinates, no geo offer


def test_boxes_near_the_pole_and_across_the_antimeridian() -> None:
    pole = _Box.around(GeoCircle(89.99, 0.0, 5.0))
    assert pole.holds(89.98, 179.0)
    fiji = GeoCircle(-17.0, 179.99, 10.0)
    assert in_circle(fiji, -17.0, -179.95)
    assert _Box.around(fiji).holds(-17.0, -179.95)


@given(
    lat=st.floats(-89.9, 89.9),
    lon=st.floats(-180, 180),
    radius=st.floats(0.01, 2000),
    bearing=st.floats(0, 360),
    fraction=st.floats(0, 1),
)
def test_a_box_holds_every_point_of_its_circle(
    lat: float, lon: float, radius: float, bearing: float, fraction: float
) -> None:
    import math

    circle = GeoCircle(lat, lon, radius)
    # a point `fraction` of the radius away along `bearing` (spherical destination formula)
    d = radius * fraction / 6371.0088
    b, p1, l1 = math.radians(bearing), math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    plat, plon = math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180
    if in_circle(circle, plat, plon):
        assert _Box.around(circle).holds(plat, plon)


def test_quote_offers_evaluates_only_the_candidates_and_agrees_with_a_full_scan() -> None:
    from offers.rules.choose import quote_offers
    from tests.support.offers import best_offers

    from .helpers import facts, priced_slot, site

    here = offer("here", applicability=Applicability(station_codes=frozenset({"ST-CP"})))
    there = offer("there", applicability=Applicability(station_codes=frozenset({"ST-X"})))
    index = OfferIndex([here, there])
    session = priced_slot(where=site())
    quoted = quote_offers(index, session, facts())
    assert [ln.code for ln in quoted.lines] == ["here"]
    assert quoted.rejected == ()  # "there" was never evaluated
    full = best_offers([here, there], session, facts())
    assert quoted.lines == full.lines
    assert [r.offer_id for r in full.rejected] == ["there"]


def test_explained_the_offers_only_their_dates_keep_away_are_told_so() -> None:
    from offers.rules.choose import quote_offers
    from offers.rules.construct import Qualifier
    from offers.rules.outcome import Reason

    from .helpers import D, facts, priced_slot, site

    day = dt.timedelta(days=1)
    here = frozenset({"ST-CP"})
    ended = Applicability(station_codes=here, valid_until=SUNDAY_10 - day)
    index = OfferIndex(
        [
            offer("live", applicability=Applicability(station_codes=here)),
            offer("ended", applicability=ended),
            offer("later", applicability=Applicability(valid_from=SUNDAY_10 + day)),
            offer("ended-elsewhere", applicability=replace(ended, station_codes=frozenset({"X"}))),
            offer(
                "ended-gold", applicability=ended, qualifier=Qualifier(tiers=frozenset({"gold"}))
            ),
        ]
    )
    session = priced_slot(where=site())
    fast = quote_offers(index, session, facts())
    explained = quote_offers(index, session, facts(), explain=True)
    assert (fast.lines, fast.applied) == (explained.lines, explained.applied)
    assert [a.offer_id for a in explained.applied] == ["live"]
    assert fast.rejected == ()
    told = {r.offer_id: r.reason for r in explained.rejected}
    # only its dates keep "ended" and "later" away; the others would not apply anyway
    assert told == {"ended": Reason.EXPIRED, "later": Reason.NOT_STARTED}
    assert explained.rejection("later").message == (
        f"Offer later starts {(SUNDAY_10 + day).isoformat()}"
    )
    assert D(0) < explained.applied[0].discount
