"""Customer CSV import: what the admin's web request costs now (store and queue) against
the import itself (what the worker does), for one large file.

    createdb cpo_import_bench   # a database of its own: this writes to it
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpo_import_bench \\
        python bench/customer_import.py [--rows 100000]

The database is migrated and gets one operator (bench-import.example) whose customers are
replaced on every run. Prints the file size, the request's time, the worker's time, rows
per second, and how many progress updates the job row got.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpo_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("BEHIND_TLS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def csv_text(rows: int) -> str:
    lines = ["phone,email,segment,tier,member,referred,joined_on"]
    for n in range(rows):
        lines.append(f"+9170{n:08d},,commuter,{'gold' if n % 5 == 0 else ''},yes,no,2024-01-31")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if "postgres" not in url or "bench" not in url.rsplit("/", 1)[-1]:
        print(
            "skipped: set DATABASE_URL to a PostgreSQL database of its own whose name "
            "contains 'bench' (it is migrated and written to)."
        )
        return
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from cpo_portal.models import Operator
    from offers import tasks
    from offers.models import Customer, CustomerImport
    from offers.services import customer_import_jobs

    call_command("migrate", verbosity=0)
    operator, _ = Operator.objects.get_or_create(
        code="bench-import.example", defaults={"name": "B"}
    )
    Customer.objects.filter(operator=operator).delete()
    CustomerImport.objects.filter(operator=operator).delete()
    user = get_user_model().objects.filter(username="bench-import").first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench-import", "b@example.com", "x")
    queued: list[int] = []
    tasks.run_customer_import.delay = queued.append  # the worker is timed below instead

    text = csv_text(args.rows).encode()
    client = Client()
    client.force_login(user)
    upload = SimpleUploadedFile("customers.csv", text, "text/csv")
    began = time.perf_counter()
    response = client.post(
        reverse("admin:offers_customer_import"), {"operator": operator.pk, "file": upload}
    )
    request_s = time.perf_counter() - began
    assert response.status_code == 302, response.status_code

    updates = 0
    real_update = customer_import_jobs._update

    def counted(job_id: int, **fields) -> None:
        nonlocal updates
        updates += 1
        real_update(job_id, **fields)

    customer_import_jobs._update = counted
    began = time.perf_counter()
    customer_import_jobs.run_import(queued[0])
    worker_s = time.perf_counter() - began
    job = CustomerImport.objects.get(pk=queued[0])
    print(f"rows: {args.rows:,} ({len(text) / 1e6:.1f} MB)")
    print(f"web request (store and queue): {request_s * 1000:.0f} ms")
    print(f"worker (the import): {worker_s:.1f} s, {args.rows / worker_s:,.0f} rows/s")
    print(f"job: {job.status}, {job.progress_text}; {updates} progress updates")


if __name__ == "__main__":
    main()
