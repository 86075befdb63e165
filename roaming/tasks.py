"""Celery tasks: send a partner's due pushes; the beat sweep that retries and recovers."""

from __future__ import annotations

from celery import shared_task

from roaming.services import pushes


@shared_task(name="roaming.send_due", ignore_result=True)
def send_due(partner_id: int) -> int:
    return pushes.send_due(partner_id)


@shared_task(name="roaming.send_all_due", ignore_result=True)
def send_all_due() -> None:
    """Every minute (beat): pushes waiting for their retry, and rows whose sender died."""
    for partner_id in pushes.requeue_stuck():
        send_due.delay(partner_id)
