"""Schemathesis over every DRF endpoint in the OpenAPI schema (/api/schema/), as each role
of operator A, a superuser and nobody: never a 5xx, always JSON."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from tests.fuzz.conftest import CASES
from tests.support.fuzz.api import ApiTarget, api_cases, api_schema, kept_connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(network):
    users = {
        "admin_a": network.admin_a,
        "pricing_a": network.pricing_a,
        "analyst_a": network.analyst_a,
        "superuser": network.superuser,
    }
    return ApiTarget({name: Token.objects.create(user=user).key for name, user in users.items()})


def test_every_api_operation_answers_without_5xx(api):
    from cpo_portal.wsgi import application

    with kept_connections():
        schema = api_schema(application)
    operations = {(r.ok().method, r.ok().path) for r in schema.get_all_operations()}
    assert ("get", "/api/analytics/series/") in operations
    assert ("post", "/pricing/api/grid-signals/") in operations

    @settings(
        max_examples=max(CASES // 2, 30),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=api_cases(schema), who=st.sampled_from([*api.tokens, "anonymous"]))
    def fire(case, who):
        api.fire(case, who)

    with kept_connections():
        fire()
    print(sorted(api.tally.items()))
    assert api.failures == [], api.failures[:10]
    assert sum(n for label, n in api.tally.items() if label.endswith("2xx")) > 0, api.tally
    assert sum(n for label, n in api.tally.items() if label.endswith("4xx")) > 0, api.tally
