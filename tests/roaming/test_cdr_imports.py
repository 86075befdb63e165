"""CDR files: `manage.py import_cdrs` (JSON lines or an array; a line message per refused
CDR; one-line errors for an unknown operator or file), the admin upload imported in parts
by Celery with its progress, and the price audit page, each operator seeing its own."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from analytics.models import NoOfferSession
from cpo_portal.models import Role
from roaming.models import CdrImport, ReceivedCdr
from roaming.services import cdr_imports
from tests.factories import staff
from tests.roaming.cdr_data import EXACT, cdr, digits, dumps, exact_cdr
from tests.roaming.conftest import network

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(ocpi):
    return network(stations=2)


def lines(*objects) -> str:
    return "\n".join(o if isinstance(o, str) else dumps(o) for o in objects) + "\n"


def good(n: int, station: int = 0, **kw):
    return cdr(f"C{n}", f"cpo1-st-{station:03d}", f"cpo1-ch-{station:03d}", **kw)


def run(path, operator_code="cpo1.example", capsys=None):
    call_command("import_cdrs", str(path), operator=operator_code)
    return capsys.readouterr() if capsys else None


def test_the_command_imports_a_good_file(operator, tmp_path, capsys):
    path = tmp_path / "cdrs.jsonl"
    path.write_text(lines(good(1), good(2), good(3, station=1)))
    out = run(path, capsys=capsys)
    assert out.out.strip() == "3 imported, 0 already there, 0 refused, of 3"
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == 3
    again = run(path, capsys=capsys)  # a second import takes nothing twice
    assert again.out.strip() == "0 imported, 3 already there, 0 refused, of 3"
    assert ReceivedCdr.objects.count() == 3


def test_the_command_reads_a_json_array(operator, tmp_path, capsys):
    path = tmp_path / "cdrs.json"
    bad = good(2)
    del bad["currency"]
    path.write_text(json.dumps(json.loads(f"[{dumps(good(1))}, {dumps(bad)}]"), indent=2))
    out = run(path, capsys=capsys)
    assert out.out.strip() == "1 imported, 0 already there, 1 refused, of 2"
    assert out.err.strip() == "item 2: currency: is required"


def test_bad_lines_are_reported_by_number_and_the_rest_is_taken(operator, tmp_path, capsys):
    unknown = good(3)
    unknown["cdr_location"]["evse_uid"] = "cpo1-ch-999"
    path = tmp_path / "cdrs.jsonl"
    path.write_text(lines(good(1), "{not json", "", unknown, good(4), good(1)))
    out = run(path, capsys=capsys)
    assert out.out.strip() == "2 imported, 1 already there, 2 refused, of 5"
    errors = out.err.strip().splitlines()
    assert errors[0] == (  # in words, not Python's parser's message
        "line 2: not JSON: a name in double quotes was expected at line 1, column 2"
    )
    assert errors[1] == (
        'line 4: cdr_location.evse_uid "cpo1-ch-999" is not a charger at station "cpo1-st-000"'
    )
    assert sorted(ReceivedCdr.objects.values_list("cdr_id", flat=True)) == ["C1", "C4"]


def test_an_unknown_operator_or_file_is_a_one_line_error(operator, tmp_path):
    path = tmp_path / "cdrs.jsonl"
    path.write_text(lines(good(1)))
    with pytest.raises(CommandError, match=r"^no operator with code 'nobody'$"):
        run(path, "nobody")
    with pytest.raises(CommandError, match=r"^cannot read .*missing.jsonl: No such file"):
        run(tmp_path / "missing.jsonl")
    assert not ReceivedCdr.objects.exists()


def test_an_upload_is_imported_in_parts_with_its_progress(
    client, operator, settings, eager, django_capture_on_commit_callbacks
):
    settings.CDR_IMPORT_PART = 2
    settings.CDR_IMPORT_BATCH = 2
    client.force_login(staff(operator, Role.OPERATOR_ADMIN, "admin-1"))
    body = lines(good(1), good(2), "[1]", good(3, station=1), good(4), good(2))
    upload = SimpleUploadedFile("cdrs.jsonl", body.encode(), "application/jsonl")
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post("/admin/roaming/cdrimport/upload/",
                            {"operator": operator.pk, "file": upload})  # fmt: skip
    assert reply.status_code == 302, reply.content[:2000]
    job = CdrImport.objects.get()
    assert reply["Location"] == f"/admin/roaming/cdrimport/{job.pk}/change/"
    assert (job.status, job.total, job.imported, job.duplicates, job.refused) == (
        "done", 6, 4, 1, 1,
    )  # fmt: skip
    assert job.errors == ["line 3: the CDR: [1] is not an object"]
    assert bytes(job.upload) == b""
    assert cdr_imports.progress(job) == (6, 6)
    page = client.get(reply["Location"]).content.decode()
    assert "6 of 6 CDRs (100%)" in page and "line 3: the CDR" in page
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == 4
    assert not ReceivedCdr.objects.filter(audit_cause="").exists()  # audited once received


def test_the_upload_s_message_names_the_file_as_uploaded(
    client, operator, eager, django_capture_on_commit_callbacks
):
    client.force_login(staff(operator, Role.OPERATOR_ADMIN, "admin-1"))
    upload = SimpleUploadedFile("cdrs.csv", lines(good(1)).encode())
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post("/admin/roaming/cdrimport/upload/",
                            {"operator": operator.pk, "file": upload}, follow=True)  # fmt: skip
    page = reply.content.decode()
    assert '<li class="success">cdrs.csv: 1 CDRs queued for import;' in page
    assert "Cdrs.csv" not in page


def test_a_running_upload_shows_how_far_it_got(operator):
    from cpo_portal.models.chunked_jobs import JobChunk

    upload = SimpleUploadedFile("cdrs.jsonl", lines(good(1), good(2)).encode())
    job = cdr_imports.start_import(operator, upload)  # not run: no commit in this test
    JobChunk.objects.filter(job__subject=cdr_imports.RUNNER_OBJECT.subject(job.pk)).update(
        progress=1
    )
    assert cdr_imports.progress(job) == (1, 2)


def test_an_analyst_cannot_upload(client, operator):
    client.force_login(staff(operator, Role.ANALYST, "analyst-1"))
    assert client.get("/admin/roaming/cdrimport/upload/").status_code == 403


def test_the_price_audit_lists_sessions_billed_at_another_price(
    client, operator, eager, django_capture_on_commit_callbacks
):
    other = network("cpo2.example", stations=1)
    with django_capture_on_commit_callbacks(execute=True):  # audited once received
        cdr_imports.import_file(operator, lines(
            good(1), good(2), good(3, excl="210.00", incl="247.80"),
            good(4, station=1, kwh="10", excl="190.00", incl="224.20"),
        ).splitlines())  # fmt: skip
        secret = cdr("SECRET-9", "cpo2-st-000", "cpo2-ch-000", excl="999.00", incl="999.00")
        cdr_imports.import_file(other, [dumps(secret)])
    client.force_login(staff(operator, Role.ANALYST, "analyst-1"))
    page = client.get("/admin/roaming/receivedcdr/audit/").content.decode()
    # C3 is billed 20.00 more than its tariff, for no reason the audit knows; station 1's
    # tariff is 21/kWh: C4, billed at the default 18, is explained by that other tariff
    assert "<strong>1</strong> of 4 sessions (25.0 % of those priced)" in page
    assert "net difference ₹20.00, absolute ₹20.00" in page
    assert "2 billed at another price in all" in page
    listed = page[page.index('id="audit-rows"') :]
    assert "C3" in listed and "C4" not in listed and "C1</td>" not in listed
    assert "A different tariff" in page
    assert "SECRET-9" not in page and "cpo2-st-000" not in page
    assert "999.00" not in page
    every = client.get("/admin/roaming/receivedcdr/").content.decode()
    assert "SECRET-9" not in every and "C3" in every


@pytest.mark.parametrize("shape", ["lines", "array"])
def test_an_imported_cdr_keeps_the_partners_digits_on_its_page_and_in_the_export(
    client, operator, tmp_path, capsys, shape
):
    """A file's CDR is kept as written (the line's or the array item's numbers, digit for
    digit), and its admin page and the CSV export show those digits."""
    path = tmp_path / "cdrs.json"
    text = exact_cdr("X1")
    path.write_text(f"[{text}]" if shape == "array" else text + "\n")
    assert run(path, capsys=capsys).out.strip() == "1 imported, 0 already there, 0 refused, of 1"
    row = ReceivedCdr.objects.get()
    assert digits(row.data) == EXACT
    client.force_login(staff(operator, Role.OPERATOR_ADMIN, "admin-1"))
    page = client.get(f"/admin/roaming/receivedcdr/{row.pk}/change/").content.decode()
    for number in EXACT.values():
        assert number in page, number
    export = client.post("/admin/roaming/receivedcdr/",
                         {"action": "export_csv", "_selected_action": [row.pk]})  # fmt: skip
    assert export.status_code == 200, export.content[:500]
    (header, values) = list(csv.reader(io.StringIO(export.content.decode())))
    kept = json.loads(values[header.index("data")], parse_float=Decimal)  # JSON, not a repr
    assert digits(kept) == EXACT
