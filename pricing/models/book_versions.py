"""One stamp per operator, renewed on every change that can alter its price books.

Every process reads it once per quote and recompiles its cached book when it changed, so
caches stay correct across web workers, Celery workers and management commands. The stamp
is random rather than a counter so that a row made again (an operator id reused after a
rollback, a restored backup) can never match a book cached from the old data.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, models, transaction

from cpo_portal.models import Operator
from cpo_portal.stamps import as_uuid, read_one


class PricingVersion(models.Model):
    TENANT_PATH = "operator"

    operator = models.OneToOneField(
        Operator, on_delete=models.CASCADE, primary_key=True, related_name="pricing_version"
    )
    stamp = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return f"{self.operator_id}: {self.stamp}"

    @classmethod
    def bump(cls, operator_id: int) -> None:
        """Only ever an UPDATE: safe inside a cascade that is deleting the operator."""
        cls.objects.filter(pk=operator_id).update(stamp=uuid.uuid4())

    @classmethod
    def current(cls, operator_id: int) -> uuid.UUID:
        """The stamp to cache against. The row is made on first read, so any change after
        a book was cached finds a row to bump."""
        stamp = read_one(cls, "stamp", "operator", operator_id)
        if stamp is not None:
            return as_uuid(stamp)
        try:
            with transaction.atomic():
                cls.objects.create(pk=operator_id)
        except IntegrityError:  # another process made it meanwhile
            pass
        return cls.objects.filter(pk=operator_id).values_list("stamp", flat=True).get()
