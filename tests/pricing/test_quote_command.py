"""`manage.py quote`: exact JSON, a readable table, and one-line errors with a non-zero exit."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import BaseCommand

from tests.factories import ChargerFactory, OperatorFactory, StationFactory

pytestmark = pytest.mark.django_db

DEG_START = "2025-09-24T18:00:00+05:30"


def run(*args: str) -> str:
    out = StringIO()
    call_command("quote", *args, stdout=out)
    return out.getvalue()


def test_json_output_is_exact(priced):
    text = run("--charger", "a-charger-01", "--start", DEG_START, "--amount", "100", "--json")
    document = json.loads(text)
    # The command lives in offers now (it adds the offers); no offer exists here.
    assert document.pop("offers") == {
        "applied": [],
        "rejected": [],
        "held_out": [],
        "notices": ["Congestion Fee: ₹1/kWh between 6 PM - 9 PM"],
    }
    assert document == {
        "operator": "cpo-a.example",
        "station": "a-station",
        "charger": "a-charger-01",
        "tariff": "a-default",
        "currency": "INR",
        "start": "2025-09-24T18:00:00+05:30",
        "end": "2025-09-24T18:10:00+05:30",
        "kwh": "5.000",
        "lines": [
            {
                "kind": "energy",
                "code": "base",
                "title": "Charging session cost (5 kWh @ ₹18.00/kWh)",
                "amount": "90.00",
                "kwh": "5.000",
                "rate": "18.00",
                "item_id": "a-charger-01",
                "tags": {"band": "base"},
            },
            {
                "kind": "service_fee",
                "code": "service_fee",
                "title": "Service fee",
                "amount": "10.00",
                "kwh": None,
                "rate": None,
            },
            {
                "kind": "surge",
                "code": "a-congestion",
                "title": "Congestion Fee (₹1/kWh x 5 kWh)",
                "amount": "5.00",
                "kwh": "5.000",
                "rate": "1.00",
                "tags": {"surge_kind": "peak", "form": "per_kwh"},
            },
            {
                "kind": "tax",
                "code": "GST",
                "title": "GST (18%)",
                "amount": "18.90",
                "kwh": None,
                "rate": None,
                "tags": {"rate": "0.1800", "taxable_value": "105.00"},
            },
        ],
        "totals": {
            "energy": "90.00",
            "service_fee": "10.00",
            "idle_fee": "0.00",
            "surge": "5.00",
            "addon": "0.00",
            "wheeling": "0.00",
            "discount": "0.00",
            "adjustment": "0.00",
            "tax": "18.90",
            "total": "123.90",
        },
        "tax": {"inclusive": False, "included": "0.00", "charged": "18.90"},
        "total": "123.90",
        "applied_rules": [
            {
                "type": "surge",
                "code": "a-congestion",
                "title": "Congestion Fee (₹1/kWh x 5 kWh)",
                "amount": "5.00",
                "surge_kind": "peak",
            },
        ],
    }


def test_table_output_is_readable(priced):
    text = run("--charger", "a-charger-01", "--start", DEG_START, "--kwh", "5")
    lines = text.splitlines()
    assert lines[0] == "a-charger-01 at Station of A (cpo-a.example), tariff a-default"
    assert lines[1] == "2025-09-24 18:00 to 2025-09-24 18:10 Asia/Kolkata, 5.000 kWh"
    assert lines[4].split() == [
        "Charging",
        "session",
        "cost",
        "(5",
        "kWh",
        "@",
        "₹18.00/kWh)",
        "5.000",
        "18.00",
        "90.00",
    ]
    assert lines[-3].split() == ["Total", "(INR)", "123.90"]
    assert lines[-2] == "Rules applied: a-congestion (peak) 5.00"
    assert lines[-1] == "Offers applied: none"


def test_customer_segment_and_tier_reach_the_exemptions(priced):
    priced.surge_a.exempt_tiers = ["gold"]
    priced.surge_a.save()
    args = ["--charger", "a-charger-01", "--start", DEG_START, "--kwh", "5", "--json"]
    assert json.loads(run(*args, "--tier", "gold"))["total"] == "118.00"
    assert (
        json.loads(run(*args, "--tier", "silver", "--customer-key", "ab" * 32))["total"] == "123.90"
    )


def test_end_gives_a_slot_at_rated_power(priced):
    text = run(
        "--charger",
        "a-charger-01",
        "--start",
        "2025-09-24T10:00:00+05:30",
        "--end",
        "2025-09-24T11:00:00+05:30",
        "--json",
    )
    assert json.loads(text)["kwh"] == "30.000"


def test_operator_picks_between_chargers_with_the_same_id(priced):
    other = OperatorFactory(code="cpo-c.example")
    ChargerFactory(station=StationFactory(operator=other), code="a-charger-01")
    with pytest.raises(CommandError) as info:
        run("--charger", "a-charger-01", "--start", DEG_START, "--kwh", "5")
    assert str(info.value) == (
        "Charger 'a-charger-01' exists at several operators (cpo-a.example, cpo-c.example): "
        "give --operator."
    )
    text = run(
        "--charger",
        "a-charger-01",
        "--operator",
        "cpo-a.example",
        "--start",
        DEG_START,
        "--kwh",
        "5",
        "--json",
    )
    assert json.loads(text)["operator"] == "cpo-a.example"


ERRORS = [
    (["--charger", "nope", "--start", DEG_START, "--kwh", "5"], "Unknown charger 'nope'."),
    (
        [
            "--charger",
            "a-charger-01",
            "--operator",
            "cpo-b.example",
            "--start",
            DEG_START,
            "--kwh",
            "5",
        ],
        "Unknown charger 'a-charger-01' at operator 'cpo-b.example'.",
    ),
    (["--start", DEG_START, "--kwh", "5"], "Give --charger ID."),
    (["--charger", "a-charger-01", "--kwh", "5"], "Give --start ISO (with a UTC offset)."),
    (
        ["--charger", "a-charger-01", "--start", "2025-09-24T18:00", "--kwh", "5"],
        "--start must include a UTC offset (like +05:30 or Z): '2025-09-24T18:00'.",
    ),
    (
        ["--charger", "a-charger-01", "--start", "tomorrow", "--kwh", "5"],
        "--start: 'tomorrow' is not an ISO 8601 date-time (like 2025-09-24T18:25:00+05:30).",
    ),
    (
        ["--charger", "a-charger-01", "--start", DEG_START, "--kwh", "-5"],
        "--kwh must be a positive number (got -5).",
    ),
    (
        ["--charger", "a-charger-01", "--start", DEG_START, "--kwh", "0"],
        "--kwh must be a positive number (got 0).",
    ),
    (
        ["--charger", "a-charger-01", "--start", DEG_START, "--kwh", "five"],
        "--kwh: 'five' is not a number.",
    ),
    (
        ["--charger", "a-charger-01", "--start", DEG_START, "--kwh", "NaN"],
        "--kwh must be a positive number (got NaN).",
    ),
    (
        ["--charger", "a-charger-01", "--start", DEG_START, "--kwh", "5", "--amount", "100"],
        "Give --kwh or --amount, not both.",
    ),
    (["--charger", "a-charger-01", "--start", DEG_START], "Give --kwh N, --amount R or --end ISO."),
    (
        ["--charger", "a-charger-01", "--start", DEG_START, "--end", DEG_START],
        "--end must be after --start.",
    ),
    (
        ["--charger", "a-charger-01", "--start", DEG_START, "--amount", "10"],
        "Cannot quote: amount 10 does not exceed the service fee 10.00.",
    ),
    (
        ["--charger", "a-charger-01", "--start", DEG_START, "--kwh", "100000"],
        "Cannot quote: 100000 kWh is more than one session delivers (at most 1000 kWh).",
    ),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_errors_are_one_clear_line(priced, args, message):
    with pytest.raises(CommandError) as info:
        run(*args)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_charger_without_tariff_is_one_line(priced):
    priced.tariff_a.active = False
    priced.tariff_a.save()
    with pytest.raises(CommandError, match=r"^No tariff: charger a-charger-01 has no active"):
        run("--charger", "a-charger-01", "--start", DEG_START, "--kwh", "5")


@pytest.mark.parametrize(("args", "message"), ERRORS[:3])
def test_from_the_command_line_errors_exit_non_zero_on_one_line(
    priced, capsys, monkeypatch, args, message
):
    # run_from_argv closes connections when done; keep the test's transaction open
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    command = __import__("offers.management.commands.quote", fromlist=["Command"]).Command()
    assert isinstance(command, BaseCommand)
    with pytest.raises(SystemExit) as info:
        command.run_from_argv(["manage.py", "quote", *args])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err == f"CommandError: {message}\n"
