"""CDRs taken in: each refused one says why, each taken one is stored once, matched to our
station and charger, priced by our tariff, and counted in the session facts with its
channel, all or nothing."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import AutoField

from analytics.models import NoOfferSession
from roaming.models import ReceivedCdr
from roaming.services import cdr_intake, tariff_audit
from tests.roaming.cdr_data import START, cdr
from tests.roaming.conftest import network

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(ocpi):
    return network(stations=2)


def take(operator, *cdrs):
    return cdr_intake.take(operator, list(enumerate(cdrs, 1)))


def test_a_cdr_is_stored_matched_priced_and_counted(operator):
    out = take(operator, cdr("C1", "cpo1-st-000", "cpo1-ch-000"))
    assert (len(out.stored), out.duplicates, out.refused) == (1, [], [])
    row = ReceivedCdr.objects.get()
    assert (row.station.code, row.charger.code, row.channel) == (
        "cpo1-st-000", "cpo1-ch-000", "roaming",
    )  # fmt: skip
    # default tariff: 10 kWh x 18 + 10 service fee, 18 % GST
    assert (row.our_excl_vat, row.our_incl_vat) == (Decimal("190.00"), Decimal("224.20"))
    assert row.difference is None  # not audited yet: the price audit prices it by its tariff
    tariff_audit.audit([row])
    assert (row.audit_excl_vat, row.difference) == (Decimal("190.00"), Decimal("0.00"))
    fact = NoOfferSession.objects.get()
    assert fact.order_ref == f"cdr:{operator.pk}:IN*CPO:C1"
    assert (fact.channel, fact.station_id, fact.charger_id) == ("roaming", row.station_id,
                                                                row.charger_id)  # fmt: skip
    assert (fact.gross_amount, fact.tax_amount, fact.net_amount) == (
        Decimal("190.00"), Decimal("34.20"), Decimal("224.20"),
    )  # fmt: skip
    assert fact.session_start_hour == 10  # local (Asia/Kolkata)
    assert fact.energy_kwh == Decimal("10.000")


def test_amounts_finer_than_the_paisa_are_rounded_half_up_as_everywhere(operator):
    """100.125 is 100.13 (the default context's half-even said 100.12), the same in the
    stored CDR and the session fact."""
    take(operator, cdr("C1", "cpo1-st-000", "cpo1-ch-000", excl="100.125", incl="118.145"))
    row = ReceivedCdr.objects.get()
    assert (row.charged_excl_vat, row.charged_incl_vat) == (Decimal("100.13"), Decimal("118.15"))
    fact = NoOfferSession.objects.get()
    assert (fact.gross_amount, fact.net_amount) == (Decimal("100.13"), Decimal("118.15"))


def test_the_channel_follows_who_issued_the_token(operator):
    take(
        operator,
        cdr("R", "cpo1-st-000", "cpo1-ch-000", token=("NL", "EMS", "APP_USER")),
        cdr("A", "cpo1-st-000", "cpo1-ch-000", token=("IN", "CPO", "APP_USER")),
        cdr("O", "cpo1-st-000", "cpo1-ch-000", token=("IN", "CPO", "RFID")),
    )
    channels = dict(NoOfferSession.objects.values_list("order_ref", "channel"))
    assert {ref[-1]: channel for ref, channel in channels.items()} == {
        "R": "roaming", "A": "own_app", "O": "other",
    }  # fmt: skip


def test_a_cdr_billed_at_another_price_shows_the_difference(operator):
    take(operator, cdr("C1", "cpo1-st-000", "cpo1-ch-000", excl="210.00", incl="247.80"))
    row = ReceivedCdr.objects.get()
    tariff_audit.audit([row])
    row.refresh_from_db()
    assert (row.difference, row.audit_cause) == (Decimal("20.00"), "unexplained")
    assert NoOfferSession.objects.get().gross_amount == Decimal("210.00")  # what was billed


def test_the_same_cdr_twice_is_one_row(operator):
    one = cdr("C1", "cpo1-st-000", "cpo1-ch-000")
    first = take(operator, one, one)
    again = take(operator, one)
    assert (len(first.stored), len(first.duplicates)) == (1, 1)
    assert (again.stored, again.duplicates) == ([], [("IN", "CPO", "c1")])  # its cdr_key
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == 1


def test_the_same_id_from_another_party_or_operator_is_another_cdr(operator):
    other = network("cpo2.example", stations=1)
    take(operator, cdr("C1", "cpo1-st-000", "cpo1-ch-000"),
         cdr("C1", "cpo1-st-000", "cpo1-ch-000", party=("IN", "XYZ")))  # fmt: skip
    take(other, cdr("C1", "cpo2-st-000", "cpo2-ch-000"))
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == 3


def _set(*path, value):
    def change(c):
        for key in path[:-1]:
            c = c[key]
        c[path[-1]] = value

    return change


REFUSALS = [
    (lambda c: c.pop("id"), "id: is required"),
    (_set("total_energy", value=-1), "total_energy: -1 is less than the minimum of 0"),
    (_set("start_date_time", value="later"), 'start_date_time: "later" does not match'),
    (_set("cdr_token", "type", value="CARD"), 'cdr_token.type: "CARD" is not one of'),
    (_set("end_date_time", value="2026-03-01T00:00:00Z"), "end_date_time is before start"),
    (_set("total_cost", "incl_vat", value=Decimal(1)), "total_cost.incl_vat is less than"),
    (_set("cdr_location", "id", value="nowhere"), 'cdr_location.id "nowhere" is not one of'),
    (
        _set("cdr_location", "evse_uid", value="cpo1-ch-001"),
        'cdr_location.evse_uid "cpo1-ch-001" is not a charger at station "cpo1-st-000"',
    ),
]


@pytest.mark.parametrize(("change", "message"), REFUSALS)
def test_a_refused_cdr_says_why_and_writes_nothing(operator, change, message):
    bad = cdr("C1", "cpo1-st-000", "cpo1-ch-000")
    change(bad)
    out = take(operator, cdr("C0", "cpo1-st-000", "cpo1-ch-000"), bad)
    assert len(out.stored) == 1 and len(out.refused) == 1
    position, reason = out.refused[0]
    assert position == 2 and reason.startswith(message), reason
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == 1


@pytest.mark.parametrize(
    ("volumes", "total"),
    [
        (["10"], "10"),
        (["10.001"], "10"),  # one period and the total, each to the Wh: 1 Wh apart at most
        (["3.334", "3.334", "3.333"], "10"),  # rounded to the Wh each: 2 Wh apart at most
        (["0.1", "0.2"], "0.30000000000000004"),  # a float's sum
        ([], "15.342"),  # periods of TIME only (the OCPI spec's example CDR): nothing to add
    ],
    ids=["equal", "a Wh apart", "three periods rounded", "a float's sum", "no ENERGY"],
)
def test_periods_whose_energy_is_the_total_to_the_wh_are_taken(operator, volumes, total):
    data = cdr("C1", "cpo1-st-000", "cpo1-ch-000", kwh=total)
    data["charging_periods"] = [
        {"start_date_time": data["start_date_time"],
         "dimensions": [{"type": "TIME", "volume": Decimal("0.1")},
                        *({"type": "ENERGY", "volume": Decimal(v)} for v in volumes[:1])]},
        *({"start_date_time": data["start_date_time"],
           "dimensions": [{"type": "ENERGY", "volume": Decimal(v)}]} for v in volumes[1:]),
    ]  # fmt: skip
    out = take(operator, data)
    assert (len(out.stored), out.refused) == (1, [])


def test_a_cdr_in_another_currency_than_the_operators_is_refused(operator):
    """The operator prices, bills and counts in one currency (Operator.currency): a CDR
    billed in another is refused, and nothing of it reaches the session facts."""
    usd = cdr("C1", "cpo1-st-000", "cpo1-ch-000", excl="2.30", incl="2.70")
    usd["currency"] = "USD"
    out = take(operator, usd, cdr("C2", "cpo1-st-000", "cpo1-ch-000"))
    assert out.refused == [(1, "currency USD is not the operator's currency (INR): its "
                                "sessions are billed and counted in INR only")]  # fmt: skip
    assert list(ReceivedCdr.objects.values_list("cdr_id", "currency")) == [("C2", "INR")]
    assert list(NoOfferSession.objects.values_list("currency", flat=True)) == ["INR"]
    # another operator's own currency is its own
    euros = network("cpo2.example", stations=1)
    type(euros).objects.filter(pk=euros.pk).update(currency="EUR")
    euros.refresh_from_db()
    in_euros = cdr("E1", "cpo2-st-000", "cpo2-ch-000")
    in_euros["currency"] = "EUR"
    assert len(take(euros, in_euros).stored) == 1


def test_a_cdr_we_cannot_price_is_taken_without_our_price(operator):
    from pricing.models import Tariff

    Tariff.objects.filter(operator=operator).update(active=False)
    take(operator, cdr("C1", "cpo1-st-000", "cpo1-ch-000"))
    row = ReceivedCdr.objects.get()
    assert (row.our_excl_vat, row.price_note) == (None, "no tariff prices this charger")
    assert row.difference is None


def test_a_failing_session_fact_leaves_no_cdr(operator, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("analytics down")

    monkeypatch.setattr(cdr_intake, "receive_sessions", broken)
    with pytest.raises(RuntimeError):
        take(operator, cdr("C1", "cpo1-st-000", "cpo1-ch-000"))
    assert ReceivedCdr.objects.count() == 0


def test_times_are_read_as_utc():
    from roaming.services.cdr_schema import when

    assert when("2026-03-02T04:30:00Z") == dt.datetime(2026, 3, 2, 4, 30, tzinfo=dt.UTC)
    assert when("2026-03-02T04:30:00.123") == dt.datetime(2026, 3, 2, 4, 30, 0, 123000,
                                                          tzinfo=dt.UTC)  # fmt: skip


def cdrs_over(n: int, stations: int, prefix: str = "Q") -> list[tuple[int, dict]]:
    """n CDRs over the stations and over up to 200 days, 10 to 39 kWh in 90 minutes."""
    return [
        (i, cdr(f"{prefix}{i}", f"cpo1-st-{i % stations:03d}", f"cpo1-ch-{i % stations:03d}",
                start=START + dt.timedelta(days=i % 200, minutes=37 * i), minutes=90,
                kwh=str(10 + i % 30)))
        for i in range(n)
    ]  # fmt: skip


def inserts(n: int) -> int:
    """The INSERT statements that store n CDRs and their session facts: one each on
    PostgreSQL; on SQLite as many as its limit of parameters per statement needs
    (DatabaseOperations.bulk_batch_size)."""

    def batch(model) -> int:
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField)]
        return connection.ops.bulk_batch_size(fields, [None] * n)

    return sum(math.ceil(n / batch(model)) for model in (ReceivedCdr, NoOfferSession))


def test_a_batch_of_cdrs_costs_seven_queries_whatever_its_size(ocpi, django_assert_num_queries):
    """Priced together (pricing.services.quote_sessions): the pricing stamp and the
    conditions once each; the duplicate check, the inserts (two on PostgreSQL, whatever
    the size), and the savepoint and its release (the test's transaction around it;
    alone, a batch's own begins and commits)."""
    operator = network(stations=6)
    matcher = cdr_intake.Matcher(operator)
    cdr_intake.take(operator, cdrs_over(6, 6, "W"), matcher=matcher)  # the books compiled
    if connection.vendor == "postgresql":
        assert inserts(300) == 2
    for n in (2, 40, 300):
        with django_assert_num_queries(5 + inserts(n)):
            out = cdr_intake.take(operator, cdrs_over(n, 6, f"N{n}-"), matcher=matcher)
        assert len(out.stored) == n
    for n in (2, 300):  # naming authorizations: one more, for our orders among them
        named = [
            (i, {**c, "authorization_reference": f"A{i}"}) for i, c in cdrs_over(n, 6, f"R{n}-")
        ]
        with django_assert_num_queries(6 + inserts(n)):
            out = cdr_intake.take(operator, named, matcher=matcher)
        assert len(out.stored) == n


def test_each_cdr_of_a_batch_has_the_price_quote_session_gives_it(ocpi):
    from cpo_portal.models import Holiday
    from pricing.engine import LineKind
    from tests.pricing.factories import SignalFactory, SurgeFactory
    from tests.support.pricing import quote_session

    operator = network(stations=4)
    SurgeFactory(operator=operator, code="evening")  # 18:00-21:00 local
    all_day = {"window_start": None, "window_end": None}
    SurgeFactory(operator=operator, code="grid", kind="demand", on_grid_stress=True,
                 form="percent", amount=Decimal("9"), **all_day)  # fmt: skip
    Holiday.objects.create(operator=operator, date=dt.date(2026, 3, 4), name="Holi")
    SurgeFactory(operator=operator, code="holi", kind="holiday", holidays_only=True,
                 form="flat", amount=Decimal("30"), **all_day)  # fmt: skip
    SignalFactory(operator=operator, raised_at=START + dt.timedelta(days=5),
                  cleared_at=START + dt.timedelta(days=9))  # fmt: skip
    items = cdrs_over(24, 4)
    items.append((99, cdr("EMPTY", "cpo1-st-001", "cpo1-ch-001", kwh="0")))  # no energy
    cdr_intake.take(operator, items)
    rows = {r.cdr_id: r for r in ReceivedCdr.objects.select_related("charger")}
    assert len(rows) == 25
    surged = set()
    for cdr_id, row in rows.items():
        if cdr_id == "EMPTY":
            assert row.our_excl_vat is None
            assert row.price_note.startswith("not priceable: ")
            continue
        quote = quote_session(row.charger, row.session_start, kwh=row.energy_kwh,
                              end=row.session_end)  # fmt: skip
        tax = quote.sum_of(LineKind.TAX)
        assert (row.our_excl_vat, row.our_incl_vat) == (quote.total - tax, quote.total)
        surged |= {ln.code for ln in quote.lines if ln.kind == LineKind.SURGE}
    assert surged == {"evening", "grid", "holi"}  # the batch met every condition
