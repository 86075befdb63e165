"""CDRs checked like Beckn messages: every malformed or implausible value is refused with
its reason at every door (the push answers OCPI 2001, the admin upload and
`manage.py import_cdrs` list the line), the good CDRs beside it are all taken, only a
partner registered as CPO pushes, and a stored CDR's admin page is bounded."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from analytics.models import NoOfferSession
from cpo_portal.models import Role
from roaming.admin.cdrs import DATA_SHOWN_CHARS
from roaming.admin.forms import CdrUploadForm
from roaming.models import CdrImport, ReceivedCdr
from roaming.services import cdr_imports
from tests.factories import staff
from tests.roaming.cdr_data import START, cdr, dumps, when
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db

CDRS = "/ocpi/2.2.1/cdrs"
GOOD_TEXT = dumps(cdr("BAD", "cpo1-st-000", "cpo1-ch-000"))  # 10 kWh in 40 min at 30 kW


def edited(change: Callable[[dict[str, Any]], Any]) -> str:
    data = json.loads(GOOD_TEXT)
    change(data)
    return json.dumps(data)


def replaced(old: str, new: str) -> str:
    assert old in GOOD_TEXT
    return GOOD_TEXT.replace(old, new, 1)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[int(key)] if key.isdigit() else data[key]  # a list's index too
        data[last] = value

    return change


def _days(days: int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["end_date_time"] = when(START + dt.timedelta(days=days))
        data["total_energy"] = 10

    return change


def _periods(*kwh: float) -> Callable[[dict[str, Any]], None]:
    """The session in charging periods of these kWh, ten minutes apart; the first alone
    is the session's total_energy too."""

    def change(data: dict[str, Any]) -> None:
        if len(kwh) == 1:
            data["total_energy"] = kwh[0]
        data["charging_periods"] = [
            {"start_date_time": when(START + dt.timedelta(minutes=10 * n)),
             "dimensions": [{"type": "ENERGY", "volume": volume}]}
            for n, volume in enumerate(kwh)
        ]  # fmt: skip

    return change


ENERGY = '"total_energy": 10.0'
NOT_AN_ID = (
    "an OCPI id is ASCII letters, digits and -._~!$&'()*+,;=:@ only (a CiString a URL "
    "carries as it is)"
)
# (name, the bad CDR's text, the reason it is refused with)
BAD = [
    ("nan", replaced(ENERGY, '"total_energy": NaN'),
     "the CDR is written with NaN, which is not a JSON number"),
    ("infinity", replaced(ENERGY, '"total_energy": -Infinity'),
     "the CDR is written with -Infinity, which is not a JSON number"),
    ("1e999", replaced(ENERGY, '"total_energy": 1e999'),
     "the CDR is written with the number 1e999, which is out of range"),
    ("long number", replaced(ENERGY, '"total_energy": 1' + "0" * 300),
     "the CDR is written with a number of 301 characters (100000000000...); numbers are "
     "read up to 100"),
    ("nul", replaced('"uid": "012345678"', '"uid": "0123\\u0000"'),
     'the CDR is not storable text: a string holds NUL: "0123\\u0000"'),
    ("lone surrogate", replaced('"uid": "012345678"', '"uid": "0123\\ud800"'),
     'the CDR is not storable text: a string holds an unpaired surrogate: "0123\\ud800"'),
    ("year 0001", edited(_set("start_date_time", "0001-01-01T00:00:00Z")),
     'start_date_time "0001-01-01T00:00:00Z" is not between 2010-01-01 and a day from now'),
    ("year 9999", edited(_set("end_date_time", "9999-12-31T23:59:59Z")),
     'end_date_time "9999-12-31T23:59:59Z" is not between 2010-01-01 and a day from now'),
    ("last_updated in 9999", edited(_set("last_updated", "9999-01-01T00:00:00Z")),
     'last_updated "9999-01-01T00:00:00Z" is not between 2010-01-01 and a day from now'),
    ("no such day", edited(_set("end_date_time", "2026-02-30T00:00:00Z")),
     'end_date_time "2026-02-30T00:00:00Z" is not a date and time'),
    ("100-year session", edited(_set("start_date_time", "1926-03-02T04:30:00Z")),
     'start_date_time "1926-03-02T04:30:00Z" is not between 2010-01-01 and a day from now'),
    ("4-day session", edited(_days(4)),
     "the session lasts 96 hours (end_date_time - start_date_time): more than the 72 "
     "hours any session lasts"),
    ("1,000,000 kWh", edited(_set("total_energy", 1_000_000)),
     "total_energy: 1000000 is greater than the maximum of 1000"),
    ("more than the charger gives", edited(_periods(500)),
     "total_energy of charger cpo1-ch-000: 500 kWh cannot be delivered in that time at 30 kW "
     "(at most 20 kWh)"),
    ("100-year total_time", edited(_set("total_time", 876_000)),
     "total_time: 876000 is greater than the maximum of 72"),
    # read as a Decimal, shown as it was written (never "Decimal('-447.22')")
    ("negative cost", edited(_set("total_cost.excl_vat", -447.22)),
     "total_cost.excl_vat: -447.22 is less than the minimum of 0"),
    ("huge cost", edited(_set("total_cost.excl_vat", 10**15)),
     "total_cost.excl_vat: 1000000000000000 is greater than the maximum of 10000000"),
    ("a string as energy", edited(_set("total_energy", "10")),
     'total_energy: "10" is not a number'),
    ("total_time past the session", edited(_set("total_time", 70)),
     "total_time (70 hours) is longer than the session (0.7 hours, end_date_time - "
     "start_date_time)"),
    ("a period before the session", edited(_set("charging_periods.0.start_date_time",
                                                 "2015-01-01T00:00:00Z")),
     "charging_periods[0].start_date_time is outside the session (start_date_time to "
     "end_date_time)"),
    ("a tax of 999 %", edited(_set("total_cost.incl_vat", 9_999_999)),
     "total_cost.incl_vat is more than twice total_cost.excl_vat: a tax of more than 100%"),
    ("100 kB", edited(_set("remark", "x" * 100_000)),
     "the CDR is larger than 65,536 bytes"),
    # billed in another currency than the operator's: summed with rupees, it was taken
    ("billed in USD", edited(_set("currency", "USD")),
     "currency USD is not the operator's currency (INR): its sessions are billed and "
     "counted in INR only"),
    # the periods' ENERGY is the session's energy (OCPI: kWh charged in each period)
    ("periods short of total_energy", edited(_set("charging_periods.0.dimensions.0.volume", 8)),
     "the charging periods' ENERGY adds up to 8 kWh, but total_energy is 10 kWh"),
    ("periods over total_energy", edited(_periods(6, 4.5)),
     "the charging periods' ENERGY adds up to 10.5 kWh, but total_energy is 10 kWh"),
    ("periods 1.6 Wh over total_energy", edited(_periods(6, 4.0016)),
     "the charging periods' ENERGY adds up to 10.0016 kWh, but total_energy is 10 kWh: "
     "more than rounding each to the Wh explains (0.0015 kWh)"),
    # ids (OCPI CiStrings) a partner can send back in a URL, as they are
    ("a slash in the id", edited(_set("id", "C/1")), f'id "C/1" holds "/": {NOT_AN_ID}'),
    ("a space in the id", edited(_set("id", "C 1")), f'id "C 1" holds a space: {NOT_AN_ID}'),
    ("a line break after the id", edited(_set("id", "C1\n")),
     f'id "C1\\n" holds "\\n": {NOT_AN_ID}'),
    ("an escape in the id", edited(_set("id", "C\x1b[2J")),
     f'id "C\\u001b[2J" holds "\\u001b": {NOT_AN_ID}'),
    ("a non-ASCII id", edited(_set("id", "CDR-é")), f'id "CDR-é" holds "é": {NOT_AN_ID}'),
    ("'?' in the id", edited(_set("id", "C1?x=1")), f'id "C1?x=1" holds "?": {NOT_AN_ID}'),
    ("'#' in the session id", edited(_set("session_id", "S#1")),
     f'session_id "S#1" holds "#": {NOT_AN_ID}'),
    ("'%' in the token uid", edited(_set("cdr_token.uid", "01%2F")),
     f'cdr_token.uid "01%2F" holds "%": {NOT_AN_ID}'),
    ("a tab in the EVSE id", edited(_set("cdr_location.evse_id", "IN*CPO*E1\t")),
     f'cdr_location.evse_id "IN*CPO*E1\\t" holds "\\t": {NOT_AN_ID}'),
    ("a space in a period's tariff", edited(_set("charging_periods.0.tariff_id", "T 1")),
     f'charging_periods[0].tariff_id "T 1" holds a space: {NOT_AN_ID}'),
    ("a token party that is no party id", edited(_set("cdr_token.party_id", "E/S")),
     'cdr_token.party_id: "E/S" does not match'),
]  # fmt: skip
IDS = [name for name, *_ in BAD]
# the refusals of a body that is no JSON, or that we did not read: the only HTTP errors
# (status_codes: a request of valid JSON reached the OCPI layer, and gets none)
UNREADABLE = {"nan", "infinity", "100 kB"}


@pytest.fixture
def operator(ocpi):
    return network(stations=2)


def good(n: int) -> dict[str, Any]:
    return cdr(f"G{n}", f"cpo1-st-{n % 2:03d}", f"cpo1-ch-{n % 2:03d}",
               start=START + dt.timedelta(hours=n))  # fmt: skip


def good_lines(n: int) -> list[str]:
    return [dumps(good(i)) for i in range(n)]


def push(client, token: str, text: str | bytes):
    return client.post(CDRS, text, content_type="application/json", headers=auth(token))


@pytest.mark.parametrize("name, text, reason", BAD, ids=IDS)
def test_a_bad_value_pushed_is_refused_with_its_reason(client, operator, name, text, reason):
    """JSON our parser refuses (1e999, a NUL, a 301-digit number) is still JSON: it was
    answered HTTP 400, which status_codes keeps for a body that is no valid JSON."""
    _partner, token = registered_partner(operator, party=("IN", "CPO"), role="CPO")
    reply = push(client, token, text)
    unread = name in UNREADABLE
    assert reply.status_code == (400 if unread else 200), reply.content[:500]
    body = reply.json()
    assert body["status_code"] == 2001
    assert body["status_message"].startswith(reason)
    assert not ReceivedCdr.objects.exists() and not NoOfferSession.objects.exists()
    assert push(client, token, GOOD_TEXT).json()["status_code"] == 1000  # a good one is taken


def test_a_refusal_shows_a_number_as_the_cdr_wrote_it(client, operator):
    """Numbers are read as Decimal; a refusal shows one in JSON's digits, not Python's."""
    _partner, token = registered_partner(operator, party=("IN", "CPO"), role="CPO")
    text = edited(_set("total_cost.excl_vat", -447.22))
    assert '"excl_vat": -447.22' in text
    message = push(client, token, text).json()["status_message"]
    assert message == "total_cost.excl_vat: -447.22 is less than the minimum of 0"
    assert "Decimal(" not in message


@pytest.mark.parametrize("text, reason", [(t, r) for _, t, r in BAD], ids=IDS)
def test_a_bad_line_in_a_file_is_refused_alone(operator, tmp_path, capsys, text, reason):
    """Twenty good lines around the bad one: all twenty are imported, in one batch."""
    lines = good_lines(20)
    lines.insert(10, text)
    path = tmp_path / "cdrs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    call_command("import_cdrs", str(path), operator="cpo1.example")
    out = capsys.readouterr()
    assert out.out.strip() == "20 imported, 0 already there, 1 refused, of 21"
    assert out.err.strip().startswith(f"line 11: {reason}")
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == 20


def test_every_bad_line_of_an_upload_is_listed_and_every_good_line_imported(
    client, operator, settings, eager, django_capture_on_commit_callbacks
):
    goods = max(20, len(BAD) + 1)  # a good line between every two bad ones
    lines = good_lines(goods)
    for n, (_name, text, _reason) in enumerate(BAD):
        lines.insert(2 * n + 1, text)
    client.force_login(staff(operator, Role.OPERATOR_ADMIN, "admin-1"))
    upload = SimpleUploadedFile("cdrs.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass"))
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post("/admin/roaming/cdrimport/upload/",
                            {"operator": operator.pk, "file": upload})  # fmt: skip
    assert reply.status_code == 302, reply.content[:2000]
    job = CdrImport.objects.get()
    assert (job.status, job.total, job.imported, job.refused) == (
        "done", goods + len(BAD), goods, len(BAD)
    )  # fmt: skip
    for n, (_name, _text, reason) in enumerate(BAD):
        assert job.errors[n].startswith(f"line {2 * n + 2}: {reason}"), job.errors[n]
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == goods


def test_a_line_that_is_not_utf8_is_refused_alone(operator, tmp_path, capsys):
    lines = [line.encode() for line in good_lines(10)]
    lines.insert(5, b'{"id": "caf\xe9"}')
    path = tmp_path / "cdrs.jsonl"
    path.write_bytes(b"\n".join(lines))
    call_command("import_cdrs", str(path), operator="cpo1.example")
    out = capsys.readouterr()
    assert out.out.strip() == "10 imported, 0 already there, 1 refused, of 11"
    assert out.err.strip() == "line 6: not UTF-8 text (at character 12)"


def test_a_cdr_no_database_stores_is_refused_alone_when_its_batch_fails(operator, monkeypatch):
    """The batch insert fails; each CDR is written again in a savepoint of its own."""
    from django.db import DataError

    from roaming.services import cdr_intake

    real_save = ReceivedCdr.save

    def save(row, *args, **kwargs):
        if row.cdr_id == "G3":
            raise DataError("value out of range")
        return real_save(row, *args, **kwargs)

    def bulk_create(rows, *args, **kwargs):
        raise DataError("value out of range")

    monkeypatch.setattr(ReceivedCdr, "save", save)
    monkeypatch.setattr(ReceivedCdr.objects, "bulk_create", bulk_create)
    out = cdr_intake.take(operator, [(n, good(n)) for n in range(6)])
    assert out.refused == [(3, "cannot be stored (DataError: value out of range)")]
    assert sorted(ReceivedCdr.objects.values_list("cdr_id", flat=True)) == [
        "G0", "G1", "G2", "G4", "G5",
    ]  # fmt: skip
    assert NoOfferSession.objects.count() == 5


@pytest.mark.parametrize("role", ["EMSP", "HUB", "OTHER"])
def test_only_a_partner_registered_as_cpo_pushes_cdrs(client, operator, role):
    _partner, token = registered_partner(operator, party=("IN", "CPO"), role=role)
    reply = push(client, token, GOOD_TEXT)
    assert reply.status_code == 200
    body = reply.json()
    assert body["status_code"] == 2001
    assert body["status_message"].endswith(
        "only a partner registered as CPO (the charging system) pushes CDRs"
    )
    assert not ReceivedCdr.objects.exists() and not NoOfferSession.objects.exists()


def test_a_push_body_over_the_cap_is_refused_before_it_is_parsed(client, operator):
    _partner, token = registered_partner(operator, party=("IN", "CPO"), role="CPO")
    text = GOOD_TEXT[:-1] + ', "remark": "' + "x" * 200_000 + '"}'
    body = push(client, token, text).json()
    assert body["status_code"] == 2001
    assert body["status_message"] == "the CDR is larger than 65,536 bytes"


def test_the_upload_form_states_and_enforces_the_real_cap(operator, settings):
    form = CdrUploadForm(operators=type(operator).objects.all())
    assert "at most 20 MB" in str(form.fields["file"].help_text)
    assert settings.REQUEST_BODY_MAX_BYTES > 20 * 1024 * 1024  # the form is reached
    big = SimpleUploadedFile("cdrs.jsonl", b"")
    big.size = 20 * 1024 * 1024 + 1
    bound = CdrUploadForm({"operator": operator.pk}, {"file": big},
                          operators=type(operator).objects.all())  # fmt: skip
    assert not bound.is_valid()
    assert bound.errors["file"] == ["The file is larger than 20 MB; split it."]


def test_a_stored_cdr_page_shows_a_bounded_part_of_its_body(client, operator):
    """A CDR stored before the size cap can be large: its page shows DATA_SHOWN_CHARS."""
    cdr_imports.import_file(operator, [dumps(good(1))])
    row = ReceivedCdr.objects.get()
    ReceivedCdr.objects.filter(pk=row.pk).update(data={**row.data, "pad": "y" * 1_000_000})
    client.force_login(staff(operator, Role.OPERATOR_ADMIN, "admin-1"))
    page = client.get(f"/admin/roaming/receivedcdr/{row.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("y") < DATA_SHOWN_CHARS + 5_000
    assert "more characters (not shown)" in text
    assert len(page.content) < 200_000


def test_a_refusal_shows_no_python_value(client, operator):
    """Ids, times and unknown stations and chargers are shown as the CDR wrote them, in
    JSON's double quotes, as the schema's refusals show a value: never as Python's repr
    ('C/1', '\\x1b')."""
    _partner, token = registered_partner(operator, party=("IN", "CPO"), role="CPO")
    refusals = {
        edited(_set("id", "C\x1b1")): f'id "C\\u001b1" holds "\\u001b": {NOT_AN_ID}',
        edited(_set("last_updated", "2026-02-30T00:00:00Z")):
            'last_updated "2026-02-30T00:00:00Z" is not a date and time',
        edited(_set("cdr_location.id", "nowhere")):
            'cdr_location.id "nowhere" is not one of our stations',
        edited(_set("cdr_location.evse_uid", "nothing")):
            'cdr_location.evse_uid "nothing" is not a charger at station "cpo1-st-000"',
    }  # fmt: skip
    for text, reason in refusals.items():
        message = push(client, token, text).json()["status_message"]
        assert message == reason and "'" not in message.removesuffix(NOT_AN_ID)


@pytest.mark.parametrize("excl, incl", [(-190, -224.2), (190, 224.2)], ids=["negative", "positive"])
def test_a_credit_cdr_is_refused_saying_so_at_every_door(
    client, operator, tmp_path, capsys, excl, incl
):
    """A credit CDR reverses an earlier one (OCPI 2.2.1 `credit`, `credit_reference_id`):
    with negative costs it was refused for them ("total_cost.excl_vat: -190 is less than
    the minimum of 0"); with positive ones it was taken, a second session counted."""
    _partner, token = registered_partner(operator, party=("IN", "CPO"), role="CPO")
    assert push(client, token, GOOD_TEXT).json()["status_code"] == 1000

    def credit(data: dict[str, Any]) -> None:
        data.update(id="BAD-C", credit=True, credit_reference_id="BAD")
        data["total_cost"] = {"excl_vat": excl, "incl_vat": incl}

    reason = (
        'credit: credit CDRs are not accepted; CDR "BAD" stays counted as it was billed. '
        "Settle the credit in the charging system's own billing, not here"
    )
    reply = push(client, token, edited(credit))
    assert (reply.status_code, reply.json()["status_message"]) == (200, reason)
    path = tmp_path / "cdrs.jsonl"
    path.write_text(edited(credit) + "\n", encoding="utf-8")
    call_command("import_cdrs", str(path), operator="cpo1.example")
    assert capsys.readouterr().err.strip() == f"line 1: {reason}"
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == 1
