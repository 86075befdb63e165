"""Celery tasks of the offers app (the analytics rollups have their own)."""

from __future__ import annotations

from celery import shared_task

from offers.services.customer_import_jobs import run_import


@shared_task(name="offers.run_customer_import", ignore_result=True)
def run_customer_import(job_id: int) -> None:
    """Import one queued customer CSV (offers.models.CustomerImport)."""
    run_import(job_id)
