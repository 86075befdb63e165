"""The demo pricing seeds the DEG figures and one surge rule of every kind, idempotently."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from cpo_portal.models import Charger, Operator
from pricing.engine.types import LineKind, SurgeKind
from pricing.models import SurgeRule, Tariff, TariffBand
from pricing.services import tariff_for
from tests.pricing.factories import at, surge_notices
from tests.support.pricing import quote_session

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def demo(demo_config_world, db):
    """The demo's configuration, seeded once for this module (tests/conftest.py); this
    test's changes are rolled back after it."""
    return demo_config_world


def test_seeding_twice_changes_nothing(demo):
    counts = (Tariff.objects.count(), TariffBand.objects.count(), SurgeRule.objects.count())
    stations = sorted(SurgeRule.objects.values_list("code", "stations__code"), key=str)
    call_command("seed_demo", "--no-progress", "--sessions", "0", stdout=StringIO())
    assert counts == (Tariff.objects.count(), TariffBand.objects.count(), SurgeRule.objects.count())
    assert stations == sorted(SurgeRule.objects.values_list("code", "stations__code"), key=str)
    assert "Pricing: 4 tariffs, 11 demo surge rules." in demo


def test_every_surge_kind_is_demonstrated(demo):
    cpo1 = Operator.objects.get(code="cpo1.com")
    kinds = set(SurgeRule.objects.filter(operator=cpo1).values_list("kind", flat=True))
    assert kinds == {k.value for k in SurgeKind}
    assert SurgeRule.objects.filter(operator__code="voltgrid.in").count() == 2


def test_flagship_charger_gives_the_deg_select_numbers(demo):
    charger = Charger.objects.get(operator__code="cpo1.com", code="pe-charging-01")
    assert tariff_for(charger).code == "cpo1-flagship"
    quote = quote_session(charger, at("2025-09-24 10:00"), amount=D("100"))
    assert quote.kwh == D("5.000")
    assert [ln.amount for ln in quote.lines if ln.kind is not LineKind.TAX] == [
        D("90.00"),
        D("10.00"),
    ]
    charger.status = "Occupied"  # the station is now 100% busy: the 20% demand surge
    charger.save()
    quote = quote_session(charger, at("2025-09-24 10:00"), amount=D("100"))
    surge = quote.lines_of(LineKind.SURGE)
    assert [(ln.code, ln.amount) for ln in surge] == [("high-demand", D("18.00"))]
    assert quote.total - quote.sum_of(LineKind.TAX) == D("118.00")


def test_metro_station_gives_the_deg_surge_journey(demo):
    tariff = Tariff.objects.get(code="cpo1-metro-inclusive")
    charger = tariff.station.chargers.order_by("code").first()
    quote = quote_session(charger, at("2025-09-24 18:25"), kwh=D("5.2"))
    assert [(ln.code, ln.amount) for ln in quote.lines] == [
        ("base", D("83.20")),
        ("congestion-evening", D("5.20")),
    ]
    assert quote.total == D("88.40")
    (notice,) = surge_notices(tariff.station, at("2025-09-24 18:15"))
    assert notice.explanation == "Congestion Fee: ₹1/kWh between 6 PM - 9 PM"


def test_second_operator_has_notice_and_its_own_tariff(demo):
    voltgrid = Operator.objects.get(code="voltgrid.in")
    assert voltgrid.surge_notice_hours == 24
    charger = Charger.objects.filter(operator=voltgrid).first()
    assert tariff_for(charger).code == "vg-standard"
