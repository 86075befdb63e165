"""One stamp per operator, renewed on every change that can alter its price books.

Every process reads it once per quote and recompiles its cached book when it changed, so
caches stay correct across web workers, Celery workers and management commands
(cpo_portal.models.OperatorStamp: random, made on first read).
"""

from __future__ import annotations

from django.db import models

from cpo_portal.models import Operator, OperatorStamp


class PricingVersion(OperatorStamp):
    TENANT_PATH = "operator"

    operator = models.OneToOneField(
        Operator, on_delete=models.CASCADE, primary_key=True, related_name="pricing_version"
    )
