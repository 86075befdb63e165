"""Hostile pricing documents (a wrong shape where the format holds a list, a value no
column holds): one line naming the place (the command) or a problem on the page
(the admin), never a traceback, and nothing is written."""

from __future__ import annotations

import copy
import datetime as dt
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from offers.models import OfferCode
from offers.services.config.exporting import export_pricing
from offers.services.config.format import dump
from pricing.models import TariffBand
from tests.offers.conftest import deg_tariff, weekend_offer
from tests.pricing.factories import SurgeFactory
from tests.security.write_surfaces import fingerprint

pytestmark = pytest.mark.django_db
IMPORT = reverse("admin:offers_pricing_import")


def pricing_fingerprint() -> dict[str, str]:
    return {k: v for k, v in fingerprint().items() if k != "offers_pricingdraft"}


def one_problem(document: dict, operator, path, fmt: str = "yaml") -> str:
    """Import `document` from `path` into `operator`: refused as one problem, nothing
    written; the line the command printed for it."""
    path.write_text(dump(document, fmt))
    baseline, err = fingerprint(), StringIO()
    with pytest.raises(CommandError, match=r"^1 problem\(s\); nothing was changed\.$"):
        call_command("pricing_import", str(path), "--operator", operator.code, stderr=err)
    assert fingerprint() == baseline
    (line,) = err.getvalue().splitlines()
    return line


@pytest.fixture
def banded(network):
    tariff = deg_tariff(network.op_a)
    TariffBand.objects.create(
        tariff=tariff, code="off-peak", label="off-peak", start=dt.time(22), end=dt.time(6),
        days=[0, 1, 2, 3, 4, 5, 6], rate_per_kwh="16",
    )  # fmt: skip
    weekend_offer(network.op_a)
    SurgeFactory(operator=network.op_a, code="evening", form="flat", amount="5")
    return network


@pytest.mark.parametrize("value", [5, -1, True, 1.5])
def test_a_number_for_a_tariffs_bands_is_one_line_and_nothing_is_written(banded, tmp_path, value):
    document = export_pricing(banded.op_a)
    document["tariffs"][0]["bands"] = value
    path = tmp_path / "pricing.yaml"
    line = one_problem(document, banded.op_a, path)
    assert line == 'Tariff "Standard" (standard), tariff bands: expected a list'


def test_the_admin_shows_a_number_for_bands_as_a_problem_not_a_500(client, banded):
    document = export_pricing(banded.op_a)
    document["tariffs"][0]["bands"] = 5
    upload = SimpleUploadedFile("pricing.yaml", dump(document).encode(), "application/yaml")
    client.force_login(banded.pricing_a)
    baseline = pricing_fingerprint()
    page = client.post(IMPORT, {"operator": banded.op_a.pk, "file": upload})
    assert page.status_code == 200
    assert page.context["plan"].errors == [
        'Tariff "Standard" (standard), tariff bands: expected a list'
    ]
    assert pricing_fingerprint() == baseline  # the previewed file alone is kept


@pytest.mark.parametrize("amount", ["1e30", "1" + "0" * 40])
def test_a_surge_amount_too_large_for_any_column_is_one_line(banded, tmp_path, amount):
    document = export_pricing(banded.op_a)
    document["surge_rules"][0]["amount"] = amount
    path = tmp_path / "pricing.json"
    line = one_problem(document, banded.op_a, path, "json")
    assert line == 'Surge rule "Congestion Fee" (evening), amount: At most 10000000.'


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("base", "x", "Value 'x' is not a valid choice."),
        ("budget_policy", "x", "Value 'x' is not a valid choice."),
        ("holidays", "x", "Value 'x' is not a valid choice."),
        ("ondc_type", "x", "Value 'x' is not a valid choice."),
        ("max_discount", "1e30", "At most 10000000."),
        ("min_session_value", "1e30", "At most 10000000."),
    ],
)
def test_an_offer_value_no_column_holds_is_one_line(banded, tmp_path, field, value, message):
    document = export_pricing(banded.op_a)
    document["offers"][0][field] = value
    path = tmp_path / "pricing.yaml"
    line = one_problem(document, banded.op_a, path)
    assert line.startswith('Offer "Weekend Special - 25% Off" (weekend-discount-25), ')
    assert line.endswith(f": {message}")


def test_a_negative_zero_is_zero_and_importing_it_again_changes_nothing(banded, tmp_path):
    document = export_pricing(banded.op_a)
    document["offers"][0]["min_session_value"] = "-0.0"
    path = tmp_path / "pricing.yaml"
    path.write_text(dump(document))
    code = banded.op_a.code
    call_command("pricing_import", str(path), "--operator", code, stdout=StringIO())
    baseline, out = fingerprint(), StringIO()
    call_command("pricing_import", str(path), "--operator", code, stdout=out)
    assert out.getvalue().splitlines() == [f"Applied to {code}: 3 unchanged."]
    assert fingerprint() == baseline


def test_a_multi_use_code_twice_in_the_document_is_one_line(banded, tmp_path):
    """Codes are unique per operator: a second offer of the document with the same code is
    refused; the same code at another operator is no conflict."""
    document = export_pricing(banded.op_a)
    twin = {**copy.deepcopy(document["offers"][0]), "code": "weekend-twin"}
    twin["title"] = "Weekend Twin - 25% Off"
    document["offers"].append(twin)
    path = tmp_path / "pricing.yaml"
    line = one_problem(document, banded.op_a, path)
    assert line == (
        'Offer "Weekend Twin - 25% Off" (weekend-twin), multi-use code: '
        "Offer code with this Operator and Code already exists."
    )  # the admin's words for a code taken
    document["offers"].pop()
    path.write_text(dump(document))
    call_command("pricing_import", str(path), "--operator", banded.op_b.code, stdout=StringIO())
    assert set(OfferCode.objects.filter(code="WEEKEND25").values_list("operator", flat=True)) == {
        banded.op_a.pk,
        banded.op_b.pk,
    }


def test_a_document_in_another_currency_is_one_line(banded, tmp_path):
    document = {**export_pricing(banded.op_a), "currency": "EUR"}
    path = tmp_path / "pricing.yaml"
    line = one_problem(document, banded.op_a, path)
    assert line == f"currency: the document prices in EUR; {banded.op_a.code} uses INR"


@pytest.mark.parametrize(
    "top, said",
    [
        ({"version": True}, "version: this product reads version 1, not True"),
        ({"version": 1.0}, "version: this product reads version 1, not 1.0"),
        ({"kind": "cpo-tariffs"}, "kind: this product reads cpo-pricing, not 'cpo-tariffs'"),
        ({"kind": None}, "kind: this product reads cpo-pricing, not None"),
    ],
)
def test_a_document_of_another_version_or_kind_is_refused(banded, tmp_path, top, said):
    """`version: true` is not version 1 (though True == 1 in Python), and a document that
    says it is something else than a pricing document is not read as one."""
    path = tmp_path / "pricing.yaml"
    path.write_text(dump({**export_pricing(banded.op_a), **top}))
    baseline = fingerprint()
    with pytest.raises(CommandError) as refused:
        call_command("pricing_import", str(path), "--operator", banded.op_a.code)
    assert said in str(refused.value) and "\n" not in str(refused.value)
    assert fingerprint() == baseline


def test_a_list_written_twice_is_written_out_not_as_a_yaml_alias(banded):
    """The reader refuses YAML aliases (a small file could expand without bound), so the
    writer never makes one, even for one list object that stands in two places."""
    shared = ["DL"]
    text = dump({"version": 1, "a": {"regions": shared}, "b": {"regions": shared}})
    assert "&" not in text and "*" not in text
