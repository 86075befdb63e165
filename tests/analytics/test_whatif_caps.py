"""An operator's what-if runs are bounded: at most WHATIF_RUNS_ACTIVE queued or running,
an identical queued run is returned instead of a second one, and concurrent starts never
pass the cap (the operator's row is locked while it is decided)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from analytics.models import WhatIfRun
from analytics.models.whatif import WhatIfStatus
from analytics.services.whatif.start import new_run
from cpo_portal.background import work_limits
from tests.offers.factories import OfferFactory
from tests.races import race_n

DAY = dt.date(2025, 3, 3)
URL = "/api/analytics/whatif-runs/"


def days(n: int) -> dict:
    return {"date_from": DAY, "date_to": DAY + dt.timedelta(days=n)}


@pytest.mark.django_db
def test_an_identical_queued_run_is_returned_instead_of_a_second(network):
    offer = OfferFactory(operator=network.op_a, code="ten", percent=Decimal("10"))
    first, created = new_run(offer, user=network.analyst_a, **days(3))
    again, created_again = new_run(offer, user=network.analyst_a, **days(3))
    assert created and not created_again and again.pk == first.pk
    other, created_other = new_run(offer, user=network.analyst_a, **days(4))
    assert created_other and other.pk != first.pk
    WhatIfRun.objects.filter(pk=first.pk).update(status=WhatIfStatus.RUNNING)
    _, created_while_running = new_run(offer, user=network.analyst_a, **days(3))
    assert created_while_running  # a running run has started: its result may be stale


@pytest.mark.django_db
def test_an_operator_has_a_bounded_number_of_active_runs(network):
    offer = OfferFactory(operator=network.op_a, code="ten", percent=Decimal("10"))
    cap = work_limits.WHATIF_RUNS_ACTIVE
    for n in range(cap):
        new_run(offer, user=network.analyst_a, **days(n))
    with pytest.raises(ValidationError, match=f"at most {cap} at a time"):
        new_run(offer, user=network.analyst_a, **days(cap))
    assert WhatIfRun.objects.count() == cap
    other = OfferFactory(operator=network.op_b, code="other")
    assert new_run(other, user=None, **days(0))[1]  # another operator is not held up
    WhatIfRun.objects.filter(operator=network.op_a).update(status=WhatIfStatus.DONE)
    assert new_run(offer, user=network.analyst_a, **days(cap))[1]


@pytest.mark.django_db
def test_the_api_answers_the_cap_with_a_400_and_reuse_with_a_200(network):
    offer = OfferFactory(operator=network.op_a, code="ten", percent=Decimal("10"))
    api = APIClient()
    api.force_authenticate(network.analyst_a)
    body = {"offer": offer.pk, "date_from": "2025-03-03", "date_to": "2025-03-03"}
    first = api.post(URL, body, format="json")
    assert first.status_code == 201, first.content
    again = api.post(URL, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    for n in range(1, work_limits.WHATIF_RUNS_ACTIVE + 1):
        answer = api.post(URL, {**body, "date_to": f"2025-03-0{3 + n}"}, format="json")
    assert answer.status_code == 400
    assert "queued or running" in answer.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_never_pass_the_cap(network):
    offer = OfferFactory(operator=network.op_a, code="ten", percent=Decimal("10"))
    results = race_n(12, lambda i: new_run(offer, user=None, **days(i)))
    started = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(started) == work_limits.WHATIF_RUNS_ACTIVE
    assert len(refused) == 12 - work_limits.WHATIF_RUNS_ACTIVE
    assert WhatIfRun.objects.count() == work_limits.WHATIF_RUNS_ACTIVE
