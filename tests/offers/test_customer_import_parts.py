"""A large customer import in parallel parts (offers.services.customer_import_parts): the
same customers, counts and messages as one task's import."""

from __future__ import annotations

import pytest

from cpo_portal.background import chunked
from cpo_portal.models import ChunkedJob
from offers.models import Customer, CustomerImport
from offers.services import customer_import_parts as parts_mod
from offers.services.customer_import_jobs import run_import

pytestmark = pytest.mark.django_db
FIELDS = ("key", "segment", "tier", "member", "referred", "joined_on")


def csv_text() -> str:
    rows = ["phone,email,segment,tier,member,joined_on"]
    for i in range(60):
        member = "yes" if i % 2 else "no"
        rows.append(f"98765{i % 25:05d},,seg{i},gold,{member},2024-01-{1 + i % 28:02d}")
    rows += [",,nobody,,,", "9876500001,,late,,maybe,", "9876500002,,,,yes,2024-13-01"]
    rows += [f",person{i}@example.com,mail,,," for i in range(10)]
    return "\n".join(rows) + "\n"


def job_of(network, text: str) -> CustomerImport:
    raw = text.encode()
    return CustomerImport.objects.create(
        operator=network.op_a, file_name="c.csv", upload=raw, total_lines=raw.count(b"\n") - 1
    )


def outcome(job: CustomerImport):
    job.refresh_from_db()
    customers = sorted(Customer.objects.filter(operator=job.operator_id).values_list(*FIELDS))
    counts = (job.status, job.rows_read, job.created, job.updated, job.skipped, job.errors)
    return customers, counts


@pytest.mark.parametrize("parts", [2, 3])
def test_the_parts_import_what_one_task_imports(network, settings, parts):
    text = csv_text()
    run_import(job_of(network, text).pk)
    alone = outcome(CustomerImport.objects.get())
    Customer.objects.all().delete()
    CustomerImport.objects.all().delete()

    settings.CUSTOMER_IMPORT_PART_LINES, settings.CUSTOMER_IMPORT_PARTS = 10, parts
    job = job_of(network, text)
    assert parts_mod.begin(job.pk) == "split"
    chunked_job = ChunkedJob.objects.get(subject=parts_mod.PARTS.subject(job.pk))
    results = [chunked.execute_chunk(chunked_job.pk, i) for i in range(parts)]
    assert results[-1] == "done"
    together = outcome(job)
    assert together == alone
    assert alone[1][0] == "done" and alone[1][4] == 3  # a real file: 3 lines skipped,
    merged = [e for e in alone[1][5] if "the same customer as line" in e]
    assert len(merged) == 35 and len(alone[1][5]) == 3 + 35  # and 35 naming a customer again
    worked = [p.progress for p in chunked_job.parts.all()]
    assert all(worked), worked  # every part saved some


def test_a_small_file_is_one_task(network):
    job = job_of(network, "phone,segment\n9876543210,fleet\n")
    assert parts_mod.begin(job.pk) == "done"
    assert not ChunkedJob.objects.exists()
    assert Customer.objects.get().segment == "fleet"


def test_a_file_the_reader_refuses_fails_with_its_message(network, settings):
    settings.CUSTOMER_IMPORT_PART_LINES, settings.CUSTOMER_IMPORT_PARTS = 1, 2
    job = job_of(network, "segment,tier\nfleet,gold\nfleet,gold\n")
    parts_mod.begin(job.pk)
    chunked_job = ChunkedJob.objects.get()
    assert chunked.execute_chunk(chunked_job.pk, 0) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and job.message == "the CSV needs a phone or an email column"
