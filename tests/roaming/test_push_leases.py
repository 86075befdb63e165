"""An OCPI push leased by a worker process that has since died (its heartbeat stale) goes
back to pending at the next sweep, not when its two-minute lease runs out; one leased by
a live process is left alone (cpo_portal.background.lease_holder, as for Beckn callbacks:
tests/beckn/test_lease_holders.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cpo_portal.outbound import sweep
from roaming.models import Push, PushAttempt, PushState
from roaming.services import pushes
from tests.roaming.conftest import network, registered_partner
from tests.support import workers

pytestmark = pytest.mark.django_db


def test_the_push_sweep_releases_what_a_dead_worker_was_sending(ocpi, emsp, settings):
    settings.BECKN_WORKER_STALE_SECONDS = 3
    operator = network(stations=1)
    partner, _token = registered_partner(operator, emsp)
    now = timezone.now()
    dead_holder, live_holder = workers.one_dead_one_live(now, "jobs", pool="prefork")
    pushes.enqueue_all({(operator.pk, "tariffs"): ["cpo1-default"]})
    pushes.enqueue_all({(operator.pk, "locations"): [str(operator.stations.get().pk)]})
    dead, live = Push.objects.order_by("pk")
    lease = now + dt.timedelta(minutes=2)
    for push, holder in ((dead, dead_holder), (live, live_holder)):
        Push.objects.filter(pk=push.pk).update(
            state=PushState.SENDING, leased_until=lease, leased_by=holder, attempts=1
        )

    assert pushes.requeue_stuck() == [partner.pk]

    assert dict(Push.objects.values_list("pk", "state")) == {
        dead.pk: PushState.PENDING,
        live.pk: PushState.SENDING,
    }
    assert PushAttempt.objects.get(push=dead).error == sweep.STOPPED_MID_SEND
