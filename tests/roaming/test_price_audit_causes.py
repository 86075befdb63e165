"""The price audit prices each CDR by the tariff it names, with the OCPI calculator over its
own charging periods, and gives each difference its cause: one of our offers, a surge OCPI
does not publish, parking, metering, another tariff, or unexplained (mis-billing, the only
rows listed by default). Unpriced CDRs say why; money reads as on every other page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cpo_portal.models import Role, Station
from pricing.models import Tariff
from roaming.models import AuditCause, ReceivedCdr
from roaming.services import cdr_imports, price_audit
from roaming.tasks import audit_received
from tests.analytics.conftest import Ledger, make_offer
from tests.factories import staff
from tests.pricing.factories import BandFactory, SurgeFactory
from tests.roaming.cdr_data import START, cdr, dumps, when
from tests.roaming.conftest import network

pytestmark = pytest.mark.django_db
D = Decimal
# The default tariff: ₹18/kWh and a ₹10 service fee (OCPI: a FLAT component), before GST.


@pytest.fixture
def operator(ocpi):
    return network(stations=2)  # station 1 has a tariff of its own, ₹21/kWh


def bill(n: str, excl: str, *, station: int = 0, periods=None, minutes: int = 40, ref=""):
    data = cdr(n, f"cpo1-st-{station:03d}", f"cpo1-ch-{station:03d}", excl=excl, incl=None,
               minutes=minutes)  # fmt: skip
    named = "cpo1-default" if station == 0 else "cpo1-station-001"
    data["charging_periods"][0]["tariff_id"] = named
    if periods is not None:
        data["charging_periods"] = periods
    if ref:
        data["authorization_reference"] = ref
    return data


def audited(operator, *objects, in_usd=()) -> dict[str, ReceivedCdr]:
    """The CDRs imported and audited by the task their receipt queues (queued on a commit,
    which a test has not: run here); those named in `in_usd` as if billed in USD, which
    only a CDR stored before such CDRs were refused can be (cdr_intake.check_currency)."""
    out = cdr_imports.import_file(operator, [dumps(o) for o in objects])
    assert out.refused == 0, out.errors
    ReceivedCdr.objects.filter(cdr_id__in=in_usd).update(currency="USD")
    audit_received(operator.pk)
    result = price_audit.audit(ReceivedCdr.objects.all(), "all")
    assert result.pending == 0
    return {r.cdr_id: r for r in ReceivedCdr.objects.all()}


def test_a_bill_at_the_tariffs_price_matches(operator):
    rows = audited(operator, bill("OK", "190.00"))
    assert (rows["OK"].audit_excl_vat, rows["OK"].audit_cause) == (D("190.00"), "matches")


def test_a_session_given_one_of_our_offers_is_explained_by_it(operator):
    station = Station.objects.get(code="cpo1-st-000")
    offer = make_offer(operator, "audit-deal")
    Ledger(station).row("settled", offer, start=START, order_ref="order-77", discount="19")
    rows = audited(operator, bill("OFFER", "171.00", ref="order-77"))
    assert rows["OFFER"].audit_cause == AuditCause.OFFER
    assert "₹19.00" in rows["OFFER"].audit_note


def test_a_surge_ocpi_does_not_publish_is_explained(operator):
    SurgeFactory(operator=operator, form="per_kwh", amount=D("1"),
                 window_start=dt.time(9), window_end=dt.time(12))  # fmt: skip
    rows = audited(operator, bill("SURGE", "200.00"))  # 10 kWh x ₹1 of surge
    assert rows["SURGE"].audit_cause == AuditCause.SURGE
    assert "₹10.00" in rows["SURGE"].audit_note


def _parking_periods():
    charging = {"start_date_time": when(START), "tariff_id": "cpo1-default",
                "dimensions": [{"type": "ENERGY", "volume": D("10")}]}  # fmt: skip
    parked = START + dt.timedelta(minutes=40)
    parking = {"start_date_time": when(parked), "tariff_id": "cpo1-default",
               "dimensions": [{"type": "PARKING_TIME", "volume": D("0.3333")}]}  # fmt: skip
    return [charging, parking]


def test_parking_time_the_tariff_charges_is_priced_and_a_bill_without_it_explained(operator):
    Tariff.objects.filter(code="cpo1-default").update(idle_fee_per_minute=D("1"))
    rows = audited(
        operator,
        bill("PARKED", "210.00", minutes=60, periods=_parking_periods()),  # 20 min at ₹1
        bill("NOPARK", "190.00", minutes=60, periods=_parking_periods()),
    )
    assert (rows["PARKED"].audit_excl_vat, rows["PARKED"].audit_cause) == (D("210.00"), "matches")
    assert rows["NOPARK"].audit_cause == AuditCause.PARKING
    assert "₹20.00 of parking time" in rows["NOPARK"].audit_note


def test_energy_metered_unevenly_across_a_band_is_priced_by_its_periods(operator):
    BandFactory(tariff=Tariff.objects.get(code="cpo1-default"), start=dt.time(10, 20),
                end=dt.time(12), rate_per_kwh=D("28"), label="peak")  # fmt: skip
    split = START + dt.timedelta(minutes=20)  # 10:20 local: the band starts
    periods = [
        {"start_date_time": when(START), "tariff_id": "cpo1-default",
         "dimensions": [{"type": "ENERGY", "volume": D("8")}]},
        {"start_date_time": when(split), "tariff_id": "cpo1-default",
         "dimensions": [{"type": "ENERGY", "volume": D("2")}]},
    ]  # fmt: skip
    # by its periods: 8 x 18 + 2 x 28 + 10 = 210; at constant power 5 x 18 + 5 x 28 + 10 = 240
    rows = audited(
        operator, bill("EVEN", "210.00", periods=periods), bill("FLAT", "240.00", periods=periods)
    )
    assert (rows["EVEN"].audit_excl_vat, rows["EVEN"].audit_cause) == (D("210.00"), "matches")
    assert rows["FLAT"].audit_cause == AuditCause.METERING


def test_a_bill_at_another_of_our_tariffs_is_explained_by_it(operator):
    rows = audited(operator, bill("OTHER", "220.00"))  # 10 x ₹21 + 10: station 1's tariff
    assert rows["OTHER"].audit_cause == AuditCause.TARIFF
    assert "cpo1-station-001" in rows["OTHER"].audit_note


def test_unpriced_cdrs_give_their_reason(operator):
    unknown = bill("UNKNOWN", "190.00")
    unknown["charging_periods"][0]["tariff_id"] = "their-own-tariff"
    rows = audited(operator, bill("USD", "19.00"), unknown, in_usd=["USD"])
    assert rows["USD"].audit_cause == rows["UNKNOWN"].audit_cause == AuditCause.UNPRICED
    assert "billed in USD" in rows["USD"].audit_note
    assert "their-own-tariff, which we do not publish" in rows["UNKNOWN"].audit_note


def test_the_page_lists_only_unexplained_differences_in_rupees(client, operator):
    SurgeFactory(operator=operator, form="per_kwh", amount=D("1"),
                 window_start=dt.time(9), window_end=dt.time(12))  # fmt: skip
    audited(operator, bill("OK", "190.00"), bill("SURGE", "200.00"), bill("WRONG", "180.00"),
            bill("WRONG2", "200.00", station=1), bill("USD", "19.00"),
            in_usd=["USD"])  # fmt: skip
    client.force_login(staff(operator, Role.ANALYST, "analyst-1"))
    page = client.get("/admin/roaming/receivedcdr/audit/").content.decode()
    listed = page[page.index('id="audit-rows"') :]
    assert "WRONG<" in listed and "WRONG2" in listed
    assert "SURGE<" not in listed and "OK<" not in listed
    assert "<td>10</td>" in listed and "10.000" not in listed  # kWh as the quote lines say it
    # WRONG: 10.00 less; WRONG2: 220.00 due at station 1, 20.00 less
    assert "net difference \u2212₹30.00, absolute ₹30.00" in page
    assert "A surge OCPI does not publish" in page
    assert "billed in USD" in page
    every = client.get("/admin/roaming/receivedcdr/audit/?cause=all").content.decode()
    assert "SURGE<" in every[every.index('id="audit-rows"') :]
