"""Celery tasks: send a partner's due pushes; audit received CDRs; the beat sweeps that
retry and recover."""

from __future__ import annotations

from celery import shared_task

from roaming.models import ReceivedCdr
from roaming.services import pushes, tariff_audit


@shared_task(name="roaming.send_due", ignore_result=True)
def send_due(partner_id: int) -> int:
    return pushes.send_due(partner_id)


@shared_task(name="roaming.send_all_due", ignore_result=True)
def send_all_due() -> None:
    """Every minute (beat): pushes waiting for their retry, and rows whose sender died."""
    for partner_id in pushes.requeue_stuck():
        send_due.delay(partner_id)


# CDRs audited by one task at the most (in batches of tariff_audit.BATCH): a backlog is
# worked through by a chain of tasks, each short enough to end well within the broker's
# visibility timeout and to leave its worker to other tasks in between.
AUDIT_TASK_BATCHES = 20


@shared_task(name="roaming.audit_received", ignore_result=True)
def audit_received(operator_id: int) -> int:
    """The price audit's finding of each CDR of the operator not audited yet (queued when
    CDRs are received: roaming.services.cdr_intake.take); a task that may have left some
    queues the next."""
    cdrs = ReceivedCdr.objects.filter(operator_id=operator_id)
    batch = tariff_audit.BATCH
    done = tariff_audit.audit_pending(cdrs, batches=AUDIT_TASK_BATCHES, batch=batch)
    if done >= AUDIT_TASK_BATCHES * batch:
        audit_received.delay(operator_id)
    return done


@shared_task(name="roaming.audit_all_received", ignore_result=True)
def audit_all_received() -> None:
    """Every few minutes (beat): CDRs not audited yet, whose task was lost."""
    waiting = ReceivedCdr.objects.filter(audit_cause="").values_list("operator_id", flat=True)
    for operator_id in waiting.order_by().distinct():
        audit_received.delay(operator_id)
