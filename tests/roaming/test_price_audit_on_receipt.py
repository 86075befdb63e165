"""Each received CDR is audited in the background once stored, whichever way it came (an
OCPI push, the import command, an upload); CDRs not audited yet are found by the beat
sweep. The price audit page only reads: it says how many are still waiting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpo_portal.models import Role
from roaming import tasks
from roaming.models import ReceivedCdr
from roaming.services import cdr_imports, tariff_audit
from roaming.tasks import audit_all_received
from tests.factories import staff
from tests.roaming.cdr_data import cdr, dumps
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db
AUDIT = "/admin/roaming/receivedcdr/audit/"


@pytest.fixture
def operator(ocpi):
    return network(stations=2)


def bill(n: str, excl: str = "210.00"):  # the default tariff's price: ₹190.00
    return cdr(n, "cpo1-st-000", "cpo1-ch-000", excl=excl, incl=None)


def findings():
    rows = ReceivedCdr.objects.order_by("cdr_id")
    return [(r.cdr_id, r.audit_excl_vat, r.audit_cause) for r in rows]


def test_a_cdr_pushed_over_ocpi_is_audited_without_a_visit(
    client, operator, eager, django_capture_on_commit_callbacks
):
    _partner, token = registered_partner(operator, party=("IN", "CPO"), role="CPO")
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post("/ocpi/2.2.1/cdrs", dumps(bill("PUSHED")),
                            content_type="application/json", headers=auth(token))  # fmt: skip
    assert reply.status_code == 201, reply.content
    assert findings() == [("PUSHED", Decimal("190.00"), "unexplained")]


def test_a_cdr_imported_from_a_file_is_audited_without_a_visit(
    operator, tmp_path, eager, django_capture_on_commit_callbacks
):
    path = tmp_path / "cdrs.jsonl"
    path.write_text(dumps(bill("FILED")) + "\n" + dumps(bill("RIGHT", "190.00")) + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_cdrs", str(path), operator="cpo1.example")
    assert findings() == [
        ("FILED", Decimal("190.00"), "unexplained"), ("RIGHT", Decimal("190.00"), "matches"),
    ]  # fmt: skip


def test_the_audit_page_writes_nothing_and_says_how_many_wait(client, operator):
    cdr_imports.import_file(operator, [dumps(bill("A")), dumps(bill("B"))])  # no commit: waiting
    client.force_login(staff(operator, Role.ANALYST, "analyst-1"))
    client.get(AUDIT)  # the session and the admin's first-visit queries
    with CaptureQueriesContext(connection) as queries:
        page = client.get(AUDIT).content.decode()
    writes = [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper()
              in ("INSERT", "UPDATE", "DELETE")]  # fmt: skip
    assert writes == []
    assert "2 sessions not audited yet; they are audited in the background." in page
    assert [cause for _, _, cause in findings()] == ["", ""]


def test_cdrs_received_before_are_audited_by_the_beat_sweep(operator, settings, eager):
    other = network("cpo2.example", stations=1)
    cdr_imports.import_file(operator, [dumps(bill("MINE"))])
    cdr_imports.import_file(other, [dumps(cdr("THEIRS", "cpo2-st-000", "cpo2-ch-000"))])
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "roaming.audit_all_received" in schedule
    audit_all_received.delay()
    assert findings() == [
        ("MINE", Decimal("190.00"), "unexplained"), ("THEIRS", Decimal("190.00"), "matches"),
    ]  # fmt: skip


def test_a_backlog_is_audited_by_a_chain_of_short_tasks(operator, monkeypatch, eager):
    """No task audits more than AUDIT_TASK_BATCHES batches: one that may have left some
    queues the next, so a large import never holds a worker past the broker's visibility
    timeout."""
    cdr_imports.import_file(operator, [dumps(bill(f"C{n}")) for n in range(5)])
    monkeypatch.setattr(tariff_audit, "BATCH", 2)
    monkeypatch.setattr(tasks, "AUDIT_TASK_BATCHES", 1)
    waiting = []  # at the start of each task
    real = tasks.audit_received.run

    def run(operator_id: int) -> int:
        waiting.append(ReceivedCdr.objects.filter(audit_cause="").count())
        return real(operator_id)

    monkeypatch.setattr(tasks.audit_received, "run", run)
    tasks.audit_received.delay(operator.pk)
    assert waiting == [5, 3, 1]  # the last one audits the last CDR and queues none
    assert {cause for _, _, cause in findings()} == {"unexplained"}
