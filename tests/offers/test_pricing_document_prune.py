"""Retiring what a pricing document does not name, through the admin's *Import pricing*
(preview, then apply) and `pricing_import --prune`: the operator's own rows are taken out
of service and never deleted (an offer with redemptions keeps them and its code), another
operator's rows are never touched, and the dry run writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from offers.models import Offer, OfferCode, OfferStatus, Redemption
from offers.services.config.exporting import export_pricing
from offers.services.config.format import dump
from pricing.models import SurgeRule, Tariff, TariffBand
from tests.offers.conftest import deg_tariff, weekend_offer
from tests.pricing.factories import SurgeFactory
from tests.security.write_surfaces import fingerprint

pytestmark = pytest.mark.django_db
IMPORT = reverse("admin:offers_pricing_import")
EMPTY = {"tariffs": [], "surge_rules": [], "offers": []}


def priced(operator, suffix: str):
    tariff = deg_tariff(operator, code=f"standard-{suffix}")
    TariffBand.objects.create(
        tariff=tariff, code="off-peak", label="off-peak", start=dt.time(22), end=dt.time(6),
        days=[0, 1, 2, 3, 4, 5, 6], rate_per_kwh="16",
    )  # fmt: skip
    SurgeFactory(operator=operator, code=f"evening-{suffix}", form="flat", amount="5")
    return weekend_offer(operator, code=f"weekend-{suffix}")


@pytest.fixture
def world(network):
    network.offer_a = priced(network.op_a, "a")
    network.offer_b = priced(network.op_b, "b")
    Redemption.objects.create(
        operator=network.op_a, order_ref="order-a-1", kind="redeemed", offer=network.offer_a,
        offer_code=network.offer_a.code, offer_title=network.offer_a.title,
        benefit_kind="percent", station_code="s", charger_code="c", discount=Decimal("22.50"),
        session_start=dt.datetime(2025, 9, 21, 4, 30, tzinfo=dt.UTC), session_start_hour=10,
    )  # fmt: skip
    return network


def state(operator) -> dict:
    return {
        "tariffs": list(Tariff.objects.filter(operator=operator).values_list("code", "active")),
        "bands": TariffBand.objects.filter(tariff__operator=operator).count(),
        "surges": list(SurgeRule.objects.filter(operator=operator).values_list("code", "paused")),
        "offers": list(Offer.objects.filter(operator=operator).values_list("code", "status")),
        "codes": list(OfferCode.objects.filter(operator=operator).values_list("code", flat=True)),
        "redemptions": Redemption.objects.filter(operator=operator).count(),
    }


def test_the_admin_retires_only_the_editors_own_rows_and_deletes_nothing(client, world):
    theirs = state(world.op_b)
    document = {**export_pricing(world.op_a), **EMPTY}
    client.force_login(world.pricing_a)
    body = {"operator": world.op_a.pk, "prune": "on"}
    upload = SimpleUploadedFile("pricing.yaml", dump(document).encode(), "application/yaml")
    preview = client.post(IMPORT, {**body, "file": upload})
    assert preview.context["plan_lines"] == [
        "- tariffs[standard-a] deactivate (not in the document)",
        "    active: True → False",
        "- surge_rules[evening-a] pause (not in the document)",
        "    paused: False → True",
        "- offers[weekend-a] pause (not in the document)",
        "    status: active → paused",
    ]
    assert state(world.op_a)["offers"] == [("weekend-a", OfferStatus.ACTIVE)]
    form = preview.context["form"]
    confirm = {**body, "draft": form.initial["draft"], "digest": form.initial["digest"]}
    applied = client.post(IMPORT, {**confirm, "apply": "Apply"})
    assert applied.status_code == 302
    assert state(world.op_a) == {
        "tariffs": [("standard-a", False)],
        "bands": 1,
        "surges": [("evening-a", True)],
        "offers": [("weekend-a", OfferStatus.PAUSED)],
        "codes": ["WEEKEND25"],
        "redemptions": 1,
    }
    assert state(world.op_b) == theirs


def test_a_pruning_dry_run_of_the_command_writes_nothing(world, tmp_path):
    path = tmp_path / "pricing.yaml"
    path.write_text(dump({**export_pricing(world.op_a), **EMPTY}))
    baseline, out = fingerprint(), StringIO()
    call_command(
        "pricing_import", str(path), "--operator", world.op_a.code, "--dry-run", "--prune",
        stdout=out,
    )  # fmt: skip
    assert out.getvalue().splitlines()[-1] == (
        f"Would apply to {world.op_a.code}: 1 deactivate, 2 pause."
    )
    assert fingerprint() == baseline


def test_naming_retired_rows_again_brings_them_back(world, tmp_path):
    before = state(world.op_a)
    full, empty = tmp_path / "full.yaml", tmp_path / "empty.yaml"
    full.write_text(dump(export_pricing(world.op_a)))
    empty.write_text(dump({**export_pricing(world.op_a), **EMPTY}))
    code = world.op_a.code
    call_command("pricing_import", str(empty), "--operator", code, "--prune", stdout=StringIO())
    assert state(world.op_a) != before
    out = StringIO()
    call_command("pricing_import", str(full), "--operator", code, "--prune", stdout=out)
    assert state(world.op_a) == before
    assert out.getvalue().splitlines()[-1] == f"Applied to {code}: 3 update."
