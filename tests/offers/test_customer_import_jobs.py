"""Customer CSV import: a background job with progress in the admin, the model's checks on
every row, and hostile files refused with a message naming the line (never a 500)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from offers.customer_keys import customer_key
from offers.models import Customer, CustomerImport, ImportStatus
from offers.services import customer_import
from offers.services.customer_import import import_customers
from offers.services.customer_import_jobs import run_import

pytestmark = pytest.mark.django_db

GOOD = "phone,email,segment,tier\n9876543210,,commuter,gold\n,fleet@example.com,fleet,\n"
NUL_SEGMENT = "phone,segment\n9876543210,comm\x00uter\n9876543211,fleet\n"
LONG_SEGMENT = "phone,segment\n9876543210," + "x" * 40 + "\n"
HUGE_CELL = "phone,segment\n9876543210," + "x" * 200_000 + "\n"


@pytest.fixture
def queued(monkeypatch):
    """Collect the job ids sent to the worker instead of talking to a broker."""
    from offers import tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.run_customer_import, "delay", sent.append)
    return sent


def upload(client, network, text: str, django_capture_on_commit_callbacks):
    client.force_login(network.pricing_a)
    csv_file = SimpleUploadedFile("customers.csv", text.encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("admin:offers_customer_import"),
            {"operator": network.op_a.pk, "file": csv_file},
            follow=True,
        )


def test_the_web_request_only_stores_the_upload_and_queues_it(
    client, network, queued, django_capture_on_commit_callbacks
):
    response = upload(client, network, GOOD, django_capture_on_commit_callbacks)
    job = CustomerImport.objects.get()
    assert queued == [job.pk]
    assert not Customer.objects.exists()  # nothing imported inside the request
    assert (job.status, job.total_lines, bytes(job.upload)) == ("queued", 2, GOOD.encode())
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:offers_customerimport_change", args=[job.pk]
    )
    assert "waiting for a worker" in page and 'http-equiv="refresh"' in page
    # the file as uploaded: a message that starts with its name does not capitalise it
    assert '<li class="success">customers.csv is queued for import;' in page
    assert "Customers.csv" not in page

    run_import(job.pk)  # what the worker does
    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.skipped) == ("done", 2, 0, 0)
    assert bytes(job.upload) == b""  # the raw contacts are gone
    assert Customer.objects.get(key=customer_key(phone="9876543210")).tier == "gold"
    page = client.get(reverse("admin:offers_customerimport_change", args=[job.pk])).content
    assert b"2 created, 0 updated, 0 skipped" in page and b'http-equiv="refresh"' not in page
    run_import(job.pk)  # a duplicate delivery of the task does nothing
    assert Customer.objects.count() == 2


def test_an_unreachable_broker_fails_the_job_visibly(
    client, network, monkeypatch, django_capture_on_commit_callbacks
):
    from offers import tasks

    def down(job_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.run_customer_import, "delay", down)
    upload(client, network, GOOD, django_capture_on_commit_callbacks)
    job = CustomerImport.objects.get()
    assert (job.status, bytes(job.upload)) == ("failed", b"")
    assert "could not be queued" in job.message


def test_progress_is_reported_while_reading_and_saving(network, monkeypatch):
    monkeypatch.setattr(customer_import, "BATCH", 2)
    rows = "".join(f"98765432{n:02d},commuter\n" for n in range(5))
    seen: list[tuple[int, int, int]] = []
    text = io.StringIO("phone,segment\n" + rows)
    result = import_customers(network.op_a, text, lambda *done: seen.append(done))
    assert result.created == 5
    # every BATCH lines read, then after every batch saved
    assert seen == [(1, 0, 0), (3, 0, 0), (5, 0, 0), (5, 2, 5), (5, 4, 5), (5, 5, 5)]


def test_a_running_job_shows_its_progress_to_its_operator_only(client, network):
    job = CustomerImport.objects.create(
        operator=network.op_a, file_name="big.csv", status=ImportStatus.RUNNING,
        total_lines=100_000, rows_read=100_000, rows_to_save=99_000, rows_saved=41_000,
    )  # fmt: skip
    client.force_login(network.pricing_a)
    page = client.get(reverse("admin:offers_customerimport_changelist")).content.decode()
    assert "saving: 41,000 of 99,000 customers" in page
    client.force_login(network.pricing_b)
    page = client.get(reverse("admin:offers_customerimport_change", args=[job.pk]), follow=True)
    assert "big.csv" not in page.content.decode()


@pytest.mark.parametrize(
    ("text", "skipped", "message"),
    [
        (NUL_SEGMENT, 1, "line 2: segment (segment): Remove control characters"),
        (LONG_SEGMENT, 1, "line 2: segment (segment): Ensure this value has at most 32 characters"),
    ],
    ids=["NUL byte", "too long"],
)
def test_bad_rows_are_skipped_naming_the_line_and_the_field(network, text, skipped, message):
    result = import_customers(network.op_a, io.StringIO(text))
    assert result.skipped == skipped
    assert result.errors[0].startswith(message)
    assert all("\x00" not in c.segment for c in Customer.objects.all())


def test_a_cell_over_the_csv_limit_refuses_the_file_on_every_path(
    client, network, queued, tmp_path, django_capture_on_commit_callbacks
):
    """Was a 500 (csv.Error is not a ValueError). Nothing is saved."""
    expected = "line 2: the CSV cannot be read: a cell is longer than 131,072 characters"
    with pytest.raises(ValueError, match=expected):
        import_customers(network.op_a, io.StringIO(HUGE_CELL))
    path = tmp_path / "c.csv"
    path.write_text(HUGE_CELL)
    with pytest.raises(CommandError) as caught:
        call_command("import_customers", str(path), operator=network.op_a.code)
    assert str(caught.value) == expected
    upload(client, network, HUGE_CELL, django_capture_on_commit_callbacks)
    job = CustomerImport.objects.get()
    run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message, bytes(job.upload)) == ("failed", expected, b"")
    page = client.get(reverse("admin:offers_customerimport_change", args=[job.pk])).content
    assert expected.encode() in page
    assert not Customer.objects.exists()


def test_the_command_reports_skipped_rows_on_one_line_each(network, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(NUL_SEGMENT)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_customers", str(path), operator=network.op_a.code, stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "line 2: segment (segment): Remove control characters (NUL, tab, line breaks)."
    ]
    assert "1 created, 0 updated, 1 skipped" in out.getvalue()


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("phone,segment\n9876500002,café\n".encode("latin-1"), 2),
        ("phone,segment\n9876500002,fleet\n".encode("utf-16"), 1),
    ],
    ids=["Latin-1", "UTF-16"],
)
def test_a_file_that_is_not_utf8_is_refused_naming_its_line_on_every_path(
    client, network, queued, tmp_path, raw, line
):
    """A Latin-1 "é" was saved as "\ufffd", and UTF-16 failed as a file with no phone column."""
    expected = f"the file is not UTF-8 text (line {line}): save it as CSV UTF-8 and upload it again"
    client.force_login(network.pricing_a)
    page = client.post(
        reverse("admin:offers_customer_import"),
        {"operator": network.op_a.pk, "file": SimpleUploadedFile("c.csv", raw, "text/csv")},
    ).content.decode()
    assert f"The file is not UTF-8 text (line {line})" in page
    assert not CustomerImport.objects.exists() and queued == []
    path = tmp_path / "c.csv"
    path.write_bytes(raw)
    with pytest.raises(CommandError) as caught:
        call_command("import_customers", str(path), operator=network.op_a.code)
    assert str(caught.value) == expected
    job = CustomerImport.objects.create(operator=network.op_a, file_name="c.csv", upload=raw)
    run_import(job.pk)  # a job stored before uploads were checked
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", expected)
    assert not Customer.objects.exists()


def test_two_lines_for_one_customer_are_both_accounted_for(network):
    """The same phone written two ways: one customer, the later line's values, and a note
    naming both lines (it was 2 lines read, 1 created and nothing said)."""
    text = "phone,segment\n9876500010,a\n+91 98765 00010,b\n9876500011,c\n"
    result = import_customers(network.op_a, io.StringIO(text))
    assert (result.rows, result.created, result.skipped, result.merged) == (3, 2, 0, 1)
    assert result.errors == [
        "line 3: the same customer as line 2; this line's values replace that one's"
    ]
    assert str(result) == "2 created, 0 updated, 0 skipped, 1 merged into an earlier line; 1 errors"
    assert Customer.objects.get(key=customer_key(phone="9876500010")).segment == "b"
