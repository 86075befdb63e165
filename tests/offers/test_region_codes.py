"""Region codes are one spelling everywhere: " dl " typed in the admin, an import or a
model write is stored as "DL", so an offer limited to "dl" applies at a station in DL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError
from django.db import connection
from django.urls import reverse

from cpo_portal.db.regions import respell_stored
from cpo_portal.models import Holiday, Station
from offers.models import Offer
from offers.services import SessionAsk, quote_session_with_offers
from offers.services.config.exporting import export_pricing
from offers.services.config.importing import import_pricing
from pricing.models import SurgeRule
from tests.offers.conftest import SUNDAY_10
from tests.offers.factories import OfferFactory
from tests.support.admin import offer_post

pytestmark = pytest.mark.django_db


def test_the_admin_form_stores_region_codes_upper_cased_once(client, network):
    client.force_login(network.pricing_a)
    response = client.post(
        reverse("admin:offers_offer_add"),
        offer_post(network.op_a, region_codes="DL, dl ,Dl, hr"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Offer.objects.get(code="happy-hour").region_codes == ["DL", "HR"]


def test_an_offer_limited_to_dl_in_lower_case_applies_at_a_dl_station(deg):
    assert deg.charger.station.region_code == "DL"
    offer = OfferFactory(
        operator=deg.op_a, code="delhi-50", percent=Decimal("50"), region_codes=[" dl "]
    )
    assert Offer.objects.get(pk=offer.pk).region_codes == ["DL"]
    quoted = quote_session_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100")))
    assert quoted.rejection("delhi-50") is None
    assert "delhi-50" in quoted.applied_ids()


def test_every_model_storing_region_codes_stores_them_upper_cased(network):
    station = Station.objects.get(pk=network.charger_a.station_id)
    station.region_code = " dl "
    station.full_clean()
    assert station.region_code == "DL"
    station.region_code = "mh"
    station.save()  # a save without full_clean() spells it too
    assert Station.objects.get(pk=station.pk).region_code == "MH"
    holiday = Holiday.objects.create(
        operator=network.op_a, date=dt.date(2026, 1, 26), name="Republic Day", region_code="mh "
    )
    assert Holiday.objects.get(pk=holiday.pk).region_code == "MH"
    rule = SurgeRule(region_codes=["dl", " Dl", "hr"])
    assert SurgeRule._meta.get_field("region_codes").clean(rule.region_codes, rule) == [
        "DL",
        "HR",
    ]


def test_the_pricing_import_stores_region_codes_upper_cased(network):
    OfferFactory(operator=network.op_a, code="delhi-50", region_codes=["DL"])
    document = export_pricing(network.op_a)
    row = next(r for r in document["offers"] if r["code"] == "delhi-50")
    row["region_codes"] = ["dl", "HR ", "hr"]
    plan = import_pricing(network.op_a, document)
    assert plan.errors == []
    assert Offer.objects.get(code="delhi-50").region_codes == ["DL", "HR"]
    again = import_pricing(network.op_a, document)
    assert "~ offers[delhi-50] update" not in again.lines()


def test_the_migration_respells_stored_codes_and_names_rows_that_would_clash(network):
    offer = OfferFactory(operator=network.op_a, code="delhi-50")
    Offer.objects.filter(pk=offer.pk).update(region_codes=["dl", "DL", " hr"])
    respell_stored("offers", "offer", "region_codes", many=True).code(apps, None)
    assert Offer.objects.get(pk=offer.pk).region_codes == ["DL", "HR"]

    day = dt.date(2026, 8, 15)
    one = Holiday.objects.create(operator=network.op_a, date=day, name="A", region_code="DL")
    two = Holiday.objects.create(operator=network.op_a, date=day, name="B", region_code="KA")
    with connection.cursor() as cursor:  # as stored before region codes had one spelling
        table = Holiday._meta.db_table
        cursor.execute(f"UPDATE {table} SET region_code = %s WHERE id = %s", ["dl", two.pk])
    step = respell_stored("cpo_portal", "holiday", "region_code", unique=("operator_id", "date"))
    with pytest.raises(CommandError, match=f"rows {one.pk} and {two.pk} would have the same"):
        step.code(apps, None)
    assert Holiday.objects.get(pk=two.pk).region_code == "dl"  # nothing changed


def test_offers_sharing_their_regions_migrate(network):
    """No constraint makes an offer's region list unique (nor a surge rule's, nor a
    what-if run's, respelled by the same step): two offers both in DL, or both everywhere,
    are respelled, not named as a clash (`migrate` refused any database holding two)."""
    rows = [OfferFactory(operator=network.op_a, code=f"deal-{n}") for n in range(4)]
    stored = [["dl"], ["DL"], [], []]  # as stored before region codes had one spelling
    for offer, codes in zip(rows, stored, strict=True):
        Offer.objects.filter(pk=offer.pk).update(region_codes=codes)
    respell_stored("offers", "offer", "region_codes", many=True).code(apps, None)
    assert [Offer.objects.get(pk=o.pk).region_codes for o in rows] == [["DL"], ["DL"], [], []]
