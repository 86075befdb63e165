"""Celery tasks of the offers app (the analytics rollups have their own)."""

from __future__ import annotations

from celery import shared_task

from offers.services.codes import fill_batch
from offers.services.customer_import_parts import begin as begin_import


@shared_task(name="offers.run_customer_import", ignore_result=True)
def run_customer_import(job_id: int) -> None:
    """Import one queued customer CSV (offers.models.CustomerImport), in parallel parts when
    it is large (offers.services.customer_import_parts)."""
    begin_import(job_id)


@shared_task(name="offers.generate_codes", ignore_result=True)
def generate_codes(batch_id: int) -> None:
    """Generate a large single-use code batch (offers.services.codes.fill_batch)."""
    fill_batch(batch_id)
