"""Concurrent writers and senders on PostgreSQL: one pending push per object whatever the
number of changes at once, each due push claimed by one sender only, and one registration
per partner when it POSTs twice at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from cpo_portal.models import Charger
from roaming import tasks
from roaming.models import Partner, Push
from roaming.services import credentials, pushes
from tests.races import race, race_n
from tests.roaming.conftest import network, registered_partner

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(ocpi, emsp):
    operator = network(stations=2)
    partner, _token = registered_partner(operator, emsp)
    return operator, partner


def test_simultaneous_changes_leave_one_pending_push_per_object(world):
    operator, _partner = world
    ids = ["cpo1-default", "cpo1-station-001"]
    results = race_n(8, lambda i: pushes.enqueue_all({(operator.pk, "tariffs"): ids}))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Push.objects.filter(state="pending").count() == 2


def test_two_transactions_at_once_each_push_their_changes_after_their_own_commit(
    world, emsp, monkeypatch
):
    """Each connection has its own collector: a transaction committed while another one
    is open pushes its own changes only, and the other's are pushed at its commit. (Two
    operators: one operator's network writers take turns on its memo stamp.)"""
    operator, partner = world
    other = network("cpo2.example", stations=1)
    other_partner, _token = registered_partner(other, emsp)
    queued: list[int] = []
    monkeypatch.setattr(tasks.send_due, "delay", queued.append)
    first = Charger.objects.filter(operator=operator).order_by("code").first()
    second = Charger.objects.get(operator=other)
    saved, other_committed = threading.Event(), threading.Event()

    def slow() -> None:
        try:
            with transaction.atomic():
                first.save()
                saved.set()
                assert other_committed.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow)
    thread.start()
    assert saved.wait(10)
    with transaction.atomic():
        second.save()
    pushed_then = set(Push.objects.values_list("object_id", flat=True))
    queued_then = list(queued)
    other_committed.set()
    thread.join(10)
    assert (pushed_then, queued_then) == ({"cpo2-st-000"}, [other_partner.pk])
    assert set(Push.objects.values_list("object_id", flat=True)) == {"cpo1-st-000", "cpo2-st-000"}
    assert queued == [other_partner.pk, partner.pk]


def test_two_senders_never_claim_the_same_push(world):
    operator, partner = world
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default", "cpo1-station-001"]})
    pushes.enqueue_all({(operator.pk, "locations"): ["cpo1-st-000", "cpo1-st-001"]})
    claimed = race_n(4, lambda i: [p.pk for p in pushes._claim(partner.pk)])
    flat = [pk for batch in claimed for pk in batch]
    assert sorted(flat) == sorted(Push.objects.values_list("pk", flat=True))
    assert len(flat) == len(set(flat)) == 4


def test_one_registration_wins_when_a_partner_posts_twice_at_once(world, emsp):
    operator, _ = world
    partner = Partner.objects.create(operator=operator, name="Twice")
    credentials.issue_registration_token(partner)
    row = Partner.objects.get(pk=partner.pk)
    body = emsp.credentials("emsp-token-a")
    body["roles"][0]["party_id"] = "TWO"  # not the party the world registered already
    emsp.check_back = False
    results = race([lambda: credentials.register_partner(row, body, update=False)] * 2)
    wins = [r for r in results if isinstance(r, dict)]
    assert len(wins) == 1, results
    # the other is answered as after the winner: its token A is no partner's (not a 409)
    lost = next(r for r in results if not isinstance(r, dict))
    assert (lost.status_code, lost.http_status) == (2000, 401), lost
    partner.refresh_from_db()
    assert partner.state == "registered"
    assert partner.inbound_token_hash == credentials.tokens.digest(wins[0]["token"])


def test_two_pushes_of_one_cdr_at_once_leave_one_row(world):
    from analytics.models import NoOfferSession
    from roaming.models import ReceivedCdr
    from roaming.services import cdr_intake
    from tests.roaming.cdr_data import cdr

    operator, partner = world
    partner.role = "CPO"  # only a CPO pushes CDRs
    partner.save(update_fields=["role"])
    sent = cdr("C1", "cpo1-st-000", "cpo1-ch-000", party=(partner.country_code, partner.party_id))
    results = race_n(
        4, lambda i: cdr_intake.take(operator, [(1, sent)], source="push", partner=partner)
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(len(r.stored) for r in results) == 1
    assert sum(len(r.duplicates) for r in results) == 3
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == 1
