"""A version number per operator's offer catalog.

Every process caches its compiled OfferIndex per operator and checks this number (one
primary-key read) before each quote, so an edit in the admin reaches every web and Celery
worker at once, whatever cache backend is configured.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F

from cpo_portal.models import Operator
from cpo_portal.stamps import read_one


class CatalogVersion(models.Model):
    TENANT_PATH = "operator"

    operator = models.OneToOneField(
        Operator, on_delete=models.CASCADE, related_name="offer_catalog_version"
    )
    version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.operator_id} v{self.version}"

    @classmethod
    def bump(cls, operator_id: int) -> None:
        if not cls.objects.filter(operator_id=operator_id).update(version=F("version") + 1):
            cls.objects.get_or_create(operator_id=operator_id)

    @classmethod
    def current(cls, operator_id: int) -> int:
        return read_one(cls, "version", "operator", operator_id) or 0
