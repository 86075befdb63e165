"""A stamp per operator's offer catalog.

Every process caches its compiled OfferIndex per operator and checks this stamp (one
primary-key read, with the others: offers.services.catalog.stamps_for) before each quote,
so an edit in the admin reaches every web and Celery worker at once, whatever cache
backend is configured (cpo_portal.models.OperatorStamp: random, made on first read).
"""

from __future__ import annotations

from django.db import models

from cpo_portal.models import Operator, OperatorStamp


class CatalogVersion(OperatorStamp):
    TENANT_PATH = "operator"

    operator = models.OneToOneField(
        Operator, on_delete=models.CASCADE, related_name="offer_catalog_version"
    )
