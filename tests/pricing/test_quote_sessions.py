"""quote_sessions, the batch form of quote_session: the same money for every session of a
batch, whatever else the batch holds, from a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpo_portal.models import Charger, Holiday
from cpo_portal.models.network import EquipmentStatus
from pricing.engine import QuoteInputError
from pricing.models import GridSignal
from pricing.services import (
    ConditionsDuring,
    NoTariffError,
    SessionToQuote,
    clear_cache,
    conditions_for,
    quote_sessions,
)
from tests.factories import ChargerFactory, OperatorFactory, StationFactory
from tests.pricing.factories import SurgeFactory, TariffFactory
from tests.support.pricing import one_at_a_time

pytestmark = pytest.mark.django_db
D = Decimal
IST = ZoneInfo("Asia/Kolkata")
# Sessions start over ten days from here; holidays and signals are drawn around them.
FIRST = dt.datetime(2025, 3, 1, tzinfo=IST)
DAYS = 10


@pytest.fixture
def world() -> SimpleNamespace:
    """Two operators. A: stations in Delhi (two chargers), Maharashtra and one kept in
    Dubai's time (another local day at midnight in India), a default tariff and a surge
    for each condition: holidays, grid stress, occupancy, and an evening window. B: a
    station tariff at one station, none at the other (NoTariffError), a grid surge."""
    a = OperatorFactory(code="batch-a.example")
    b = OperatorFactory(code="batch-b.example")
    dl = StationFactory(operator=a, code="a-dl", region_code="DL")
    mh = StationFactory(operator=a, code="a-mh", region_code="MH")
    dxb = StationFactory(operator=a, code="a-dxb", region_code="DL", time_zone="Asia/Dubai")
    b1 = StationFactory(operator=b, code="b-1", region_code="KA")
    b2 = StationFactory(operator=b, code="b-2", region_code="KA")
    chargers = [
        ChargerFactory(station=dl, code="a-dl-1"),
        ChargerFactory(station=dl, code="a-dl-2"),
        ChargerFactory(station=mh, code="a-mh-1"),
        ChargerFactory(station=dxb, code="a-dxb-1"),
        ChargerFactory(station=b1, code="b-1-1"),
        ChargerFactory(station=b2, code="b-2-1"),  # no tariff
    ]
    TariffFactory(operator=a, code="a-default")
    TariffFactory(operator=b, station=b1, code="b-1", energy_rate_per_kwh=D("21.5"),
                  tax_rate=D("0.05"), prices_include_tax=True)  # fmt: skip
    since = FIRST - dt.timedelta(days=60)
    every_day = {"window_start": None, "window_end": None, "effective_from": since}
    SurgeFactory(operator=a, code="a-holiday", kind="holiday", holidays_only=True, form="flat",
                 amount=D("25"), **every_day)  # fmt: skip
    SurgeFactory(operator=a, code="a-grid", kind="demand", on_grid_stress=True,
                 form="per_kwh", amount=D("1.75"), **every_day)  # fmt: skip
    SurgeFactory(operator=a, code="a-busy", kind="demand", occupancy_threshold=D("0.5"),
                 form="percent", amount=D("12.5"), **every_day)  # fmt: skip
    SurgeFactory(operator=a, code="a-evening", effective_from=since)
    SurgeFactory(operator=b, code="b-grid", kind="demand", on_grid_stress=True,
                 form="percent", amount=D("7"), **every_day)  # fmt: skip
    clear_cache()
    return SimpleNamespace(a=a, b=b, stations=[dl, mh, dxb, b1, b2], chargers=chargers)


def same(batch: list, single: list) -> None:
    """Byte for byte: each quote's repr (every line, amount and exponent of its Decimals),
    each refusal's type and words."""
    assert len(batch) == len(single)
    for got, want in zip(batch, single, strict=True):
        if isinstance(want, Exception):
            assert (type(got), str(got)) == (type(want), str(want))
        else:
            assert repr(got) == repr(want)


def set_state(world, holidays=(), signals=(), statuses=None) -> None:
    """The calendar, grid signals and charger statuses a batch is priced under."""
    Holiday.objects.filter(operator__in=[world.a, world.b]).delete()
    GridSignal.objects.filter(operator__in=[world.a, world.b]).delete()
    for operator, day, region in holidays:
        Holiday.objects.get_or_create(operator=operator, date=day, region_code=region,
                                      defaults={"name": "Holiday"})  # fmt: skip
    for operator, station, region, raised, cleared in signals:
        GridSignal.objects.create(operator=operator, station=station, region_code=region,
                                  raised_at=raised, cleared_at=cleared)  # fmt: skip
    for charger, status in zip(world.chargers, statuses or (), strict=False):
        Charger.objects.filter(pk=charger.pk).update(status=status)
    for charger in world.chargers:
        charger.refresh_from_db(fields=["status"])


def ask(charger, start: dt.datetime, size: tuple) -> SessionToQuote:
    kind, value = size
    if kind == "kwh":
        return SessionToQuote(charger, start, kwh=value)
    if kind == "end":
        return SessionToQuote(charger, start, end=start + dt.timedelta(minutes=value))
    if kind == "both":
        return SessionToQuote(
            charger, start, kwh=D("12.5"), end=start + dt.timedelta(minutes=value)
        )
    return SessionToQuote(charger, start, amount=value)


sizes = st.one_of(
    st.tuples(st.just("kwh"), st.decimals(min_value=D("0.001"), max_value=D("80"), places=3)),
    st.tuples(st.just("kwh"), st.just(D("5000"))),  # more than a session delivers: refused
    st.tuples(st.just("end"), st.integers(1, 36 * 60)),
    st.tuples(st.just("both"), st.integers(30, 600)),
    st.tuples(st.just("amount"), st.decimals(min_value=D("1"), max_value=D("900"), places=2)),
)
moments = st.integers(0, DAYS * 24 * 60 - 1).map(lambda m: FIRST + dt.timedelta(minutes=m))
days = st.integers(-3, DAYS + 35).map(lambda n: FIRST.date() + dt.timedelta(days=n))


@st.composite
def scenes(draw) -> dict:
    """A state of the world (holidays, signals, charger statuses) and a batch of sessions."""
    holidays = draw(st.lists(st.tuples(st.sampled_from("ab"), days,
                                       st.sampled_from(["", "DL", "MH", "KA"])),
                             max_size=8))  # fmt: skip
    signals = []
    for _ in range(draw(st.integers(0, 4))):
        raised = draw(moments) - dt.timedelta(hours=draw(st.integers(0, 48)))
        cleared = draw(
            st.none() | st.integers(1, 72 * 60).map(lambda m, r=raised: r + dt.timedelta(minutes=m))
        )
        scope = draw(st.sampled_from(["station", "region", "all"]))
        signals.append((draw(st.sampled_from("ab")), scope,
                        draw(st.sampled_from(["DL", "MH", "KA"])), raised, cleared))  # fmt: skip
    statuses = draw(st.lists(st.sampled_from(list(EquipmentStatus)), min_size=6, max_size=6))
    sessions = draw(st.lists(st.tuples(st.integers(0, 5), moments, sizes), min_size=1,
                             max_size=25))  # fmt: skip
    return {"holidays": holidays, "signals": signals, "statuses": statuses, "sessions": sessions}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scene=scenes())
def test_a_batch_costs_what_each_session_costs_alone(world, scene):
    ops = {"a": world.a, "b": world.b}
    stations = {"a": world.stations[0], "b": world.stations[3]}
    signals = [
        (ops[op], stations[op] if scope == "station" else None,
         region if scope == "region" else "", raised, cleared)
        for op, scope, region, raised, cleared in scene["signals"]
    ]  # fmt: skip
    holidays = [(ops[op], day, region) for op, day, region in scene["holidays"]]
    set_state(world, holidays, signals, scene["statuses"])
    asks = [ask(world.chargers[c], start, size) for c, start, size in scene["sessions"]]
    same(quote_sessions(asks), one_at_a_time(asks))


def lines(quote) -> dict[str, Decimal]:
    return {ln.code: ln.amount for ln in quote.lines}


def test_the_conditions_of_each_session_are_its_own(world):
    """A table over one batch: a holiday in Delhi only, a signal raised and cleared in the
    middle of the batch, a busy station; then the chargers change and the same sessions
    are priced anew. Each session pays the surges of its own day, moment and station."""
    dl_1, dl_2, mh_1, dxb_1, b_1, b_2 = world.chargers
    holiday = dt.date(2025, 3, 4)
    raised = dt.datetime(2025, 3, 5, 9, tzinfo=IST)
    set_state(
        world,
        holidays=[(world.a, holiday, "DL")],
        signals=[
            (world.a, None, "", raised, raised + dt.timedelta(hours=3)),
            (world.b, world.stations[3], "", raised, None),
        ],
        statuses=[EquipmentStatus.OCCUPIED, EquipmentStatus.AVAILABLE],  # Delhi half busy
    )
    noon = dt.datetime(2025, 3, 4, 12, tzinfo=IST)
    table = [  # (charger, start, the surges it pays)
        (dl_1, noon, {"a-holiday", "a-busy"}),  # Delhi's holiday, Delhi half occupied
        (mh_1, noon, set()),  # a Delhi holiday is not Maharashtra's
        (dl_2, noon + dt.timedelta(days=1), {"a-busy"}),  # 12:00 on the 5th: the signal...
        (mh_1, raised + dt.timedelta(hours=1), {"a-grid"}),  # ... is raised from 09:00
        (mh_1, raised + dt.timedelta(hours=3), set()),  # cleared at 12:00 sharp
        (mh_1, raised - dt.timedelta(seconds=1), set()),  # not yet raised
        (dl_1, raised.replace(hour=19), {"a-busy", "a-evening"}),
        (dxb_1, dt.datetime(2025, 3, 4, 1, tzinfo=IST), set()),  # still the 3rd in Dubai
        (dxb_1, dt.datetime(2025, 3, 4, 2, 30, tzinfo=IST), {"a-holiday"}),  # the 4th there
        (b_1, raised + dt.timedelta(days=2), {"b-grid"}),  # never cleared
        (b_1, raised - dt.timedelta(hours=1), set()),
    ]
    asks = [SessionToQuote(c, start, kwh=D("10")) for c, start, _ in table]
    asks.append(SessionToQuote(b_2, noon, kwh=D("10")))
    batch = quote_sessions(asks)
    same(batch, one_at_a_time(asks))
    surges = [{code for code in lines(q) if code.startswith(("a-", "b-"))} for q in batch[:-1]]
    assert surges == [want for _, _, want in table]
    assert isinstance(batch[-1], NoTariffError)
    assert str(batch[-1]) == "charger b-2-1 has no active tariff"
    # A naive start is the engine's refusal, the rest of the batch quoted as before.
    naive = SessionToQuote(dl_1, noon.replace(tzinfo=None), kwh=D("10"))
    *rest, refused = quote_sessions([*asks, naive])
    same(rest, batch)
    assert isinstance(refused, QuoteInputError)
    assert str(refused) == "session start and end must be timezone-aware datetimes"
    assert lines(batch[0])["a-holiday"] == D("25.00")

    # The chargers change: Delhi is free, Maharashtra busy. The next batch reads them.
    Charger.objects.filter(pk__in=[dl_1.pk, dl_2.pk]).update(status=EquipmentStatus.AVAILABLE)
    Charger.objects.filter(pk=mh_1.pk).update(status=EquipmentStatus.OCCUPIED)
    again = quote_sessions(asks)
    same(again, one_at_a_time(asks))
    assert "a-busy" not in lines(again[0]) and "a-busy" in lines(again[1])


def test_conditions_during_a_span_answer_as_conditions_for(world):
    raised = FIRST + dt.timedelta(days=3, minutes=5)
    holidays = [(world.a, dt.date(2025, 3, 2), ""), (world.a, dt.date(2025, 4, 1), "MH")]
    signals = [(world.a, None, "MH", raised, raised + dt.timedelta(days=2))]
    set_state(world, holidays, signals, statuses=[EquipmentStatus.OCCUPIED] * 6)
    moments = [FIRST + dt.timedelta(hours=h) for h in range(0, DAYS * 24, 7)]
    read = ConditionsDuring(world.stations, moments[0], moments[-1])
    for station in world.stations:
        for at in moments:
            assert read.at(station, at) == conditions_for(station, at)
    with pytest.raises(ValueError, match="outside the span"):
        read.at(world.stations[0], moments[-1] + dt.timedelta(seconds=1))


def test_an_empty_batch_asks_nothing(world):
    with CaptureQueriesContext(connection) as queries:
        assert quote_sessions([]) == []
    assert len(queries) == 0


def batch_of(world, n: int) -> list[SessionToQuote]:
    """n sessions over the five priced chargers, two operators and ten days."""
    priced = world.chargers[:5]
    return [
        SessionToQuote(priced[i % 5], FIRST + dt.timedelta(minutes=97 * i), kwh=D(5 + i % 20))
        for i in range(n)
    ]


def test_a_batch_costs_a_stamp_read_per_operator_and_one_conditions_read(world):
    """Books compiled: a stamp read per operator (two here) and one read of the conditions,
    for 1 session or 400."""
    set_state(world, holidays=[(world.a, dt.date(2025, 3, 4), "")],
              signals=[(world.a, None, "", FIRST, None)])  # fmt: skip
    quote_sessions(batch_of(world, 5))  # compiles the books
    counts = {}
    for n in (5, 50, 400):
        with CaptureQueriesContext(connection) as queries:
            quoted = quote_sessions(batch_of(world, n))
        counts[n] = len(queries)
        assert all(not isinstance(q, Exception) for q in quoted)
    assert counts == {5: 3, 50: 3, 400: 3}
