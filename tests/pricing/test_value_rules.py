"""Tariff value rules live in the model: the admin form, the OCPI import (service, admin
upload, command), the demo seeder and the database refuse the same bad values alike."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, migrations, models, transaction

from cpo_portal.db.migration_checks import refuse_rows_breaking
from pricing.demo import upsert_tariff
from pricing.models import SurgeRule, Tariff
from pricing.services.ocpi import OcpiError, import_ocpi, read_json
from tests.pricing.admin_posts import tariff_post, url

pytestmark = pytest.mark.django_db
D = Decimal


def ocpi(*, price=18, vat=18, **extra) -> dict:
    data = {
        "country_code": "IN",
        "party_id": "CPO",
        "id": "hostile",
        "currency": "INR",
        "elements": [
            {
                "price_components": [
                    {"type": "ENERGY", "price": price, "vat": vat, "step_size": 1},
                    {"type": "FLAT", "price": 10, "vat": vat, "step_size": 1},
                ]
            }
        ],
        "last_updated": "2025-09-24T10:00:00Z",
    }
    data.update(extra)
    return data


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def upload(raw: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("tariff.json", raw, "application/json")


def nothing_changed(priced) -> None:
    assert not Tariff.objects.filter(code="hostile").exists()
    assert Tariff.objects.get(code="a-default").active  # not deactivated by a failed import


def import_by_command(raw: bytes, tmp_path) -> str:
    path = tmp_path / "t.json"
    path.write_bytes(raw)
    with pytest.raises(CommandError) as caught:
        call_command("ocpi_tariff", "import", str(path), "--operator", "cpo-a.example")
    return str(caught.value)


def import_by_admin(client, priced, raw: bytes) -> str:
    client.force_login(priced.pricing_a)
    response = client.post(
        url("tariff", "ocpi_import"), {"file": upload(raw), "operator": priced.op_a.pk}
    )
    assert response.status_code == 200  # the form again, with the error
    return response.content.decode()


def test_every_surface_refuses_a_tax_rate_above_one(client, priced, tmp_path):
    """The issue's attack: "vat": 500 became an active tariff quoting GST (500%)."""
    # the admin form
    client.force_login(priced.pricing_a)
    page = client.post(
        url("tariff", "add"),
        tariff_post(priced.op_a, code="hostile", tax_rate="500"),  # percent
    ).content.decode()
    assert "GST must be between 0% and 100%." in page  # the same words as the document import
    # the OCPI import, as a service, an admin upload and a command
    raw = json.dumps(ocpi(vat=500)).encode()
    with pytest.raises(OcpiError, match=r"vat: 500% is not a valid GST rate"):
        import_ocpi(read_json(raw), operator=priced.op_a)
    assert "vat: 500% is not a valid GST rate" in import_by_admin(client, priced, raw)
    message = import_by_command(raw, tmp_path)
    assert "vat: 500% is not a valid GST rate (GST must be between 0% and 100%.)" in message
    assert "\n" not in message
    # the demo seeder's helper
    with pytest.raises(ValidationError, match="between 0% and 100%"):
        upsert_tariff(
            priced.op_a, "hostile", name="x", energy_rate_per_kwh=D("18"), tax_rate=D("5")
        )
    nothing_changed(priced)


def test_a_tariff_rate_beyond_the_money_bound_is_refused_everywhere(client, priced, tmp_path):
    client.force_login(priced.pricing_a)
    page = client.post(
        url("tariff", "add"), tariff_post(priced.op_a, energy_rate_per_kwh="20000")
    ).content.decode()
    assert "At most 10000 per unit." in page
    raw = json.dumps(ocpi(price=20000)).encode()
    expected = "energy rate (per kWh) (energy_rate_per_kwh): At most 10000 per unit."
    assert expected in import_by_admin(client, priced, raw)
    assert import_by_command(raw, tmp_path) == f"the tariff would be invalid: {expected}"
    nothing_changed(priced)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            json.dumps(ocpi(price=1e300)).encode(),
            "elements[0].price_components[0].price: must be at most 1000000000",
        ),
        (
            json.dumps(ocpi(price=7)).replace('"price": 7', '"price": 1' + "0" * 5000).encode(),
            "the file is written with a number of 5,001 characters (100000000000...); "
            "numbers are read up to 100",
        ),
        (nested(100_000), "the file is nested more than 10 levels deep"),
        (b'{"id": "' + b"[" * 5000 + b'"}', "not a valid OCPI 2.2.1 Tariff"),  # brackets in text
    ],
    ids=["1e300", "5000 digits", "deep", "brackets-in-a-string"],
)
def test_hostile_ocpi_files_get_a_one_line_error(client, priced, tmp_path, raw, message):
    """Each of these was a 500 (RecursionError, decimal overflow) before."""
    assert message in import_by_admin(client, priced, raw)
    text = import_by_command(raw, tmp_path)
    assert message in text and "\n" not in text and "Traceback" not in text
    nothing_changed(priced)


def test_the_database_refuses_what_skips_the_model(priced):
    """CHECK constraints hold the same bounds for writes that skip full_clean()."""
    cases = [
        (Tariff.objects.filter(pk=priced.tariff_a.pk), {"tax_rate": D("5")}),
        (Tariff.objects.filter(pk=priced.tariff_a.pk), {"energy_rate_per_kwh": D("-1")}),
        (Tariff.objects.filter(pk=priced.tariff_a.pk), {"service_fee": D("99999999")}),
        (SurgeRule.objects.filter(pk=priced.surge_a.pk), {"form": "percent", "amount": D("500")}),
        (SurgeRule.objects.filter(pk=priced.surge_a.pk), {"occupancy_threshold": D("2")}),
        (type(priced.op_a).objects.filter(pk=priced.op_a.pk), {"tax_rate": D("1.5")}),
    ]
    for rows, values in cases:
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**values)


def test_a_tariff_in_another_currency_than_its_operator_is_refused(priced):
    tariff = Tariff(operator=priced.op_a, code="usd", name="x", energy_rate_per_kwh=D("1"))
    tariff.currency = "USD"
    with pytest.raises(ValidationError) as caught:
        tariff.full_clean()
    assert caught.value.message_dict["currency"] == ["cpo-a.example prices in INR, not USD."]


def test_migration_refuses_to_add_a_constraint_that_existing_rows_break(priced):
    """The step the value-rule migrations run first: it names the rows instead of
    changing them or failing inside the database."""
    constraint = models.CheckConstraint(condition=models.Q(tax_rate__lte=D("0.1")), name="t")
    step = refuse_rows_breaking("pricing", [migrations.AddConstraint("tariff", constraint)])
    with pytest.raises(CommandError) as caught:
        step.code(django_apps, None)
    ids = sorted(Tariff.objects.values_list("pk", flat=True))
    assert f"pricing.Tariff rows {', '.join(map(str, ids))} break t" in str(caught.value)
    fine = models.CheckConstraint(condition=models.Q(tax_rate__lte=1), name="fine")
    refuse_rows_breaking("pricing", [migrations.AddConstraint("tariff", fine)]).code(
        django_apps, None
    )
