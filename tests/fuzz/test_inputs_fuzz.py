"""Hostile bodies to every POST endpoint of the DRF API and hostile pricing documents to the
import (tests/support/fuzz/inputs.py): never a 5xx, never an exception but a FormatError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from offers.services.config.exporting import export_pricing
from tests.fuzz.conftest import CASES
from tests.offers.factories import OfferFactory
from tests.support.fuzz.api import api_schema, kept_connections
from tests.support.fuzz.inputs import (
    API_BODIES,
    Tally,
    document_cases,
    fire_api,
    fire_document,
    post_paths,
)

pytestmark = pytest.mark.django_db
RUN = settings(
    max_examples=max(CASES // 3, 30),
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_hostile_bodies_to_every_api_post_answer_without_5xx(network):
    from cpo_portal.wsgi import application

    with kept_connections():
        paths = post_paths(api_schema(application))
    assert "/api/analytics/whatif-runs/" in paths
    client = APIClient()
    client.force_authenticate(network.admin_a)
    tally = Tally()

    @RUN
    @given(path=st.sampled_from(paths), raw=API_BODIES)
    def fire(path, raw):
        fire_api(client, path, raw, tally)

    fire()
    print(sorted(tally.counts.items()))
    print(len(tally.failures), "FAILURES", tally.failures[:3])
    assert tally.failures == [], tally.failures[:10]
    assert sum(tally.counts.values()) >= 30


def test_hostile_pricing_documents_are_refused_with_a_message(network):
    OfferFactory(operator=network.op_a, code="fuzz-codes", auto=False)
    base = export_pricing(network.op_a)
    tally = Tally()

    @RUN
    @given(text=document_cases(base))
    def fire(text):
        fire_document(network.op_a, text, tally)

    fire()
    print(sorted(tally.counts.items()))
    print(len(tally.failures), "FAILURES", tally.failures[:3])
    assert tally.failures == [], tally.failures[:10]
    assert tally.counts["pricing: refused when read (a line message)"] > 0, tally.counts
