"""OCPI 2.2.1 tariffs in and out: the service, the admin and `manage.py ocpi_tariff`."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from pricing.engine.ocpi import calculate, constant_power_session, parse_tariff
from pricing.engine.types import LineKind
from pricing.models import Tariff
from pricing.services import tariff_for
from pricing.services.ocpi import OcpiError, export_ocpi, import_ocpi, party_id
from tests.pricing.admin_posts import url
from tests.pricing.factories import BandFactory, at
from tests.support.pricing import quote_session

pytestmark = pytest.mark.django_db
D = Decimal


def component(kind: str, price, vat=18, step=1) -> dict:
    return {"type": kind, "price": price, "vat": vat, "step_size": step}


def ocpi(id_: str = "simple", *elements: dict, **extra) -> dict:
    data = {
        "country_code": "IN",
        "party_id": "CPO",
        "id": id_,
        "currency": "INR",
        "elements": list(elements)
        or [{"price_components": [component("ENERGY", 18), component("FLAT", 10)]}],
        "last_updated": "2025-09-24T10:00:00Z",
    }
    data.update(extra)
    return data


TOD = ocpi(
    "tod",
    {
        "price_components": [component("ENERGY", 16)],
        "restrictions": {"start_time": "22:00", "end_time": "06:00"},
    },
    {"price_components": [component("ENERGY", 18), component("FLAT", 10)]},
)
WITH_TIME = ocpi(
    "with-time",
    {
        "price_components": [
            component("ENERGY", 18),
            component("FLAT", 10, vat=5),
            component("TIME", 60, step=300),
        ]
    },
    max_price={"excl_vat": 150, "incl_vat": 177},
)


def test_an_exact_tariff_maps_to_our_model(priced):
    result = import_ocpi(TOD, operator=priced.op_a, station=priced.station_a)
    tariff = result.tariff
    assert (result.created, result.kept_ocpi, result.warnings) == (True, False, [])
    assert (tariff.code, tariff.station, tariff.ocpi) == ("tod", priced.station_a, None)
    assert (tariff.energy_rate_per_kwh, tariff.service_fee, tariff.tax_rate) == (18, 10, D("0.18"))
    assert tariff.tax_name == "GST"
    band = tariff.bands.get()
    assert (band.start, band.end, band.rate_per_kwh) == (dt.time(22), dt.time(6), 16)
    assert tariff_for(priced.charger_a) == tariff
    # 30 kW from 21:50 for 20 minutes: 5 kWh at 18, 5 kWh at 16 (the mid-session switch)
    quote = quote_session(priced.charger_a, at("2025-09-24 21:50"), kwh=D("10"))
    assert [ln.amount for ln in quote.lines_of(LineKind.ENERGY)] == [D("90.00"), D("80.00")]


def test_an_inexact_tariff_is_kept_and_priced_by_the_ocpi_calculator(priced):
    priced.surge_a.delete()
    result = import_ocpi(WITH_TIME, operator=priced.op_a)
    assert result.kept_ocpi and result.replaced == priced.tariff_a
    assert any("charging time" in w for w in result.warnings)
    assert result.tariff.ocpi["id"] == "with-time"
    priced.tariff_a.refresh_from_db()
    assert not priced.tariff_a.active
    start = at("2025-09-24 10:00")
    quote = quote_session(priced.charger_a, start, kwh=D("5"))
    expected = calculate(
        parse_tariff(WITH_TIME),
        constant_power_session(start, start + dt.timedelta(minutes=10), kwh=D("5")),
        "Asia/Kolkata",
    )
    assert quote.total == expected.total_incl_vat == D("128.50")
    assert quote.total - quote.sum_of(LineKind.TAX) == expected.total_excl_vat == D("110.00")
    # energy 90 + time 10 min at 60/h = 10 (18% VAT); start fee 10 (5% VAT)
    assert [(ln.kind, ln.amount) for ln in quote.lines] == [
        (LineKind.SERVICE_FEE, D("10.00")),
        (LineKind.ENERGY, D("90.00")),
        (LineKind.ENERGY, D("10.00")),
        (LineKind.TAX, D("0.50")),
        (LineKind.TAX, D("18.00")),
    ]


def test_ocpi_max_price_applies_once(priced):
    priced.surge_a.delete()
    import_ocpi(WITH_TIME, operator=priced.op_a)
    quote = quote_session(priced.charger_a, at("2025-09-24 10:00"), kwh=D("20"))
    assert quote.total - quote.sum_of(LineKind.TAX) == D("150.00")
    assert quote.total == D("177.00")


def test_surges_still_apply_on_top_of_an_ocpi_priced_tariff(priced):
    import_ocpi(WITH_TIME, operator=priced.op_a)
    quote = quote_session(priced.charger_a, at("2025-09-24 18:00"), kwh=D("5"))
    assert quote.sum_of(LineKind.SURGE) == D("5.00")


def test_importing_again_updates_in_place(priced):
    import_ocpi(ocpi(), operator=priced.op_a, charger=priced.charger_a)
    changed = copy.deepcopy(ocpi())
    changed["elements"][0]["price_components"][0]["price"] = 20
    result = import_ocpi(changed, operator=priced.op_a, charger=priced.charger_a)
    assert not result.created
    assert Tariff.objects.get(code="simple").energy_rate_per_kwh == 20


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": "x"}, "not a valid OCPI 2.2.1 Tariff"),
        (ocpi(currency="EUR"), "the tariff is in EUR; cpo-a.example uses INR"),
    ],
)
def test_bad_imports_are_refused(priced, data, message):
    with pytest.raises(OcpiError, match=message):
        import_ocpi(data, operator=priced.op_a)


def test_foreign_station_is_refused(priced):
    with pytest.raises(OcpiError, match="belongs to another operator"):
        import_ocpi(ocpi(), operator=priced.op_a, station=priced.station_b)


def test_export_round_trips(priced):
    BandFactory(tariff=priced.tariff_a, code="night", label="off-peak")
    data = export_ocpi(priced.tariff_a)
    assert (data["id"], data["party_id"], data["country_code"]) == ("a-default", "CPO", "IN")
    priced.tariff_a.code = "old"
    priced.tariff_a.active = False
    priced.tariff_a.save()
    result = import_ocpi(data, operator=priced.op_a)
    assert result.warnings == [] and not result.kept_ocpi
    back = result.tariff
    assert (back.energy_rate_per_kwh, back.service_fee) == (18, 10)
    assert list(back.bands.values_list("start", "end", "rate_per_kwh")) == [
        (dt.time(22), dt.time(6), 16)
    ]


def test_export_of_a_kept_tariff_is_its_ocpi_json(priced):
    tariff = import_ocpi(WITH_TIME, operator=priced.op_a).tariff
    assert export_ocpi(tariff) == parse_and_dump(WITH_TIME)


def parse_and_dump(data: dict) -> dict:
    from pricing.engine.ocpi import tariff_to_json

    return tariff_to_json(parse_tariff(data))


def test_tax_inclusive_tariffs_are_not_exported_silently(priced):
    priced.tariff_a.prices_include_tax = True
    priced.tariff_a.save()
    with pytest.raises(OcpiError, match="prices include tax"):
        export_ocpi(priced.tariff_a)
    data = export_ocpi(priced.tariff_a, convert_tax_inclusive=True)
    assert data["elements"][-1]["price_components"][0]["price"] == pytest.approx(18 / 1.18, 1e-6)


def test_party_id_from_the_provider_id(priced):
    assert party_id(priced.op_a) == "CPO"


# -- the admin ------------------------------------------------------------------------


def upload(data: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("tariff.json", json.dumps(data).encode(), "application/json")


def test_admin_import_shows_warnings_and_opens_the_tariff(client, priced):
    client.force_login(priced.pricing_a)
    response = client.post(
        url("tariff", "ocpi_import"),
        {"file": upload(WITH_TIME), "operator": priced.op_a.pk},
        follow=True,
    )
    page = response.content.decode()
    tariff = Tariff.objects.get(code="with-time")
    assert response.redirect_chain[-1][0] == url("tariff", "change", tariff.pk)
    assert "Created tariff with-time." in page
    assert "Tariff a-default was deactivated." in page
    assert "OCPI tariff: element 0: charging time at 60/h is not represented" in page
    assert "priced by the OCPI calculator" in page


def test_admin_import_of_a_broken_file_says_why(client, priced):
    client.force_login(priced.pricing_a)
    bad = SimpleUploadedFile("t.json", b"{not json", "application/json")
    page = client.post(
        url("tariff", "ocpi_import"), {"file": bad, "operator": priced.op_a.pk}
    ).content.decode()
    assert "not JSON" in page
    page = client.post(
        url("tariff", "ocpi_import"), {"file": upload({"id": 1}), "operator": priced.op_a.pk}
    ).content.decode()
    assert "not a valid OCPI 2.2.1 Tariff" in page


def test_admin_export_downloads_ocpi_json(client, priced):
    client.force_login(priced.analyst_a)
    response = client.post(
        url("tariff", "changelist"),
        {"action": "export_ocpi", "_selected_action": [priced.tariff_a.pk]},
    )
    assert response["Content-Disposition"] == 'attachment; filename="a-default.ocpi.json"'
    data = json.loads(response.content)
    assert parse_tariff(data).id == "a-default"


def test_admin_export_refusal_is_a_message(client, priced):
    priced.tariff_a.prices_include_tax = True
    priced.tariff_a.save()
    client.force_login(priced.pricing_a)
    response = client.post(
        url("tariff", "changelist"),
        {"action": "export_ocpi", "_selected_action": [priced.tariff_a.pk]},
        follow=True,
    )
    assert "Tariff a-default cannot be exported to OCPI" in response.content.decode()


def test_kept_ocpi_tariff_prices_are_read_only_in_the_admin(client, priced):
    tariff = import_ocpi(WITH_TIME, operator=priced.op_a).tariff
    client.force_login(priced.pricing_a)
    page = client.get(url("tariff", "change", tariff.pk)).content.decode()
    assert 'name="energy_rate_per_kwh"' not in page
    assert "&quot;with-time&quot;" in page  # the kept JSON is shown


# -- the command ----------------------------------------------------------------------


def command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ocpi_tariff", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_import_and_export(priced, tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(WITH_TIME))
    out, err = command(
        "import", str(path), "--operator", "cpo-a.example", "--charger", "a-charger-01"
    )
    tariff = Tariff.objects.get(code="with-time")
    assert out.splitlines() == [
        f"Created tariff with-time (id {tariff.pk}, charger a-charger-01).",
        "Kept the OCPI JSON: sessions are priced by the OCPI calculator.",
    ]
    assert "warning: element 0: charging time at 60/h is not represented" in err
    out, _ = command("export", "--tariff", str(tariff.pk))
    assert json.loads(out) == parse_and_dump(WITH_TIME)
    target = tmp_path / "out.json"
    command("export", "--tariff", "a-default", "--output", str(target))
    assert parse_tariff(json.loads(target.read_text())).id == "a-default"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "FILE", "--operator", "nope"], "Unknown operator 'nope'."),
        (
            ["import", "FILE", "--operator", "cpo-a.example", "--station", "b-station"],
            "Unknown station 'b-station' at cpo-a.example.",
        ),
        (
            ["import", "FILE", "--operator", "cpo-a.example", "--charger", "x"],
            "Unknown charger 'x' at cpo-a.example.",
        ),
        (
            ["import", "/nonexistent.json", "--operator", "cpo-a.example"],
            "Cannot read /nonexistent.json: No such file or directory.",
        ),
        (["import", "BAD", "--operator", "cpo-a.example"], "not a valid OCPI 2.2.1 Tariff"),
        (["export", "--tariff", "999999"], "Unknown tariff '999999'."),
        (
            ["export", "--tariff", "a-default", "--output", "/nonexistent/out.json"],
            "Cannot write /nonexistent/out.json: No such file or directory.",
        ),
    ],
)
def test_command_errors_are_one_line(priced, tmp_path, args, message):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(ocpi()))
    bad.write_text(json.dumps({"id": 3}))
    args = [str(good) if a == "FILE" else str(bad) if a == "BAD" else a for a in args]
    with pytest.raises(CommandError) as info:
        command(*args)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_command_export_of_a_shared_code_needs_the_operator(priced):
    Tariff.objects.filter(pk=priced.tariff_b.pk).update(code="a-default")
    with pytest.raises(CommandError, match="used by several operators: give --operator"):
        command("export", "--tariff", "a-default")
    out, _ = command("export", "--tariff", "a-default", "--operator", "cpo-b.example")
    assert json.loads(out)["id"] == "a-default"
