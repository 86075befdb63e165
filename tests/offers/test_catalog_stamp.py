"""The offer catalog's stamp (offers.CatalogVersion): a memo filled inside a transaction
that rolled back never serves a later catalog, since a stamp is random, never a counter
that the next change counts to again."""

from __future__ import annotations

import pytest
from django.db import transaction

from offers.models import CatalogVersion
from offers.services import catalog_for
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


class RolledBack(Exception):
    pass


def test_a_catalog_memoised_in_a_rolled_back_transaction_is_not_served_after_it(network):
    operator = network.op_a
    with pytest.raises(RolledBack), transaction.atomic():
        OfferFactory(operator=operator, code="gone")
        assert "gone" in catalog_for(operator).offers  # memoised under the stamp seen here
        raise RolledBack
    OfferFactory(operator=operator, code="kept")  # the next change renews the stamp again
    assert set(catalog_for(operator).offers) == {"kept"}


def test_a_stamp_made_again_after_a_rollback_is_another(network):
    operator_id = network.op_a.pk
    CatalogVersion.objects.filter(operator_id=operator_id).delete()
    with pytest.raises(RolledBack), transaction.atomic():
        first = CatalogVersion.current(operator_id)  # made on first read
        raise RolledBack
    assert CatalogVersion.current(operator_id) != first
